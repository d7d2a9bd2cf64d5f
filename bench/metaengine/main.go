// Command metaengine benchmarks candidate embedded metadata engines for Talus
// (modernc.org/sqlite, go.etcd.io/bbolt, github.com/cockroachdb/pebble/v2)
// on the access patterns of an S3 metadata store, all with full durability.
//
//	cd bench/metaengine && go run . [-runs 3] [-engines sqlite,bbolt,pebble]
//	cd bench/metaengine && go run . -sweep      # sqlite settings sweep
//	cd bench/metaengine && go run . -sweep -sweep-set read
//	cd bench/metaengine && go run . -only writes -writers 64
//
// Run with CGO_ENABLED=0 to measure the pure-Go builds. Results and the
// decision are written up in docs/design-metaengine.md.
//
// It is a separate Go module so that the main module does not gain these
// dependencies. Data lives under -dir (default /tmp/talus-metaengine) and is
// removed afterwards unless -keep is set.
package main

import (
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	bolt "go.etcd.io/bbolt"
	_ "modernc.org/sqlite"
)

// ---------------------------------------------------------------------------
// Record shape

const bucketName = "bench-bucket"

// Meta is an object version record as Talus would store it (~300 bytes).
type Meta struct {
	VersionID    string
	ETag         string
	Size         int64
	ContentType  string
	UserMeta     string // JSON
	StorageClass string
	Owner        string
	Created      int64
	Modified     int64
}

// Item is one object version write.
type Item struct {
	Bucket string
	Key    string
	Meta   Meta
	Inline []byte // nil or 4 KiB
}

func (it *Item) kvKey() []byte { return []byte(it.Bucket + "/" + it.Key) }

func objKey(i, dirs int) string { return fmt.Sprintf("dir%04d/obj%08d", i%dirs, i) }

func randHex(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return hex.EncodeToString(b)
}

func makeItem(r *rand.Rand, i, dirs int, inline bool) Item {
	now := time.Now().UnixNano()
	m := Meta{
		VersionID:    randHex(r, 10),
		ETag:         `"` + randHex(r, 16) + `"`,
		Size:         4096,
		ContentType:  "application/octet-stream",
		UserMeta:     `{"x-amz-meta-owner":"user-` + randHex(r, 4) + `","x-amz-meta-project":"talus-benchmark","x-amz-meta-build":"2025-06-01T12:00:00Z","x-amz-meta-sha256":"` + randHex(r, 32) + `"}`,
		StorageClass: "STANDARD",
		Owner:        randHex(r, 8),
		Created:      now,
		Modified:     now,
	}
	it := Item{Bucket: bucketName, Key: objKey(i, dirs), Meta: m}
	if inline {
		it.Inline = make([]byte, 4096)
		for j := 0; j < len(it.Inline); j += 8 {
			binary.LittleEndian.PutUint64(it.Inline[j:], r.Uint64()) // incompressible
		}
	}
	return it
}

// Binary value encoding used by the KV engines (length-prefixed fields).
func encodeValue(m *Meta, inline []byte) []byte {
	b := make([]byte, 0, 320+len(inline))
	for _, s := range []string{m.VersionID, m.ETag, m.ContentType, m.UserMeta, m.StorageClass, m.Owner} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, m.Size)
	b = binary.AppendVarint(b, m.Created)
	b = binary.AppendVarint(b, m.Modified)
	b = binary.AppendUvarint(b, uint64(len(inline)))
	b = append(b, inline...)
	return b
}

func decodeValue(b []byte, m *Meta, wantInline bool) ([]byte, error) {
	var strs [6]string
	for i := range strs {
		n, k := binary.Uvarint(b)
		if k <= 0 || int(n) > len(b)-k {
			return nil, errors.New("corrupt value")
		}
		strs[i] = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	m.VersionID, m.ETag, m.ContentType, m.UserMeta, m.StorageClass, m.Owner = strs[0], strs[1], strs[2], strs[3], strs[4], strs[5]
	var k int
	m.Size, k = binary.Varint(b)
	b = b[k:]
	m.Created, k = binary.Varint(b)
	b = b[k:]
	m.Modified, k = binary.Varint(b)
	b = b[k:]
	n, k := binary.Uvarint(b)
	if !wantInline || n == 0 {
		return nil, nil
	}
	return slices.Clone(b[k : k+int(n)]), nil
}

// ---------------------------------------------------------------------------
// Engine interface

type Engine interface {
	Name() string
	// Put writes one item in its own durable transaction.
	Put(it *Item) error
	// PutBatch writes all items in one durable transaction.
	PutBatch(items []Item) error
	// Get reads and decodes one full record (metadata + inline payload).
	Get(bucket, key string) (bool, error)
	// ScanPage lists up to limit keys strictly after `after` (a fresh
	// query/cursor per page), decoding the ListObjects fields.
	ScanPage(bucket, after string, limit int) (last string, n int, err error)
	// DelimList lists common prefixes (delimiter '/') of the bucket by
	// seeking past each prefix, within one read transaction. Returns seeks.
	DelimList(bucket string) (prefixes int, err error)
	// Size flushes/checkpoints and returns on-disk bytes.
	Size() (int64, error)
	Close() error
}

func dirSize(dir string) int64 {
	var total int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				total += st.Blocks * 512 // allocated, not apparent (bbolt/pebble files may be sparse or preallocated)
			} else {
				total += fi.Size()
			}
		}
		return nil
	})
	return total
}

// prefixSuccessor of "dir0001/" is "dir00010" ('/'+1 == '0').
func delimSuccessor(p string) string { return p[:len(p)-1] + string(p[len(p)-1]+1) }

// ---------------------------------------------------------------------------
// SQLite (modernc.org/sqlite)

type sqliteCfg struct {
	Journal      string // WAL | DELETE
	Sync         string // FULL | NORMAL
	PageSize     int
	CacheKB      int // per connection
	MmapMB       int
	BusyMS       int
	Prepared     bool
	WithoutRowid bool
	WriteConns   int
	ReadConns    int
	BgCheckpoint bool // wal_autocheckpoint=0 on the writer + a checkpointer goroutine
}

func defaultSqliteCfg() sqliteCfg {
	return sqliteCfg{Journal: "WAL", Sync: "FULL", PageSize: 4096, CacheKB: 8192, MmapMB: 1024,
		BusyMS: 5000, Prepared: true, WriteConns: 1, ReadConns: 4}
}

func (c sqliteCfg) dsn(path string, write bool) string {
	// modernc applies DSN settings in a fixed order: _busy_timeout, then the
	// _pragma list SORTED lexicographically, then _foreign_keys,
	// _journal_mode, _synchronous, _query_only. Passing journal_mode and
	// page_size both as _pragma silently loses page_size ("journal_mode" <
	// "page_size" runs first and materialises the file), so use the
	// dedicated keys for those.
	q := []string{
		fmt.Sprintf("_busy_timeout=%d", c.BusyMS),
		fmt.Sprintf("_pragma=page_size(%d)", c.PageSize),
		fmt.Sprintf("_pragma=cache_size(%d)", -c.CacheKB),
		fmt.Sprintf("_pragma=mmap_size(%d)", int64(c.MmapMB)<<20),
		"_foreign_keys=0",
		"_journal_mode=" + c.Journal,
		"_synchronous=" + c.Sync,
	}
	if write && c.BgCheckpoint {
		q = append(q, "_pragma=wal_autocheckpoint(0)")
	}
	if write {
		q = append(q, "_txlock=immediate")
	} else {
		q = append(q, "_query_only=1")
	}
	return "file:" + path + "?" + strings.Join(q, "&")
}

type sqliteEngine struct {
	cfg                  sqliteCfg
	path                 string
	w, r                 *sql.DB
	insSQL, getSQL       string
	scanSQL, seekSQL     string
	ins, get, scan, seek *sql.Stmt
	ckpt                 *sql.DB
	ckptStop             chan struct{}
	ckptDone             sync.WaitGroup
}

func openSqlite(dir string, cfg sqliteCfg) (*sqliteEngine, error) {
	e := &sqliteEngine{cfg: cfg, path: filepath.Join(dir, "meta.db")}
	var err error
	if e.w, err = sql.Open("sqlite", cfg.dsn(e.path, true)); err != nil {
		return nil, err
	}
	e.w.SetMaxOpenConns(cfg.WriteConns)
	e.w.SetMaxIdleConns(cfg.WriteConns)
	e.w.SetConnMaxLifetime(0)
	rowid := ""
	if cfg.WithoutRowid {
		rowid = " WITHOUT ROWID"
	}
	schema := `CREATE TABLE IF NOT EXISTS objects (
		bucket        TEXT NOT NULL,
		key           TEXT NOT NULL,
		version_id    TEXT NOT NULL,
		etag          TEXT NOT NULL,
		size          INTEGER NOT NULL,
		content_type  TEXT NOT NULL,
		storage_class TEXT NOT NULL,
		owner         TEXT NOT NULL,
		created       INTEGER NOT NULL,
		modified      INTEGER NOT NULL,
		user_meta     TEXT NOT NULL,
		inline        BLOB,
		PRIMARY KEY (bucket, key)
	)` + rowid
	if _, err = e.w.Exec(schema); err != nil {
		return nil, err
	}
	var jm string
	if err = e.w.QueryRow("PRAGMA journal_mode").Scan(&jm); err != nil || !strings.EqualFold(jm, cfg.Journal) {
		return nil, fmt.Errorf("journal_mode=%q err=%v", jm, err)
	}
	if e.r, err = sql.Open("sqlite", cfg.dsn(e.path, false)); err != nil {
		return nil, err
	}
	e.r.SetMaxOpenConns(cfg.ReadConns)
	e.r.SetMaxIdleConns(cfg.ReadConns)
	if err := e.verify(); err != nil {
		return nil, err
	}
	if cfg.BgCheckpoint {
		c := cfg
		c.BgCheckpoint = false
		if e.ckpt, err = sql.Open("sqlite", c.dsn(e.path, true)); err != nil {
			return nil, err
		}
		e.ckpt.SetMaxOpenConns(1)
		e.ckptStop = make(chan struct{})
		e.ckptDone.Add(1)
		go func() {
			defer e.ckptDone.Done()
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-e.ckptStop:
					return
				case <-t.C:
					var busy, logPages, done int
					e.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done)
				}
			}
		}()
	}
	e.insSQL = `INSERT INTO objects (bucket,key,version_id,etag,size,content_type,storage_class,owner,created,modified,user_meta,inline)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(bucket,key) DO UPDATE SET version_id=excluded.version_id, etag=excluded.etag, size=excluded.size,
		content_type=excluded.content_type, storage_class=excluded.storage_class, owner=excluded.owner,
		created=excluded.created, modified=excluded.modified, user_meta=excluded.user_meta, inline=excluded.inline`
	e.getSQL = `SELECT version_id,etag,size,content_type,storage_class,owner,created,modified,user_meta,inline FROM objects WHERE bucket=? AND key=?`
	e.scanSQL = `SELECT key,etag,size,modified,storage_class FROM objects WHERE bucket=? AND key>? ORDER BY key LIMIT ?`
	e.seekSQL = `SELECT key FROM objects WHERE bucket=? AND key>=? ORDER BY key LIMIT 1`
	if cfg.Prepared {
		if e.ins, err = e.w.Prepare(e.insSQL); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			s   **sql.Stmt
			sql string
		}{{&e.get, e.getSQL}, {&e.scan, e.scanSQL}, {&e.seek, e.seekSQL}} {
			if *p.s, err = e.r.Prepare(p.sql); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

func (e *sqliteEngine) Name() string { return "sqlite" }

// verify checks that the DSN pragmas really took effect on both pools.
func (e *sqliteEngine) verify() error {
	syncs := map[string]int64{"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}
	want := map[string]int64{
		"synchronous":  syncs[e.cfg.Sync],
		"page_size":    int64(e.cfg.PageSize),
		"cache_size":   int64(-e.cfg.CacheKB),
		"mmap_size":    int64(e.cfg.MmapMB) << 20,
		"busy_timeout": int64(e.cfg.BusyMS),
	}
	for _, db := range []*sql.DB{e.w, e.r} {
		for k, v := range want {
			var got int64
			if err := db.QueryRow("PRAGMA " + k).Scan(&got); err != nil {
				return fmt.Errorf("PRAGMA %s: %w", k, err)
			}
			if got != v {
				return fmt.Errorf("PRAGMA %s = %d, want %d", k, got, v)
			}
		}
	}
	return nil
}

func (e *sqliteEngine) insArgs(it *Item) []any {
	var inl any
	if it.Inline != nil {
		inl = it.Inline
	}
	m := &it.Meta
	return []any{it.Bucket, it.Key, m.VersionID, m.ETag, m.Size, m.ContentType, m.StorageClass, m.Owner, m.Created, m.Modified, m.UserMeta, inl}
}

func (e *sqliteEngine) Put(it *Item) error {
	if e.ins != nil {
		_, err := e.ins.Exec(e.insArgs(it)...)
		return err
	}
	_, err := e.w.Exec(e.insSQL, e.insArgs(it)...)
	return err
}

func (e *sqliteEngine) PutBatch(items []Item) error {
	tx, err := e.w.Begin()
	if err != nil {
		return err
	}
	for i := range items {
		if e.ins != nil {
			_, err = tx.Stmt(e.ins).Exec(e.insArgs(&items[i])...)
		} else {
			_, err = tx.Exec(e.insSQL, e.insArgs(&items[i])...)
		}
		if err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func (e *sqliteEngine) Get(bucket, key string) (bool, error) {
	var m Meta
	var inline []byte
	var row *sql.Row
	if e.get != nil {
		row = e.get.QueryRow(bucket, key)
	} else {
		row = e.r.QueryRow(e.getSQL, bucket, key)
	}
	err := row.Scan(&m.VersionID, &m.ETag, &m.Size, &m.ContentType, &m.StorageClass, &m.Owner, &m.Created, &m.Modified, &m.UserMeta, &inline)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

func (e *sqliteEngine) ScanPage(bucket, after string, limit int) (string, int, error) {
	var rows *sql.Rows
	var err error
	if e.scan != nil {
		rows, err = e.scan.Query(bucket, after, limit)
	} else {
		rows, err = e.r.Query(e.scanSQL, bucket, after, limit)
	}
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	n, last := 0, ""
	for rows.Next() {
		var k, etag, sc string
		var size, mod int64
		if err := rows.Scan(&k, &etag, &size, &mod, &sc); err != nil {
			return "", 0, err
		}
		last = k
		n++
	}
	return last, n, rows.Err()
}

func (e *sqliteEngine) DelimList(bucket string) (int, error) {
	tx, err := e.r.Begin() // one read snapshot per listing request
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var st *sql.Stmt
	if e.seek != nil {
		st = tx.Stmt(e.seek)
		defer st.Close()
	}
	n, start := 0, ""
	for {
		var k string
		if st != nil {
			err = st.QueryRow(bucket, start).Scan(&k)
		} else {
			err = tx.QueryRow(e.seekSQL, bucket, start).Scan(&k)
		}
		if err == sql.ErrNoRows {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		i := strings.IndexByte(k, '/')
		if i < 0 {
			return n, errors.New("no delimiter")
		}
		n++
		start = delimSuccessor(k[:i+1])
	}
}

func (e *sqliteEngine) Size() (int64, error) {
	if _, err := e.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil && e.cfg.Journal == "WAL" {
		return 0, err
	}
	return dirSize(filepath.Dir(e.path)), nil
}

func (e *sqliteEngine) Close() error {
	if e.ckpt != nil {
		close(e.ckptStop)
		e.ckptDone.Wait()
		e.ckpt.Close()
	}
	for _, s := range []*sql.Stmt{e.ins, e.get, e.scan, e.seek} {
		if s != nil {
			s.Close()
		}
	}
	e.r.Close()
	return e.w.Close()
}

// ---------------------------------------------------------------------------
// bbolt

var boltBucket = []byte("objects")

type boltEngine struct {
	db   *bolt.DB
	path string
}

func openBolt(dir string) (*boltEngine, error) {
	p := filepath.Join(dir, "meta.bolt")
	db, err := bolt.Open(p, 0o600, nil) // defaults: NoSync=false
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(boltBucket); return err })
	return &boltEngine{db: db, path: p}, err
}

func (e *boltEngine) Name() string { return "bbolt" }

func (e *boltEngine) Put(it *Item) error {
	return e.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(boltBucket).Put(it.kvKey(), encodeValue(&it.Meta, it.Inline))
	})
}

// PutBuiltinBatch uses bbolt's own coalescing db.Batch.
func (e *boltEngine) PutBuiltinBatch(it *Item) error {
	k, v := it.kvKey(), encodeValue(&it.Meta, it.Inline)
	return e.db.Batch(func(tx *bolt.Tx) error { return tx.Bucket(boltBucket).Put(k, v) })
}

func (e *boltEngine) PutBatch(items []Item) error {
	return e.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltBucket)
		for i := range items {
			if err := b.Put(items[i].kvKey(), encodeValue(&items[i].Meta, items[i].Inline)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *boltEngine) Get(bucket, key string) (bool, error) {
	found := false
	err := e.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(boltBucket).Get([]byte(bucket + "/" + key))
		if v == nil {
			return nil
		}
		found = true
		var m Meta
		_, err := decodeValue(v, &m, true)
		return err
	})
	return found, err
}

func (e *boltEngine) ScanPage(bucket, after string, limit int) (string, int, error) {
	prefix := []byte(bucket + "/")
	var last string
	n := 0
	err := e.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(boltBucket).Cursor()
		seek := append(append([]byte(nil), prefix...), after...)
		seek = append(seek, 0) // strictly after
		for k, v := c.Seek(seek); k != nil && n < limit && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var m Meta
			if _, err := decodeValue(v, &m, false); err != nil {
				return err
			}
			last = string(k[len(prefix):])
			n++
		}
		return nil
	})
	return last, n, err
}

func (e *boltEngine) DelimList(bucket string) (int, error) {
	prefix := bucket + "/"
	n := 0
	err := e.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(boltBucket).Cursor()
		start := prefix
		for {
			k, _ := c.Seek([]byte(start))
			if k == nil || !strings.HasPrefix(string(k), prefix) {
				return nil
			}
			rest := string(k[len(prefix):])
			i := strings.IndexByte(rest, '/')
			if i < 0 {
				return errors.New("no delimiter")
			}
			n++
			start = prefix + delimSuccessor(rest[:i+1])
		}
	})
	return n, err
}

func (e *boltEngine) Size() (int64, error) { return dirSize(filepath.Dir(e.path)), nil }
func (e *boltEngine) Close() error         { return e.db.Close() }

// ---------------------------------------------------------------------------
// Pebble

type pebbleEngine struct {
	db  *pebble.DB
	dir string
}

func openPebble(dir string, tuned bool) (*pebbleEngine, error) {
	d := filepath.Join(dir, "pebble")
	opts := &pebble.Options{
		Cache:              pebble.NewCache(64 << 20),
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             quietLogger{},
	}
	if tuned {
		// CockroachDB-style settings: larger memtables, bloom filters, L0
		// compaction early but no write stop, two compaction threads.
		opts.MemTableSize = 64 << 20
		opts.MemTableStopWritesThreshold = 4
		opts.L0CompactionThreshold = 2
		opts.L0StopWritesThreshold = 1000
		opts.LBaseMaxBytes = 64 << 20
		opts.CompactionConcurrencyRange = func() (int, int) { return 1, 2 }
		for i := range opts.Levels {
			opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		}
	}
	db, err := pebble.Open(d, opts)
	if err != nil {
		return nil, err
	}
	opts.Cache.Unref()
	return &pebbleEngine{db: db, dir: d}, nil
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any)      {}
func (quietLogger) Errorf(f string, a ...any) { fmt.Fprintf(os.Stderr, "pebble: "+f+"\n", a...) }
func (quietLogger) Fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "pebble: "+f+"\n", a...)
	os.Exit(1)
}

func (e *pebbleEngine) Name() string { return "pebble" }

func (e *pebbleEngine) Put(it *Item) error {
	return e.db.Set(it.kvKey(), encodeValue(&it.Meta, it.Inline), pebble.Sync)
}

func (e *pebbleEngine) PutBatch(items []Item) error {
	b := e.db.NewBatch()
	defer b.Close()
	for i := range items {
		if err := b.Set(items[i].kvKey(), encodeValue(&items[i].Meta, items[i].Inline), nil); err != nil {
			return err
		}
	}
	return b.Commit(pebble.Sync)
}

func (e *pebbleEngine) Get(bucket, key string) (bool, error) {
	v, closer, err := e.db.Get([]byte(bucket + "/" + key))
	if err == pebble.ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer closer.Close()
	var m Meta
	_, err = decodeValue(v, &m, true)
	return true, err
}

func prefixUpper(p []byte) []byte {
	u := slices.Clone(p)
	u[len(u)-1]++
	return u
}

func (e *pebbleEngine) ScanPage(bucket, after string, limit int) (string, int, error) {
	prefix := []byte(bucket + "/")
	lower := append(append(slices.Clone(prefix), after...), 0)
	it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixUpper(prefix)})
	if err != nil {
		return "", 0, err
	}
	var last string
	n := 0
	for ok := it.First(); ok && n < limit; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return "", 0, err
		}
		var m Meta
		if _, err := decodeValue(v, &m, false); err != nil {
			it.Close()
			return "", 0, err
		}
		last = string(it.Key()[len(prefix):])
		n++
	}
	return last, n, it.Close()
}

func (e *pebbleEngine) DelimList(bucket string) (int, error) {
	prefix := bucket + "/"
	it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefix), UpperBound: prefixUpper([]byte(prefix))})
	if err != nil {
		return 0, err
	}
	n := 0
	start := prefix
	for it.SeekGE([]byte(start)) {
		rest := string(it.Key()[len(prefix):])
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			it.Close()
			return n, errors.New("no delimiter")
		}
		n++
		start = prefix + delimSuccessor(rest[:i+1])
	}
	return n, it.Close()
}

// Size reports sstables + manifest after a flush, excluding WAL files,
// which pebble preallocates and recycles (logged separately).
func (e *pebbleEngine) Size() (int64, error) {
	if err := e.db.Flush(); err != nil {
		return 0, err
	}
	total := dirSize(e.dir)
	var wal int64
	logs, _ := filepath.Glob(filepath.Join(e.dir, "*.log"))
	for _, l := range logs {
		if fi, err := os.Stat(l); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				wal += st.Blocks * 512
			}
		}
	}
	logf("pebble: %.1f MiB of WAL files excluded from size", float64(wal)/(1<<20))
	return total - wal, nil
}

func (e *pebbleEngine) Close() error { return e.db.Close() }

// ---------------------------------------------------------------------------
// Group commit

type gcReq struct {
	it   *Item
	done chan error
}

// groupCommitter: one writer goroutine drains all pending writes (up to max)
// into one durable transaction, then acknowledges each caller.
type groupCommitter struct {
	ch      chan gcReq
	commit  func([]Item) error
	max     int
	batches atomic.Int64
	wg      sync.WaitGroup
}

func newGroupCommitter(commit func([]Item) error, max int) *groupCommitter {
	g := &groupCommitter{ch: make(chan gcReq, 4096), commit: commit, max: max}
	g.wg.Add(1)
	go g.loop()
	return g
}

func (g *groupCommitter) loop() {
	defer g.wg.Done()
	reqs := make([]gcReq, 0, g.max)
	items := make([]Item, 0, g.max)
	for r := range g.ch {
		reqs = append(reqs[:0], r)
	drain:
		for len(reqs) < g.max {
			select {
			case r2, ok := <-g.ch:
				if !ok {
					break drain
				}
				reqs = append(reqs, r2)
			default:
				break drain
			}
		}
		items = items[:0]
		for _, q := range reqs {
			items = append(items, *q.it)
		}
		err := g.commit(items)
		g.batches.Add(1)
		for _, q := range reqs {
			q.done <- err
		}
	}
}

func (g *groupCommitter) Put(it *Item) error {
	done := make(chan error, 1)
	g.ch <- gcReq{it: it, done: done}
	return <-done
}

func (g *groupCommitter) Close() { close(g.ch); g.wg.Wait() }

// ---------------------------------------------------------------------------
// Workloads

// cpuTime is the process's user+system CPU time (includes background work
// such as pebble compactions and sqlite checkpoints).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type writeResult struct {
	ops, p50, p99, avgBatch float64 // ops/s, ms, ms
	cpuPerOp                float64 // µs of process CPU per successful op
	errs                    int64
}

func runWrites(put func(*Item) error, n, writers, dirs int, inline bool) writeResult {
	per := n / writers
	lats := make([][]time.Duration, writers)
	var errs atomic.Int64
	// Pre-build items so generation cost is not measured.
	items := make([][]Item, writers)
	for g := range writers {
		r := rand.New(rand.NewPCG(uint64(g), 42))
		items[g] = make([]Item, per)
		for j := range per {
			items[g][j] = makeItem(r, j*writers+g, dirs, inline)
		}
	}
	var wg sync.WaitGroup
	c0 := cpuTime()
	start := time.Now()
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := make([]time.Duration, 0, per)
			for j := range per {
				t0 := time.Now()
				if err := put(&items[g][j]); err != nil {
					if errs.Add(1) == 1 {
						fmt.Fprintln(os.Stderr, "write error (first):", err)
					}
					continue
				}
				l = append(l, time.Since(t0))
			}
			lats[g] = l
		}()
	}
	wg.Wait()
	el := time.Since(start)
	cpu := cpuTime() - c0
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	slices.Sort(all)
	res := writeResult{ops: float64(len(all)) / el.Seconds(), errs: errs.Load()}
	if len(all) > 0 {
		res.cpuPerOp = float64(cpu.Microseconds()) / float64(len(all))
	}
	if len(all) > 0 {
		res.p50 = float64(all[len(all)/2]) / 1e6
		res.p99 = float64(all[len(all)*99/100]) / 1e6
	}
	return res
}

func load(e Engine, rows, dirs int, inline bool) (time.Duration, error) {
	perm := rand.New(rand.NewPCG(7, 7)).Perm(rows) // random insert order, like real traffic
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	const batch = 1000
	buf := make([]Item, 0, batch)
	for i, idx := range perm {
		buf = append(buf, makeItem(r, idx, dirs, inline))
		if len(buf) == batch || i == len(perm)-1 {
			if err := e.PutBatch(buf); err != nil {
				return 0, err
			}
			buf = buf[:0]
		}
	}
	return time.Since(start), nil
}

func runReads(e Engine, total, readers, rows, dirs int) (float64, float64, error) {
	per := total / readers
	var wg sync.WaitGroup
	var firstErr atomic.Value
	var missing atomic.Int64
	c0 := cpuTime()
	start := time.Now()
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 99))
			for range per {
				ok, err := e.Get(bucketName, objKey(r.IntN(rows), dirs))
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if !ok {
					missing.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	cpu := cpuTime() - c0
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, 0, err
	}
	if m := missing.Load(); m > 0 {
		return 0, 0, fmt.Errorf("%d keys missing", m)
	}
	return float64(per*readers) / el.Seconds(), float64(cpu.Microseconds()) / float64(per*readers), nil
}

func runScan(e Engine, rows, page int) (float64, error) {
	start := time.Now()
	total, after := 0, ""
	for {
		last, n, err := e.ScanPage(bucketName, after, page)
		if err != nil {
			return 0, err
		}
		total += n
		if n < page {
			break
		}
		after = last
	}
	el := time.Since(start)
	if total != rows {
		return 0, fmt.Errorf("scan saw %d keys, want %d", total, rows)
	}
	return float64(total) / el.Seconds(), nil
}

func runDelim(e Engine, repeats, dirs int) (float64, error) {
	start := time.Now()
	seeks := 0
	for range repeats {
		n, err := e.DelimList(bucketName)
		if err != nil {
			return 0, err
		}
		if n != dirs {
			return 0, fmt.Errorf("delimiter listing saw %d prefixes, want %d", n, dirs)
		}
		seeks += n + 1 // +1 for the final seek that finds the end
	}
	return float64(seeks) / time.Since(start).Seconds(), nil
}

// ---------------------------------------------------------------------------
// Results table

type results struct {
	rows  []string                          // row order
	fmtOf map[string]string                 // row -> kind
	vals  map[string]map[string][][]float64 // row -> engine -> runs -> values
}

func newResults() *results {
	return &results{fmtOf: map[string]string{}, vals: map[string]map[string][][]float64{}}
}

func (r *results) add(row, kind, eng string, v ...float64) {
	if _, ok := r.vals[row]; !ok {
		r.rows = append(r.rows, row)
		r.fmtOf[row] = kind
		r.vals[row] = map[string][][]float64{}
	}
	r.vals[row][eng] = append(r.vals[row][eng], v)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func human(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func (r *results) cell(row, eng string) string {
	runs := r.vals[row][eng]
	if len(runs) == 0 {
		return "–"
	}
	med := make([]float64, len(runs[0]))
	for i := range med {
		col := make([]float64, len(runs))
		for j, run := range runs {
			col[j] = run[i]
		}
		med[i] = median(col)
	}
	rng := ""
	if len(runs) > 1 {
		lo, hi := runs[0][0], runs[0][0]
		for _, run := range runs {
			lo, hi = min(lo, run[0]), max(hi, run[0])
		}
		rng = fmt.Sprintf(" [%s–%s]", human(lo), human(hi))
	}
	switch r.fmtOf[row] {
	case "write": // ops, p50, p99, avgBatch, errs, cpu µs/op
		s := fmt.Sprintf("%s/s%s, p50 %.1f / p99 %.1f ms, %.0f µs CPU/op", human(med[0]), rng, med[1], med[2], med[5])
		if med[3] > 0 {
			s += fmt.Sprintf(", avg batch %.1f", med[3])
		}
		if med[4] > 0 {
			s += fmt.Sprintf(", **%.0f errors**", med[4])
		}
		return s
	case "rate":
		if len(med) > 1 {
			return fmt.Sprintf("%s/s%s, %.0f µs CPU/op", human(med[0]), rng, med[1])
		}
		return human(med[0]) + "/s" + rng
	case "bytes":
		return fmt.Sprintf("%.1f MiB", med[0]/(1<<20))
	case "secs":
		return fmt.Sprintf("%.1f s", med[0])
	}
	return fmt.Sprint(med)
}

func (r *results) print(cols []string, first string) {
	fmt.Printf("| %s | %s |\n", first, strings.Join(cols, " | "))
	fmt.Printf("|---|%s\n", strings.Repeat("---|", len(cols)))
	for _, row := range r.rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = r.cell(row, c)
		}
		fmt.Printf("| %s | %s |\n", row, strings.Join(cells, " | "))
	}
}

// ---------------------------------------------------------------------------
// Main comparison

type params struct {
	baseDir                          string
	writes, singleWrites, writers    int
	rows, dirs, reads, readers, page int
	delimRepeats, maxBatch           int
	keep                             bool
	only                             string
}

func openEngine(name, dir string, scfg sqliteCfg) (Engine, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	switch name {
	case "sqlite":
		return openSqlite(dir, scfg)
	case "bbolt":
		return openBolt(dir)
	case "pebble":
		return openPebble(dir, false)
	case "pebble-tuned":
		return openPebble(dir, true)
	}
	return nil, fmt.Errorf("unknown engine %q", name)
}

func fresh(p *params, name, label string, scfg sqliteCfg) (Engine, string, error) {
	dir := filepath.Join(p.baseDir, name+"-"+label)
	os.RemoveAll(dir)
	e, err := openEngine(name, dir, scfg)
	return e, dir, err
}

func cleanup(p *params, e Engine, dir string) {
	e.Close()
	if !p.keep {
		os.RemoveAll(dir)
	}
}

func logf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s "+f+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

func benchEngine(p *params, name string, scfg sqliteCfg, res *results, rowLabel string) error {
	col := name
	if rowLabel != "" {
		col = rowLabel
	}
	type wmode struct {
		label string
		n     int
		mk    func(e Engine) (put func(*Item) error, stop func() float64)
	}
	single := func(e Engine) (func(*Item) error, func() float64) { return e.Put, func() float64 { return 0 } }
	modes := []wmode{{"1 txn per write", p.singleWrites, single}}
	var gc *groupCommitter
	modes = append(modes, wmode{"group commit", p.writes, func(e Engine) (func(*Item) error, func() float64) {
		gc = newGroupCommitter(e.PutBatch, p.maxBatch)
		return gc.Put, func() float64 {
			gc.Close()
			return float64(p.writes) / float64(gc.batches.Load())
		}
	}})
	if name == "bbolt" {
		modes = append(modes, wmode{"bbolt db.Batch (defaults)", p.writes, func(e Engine) (func(*Item) error, func() float64) {
			return e.(*boltEngine).PutBuiltinBatch, func() float64 { return 0 }
		}})
	}
	for _, inline := range []bool{false, true} {
		pl := "meta only"
		if inline {
			pl = "meta + 4 KiB inline"
		}
		if p.only == "reads" {
			break
		}
		for _, m := range modes {
			e, dir, err := fresh(p, name, "w", scfg)
			if err != nil {
				return err
			}
			put, stop := m.mk(e)
			w := runWrites(put, m.n, p.writers, p.dirs, inline)
			w.avgBatch = stop()
			cleanup(p, e, dir)
			row := fmt.Sprintf("write, %s, %s (%d writers, %d writes)", m.label, pl, p.writers, m.n)
			res.add(row, "write", col, w.ops, w.p50, w.p99, w.avgBatch, float64(w.errs), w.cpuPerOp)
			logf("%s: %s: %s", col, row, res.cell(row, col))
		}
	}
	for _, inline := range []bool{false, true} {
		pl := "meta only"
		if inline {
			pl = "meta + 4 KiB inline"
		}
		if p.only == "writes" {
			break
		}
		e, dir, err := fresh(p, name, "r", scfg)
		if err != nil {
			return err
		}
		d, err := load(e, p.rows, p.dirs, inline)
		if err != nil {
			return err
		}
		res.add(fmt.Sprintf("bulk load %d rows, %s (batches of 1000, random order)", p.rows, pl), "secs", col, d.Seconds())
		sz, err := e.Size()
		if err != nil {
			return err
		}
		res.add(fmt.Sprintf("on-disk size, %d rows, %s", p.rows, pl), "bytes", col, float64(sz))
		rd, rcpu, err := runReads(e, p.reads, p.readers, p.rows, p.dirs)
		if err != nil {
			return err
		}
		res.add(fmt.Sprintf("point reads, %s (%d readers)", pl, p.readers), "rate", col, rd, rcpu)
		sc, err := runScan(e, p.rows, p.page)
		if err != nil {
			return err
		}
		res.add(fmt.Sprintf("range scan keys/s, pages of %d, %s", p.page, pl), "rate", col, sc)
		if !inline {
			dl, err := runDelim(e, p.delimRepeats, p.dirs)
			if err != nil {
				return err
			}
			res.add(fmt.Sprintf("delimiter listing seeks/s (%d prefixes)", p.dirs), "rate", col, dl)
		}
		logf("%s: dataset %s loaded in %v, %.1f MiB, reads %s/s, scan %s keys/s", col, pl, d.Round(time.Millisecond), float64(sz)/(1<<20), human(rd), human(sc))
		cleanup(p, e, dir)
	}
	return nil
}

func main() {
	p := &params{}
	flag.StringVar(&p.baseDir, "dir", "/tmp/talus-metaengine", "data directory (removed afterwards)")
	engines := flag.String("engines", "sqlite,bbolt,pebble", "engines to run")
	runs := flag.Int("runs", 1, "repeat everything N times and report medians")
	flag.IntVar(&p.writes, "writes", 20000, "writes per group-commit/batch write test")
	flag.IntVar(&p.singleWrites, "single-writes", 4000, "writes per one-txn-per-write test (fsync bound, kept smaller)")
	flag.IntVar(&p.writers, "writers", 16, "concurrent writers")
	flag.IntVar(&p.maxBatch, "max-batch", 256, "group commit max batch")
	flag.IntVar(&p.rows, "rows", 100000, "rows for read/scan/size tests")
	flag.IntVar(&p.dirs, "dirs", 100, "directories (common prefixes)")
	flag.IntVar(&p.reads, "reads", 200000, "total point reads")
	flag.IntVar(&p.readers, "readers", 16, "concurrent readers")
	flag.IntVar(&p.page, "page", 1000, "scan page size")
	flag.IntVar(&p.delimRepeats, "delim-repeats", 100, "delimiter listings (each seeks past every prefix)")
	flag.BoolVar(&p.keep, "keep", false, "keep data directories")
	flag.StringVar(&p.only, "only", "", "run only \"writes\" or only \"reads\" (load, size, reads, scans)")
	sweep := flag.Bool("sweep", false, "run the sqlite settings sweep instead of the engine comparison")
	sweepSet := flag.String("sweep-set", "settings", "sweep variants: \"settings\" (pragmas, schema, connections) or \"read\" (read pool size x cache x mmap)")
	flag.Parse()

	if err := os.MkdirAll(p.baseDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("<!-- %s %s/%s, GOMAXPROCS=%d, NumCPU=%d, args=%q -->\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), os.Args[1:])
	fsyncProbe(p.baseDir)
	t0 := time.Now()
	if *sweep {
		runSweep(p, *runs, *sweepSet)
	} else {
		names := strings.Split(*engines, ",")
		res := newResults()
		for run := range *runs {
			for _, n := range names {
				logf("run %d/%d: %s (loadavg %s)", run+1, *runs, n, loadavg())
				if err := benchEngine(p, n, defaultSqliteCfg(), res, ""); err != nil {
					fmt.Fprintf(os.Stderr, "%s: %v\n", n, err)
					os.Exit(1)
				}
			}
		}
		res.print(names, fmt.Sprintf("test (median of %d)", *runs))
	}
	logf("total %v", time.Since(t0).Round(time.Second))
}

// ---------------------------------------------------------------------------
// SQLite settings sweep

func runSweep(p *params, runs int, set string) {
	type variant struct {
		name string
		mod  func(*sqliteCfg)
	}
	variants := []variant{
		{"recommended: WAL, sync=FULL, 4 KiB pages, 8 MiB cache, mmap 1 GiB, prepared, 1 writer + 4 reader conns", func(*sqliteCfg) {}},
		{"synchronous=NORMAL (not power-loss durable)", func(c *sqliteCfg) { c.Sync = "NORMAL" }},
		{"journal_mode=DELETE (rollback journal)", func(c *sqliteCfg) { c.Journal = "DELETE" }},
		{"page_size=8192", func(c *sqliteCfg) { c.PageSize = 8192 }},
		{"page_size=16384", func(c *sqliteCfg) { c.PageSize = 16384 }},
		{"cache_size default (2 MiB)", func(c *sqliteCfg) { c.CacheKB = 2000 }},
		{"cache_size 64 MiB", func(c *sqliteCfg) { c.CacheKB = 65536 }},
		{"no mmap", func(c *sqliteCfg) { c.MmapMB = 0 }},
		{"no prepared statements", func(c *sqliteCfg) { c.Prepared = false }},
		{"WITHOUT ROWID table", func(c *sqliteCfg) { c.WithoutRowid = true }},
		{"4 writer conns, busy_timeout=5000", func(c *sqliteCfg) { c.WriteConns = 4 }},
		{"4 writer conns, busy_timeout=0", func(c *sqliteCfg) { c.WriteConns = 4; c.BusyMS = 0 }},
		{"2 reader conns (= GOMAXPROCS)", func(c *sqliteCfg) { c.ReadConns = 2 }},
		{"16 reader conns (one per reader goroutine)", func(c *sqliteCfg) { c.ReadConns = 16 }},
		{"wal_autocheckpoint=0 + background PASSIVE checkpoint every 20 ms", func(c *sqliteCfg) { c.BgCheckpoint = true }},
	}
	if set == "read" {
		rv := func(conns, cacheKB, mmapMB int) func(*sqliteCfg) {
			return func(c *sqliteCfg) { c.ReadConns, c.CacheKB, c.MmapMB = conns, cacheKB, mmapMB }
		}
		variants = []variant{
			{"16 read conns, cache 64 MiB, no mmap", rv(16, 65536, 0)},
			{"16 read conns, cache 2 MiB, no mmap", rv(16, 2000, 0)},
			{"4 read conns, cache 2 MiB, no mmap", rv(4, 2000, 0)},
			{"4 read conns, cache 64 MiB, no mmap", rv(4, 65536, 0)},
			{"2 read conns, cache 2 MiB, mmap 1 GiB", rv(2, 2000, 1024)},
			{"4 read conns, cache 2 MiB, mmap 1 GiB", rv(4, 2000, 1024)},
			{"4 read conns, cache 64 MiB, mmap 1 GiB", rv(4, 65536, 1024)},
			{"8 read conns, cache 8 MiB, mmap 1 GiB", rv(8, 8192, 1024)},
			{"16 read conns, cache 2 MiB, mmap 1 GiB", rv(16, 2000, 1024)},
		}
	}
	res := newResults()
	var cols []string
	for run := range runs {
		for _, v := range variants {
			cfg := defaultSqliteCfg()
			v.mod(&cfg)
			if run == 0 {
				cols = append(cols, v.name)
			}
			logf("sweep run %d: %s (loadavg %s)", run+1, v.name, loadavg())
			if err := sweepOne(p, cfg, res, v.name); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", v.name, err)
				os.Exit(1)
			}
		}
	}
	// Transposed: one row per variant.
	metrics := res.rows
	fmt.Printf("| sqlite variant (median of %d) | %s |\n", runs, strings.Join(metrics, " | "))
	fmt.Printf("|---|%s\n", strings.Repeat("---|", len(metrics)))
	for _, c := range cols {
		cells := make([]string, len(metrics))
		for i, m := range metrics {
			cells[i] = res.cell(m, c)
		}
		fmt.Printf("| %s | %s |\n", c, strings.Join(cells, " | "))
	}
}

func sweepOne(p *params, cfg sqliteCfg, res *results, col string) error {
	// single-txn writes (fsync bound), group commit writes, with inline 4 KiB.
	e, dir, err := fresh(p, "sqlite", "sweep", cfg)
	if err != nil {
		return err
	}
	w := runWrites(e.Put, p.singleWrites, p.writers, p.dirs, true)
	res.add(fmt.Sprintf("1 txn/write, +4 KiB (%d)", p.singleWrites), "write", col, w.ops, w.p50, w.p99, 0, float64(w.errs), w.cpuPerOp)
	cleanup(p, e, dir)

	e, dir, err = fresh(p, "sqlite", "sweep", cfg)
	if err != nil {
		return err
	}
	g := newGroupCommitter(e.PutBatch, p.maxBatch)
	w = runWrites(g.Put, p.writes, p.writers, p.dirs, true)
	g.Close()
	res.add(fmt.Sprintf("group commit, +4 KiB (%d)", p.writes), "write", col, w.ops, w.p50, w.p99, float64(p.writes)/float64(g.batches.Load()), float64(w.errs), w.cpuPerOp)
	cleanup(p, e, dir)

	e, dir, err = fresh(p, "sqlite", "sweep", cfg)
	if err != nil {
		return err
	}
	defer cleanup(p, e, dir)
	if _, err := load(e, p.rows, p.dirs, true); err != nil {
		return err
	}
	sz, err := e.Size()
	if err != nil {
		return err
	}
	res.add(fmt.Sprintf("size, %d rows +4 KiB", p.rows), "bytes", col, float64(sz))
	rd, rcpu, err := runReads(e, p.reads, p.readers, p.rows, p.dirs)
	if err != nil {
		return err
	}
	res.add("point reads (+4 KiB rows)", "rate", col, rd, rcpu)
	sc, err := runScan(e, p.rows, p.page)
	if err != nil {
		return err
	}
	res.add("scan keys/s (+4 KiB rows)", "rate", col, sc)
	dl, err := runDelim(e, p.delimRepeats, p.dirs)
	if err != nil {
		return err
	}
	res.add("delimiter seeks/s", "rate", col, dl)
	logf("  %s: size %.1f MiB reads %s/s scan %s/s delim %s/s", col, float64(sz)/(1<<20), human(rd), human(sc), human(dl))
	return nil
}

// fsyncProbe measures the raw cost of a 4 KiB overwrite + fdatasync in the
// data directory, to put the durable-write numbers into context.
func fsyncProbe(dir string) {
	f, err := os.CreateTemp(dir, "fsync-probe")
	if err != nil {
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	f.Write(make([]byte, 1<<20))
	f.Sync()
	lat := make([]time.Duration, 0, 1000)
	for i := range 1000 {
		t := time.Now()
		f.WriteAt(buf, int64(i%256)*4096)
		syscall.Fdatasync(int(f.Fd()))
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	fmt.Printf("<!-- fsync probe: 4 KiB overwrite+fdatasync p50 %v, p99 %v, max %v -->\n", lat[500], lat[990], lat[999])
}

// loadavg returns /proc/loadavg's 1-minute figure: other work on the machine
// (builds, tests) shows up here and explains outliers.
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
