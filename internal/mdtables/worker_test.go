package mdtables

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"

	"talus/internal/meta"
	"talus/internal/meta/sqlite"
	"talus/internal/s3"
	"talus/internal/s3api"
)

var ctx = context.Background()

// memObjects is an object store in memory.
// Annotation payloads are read from meta (stored in plaintext here).
type memObjects struct {
	mu   sync.Mutex
	m    map[string][]byte
	kms  map[string]string // the KMS key each file was written under
	meta meta.Store
}

func (o *memObjects) Put(_ context.Context, bucket, key string, body io.Reader, size int64, _, kmsKey string) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.m[bucket+"/"+key] = b
	o.kms[bucket+"/"+key] = kmsKey
	o.mu.Unlock()
	return nil
}

func (o *memObjects) AnnotationText(ctx context.Context, bucket, key, versionID, name string) ([]byte, error) {
	_, a, err := o.meta.GetAnnotation(ctx, bucket, key, versionID, name)
	if err != nil {
		return nil, s3api.ErrNoSuchObject
	}
	return a.Data, nil
}

func (o *memObjects) Get(_ context.Context, bucket, key string) (io.ReadCloser, int64, error) {
	o.mu.Lock()
	b, ok := o.m[bucket+"/"+key]
	o.mu.Unlock()
	if !ok {
		return nil, 0, s3api.ErrNoSuchObject
	}
	return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
}

func (o *memObjects) Delete(_ context.Context, bucket, key string) error {
	o.mu.Lock()
	delete(o.m, bucket+"/"+key)
	o.mu.Unlock()
	return nil
}

type env struct {
	t    *testing.T
	m    *sqlite.Store
	objs *memObjects
	w    *Worker
	now  time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	m, err := sqlite.Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	e := &env{t: t, m: m, objs: &memObjects{m: map[string][]byte{}, kms: map[string]string{}, meta: m}, now: time.Now()}
	e.w = New(Config{Meta: m, Objects: e.objs, CompactInterval: time.Hour, Now: func() time.Time { return e.now }})
	for _, b := range []string{"src", s3.MetadataTableBucketV2} {
		if err := m.CreateBucket(ctx, meta.Bucket{Name: b, Owner: "o", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// configure gives src a V2 configuration.
func (e *env) configure(inventory bool, days int) *meta.MetadataConfig {
	e.t.Helper()
	seq, err := e.m.JournalSeq(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	c := &meta.MetadataConfig{TableBucket: s3.MetadataTableBucketV2, Namespace: "b_src", ExpirationDays: days, JournalStart: seq,
		Journal: meta.MetadataTable{Enabled: true, Status: s3.TableCreating, Name: "journal", ID: uuid.NewString()}}
	if inventory {
		c.Inventory = &meta.MetadataTable{Enabled: true, Status: s3.TableCreating, Name: "inventory", ID: uuid.NewString()}
	}
	if err := e.m.UpdateBucket(ctx, "src", func(b *meta.Bucket) error { b.Config.Metadata = c; return nil }); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) put(key string) {
	e.t.Helper()
	o := &meta.Object{Bucket: "src", Key: key, Size: 1, ETag: `"e"`, Modified: time.Now(), Inline: []byte("x"),
		Attrs: meta.Attrs{Tags: map[string]string{"k": key}}}
	if _, err := e.m.PutObject(ctx, o, meta.PutOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) run() {
	e.t.Helper()
	if err := e.w.RunOnce(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// rows reads a table's rows as "TYPE key" (inventory: "key"), sorted by
// sequence number, and its data file count.
func (e *env) rows(name string) ([]string, int) {
	e.t.Helper()
	tbl, err := e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", name)
	if err != nil {
		e.t.Fatal(err)
	}
	if tbl.CurrentSnapshot() == nil {
		return nil, 0
	}
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	at, err := tbl.Scan().ToArrowTable(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	defer at.Release()
	tr := array.NewTableReader(at, 100)
	defer tr.Release()
	type r struct{ seq, s string }
	var out []r
	for tr.Next() {
		rec := tr.RecordBatch()
		col := func(n string) *array.String {
			return rec.Column(rec.Schema().FieldIndices(n)[0]).(*array.String)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			kc := "key"
			if name == "annotation" {
				kc = "object_key"
			}
			s := col(kc).Value(i)
			if name == "journal" {
				s = col("record_type").Value(i) + " " + s
			}
			out = append(out, r{col("sequence_number").Value(i), s})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	var ss []string
	for _, x := range out {
		ss = append(ss, x.s)
	}
	return ss, len(tasks)
}

// strings reads a table's string columns: one map per row, a NULL value
// as "<null>".
func (e *env) strings(name string) []map[string]string {
	e.t.Helper()
	tbl, err := e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", name)
	if err != nil {
		e.t.Fatal(err)
	}
	at, err := tbl.Scan().ToArrowTable(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	defer at.Release()
	tr := array.NewTableReader(at, 100)
	defer tr.Release()
	var out []map[string]string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			m := map[string]string{}
			for j, f := range rec.Schema().Fields() {
				if c, ok := rec.Column(j).(*array.String); ok {
					m[f.Name] = c.Value(i)
					if c.IsNull(i) {
						m[f.Name] = "<null>"
					}
				}
			}
			out = append(out, m)
		}
	}
	return out
}

func (e *env) status() *meta.MetadataConfig {
	b, err := e.m.GetBucket(ctx, "src")
	if err != nil {
		e.t.Fatal(err)
	}
	return b.Config.Metadata
}

func equal(a, b []string) bool { return slices.Equal(a, b) }

func TestJournalResumesWithoutDuplicates(t *testing.T) {
	e := newEnv(t)
	e.put("before")
	c := e.configure(false, 0)
	e.put("a")
	e.put("b")
	e.run()
	if got, _ := e.rows("journal"); !equal(got, []string{"CREATE a", "CREATE b"}) {
		t.Fatalf("journal rows: %v", got)
	}
	if s := e.status().Journal.Status; s != s3.TableActive {
		t.Fatalf("journal status %s", s)
	}
	// A crash after the snapshot's commit and before the cursor moved:
	// the next run must resume from the snapshot, not the cursor.
	if err := e.m.SetJournalCursor(ctx, cursorName("src", c.Journal.ID), c.JournalStart); err != nil {
		t.Fatal(err)
	}
	e.run()
	if got, _ := e.rows("journal"); !equal(got, []string{"CREATE a", "CREATE b"}) {
		t.Fatalf("journal rows after a resumed run: %v", got)
	}
	if _, err := e.m.DeleteObject(ctx, "src", "a", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.run()
	if got, _ := e.rows("journal"); !equal(got, []string{"CREATE a", "CREATE b", "DELETE a"}) {
		t.Fatalf("journal rows after a delete: %v", got)
	}
	cur, err := e.m.GetJournalCursor(ctx, cursorName("src", c.Journal.ID))
	last, _ := e.m.JournalSeq(ctx)
	if err != nil || cur.Seq != last {
		t.Fatalf("cursor %v %v, journal at %d", cur, err, last)
	}
	// Without the configuration the cursor goes, so retention is free.
	if err := e.m.UpdateBucket(ctx, "src", func(b *meta.Bucket) error { b.Config.Metadata = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	e.run()
	if _, err := e.m.GetJournalCursor(ctx, cursorName("src", c.Journal.ID)); err != meta.ErrNoSuchCursor {
		t.Fatalf("cursor of a deleted configuration: %v", err)
	}
}

func TestInventoryBackfillAndRebuild(t *testing.T) {
	e := newEnv(t)
	e.put("x")
	e.put("y")
	e.configure(true, 0)
	e.run()
	if got, _ := e.rows("inventory"); !equal(got, []string{"x", "y"}) {
		t.Fatalf("inventory after backfill: %v", got)
	}
	if s := e.status().Inventory.Status; s != s3.TableActive {
		t.Fatalf("inventory status %s", s)
	}
	if _, err := e.m.DeleteObject(ctx, "src", "x", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.put("z")
	e.run()
	if got, _ := e.rows("inventory"); !equal(got, []string{"y", "z"}) {
		t.Fatalf("inventory after changes: %v", got)
	}
	tbl, _ := e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
	before := tbl.CurrentSnapshot().SnapshotID
	e.run() // nothing changed: no new snapshot
	tbl, _ = e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
	if tbl.CurrentSnapshot().SnapshotID != before {
		t.Fatal("inventory rebuilt without a change")
	}
}

func TestCompactionMergesFilesAndExpiresRecords(t *testing.T) {
	e := newEnv(t)
	e.w.cfg.CompactFiles = 3
	e.configure(false, 7)
	for i := range 5 {
		e.put("k" + strconv.Itoa(i))
		e.run()
	}
	rows, files := e.rows("journal")
	if len(rows) != 5 || files > 3 {
		t.Fatalf("after 5 runs: %d rows in %d files", len(rows), files)
	}
	// Eight days on, every record is past its seven days.
	e.now = e.now.Add(8 * 24 * time.Hour)
	for k := range e.w.lastCompact {
		e.w.lastCompact[k] = e.now.Add(-2 * time.Hour) // the compaction interval has passed
	}
	e.run()
	if rows, files := e.rows("journal"); len(rows) != 0 || files > 1 {
		t.Fatalf("after expiry: %v in %d files", rows, files)
	}
}

// TestSchemasHaveAWSColumns checks every column of the three tables,
// in order, against AWS's documented schemas: name, Iceberg type and
// whether it is required (a "!" suffix).
func TestSchemasHaveAWSColumns(t *testing.T) {
	names := func(kind string) []string {
		var n []string
		for _, f := range tableSchema(kind).Fields() {
			c := f.Name + ":" + f.Type.String()
			if f.Required {
				c += "!"
			}
			n = append(n, c)
		}
		return n
	}
	object := []string{"version_id:string", "is_delete_marker:boolean", "size:long", "last_modified_date:timestamp",
		"e_tag:string", "storage_class:string", "is_multipart:boolean", "encryption_status:string",
		"is_bucket_key_enabled:boolean", "kms_key_arn:string", "checksum_algorithm:string",
		"object_tags:map<string, string>", "user_metadata:map<string, string>"}
	journal := append(append([]string{"bucket:string!", "key:string!", "sequence_number:string!", "record_type:string!",
		"record_timestamp:timestamp!"}, object...), "requester:string", "source_ip_address:string", "request_id:string")
	inventory := append([]string{"bucket:string!", "key:string!", "sequence_number:string!"}, object...)
	annotation := []string{"bucket:string!", "object_key:string!", "object_version_id:string", "object_join_key:string!",
		"name:string!", "sequence_number:string!", "last_modified_date:timestamp", "size:long", "e_tag:string",
		"checksum_algorithm:string", "replication_status:string", "text_value:string"}
	for _, tc := range []struct {
		kind string
		want []string
	}{{kindJournal, journal}, {kindInventory, inventory}, {kindAnnotation, annotation}} {
		got := names(tc.kind)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d columns, want %d:\n%v", tc.kind, len(got), len(tc.want), got)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s column %d: %s, want %s", tc.kind, i+1, got[i], tc.want[i])
			}
		}
	}
}

func TestForeignTableBucketIsNotWritten(t *testing.T) {
	e := newEnv(t)
	if err := e.m.UpdateBucket(ctx, s3.MetadataTableBucketV2, func(b *meta.Bucket) error { b.Owner = "someone-else"; return nil }); err != nil {
		t.Fatal(err)
	}
	e.configure(false, 0)
	e.put("a")
	if err := e.w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	j := e.status().Journal
	if j.Status != s3.TableFailed || j.ErrorCode != "AccessDeniedCreatingResources" {
		t.Fatalf("journal %+v", j)
	}
	if len(e.objs.m) != 0 {
		t.Fatalf("files written to another account's bucket: %d", len(e.objs.m))
	}
}

func TestAnnotationTable(t *testing.T) {
	e := newEnv(t)
	e.put("a")
	e.put("b")
	for _, name := range []string{"caption", "review"} {
		if _, err := e.m.PutAnnotation(ctx, "src", "a", "", &meta.Annotation{Name: name, Size: 3, ETag: `"x"`, Modified: time.Now(), Data: []byte("abc")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := e.configure(false, 0)
	c.Annotation = &meta.MetadataTable{Enabled: true, Status: s3.TableCreating, Name: "annotation", ID: uuid.NewString()}
	if err := e.m.UpdateBucket(ctx, "src", func(b *meta.Bucket) error { b.Config.Metadata = c; return nil }); err != nil {
		t.Fatal(err)
	}
	e.run()
	if got, _ := e.rows("annotation"); !equal(got, []string{"a", "a"}) {
		t.Fatalf("annotation rows: %v", got)
	}
	if s := e.status().Annotation.Status; s != s3.TableActive {
		t.Fatalf("annotation status %s", s)
	}
	// The payload is the text_value column; no replication: NULL status.
	texts := map[string]string{}
	for _, r := range e.strings("annotation") {
		texts[r["name"]] = r["text_value"]
		if r["replication_status"] != "<null>" {
			t.Errorf("replication_status %q", r["replication_status"])
		}
	}
	if texts["caption"] != "abc" || texts["review"] != "abc" {
		t.Fatalf("annotation text values: %v", texts)
	}
	if _, err := e.m.DeleteAnnotation(ctx, "src", "a", "", "review", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.PutAnnotation(ctx, "src", "b", "", &meta.Annotation{Name: "caption", Size: 1, ETag: `"y"`, Modified: time.Now(), Data: []byte("z")}, nil); err != nil {
		t.Fatal(err)
	}
	e.run()
	if got, _ := e.rows("annotation"); !equal(got, []string{"a", "b"}) {
		t.Fatalf("annotation rows after changes: %v", got)
	}
	for _, r := range e.strings("annotation") {
		if want := map[string]string{"a": "abc", "b": "z"}[r["object_key"]]; r["text_value"] != want {
			t.Fatalf("text_value of %s/%s: %q, want %q", r["object_key"], r["name"], r["text_value"], want)
		}
	}
}

// TestInventoryIncremental: after the backfill a run changes only the
// rows of the keys the journal names, leaving data files without them
// untouched; more changes than maxIncremental rebuild the table, and
// many small files are compacted.
func TestInventoryIncremental(t *testing.T) {
	e := newEnv(t)
	e.w.cfg.CompactFiles = 4
	for i := range 10 {
		e.put("k" + strconv.Itoa(i))
	}
	e.configure(true, 0)
	e.run()
	planned := func() map[string]bool {
		tbl, err := e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
		if err != nil {
			t.Fatal(err)
		}
		tasks, err := tbl.Scan().PlanFiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, task := range tasks {
			m[task.File.FilePath()] = true
		}
		return m
	}
	keys := func() []string {
		got, _ := e.rows("inventory")
		slices.Sort(got)
		return got
	}
	sizes := func() map[string]int64 {
		tbl, _ := e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
		at, err := tbl.Scan().ToArrowTable(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer at.Release()
		tr := array.NewTableReader(at, 100)
		defer tr.Release()
		m := map[string]int64{}
		for tr.Next() {
			rec := tr.RecordBatch()
			k := rec.Column(rec.Schema().FieldIndices("key")[0]).(*array.String)
			sz := rec.Column(rec.Schema().FieldIndices("size")[0]).(*array.Int64)
			for i := 0; i < int(rec.NumRows()); i++ {
				m[k.Value(i)] = sz.Value(i)
			}
		}
		return m
	}
	backfill := planned()
	if len(backfill) != 1 || len(keys()) != 10 {
		t.Fatalf("backfill: files %v rows %v", backfill, keys())
	}
	// A new key sorting after every other: the backfill file is kept.
	e.put("z")
	e.run()
	after := planned()
	for f := range backfill {
		if !after[f] {
			t.Fatalf("backfill file %s rewritten for a key it does not hold", f)
		}
	}
	if got := keys(); len(got) != 11 || got[10] != "z" {
		t.Fatalf("after a new key: %v", got)
	}
	// An overwrite replaces the key's row; a delete removes it.
	o := &meta.Object{Bucket: "src", Key: "k3", Size: 42, ETag: `"n"`, Modified: time.Now(), Inline: make([]byte, 42)}
	if _, err := e.m.PutObject(ctx, o, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.DeleteObject(ctx, "src", "k5", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.run()
	sz := sizes()
	if len(sz) != 10 || sz["k3"] != 42 || sz["k4"] != 1 {
		t.Fatalf("after an overwrite and a delete: %v", sz)
	}
	if _, ok := sz["k5"]; ok {
		t.Fatal("deleted key still in the inventory")
	}
	tbl, _ := e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
	if op := tbl.CurrentSnapshot().Summary.Operation; op != table.OpAppend {
		t.Fatalf("incremental run's last snapshot: %s, want append", op)
	}
	// A delete alone: no rows to add.
	if _, err := e.m.DeleteObject(ctx, "src", "z", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.run()
	if got := keys(); len(got) != 9 || slices.Contains(got, "z") {
		t.Fatalf("after deleting z: %v", got)
	}
	tbl, _ = e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
	before := tbl.CurrentSnapshot().SnapshotID
	e.run() // nothing changed since: no new snapshot
	tbl, _ = e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
	if tbl.CurrentSnapshot().SnapshotID != before {
		t.Fatal("a run without changes made a snapshot")
	}
	// More changes than maxIncremental: one rebuild (an overwrite).
	defer func(n int) { maxIncremental = n }(maxIncremental)
	maxIncremental = 2
	for _, k := range []string{"a", "b", "c"} {
		e.put(k)
	}
	e.run()
	tbl, _ = e.w.tables.load(ctx, s3.MetadataTableBucketV2, "b_src", "inventory")
	if op := tbl.CurrentSnapshot().Summary.Operation; op != table.OpOverwrite || len(keys()) != 12 {
		t.Fatalf("after more changes than maxIncremental: %s, %v", op, keys())
	}
	maxIncremental = 1000
	// Many small runs: the files are compacted.
	for i := range 8 {
		e.put("m" + strconv.Itoa(i))
		e.run()
	}
	if n := len(planned()); n > e.w.cfg.CompactFiles+1 {
		t.Fatalf("%d data files after 8 incremental runs", n)
	}
	if got := keys(); len(got) != 20 {
		t.Fatalf("rows after compaction: %d %v", len(got), got)
	}
}
