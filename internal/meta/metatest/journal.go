package metatest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"talus/internal/meta"
)

// readAll returns every record after after.
func readAll(t *testing.T, s meta.Store, after int64) []meta.Record {
	t.Helper()
	var out []meta.Record
	for {
		recs, err := s.ReadJournal(ctx, after, 7)
		if err != nil {
			t.Fatalf("ReadJournal(%d): %v", after, err)
		}
		if len(recs) == 0 {
			return out
		}
		for _, r := range recs {
			if r.Seq != after+1 {
				t.Fatalf("journal seq %d follows %d", r.Seq, after)
			}
			after = r.Seq
		}
		out = append(out, recs...)
	}
}

func lastSeq(t *testing.T, s meta.Store) int64 {
	t.Helper()
	n, err := s.JournalSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func withOp(op string) context.Context {
	return meta.WithChange(ctx, meta.Change{Requester: "123456789012", Principal: "arn:aws:iam::123456789012:user/u",
		SourceIP: "192.0.2.7", RequestID: "REQ-" + op, Operation: op})
}

// testJournalRecords: each kind of mutation appends one record with what
// the S3 Metadata journal needs and the request's Change.
func testJournalRecords(t *testing.T, s meta.Store) {
	mustBucket(t, s, "jr")
	start := lastSeq(t, s)
	o := &meta.Object{Bucket: "jr", Key: "k", ETag: `"e1"`, Size: 5, StorageClass: "STANDARD", Owner: "root", BlobID: "b1",
		Attrs: meta.Attrs{UserMeta: map[string]string{"m": "v"}, Tags: map[string]string{"t": "1"}, Checksums: map[string]string{"CRC32": "x"},
			Enc: &meta.Encryption{Algorithm: "aws:kms", KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/k1", BucketKey: true}}}
	if _, err := s.PutObject(withOp("PutObject"), o, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutObject(withOp("CopyObject"), &meta.Object{Bucket: "jr", Key: "k", ETag: `"e2"`, Size: 6, StorageClass: "STANDARD", BlobID: "b2"}, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateObject(withOp("PutObjectTagging"), "jr", "k", "", func(o *meta.Object) error {
		o.Attrs.Tags = map[string]string{"a": "b"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Without an operation the event follows from what changed.
	if _, err := s.UpdateObject(ctx, "jr", "k", "", func(o *meta.Object) error { o.Attrs.LockLegalHold = "ON"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteObject(withOp("DeleteObject"), "jr", "k", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	setVersioning(t, s, "jr", meta.Enabled)
	v1, err := s.PutObject(withOp("PostObject"), &meta.Object{Bucket: "jr", Key: "v", ETag: `"e3"`, Size: 1, BlobID: "b3"}, meta.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := s.DeleteObject(withOp("DeleteObjects"), "jr", "v", "", meta.DeleteOptions{})
	if err != nil || !dm.DeleteMarker {
		t.Fatalf("delete marker: %+v %v", dm, err)
	}
	if _, err := s.DeleteObject(withOp("DeleteObject"), "jr", "v", dm.VersionID, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteObject(withOp(meta.OpLifecycleExpire), "jr", "v", v1.VersionID, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	newUpload(t, s, "jr", "mp", "u1", time.Now())
	putPart(t, s, "jr", "mp", "u1", 1, "p1")
	mo := &meta.Object{Bucket: "jr", Key: "mp", UploadID: "u1"}
	mp, err := s.CompleteUpload(withOp("CompleteMultipartUpload"), mo, buildAll(mo), meta.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteObject(meta.WithChange(ctx, meta.Change{Requester: meta.LifecycleRequester, Operation: meta.OpLifecycleExpire}), "jr", "mp", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Not object mutations: nothing recorded.
	if err := s.UpdateBucket(ctx, "jr", func(b *meta.Bucket) error { b.Config.Tags = map[string]string{"x": "y"}; return nil }); err != nil {
		t.Fatal(err)
	}
	newUpload(t, s, "jr", "mp2", "u2", time.Now())
	if _, err := s.AbortUpload(ctx, "jr", "mp2", "u2"); err != nil {
		t.Fatal(err)
	}

	recs := readAll(t, s, start)
	type want struct{ typ, event, key, vid, requestID string }
	wants := []want{
		{meta.RecordCreate, meta.EventPut, "k", meta.NullVersion, "REQ-PutObject"},
		{meta.RecordCreate, meta.EventCopy, "k", meta.NullVersion, "REQ-CopyObject"},
		{meta.RecordUpdateMetadata, meta.EventTaggingPut, "k", meta.NullVersion, "REQ-PutObjectTagging"},
		{meta.RecordUpdateMetadata, meta.EventLegalHoldPut, "k", meta.NullVersion, ""},
		{meta.RecordDelete, meta.EventDelete, "k", meta.NullVersion, "REQ-DeleteObject"},
		{meta.RecordCreate, meta.EventPost, "v", v1.VersionID, "REQ-PostObject"},
		{meta.RecordDelete, meta.EventDeleteMarkerCreated, "v", dm.VersionID, "REQ-DeleteObjects"},
		{meta.RecordDelete, meta.EventDelete, "v", dm.VersionID, "REQ-DeleteObject"},
		{meta.RecordDelete, meta.EventLifecycleDelete, "v", v1.VersionID, "REQ-" + meta.OpLifecycleExpire},
		{meta.RecordCreate, meta.EventCompleteMultipartUpload, "mp", mp.VersionID, "REQ-CompleteMultipartUpload"},
		{meta.RecordDelete, meta.EventLifecycleDeleteMarker, "mp", "", ""},
	}
	if len(recs) != len(wants) {
		for _, r := range recs {
			t.Logf("%d %s %s %s/%s", r.Seq, r.Type, r.Event, r.Key, r.VersionID)
		}
		t.Fatalf("%d records, want %d", len(recs), len(wants))
	}
	for i, w := range wants {
		r := recs[i]
		if r.Type != w.typ || r.Event != w.event || r.Bucket != "jr" || r.Key != w.key || (w.vid != "" && r.VersionID != w.vid) || r.RequestID != w.requestID {
			t.Errorf("record %d = %s %s %s/%s req %q, want %+v", i, r.Type, r.Event, r.Key, r.VersionID, r.RequestID, w)
		}
		if r.Time.IsZero() || time.Since(r.Time) > time.Minute {
			t.Errorf("record %d time %v", i, r.Time)
		}
	}
	c := recs[0]
	if c.Size != 5 || c.ETag != `"e1"` || c.StorageClass != "STANDARD" || c.Multipart || c.Encryption != "SSE-KMS" || !c.BucketKey ||
		c.KMSKeyARN != "arn:aws:kms:us-east-1:123456789012:key/k1" || c.ChecksumAlgorithm != "CRC32" || c.Tags["t"] != "1" ||
		c.UserMeta["m"] != "v" || c.Requester != "123456789012" || c.SourceIP != "192.0.2.7" ||
		c.Principal != "arn:aws:iam::123456789012:user/u" || c.Operation != "PutObject" || c.DeleteMarker || c.Modified.IsZero() {
		t.Errorf("CREATE record = %+v", c)
	}
	if c.S3EventName() != "s3:ObjectCreated:Put" {
		t.Errorf("S3EventName = %q", c.S3EventName())
	}
	if u := recs[2]; u.Tags["a"] != "b" || u.Size != 6 || u.ETag != `"e2"` {
		t.Errorf("UPDATE_METADATA record = %+v", u)
	}
	if u := recs[3]; u.S3EventName() != "" {
		t.Errorf("legal hold has S3 event %q", u.S3EventName())
	}
	if d := recs[4]; !d.IsPermanentDelete() || d.Size != 0 || d.ETag != "" || d.Tags != nil || d.DeleteMarker {
		t.Errorf("permanent DELETE record carries object state: %+v", d)
	}
	if d := recs[6]; !d.DeleteMarker || d.IsPermanentDelete() || d.Modified.IsZero() || d.S3EventName() != "s3:ObjectRemoved:DeleteMarkerCreated" {
		t.Errorf("delete marker record = %+v", d)
	}
	if d := recs[7]; d.DeleteMarker || !d.IsPermanentDelete() {
		t.Errorf("removing a delete marker is a permanent delete: %+v", d)
	}
	if m := recs[9]; !m.Multipart || m.Size != 10 {
		t.Errorf("multipart record = %+v", m)
	}
	if l := recs[10]; l.Requester != meta.LifecycleRequester || !l.DeleteMarker || l.S3EventName() != "s3:LifecycleExpiration:DeleteMarkerCreated" {
		t.Errorf("lifecycle record = %+v", l)
	}
	if got := lastSeq(t, s); got != recs[len(recs)-1].Seq {
		t.Errorf("JournalSeq = %d, last record %d", got, recs[len(recs)-1].Seq)
	}
}

// testJournalRollback: a write that fails or is vetoed leaves no record,
// and seqs stay gap-free when vetoed writes share transactions with
// committed ones.
func testJournalRollback(t *testing.T, s meta.Store) {
	mustBucket(t, s, "rb")
	put(t, s, "rb", "k", "e0")
	start := lastSeq(t, s)
	veto := errors.New("veto")
	if _, err := s.PutObject(ctx, &meta.Object{Bucket: "rb", Key: "k", ETag: "x"}, meta.PutOptions{Check: func(*meta.Object) error { return veto }}); !errors.Is(err, veto) {
		t.Fatalf("vetoed put = %v", err)
	}
	if _, err := s.PutObject(ctx, &meta.Object{Bucket: "missing", Key: "k", ETag: "x"}, meta.PutOptions{}); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("put to missing bucket = %v", err)
	}
	if _, err := s.DeleteObject(ctx, "rb", "k", "", meta.DeleteOptions{Check: func(*meta.Object) error { return veto }}); !errors.Is(err, veto) {
		t.Fatalf("vetoed delete = %v", err)
	}
	if _, err := s.UpdateObject(ctx, "rb", "k", "", func(o *meta.Object) error { o.Attrs.Tags = map[string]string{"a": "b"}; return veto }); !errors.Is(err, veto) {
		t.Fatalf("vetoed update = %v", err)
	}
	if res, err := s.DeleteObject(ctx, "rb", "absent", "", meta.DeleteOptions{}); err != nil || res.VersionID != "" {
		t.Fatalf("delete of nothing = %+v, %v", res, err)
	}
	if got := readAll(t, s, start); len(got) != 0 {
		t.Fatalf("failed writes left %d records: %+v", len(got), got)
	}

	// Concurrent writers, every other one vetoed inside the transaction.
	const n = 64
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := map[string]bool{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("c%03d", i)
			_, err := s.PutObject(ctx, &meta.Object{Bucket: "rb", Key: key, ETag: "e"}, meta.PutOptions{Check: func(*meta.Object) error {
				if i%2 == 1 {
					return veto
				}
				return nil
			}})
			if err == nil {
				mu.Lock()
				committed[key] = true
				mu.Unlock()
			} else if !errors.Is(err, veto) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	recs := readAll(t, s, start) // checks the seqs are consecutive
	got := map[string]bool{}
	for _, r := range recs {
		if r.Type != meta.RecordCreate || got[r.Key] {
			t.Fatalf("unexpected record %+v", r)
		}
		got[r.Key] = true
	}
	if len(got) != len(committed) || len(committed) != n/2 {
		t.Fatalf("%d records for %d committed puts", len(got), len(committed))
	}
	for k := range committed {
		if !got[k] {
			t.Fatalf("committed put %s has no record", k)
		}
	}
}

// testJournalOrder: records follow commit order; within a key the version
// seqs they name increase with the journal's.
func testJournalOrder(t *testing.T, s meta.Store) {
	mustBucket(t, s, "ord")
	setVersioning(t, s, "ord", meta.Enabled)
	start := lastSeq(t, s)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := s.PutObject(ctx, &meta.Object{Bucket: "ord", Key: fmt.Sprintf("k%d", i%3), ETag: "e"}, meta.PutOptions{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	recs := readAll(t, s, start)
	if len(recs) != 80 {
		t.Fatalf("%d records, want 80", len(recs))
	}
	lastVersion := map[string]int64{}
	for _, r := range recs {
		if r.VersionSeq <= lastVersion[r.Key] {
			t.Fatalf("record %d names version seq %d after %d for %s", r.Seq, r.VersionSeq, lastVersion[r.Key], r.Key)
		}
		lastVersion[r.Key] = r.VersionSeq
	}
	// The latest version of each key is the one its last record names.
	for k, vseq := range lastVersion {
		o, err := s.GetObject(ctx, "ord", k, "")
		if err != nil || o.Seq != vseq {
			t.Fatalf("latest %s = %+v %v, last record names seq %d", k, o, err, vseq)
		}
	}
	if recs, err := s.ReadJournal(ctx, start, 5); err != nil || len(recs) != 5 || recs[0].Seq != start+1 {
		t.Fatalf("ReadJournal limit 5 = %d records, %v", len(recs), err)
	}
}

func testJournalCursors(t *testing.T, s meta.Store) {
	if _, err := s.GetJournalCursor(ctx, "none"); !errors.Is(err, meta.ErrNoSuchCursor) {
		t.Fatalf("GetJournalCursor(missing) = %v", err)
	}
	for _, c := range []struct {
		name string
		seq  int64
	}{{"notify", 5}, {"replicate", 2}, {"notify", 7}} {
		if err := s.SetJournalCursor(ctx, c.name, c.seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetJournalCursor(ctx, "", 1); err == nil {
		t.Fatal("a cursor without a name was stored")
	}
	c, err := s.GetJournalCursor(ctx, "notify")
	if err != nil || c.Seq != 7 || c.Name != "notify" || c.Updated.IsZero() {
		t.Fatalf("GetJournalCursor = %+v, %v", c, err)
	}
	list, err := s.ListJournalCursors(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "notify" || list[1].Name != "replicate" || list[1].Seq != 2 {
		t.Fatalf("ListJournalCursors = %+v, %v", list, err)
	}
	if err := s.DeleteJournalCursor(ctx, "notify"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteJournalCursor(ctx, "notify"); err != nil {
		t.Fatalf("deleting an absent cursor: %v", err)
	}
	if _, err := s.GetJournalCursor(ctx, "notify"); !errors.Is(err, meta.ErrNoSuchCursor) {
		t.Fatalf("deleted cursor: %v", err)
	}
}

// testJournalRetention: trimming waits for every cursor and for the age,
// the record cap overrides cursors, and a reader behind the trim point is
// told so.
func testJournalRetention(t *testing.T, s meta.Store) {
	mustBucket(t, s, "ret")
	for i := 0; i < 10; i++ {
		put(t, s, "ret", fmt.Sprintf("k%d", i), "e")
	}
	last := lastSeq(t, s)
	first := last - 9
	if err := s.SetJournalCursor(ctx, "slow", first+3); err != nil {
		t.Fatal(err)
	}
	if err := s.SetJournalCursor(ctx, "fast", last); err != nil {
		t.Fatal(err)
	}
	// Young records stay even though every cursor passed them.
	if n, err := s.TrimJournal(ctx, meta.JournalRetention{Age: time.Hour}); err != nil || n != 0 {
		t.Fatalf("trim of young records = %d, %v", n, err)
	}
	time.Sleep(5 * time.Millisecond)
	if n, err := s.TrimJournal(ctx, meta.JournalRetention{Age: time.Millisecond}); err != nil || n < 4 {
		t.Fatalf("trim = %d, %v; want the 4 records slow passed (and any before)", n, err)
	}
	if _, err := s.ReadJournal(ctx, first-1, 100); !errors.Is(err, meta.ErrJournalTrimmed) {
		t.Fatalf("read from before the trim point = %v", err)
	}
	if recs := readAll(t, s, first+3); len(recs) != 6 || recs[0].Key != "k4" {
		t.Fatalf("after slow's cursor: %d records", len(recs))
	}
	// Without the slow consumer everything old goes.
	if err := s.DeleteJournalCursor(ctx, "slow"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.TrimJournal(ctx, meta.JournalRetention{Age: time.Millisecond}); err != nil || n != 6 {
		t.Fatalf("trim after deleting slow = %d, %v", n, err)
	}
	if recs, err := s.ReadJournal(ctx, last, 10); err != nil || len(recs) != 0 {
		t.Fatalf("read at the end of an emptied journal = %v, %v", recs, err)
	}
	// Seqs go on after the journal was emptied.
	put(t, s, "ret", "after", "e")
	if recs := readAll(t, s, last); len(recs) != 1 || recs[0].Seq != last+1 {
		t.Fatalf("after emptying: %+v", recs)
	}
	// The cap drops records no cursor has read.
	for i := 0; i < 9; i++ {
		put(t, s, "ret", fmt.Sprintf("m%d", i), "e")
	}
	if n, err := s.TrimJournal(ctx, meta.JournalRetention{Age: time.Hour, MaxRecords: 3}); err != nil || n != 7 {
		t.Fatalf("capped trim = %d, %v", n, err)
	}
	end := lastSeq(t, s)
	if _, err := s.ReadJournal(ctx, last, 10); !errors.Is(err, meta.ErrJournalTrimmed) {
		t.Fatalf("fast behind the cap: %v", err)
	}
	if recs := readAll(t, s, end-3); len(recs) != 3 {
		t.Fatalf("cap kept %d records", len(recs))
	}
	if d := (meta.JournalRetention{}).WithDefaults(); d.Age != meta.DefaultJournalAge || d.MaxRecords != meta.DefaultJournalMaxRecords {
		t.Fatalf("defaults = %+v", d)
	}
}

// testJournalWait: a commit wakes a waiter at once (well within the poll
// interval); a waiter behind the end returns at once; ctx ends a wait.
func testJournalWait(t *testing.T, s meta.Store) {
	mustBucket(t, s, "w")
	last := lastSeq(t, s)
	woke := make(chan time.Time, 1)
	go func() {
		if err := s.WaitJournal(ctx, last); err != nil {
			t.Error(err)
		}
		woke <- time.Now()
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case <-woke:
		t.Fatal("WaitJournal returned before any record")
	default:
	}
	put(t, s, "w", "k", "e")
	acked := time.Now()
	select {
	case at := <-woke:
		if d := at.Sub(acked); d > 300*time.Millisecond {
			t.Fatalf("waiter woke %v after the commit", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitJournal did not return after a commit")
	}
	if err := s.WaitJournal(ctx, last); err != nil {
		t.Fatalf("wait behind the end: %v", err)
	}
	c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.WaitJournal(c, last+1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait with an ending ctx = %v", err)
	}
}

// RunReopen runs the cases that close and reopen a store: open returns
// the same store each time it is called (after the last one was closed).
func RunReopen(t *testing.T, newOpener func(t *testing.T) func() meta.Store) {
	t.Run("JournalDurable", func(t *testing.T) { testJournalDurable(t, newOpener(t)) })
}

// testJournalDurable: records and cursors survive a reopen, and seqs go on
// from where they were.
func testJournalDurable(t *testing.T, open func() meta.Store) {
	s := open()
	mustBucket(t, s, "d")
	for i := 0; i < 3; i++ {
		put(t, s, "d", fmt.Sprintf("k%d", i), "e")
	}
	if err := s.SetJournalCursor(ctx, "c", 2); err != nil {
		t.Fatal(err)
	}
	before := readAll(t, s, 0)
	s.Close()

	s = open()
	defer s.Close()
	after := readAll(t, s, 0)
	if len(after) != len(before) {
		t.Fatalf("%d records after reopen, %d before", len(after), len(before))
	}
	keys := []string{}
	for i := range after {
		if after[i].Seq != before[i].Seq || after[i].Key != before[i].Key || after[i].VersionID != before[i].VersionID {
			t.Fatalf("record %d changed across reopen: %+v vs %+v", i, after[i], before[i])
		}
		keys = append(keys, after[i].Key)
	}
	if !sort.StringsAreSorted(keys) {
		t.Fatalf("order changed: %v", keys)
	}
	if c, err := s.GetJournalCursor(ctx, "c"); err != nil || c.Seq != 2 {
		t.Fatalf("cursor after reopen = %+v, %v", c, err)
	}
	put(t, s, "d", "k9", "e")
	if recs := readAll(t, s, before[len(before)-1].Seq); len(recs) != 1 {
		t.Fatalf("seq after reopen: %+v", recs)
	}
}

// testJournalBookkeeping: a write made under meta.Bookkeeping (not a change
// of object state) appends no record; a restore request records
// ObjectRestore:Post.
func testJournalBookkeeping(t *testing.T, s meta.Store) {
	mustBucket(t, s, "jb")
	if _, err := s.PutObject(withOp("PutObject"), &meta.Object{Bucket: "jb", Key: "k", ETag: `"e"`, Size: 1, BlobID: "b"}, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	start := lastSeq(t, s)
	if _, err := s.UpdateObject(meta.Bookkeeping(ctx), "jb", "k", "", func(o *meta.Object) error {
		o.Attrs.Accessed = time.Unix(1e9, 0)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := lastSeq(t, s); got != start {
		t.Fatalf("a bookkeeping write appended records: seq %d -> %d", start, got)
	}
	if _, err := s.UpdateObject(withOp("RestoreObject"), "jb", "k", "", func(o *meta.Object) error {
		o.Attrs.Restore = &meta.Restore{Requested: time.Unix(1e9, 0), Ready: time.Unix(1e9+3600, 0), Tier: "Standard"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	recs, err := s.ReadJournal(ctx, start, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Event != meta.EventRestorePost || recs[0].Type != meta.RecordUpdateMetadata {
		t.Fatalf("records after a restore request: %+v", recs)
	}
	o, err := s.GetObject(ctx, "jb", "k", "")
	if err != nil || !o.Attrs.Accessed.Equal(time.Unix(1e9, 0)) {
		t.Fatalf("the bookkeeping write was not kept: %v %v", o, err)
	}
}
