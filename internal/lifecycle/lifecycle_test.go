package lifecycle

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"talus/internal/blob/localfs"
	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

var ctx = context.Background()

const day = 24 * time.Hour

// fakeRun is the progress of a pass outside a worker pool.
type fakeRun struct {
	mu    sync.Mutex
	cp    []byte
	done  int
	errs  []error
	saves int
	// backlog is every backlog the pass reported, in order.
	backlog []int64
	// failAfter, when > 0, makes the n-th checkpoint save fail (a crash).
	failAfter int
}

func (f *fakeRun) Done(n int)      { f.mu.Lock(); f.done += n; f.mu.Unlock() }
func (f *fakeRun) Backlog(n int64) { f.mu.Lock(); f.backlog = append(f.backlog, n); f.mu.Unlock() }
func (f *fakeRun) Error(err error) { f.mu.Lock(); f.errs = append(f.errs, err); f.mu.Unlock() }
func (f *fakeRun) At(string)       {}
func (f *fakeRun) Checkpoint(context.Context) ([]byte, error) {
	return f.cp, nil
}
func (f *fakeRun) SaveCheckpoint(_ context.Context, data []byte) error {
	f.saves++
	if f.failAfter > 0 && f.saves >= f.failAfter {
		return errCrash
	}
	f.cp = data
	return nil
}

var errCrash = fmt.Errorf("crash")

// lifecycleRecords returns the journal's expiration records made by
// lifecycle.
func (e *env) lifecycleRecords() []meta.Record {
	return e.lifecycleRecordsOf(meta.OpLifecycleExpire)
}

// lifecycleRecordsOf returns the journal's records lifecycle made with
// operation op, failing on any other lifecycle operation.
func (e *env) lifecycleRecordsOf(op string, others ...string) []meta.Record {
	e.t.Helper()
	recs, err := e.store.ReadJournal(ctx, 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []meta.Record
	for _, r := range recs {
		if r.Requester != meta.LifecycleRequester || slices.Contains(others, r.Operation) {
			continue
		}
		if r.Operation != op {
			e.t.Fatalf("lifecycle record %+v", r)
		}
		out = append(out, r)
	}
	return out
}

type env struct {
	t     *testing.T
	store *sqlite.Store
	w     *Worker
	now   time.Time
	base  time.Time // creation time of test objects
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(filepath.Join(dir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	bs, err := localfs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bs.Close() })
	e := &env{t: t, store: s, base: time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)}
	e.now = e.base
	e.w = New(Config{Meta: s, Blobs: bs, Day: day, Now: func() time.Time { return e.now }, Batch: 7})
	return e
}

func (e *env) bucket(name, versioning string, rules ...meta.LifecycleRule) {
	e.t.Helper()
	if err := e.store.CreateBucket(ctx, meta.Bucket{Name: name, Owner: "o", Created: e.base, Versioning: versioning,
		Config: meta.BucketConfig{Lifecycle: &meta.Lifecycle{Rules: rules}}}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) put(bucket, key string, size int, at time.Time, attrs meta.Attrs) string {
	e.t.Helper()
	res, err := e.store.PutObject(ctx, &meta.Object{Bucket: bucket, Key: key, Size: int64(size), ETag: `"e"`, Modified: at,
		Inline: make([]byte, size), Attrs: attrs}, meta.PutOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.VersionID
}

func (e *env) pass() *fakeRun {
	e.t.Helper()
	r := &fakeRun{}
	if err := e.w.pass(ctx, r); err != nil {
		e.t.Fatalf("pass: %v", err)
	}
	if len(r.errs) > 0 {
		e.t.Fatalf("pass errors: %v", r.errs)
	}
	if r.cp != nil {
		e.t.Fatalf("checkpoint left after a full pass: %s", r.cp)
	}
	return r
}

// versions lists a bucket's versions as "key:M" (delete marker) or "key:v"
// (the version's creation day offset from base).
func (e *env) versions(bucket string) string {
	e.t.Helper()
	all, err := e.store.ScanVersions(ctx, bucket, "", meta.VersionCursor{}, 100000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, v := range all {
		if v.DeleteMarker {
			out = append(out, v.Key+":M")
		} else {
			out = append(out, fmt.Sprintf("%s:%d", v.Key, int(v.Modified.Sub(e.base)/day)))
		}
	}
	return strings.Join(out, " ")
}

func days(n int) *meta.LifecycleExpiration { return &meta.LifecycleExpiration{Days: n} }

func size(n int64) *int64 { return &n }

func TestUnversionedExpirationAndFilters(t *testing.T) {
	e := newEnv(t)
	e.bucket("b", meta.Unversioned,
		meta.LifecycleRule{ID: "logs", Status: "Enabled", Filter: meta.LifecycleFilter{Prefix: "logs/"}, Expiration: days(3)},
		meta.LifecycleRule{ID: "big", Status: "Enabled", Filter: meta.LifecycleFilter{ObjectSizeGreaterThan: size(100)}, Expiration: days(1)},
		meta.LifecycleRule{ID: "tag", Status: "Enabled", Filter: meta.LifecycleFilter{Tags: []meta.LifecycleTag{{Key: "tmp", Value: "yes"}}}, Expiration: days(2)},
		meta.LifecycleRule{ID: "off", Status: "Disabled", Expiration: days(1)},
	)
	e.put("b", "logs/a", 1, e.base, meta.Attrs{})
	e.put("b", "logs/b", 1, e.base.Add(2*day), meta.Attrs{})
	e.put("b", "keep", 1, e.base, meta.Attrs{})
	e.put("b", "huge", 101, e.base, meta.Attrs{})
	e.put("b", "edge", 100, e.base, meta.Attrs{})
	e.put("b", "tagged", 1, e.base, meta.Attrs{Tags: map[string]string{"tmp": "yes"}})
	e.put("b", "other-tag", 1, e.base, meta.Attrs{Tags: map[string]string{"tmp": "no"}})

	e.now = e.base.Add(day) // before midnight after day 1 plus rounding: nothing due
	e.pass()
	if got := e.versions("b"); got != "edge:0 huge:0 keep:0 logs/a:0 logs/b:2 other-tag:0 tagged:0" {
		t.Fatalf("after 1 day: %s", got)
	}
	e.now = e.base.Add(2 * day) // huge (1 day, rounded to midnight) is due
	e.pass()
	if got := e.versions("b"); got != "edge:0 keep:0 logs/a:0 logs/b:2 other-tag:0 tagged:0" {
		t.Fatalf("after 2 days: %s", got)
	}
	e.now = e.base.Add(4 * day)
	e.pass()
	if got := e.versions("b"); got != "edge:0 keep:0 logs/b:2 other-tag:0" {
		t.Fatalf("after 4 days: %s", got)
	}
	e.pass() // nothing more to do: the actions are not repeated
	recs := e.lifecycleRecords()
	if len(recs) != 3 {
		t.Fatalf("journal: %+v", recs)
	}
	for _, r := range recs {
		if r.Type != meta.RecordDelete || r.Event != meta.EventLifecycleDelete || r.VersionID != meta.NullVersion {
			t.Fatalf("record %+v", r)
		}
	}
}

func TestVersionedExpirationAddsOneMarker(t *testing.T) {
	e := newEnv(t)
	e.bucket("v", meta.Enabled, meta.LifecycleRule{ID: "r", Status: "Enabled", Expiration: days(1)})
	for i := 0; i < 20; i++ {
		e.put("v", fmt.Sprintf("k%02d", i), 1, e.base, meta.Attrs{})
	}
	e.put("v", "new", 1, e.base.Add(5*day), meta.Attrs{})
	e.now = e.base.Add(3 * day)
	e.pass()
	e.pass()
	got := e.versions("v")
	if strings.Count(got, ":M") != 20 || !strings.Contains(got, "new:5") || strings.Contains(got, "new:M") {
		t.Fatalf("versions: %s", got)
	}
	for i := 0; i < 20; i++ {
		if !strings.Contains(got, fmt.Sprintf("k%02d:M k%02d:0", i, i)) {
			t.Fatalf("key %d: %s", i, got)
		}
	}
	recs := e.lifecycleRecords()
	if len(recs) != 20 {
		t.Fatalf("%d lifecycle records, want 20", len(recs))
	}
	for _, r := range recs {
		if r.Event != meta.EventLifecycleDeleteMarker || !r.DeleteMarker || r.S3EventName() != "s3:LifecycleExpiration:DeleteMarkerCreated" {
			t.Fatalf("record %+v", r)
		}
	}
}

func TestNoncurrentExpirationAndMarkers(t *testing.T) {
	e := newEnv(t)
	e.bucket("v", meta.Enabled,
		meta.LifecycleRule{ID: "nc", Status: "Enabled",
			NoncurrentVersionExpiration: &meta.NoncurrentVersionExpiration{NoncurrentDays: 2, NewerNoncurrentVersions: 1},
			Expiration:                  &meta.LifecycleExpiration{ExpiredObjectDeleteMarker: true}})
	// k: versions made on days 0, 1, 2, 6 (latest). Noncurrent since: v0→1, v1→2, v2→6.
	for _, d := range []int{0, 1, 2, 6} {
		e.put("v", "k", 1, e.base.Add(time.Duration(d)*day), meta.Attrs{})
	}
	// gone: one old version under a delete marker.
	e.put("v", "gone", 1, e.base, meta.Attrs{})
	if _, err := e.store.DeleteObject(ctx, "v", "gone", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// lonely: a delete marker alone.
	e.put("v", "lonely", 1, e.base, meta.Attrs{})
	lv, _ := e.store.GetObject(ctx, "v", "lonely", "")
	e.store.DeleteObject(ctx, "v", "lonely", "", meta.DeleteOptions{})
	e.store.DeleteObject(ctx, "v", "lonely", lv.VersionID, meta.DeleteOptions{})

	e.now = e.base.Add(5 * day) // v0 and v1 noncurrent ≥ 2 days; v2 is the newest noncurrent: kept
	e.pass()
	// The markers were made in real time, after the test clock's now:
	// gone's version is noncurrent only since then, lonely's marker is
	// not expired yet.
	if got := e.versions("v"); got != "gone:M gone:0 k:6 k:2 lonely:M" {
		t.Fatalf("after day 5: %s", got)
	}
	e.now = time.Now().Add(4 * day)
	e.pass()
	// lonely's marker is gone; gone's version is its key's newest
	// noncurrent one, which NewerNoncurrentVersions keeps, so its marker stays.
	if got := e.versions("v"); got != "gone:M gone:0 k:6 k:2" {
		t.Fatalf("later: %s", got)
	}
	// Two noncurrent versions and one expired marker removed for good.
	recs := e.lifecycleRecords()
	keys := map[string]int{}
	for _, r := range recs {
		if r.Event != meta.EventLifecycleDelete || !r.IsPermanentDelete() {
			t.Fatalf("record %+v", r)
		}
		keys[r.Key]++
	}
	if len(recs) != 3 || keys["k"] != 2 || keys["lonely"] != 1 {
		t.Fatalf("journal: %+v", recs)
	}
}

func TestSuspendedExpirationReplacesNull(t *testing.T) {
	e := newEnv(t)
	e.bucket("s", meta.Enabled, meta.LifecycleRule{ID: "r", Status: "Enabled", Expiration: days(1)})
	e.put("s", "k", 1, e.base, meta.Attrs{})
	e.store.UpdateBucket(ctx, "s", func(b *meta.Bucket) error { b.Versioning = meta.Suspended; return nil })
	e.put("s", "n", 1, e.base, meta.Attrs{}) // a null version
	e.now = e.base.Add(3 * day)
	e.pass()
	all, _ := e.store.ScanVersions(ctx, "s", "", meta.VersionCursor{}, 100)
	var got []string
	for _, v := range all {
		got = append(got, fmt.Sprintf("%s/%v/%v", v.Key, v.VersionID == meta.NullVersion, v.DeleteMarker))
	}
	// k keeps its versioned version under a null marker; n's null version was replaced by the marker.
	if want := "k/true/true k/false/false n/true/true"; strings.Join(got, " ") != want {
		t.Fatalf("versions %v, want %s", got, want)
	}
}

func TestLockedVersionsKept(t *testing.T) {
	e := newEnv(t)
	e.bucket("l", meta.Enabled, meta.LifecycleRule{ID: "r", Status: "Enabled",
		NoncurrentVersionExpiration: &meta.NoncurrentVersionExpiration{NoncurrentDays: 1}})
	e.put("l", "ret", 1, e.base, meta.Attrs{LockMode: "COMPLIANCE", LockUntil: e.base.Add(100 * day)})
	e.put("l", "ret", 1, e.base.Add(day), meta.Attrs{})
	e.put("l", "hold", 1, e.base, meta.Attrs{LockLegalHold: "ON"})
	e.put("l", "hold", 1, e.base.Add(day), meta.Attrs{})
	e.put("l", "gov", 1, e.base, meta.Attrs{LockMode: "GOVERNANCE", LockUntil: e.base.Add(100 * day)})
	e.put("l", "gov", 1, e.base.Add(day), meta.Attrs{})
	e.put("l", "free", 1, e.base, meta.Attrs{LockMode: "GOVERNANCE", LockUntil: e.base.Add(2 * day)})
	e.put("l", "free", 1, e.base.Add(day), meta.Attrs{})
	e.now = e.base.Add(10 * day)
	e.pass()
	if got := e.versions("l"); got != "free:1 gov:1 gov:0 hold:1 hold:0 ret:1 ret:0" {
		t.Fatalf("versions: %s", got)
	}
}

func TestAbortIncompleteUploads(t *testing.T) {
	e := newEnv(t)
	e.bucket("m", meta.Unversioned, meta.LifecycleRule{ID: "r", Status: "Enabled", Filter: meta.LifecycleFilter{Prefix: "tmp/"},
		AbortIncompleteMultipartUpload: &meta.AbortIncompleteMultipartUpload{DaysAfterInitiation: 1}})
	for i := 0; i < 10; i++ {
		key := fmt.Sprintf("tmp/%d", i)
		if i%3 == 0 {
			key = fmt.Sprintf("keep/%d", i)
		}
		at := e.base
		if i == 4 {
			at = e.base.Add(5 * day)
		}
		id := fmt.Sprint("u", i)
		if err := e.store.CreateUpload(ctx, meta.Upload{Bucket: "m", Key: key, UploadID: id, Initiated: at, Owner: "o"}); err != nil {
			t.Fatal(err)
		}
	}
	e.now = e.base.Add(3 * day)
	e.pass()
	ups, err := e.store.ListUploads(ctx, "m", meta.UploadListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, u := range ups {
		left = append(left, u.Key)
	}
	sort.Strings(left)
	if got := strings.Join(left, " "); got != "keep/0 keep/3 keep/6 keep/9 tmp/4" {
		t.Fatalf("uploads left: %s", got)
	}
}

// A pass that stops midway (its checkpoint save fails, as when the
// process dies) resumes from the checkpoint; every due key ends with
// exactly one marker and nothing else is touched.
func TestResumeAfterInterruptedPass(t *testing.T) {
	e := newEnv(t)
	e.bucket("a", meta.Enabled, meta.LifecycleRule{ID: "r", Status: "Enabled", Filter: meta.LifecycleFilter{Prefix: "due/"}, Expiration: days(1)})
	e.bucket("b", meta.Enabled, meta.LifecycleRule{ID: "r", Status: "Enabled", Expiration: days(1)})
	for i := 0; i < 40; i++ {
		e.put("a", fmt.Sprintf("due/%02d", i), 1, e.base, meta.Attrs{})
		e.put("a", fmt.Sprintf("keep/%02d", i), 1, e.base, meta.Attrs{})
		e.put("b", fmt.Sprintf("x%02d", i), 1, e.base, meta.Attrs{})
	}
	e.now = e.base.Add(3 * day)
	r := &fakeRun{failAfter: 4}
	if err := e.w.pass(ctx, r); err == nil {
		t.Fatal("interrupted pass succeeded")
	}
	if r.cp == nil || r.done == 0 || r.done >= 80 {
		t.Fatalf("interrupted pass: checkpoint %s, %d done", r.cp, r.done)
	}
	first := r.done
	r2 := &fakeRun{cp: r.cp}
	if err := e.w.pass(ctx, r2); err != nil || r2.cp != nil {
		t.Fatalf("resumed pass: %v, checkpoint %s", err, r2.cp)
	}
	if first+r2.done != 80 {
		t.Fatalf("actions %d + %d, want 80 in all", first, r2.done)
	}
	for _, b := range []string{"a", "b"} {
		all, _ := e.store.ScanVersions(ctx, b, "", meta.VersionCursor{}, 1000)
		markers := map[string]int{}
		for _, v := range all {
			if v.DeleteMarker {
				markers[v.Key]++
			}
		}
		for _, v := range all {
			want := 1
			if strings.HasPrefix(v.Key, "keep/") {
				want = 0
			}
			if markers[v.Key] != want {
				t.Fatalf("%s/%s has %d markers, want %d", b, v.Key, markers[v.Key], want)
			}
		}
	}
}

// A delete marker whose last older version expires in the same pass is
// removed in that pass too.
func TestMarkerLeftAloneInSamePass(t *testing.T) {
	e := newEnv(t)
	e.bucket("w", meta.Enabled, meta.LifecycleRule{ID: "r", Status: "Enabled",
		NoncurrentVersionExpiration: &meta.NoncurrentVersionExpiration{NoncurrentDays: 1},
		Expiration:                  &meta.LifecycleExpiration{ExpiredObjectDeleteMarker: true}})
	e.put("w", "k", 1, e.base, meta.Attrs{})
	e.put("w", "k", 1, e.base, meta.Attrs{})
	if _, err := e.store.DeleteObject(ctx, "w", "k", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.put("w", "other", 1, e.base, meta.Attrs{})
	e.now = time.Now().Add(3 * day)
	e.pass()
	if got := e.versions("w"); got != "other:0" {
		t.Fatalf("versions: %s", got)
	}
}

// With only prefixed rules the scan seeks from one prefix to the next;
// keys between and around them are left alone.
func TestPrefixedRulesSkipOtherKeys(t *testing.T) {
	e := newEnv(t)
	e.bucket("p", meta.Unversioned,
		meta.LifecycleRule{ID: "m", Status: "Enabled", Filter: meta.LifecycleFilter{Prefix: "m/"}, Expiration: days(1)},
		meta.LifecycleRule{ID: "x", Status: "Enabled", Filter: meta.LifecycleFilter{Prefix: "x/"}, Expiration: days(1)},
		meta.LifecycleRule{ID: "off", Status: "Disabled", Expiration: days(1)})
	var want []string
	for i := 0; i < 12; i++ {
		for _, k := range []string{"a", "m/", "n", "x/", "z"} {
			key := fmt.Sprintf("%s%02d", k, i)
			e.put("p", key, 1, e.base, meta.Attrs{})
			if k != "m/" && k != "x/" {
				want = append(want, key+":0")
			}
		}
	}
	sort.Strings(want)
	e.now = e.base.Add(3 * day)
	r := e.pass()
	if got := e.versions("p"); got != strings.Join(want, " ") || r.done != 24 {
		t.Fatalf("%d actions, versions: %s", r.done, got)
	}
}

// TestPassReportsBacklog: a pass reports the buckets with rules it has
// still to scan, counting down to 0; buckets without rules do not count.
func TestPassReportsBacklog(t *testing.T) {
	e := newEnv(t)
	e.bucket("a", "", meta.LifecycleRule{ID: "r", Status: "Enabled", Expiration: days(1)})
	if err := e.store.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o", Created: e.base}); err != nil {
		t.Fatal(err)
	}
	e.bucket("c", "", meta.LifecycleRule{ID: "r", Status: "Enabled", Expiration: days(1)})
	r := e.pass()
	if got := fmt.Sprint(r.backlog); got != "[2 1 0 0]" {
		t.Fatalf("backlogs reported = %s, want [2 1 0 0]", got)
	}
}
