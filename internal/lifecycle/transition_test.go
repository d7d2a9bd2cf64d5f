package lifecycle

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talus/internal/blob"
	"talus/internal/blob/localfs"
	"talus/internal/blob/tiered"
	"talus/internal/meta"
)

// tierEnv is env with a tiered blob store: GLACIER and ARCHIVE_ACCESS
// data live in tier "cold".
func tierEnv(t *testing.T) (*env, *tiered.Store) {
	e := newEnv(t)
	dir := t.TempDir()
	def, err := localfs.Open(filepath.Join(dir, "def"))
	if err != nil {
		t.Fatal(err)
	}
	cold, err := localfs.Open(filepath.Join(dir, "cold"))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tiered.New(def, map[string]blob.Store{"cold": cold})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Close() })
	classes := map[string]string{"GLACIER": "cold", "ARCHIVE_ACCESS": "cold"}
	e.w = New(Config{Meta: e.store, Blobs: ts, Day: day, Now: func() time.Time { return e.now }, Batch: 7,
		ClassTier: func(c string) string { return classes[c] }})
	return e, ts
}

// putBlob stores a version whose data is a blob (or, with parts > 1, that
// many part blobs) of the given size.
func putBlob(t *testing.T, e *env, ts *tiered.Store, bucket, key string, size, parts int, at time.Time, class string) []byte {
	t.Helper()
	data := bytes.Repeat([]byte(key[:1]), size)
	o := &meta.Object{Bucket: bucket, Key: key, Size: int64(size), ETag: `"e"`, Modified: at, StorageClass: class}
	per := size / parts
	for i := 0; i < parts; i++ {
		id := blob.NewID()
		chunk := data[i*per : (i+1)*per]
		if _, err := ts.Put(ctx, id, bytes.NewReader(chunk)); err != nil {
			t.Fatal(err)
		}
		if parts == 1 {
			o.BlobID = id
		} else {
			o.Parts = append(o.Parts, meta.Part{Number: i + 1, Size: int64(len(chunk)), BlobID: id})
		}
	}
	if _, err := e.store.PutObject(ctx, o, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	return data
}

func readBack(t *testing.T, ts *tiered.Store, o *meta.Object) []byte {
	t.Helper()
	ids := []string{o.BlobID}
	if len(o.Parts) > 0 {
		ids = nil
		for _, p := range o.Parts {
			ids = append(ids, p.BlobID)
		}
	}
	var out []byte
	for _, id := range ids {
		rc, err := ts.Open(ctx, id, 0, -1)
		if err != nil {
			t.Fatalf("open %s: %v", id, err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out = append(out, b...)
	}
	return out
}

func blobCount(t *testing.T, ts *tiered.Store) (def, cold int) {
	t.Helper()
	ts.Walk(ctx, time.Hour, func(id string, _ time.Time) error {
		if tiered.TierOf(id) == "cold" {
			cold++
		} else {
			def++
		}
		return nil
	})
	return def, cold
}

func TestTransitionMovesBlobsOnce(t *testing.T) {
	e, ts := tierEnv(t)
	e.bucket("u", meta.Unversioned, meta.LifecycleRule{ID: "g", Status: "Enabled",
		Transitions: []meta.LifecycleTransition{{Days: 1, StorageClass: "GLACIER"}}})
	one := putBlob(t, e, ts, "u", "one", 200<<10, 1, e.base, "STANDARD")
	mp := putBlob(t, e, ts, "u", "mp", 300<<10, 3, e.base, "STANDARD")
	putBlob(t, e, ts, "u", "small", 1000, 1, e.base, "STANDARD")
	e.now = e.base.Add(3 * day)
	e.pass()
	e.pass()
	for key, want := range map[string][]byte{"one": one, "mp": mp} {
		o, err := e.store.GetObject(ctx, "u", key, "")
		if err != nil {
			t.Fatal(err)
		}
		if o.StorageClass != "GLACIER" || o.Attrs.Restore != nil {
			t.Fatalf("%s: class %s", key, o.StorageClass)
		}
		if !bytes.Equal(readBack(t, ts, o), want) {
			t.Fatalf("%s reads back different bytes", key)
		}
	}
	if def, cold := blobCount(t, ts); def != 1 || cold != 4 {
		t.Fatalf("blobs: %d at home, %d cold; want 1 (small) and 4", def, cold)
	}
	recs := e.lifecycleRecordsOf(meta.OpLifecycleTransition)
	for _, r := range recs {
		if r.Type != meta.RecordUpdateMetadata || r.Event != meta.EventLifecycleTransition || r.StorageClass != "GLACIER" {
			t.Errorf("transition record %+v", r)
		}
	}
	if len(recs) != 2 {
		t.Fatalf("journal: %d transition records, want 2: %+v", len(recs), recs)
	}
}

// Permanent deletion goes before a transition, a transition before a
// delete marker; noncurrent versions transition by their own rule.
func TestTransitionOrderAndNoncurrent(t *testing.T) {
	e, ts := tierEnv(t)
	both := []meta.LifecycleRule{{ID: "r", Status: "Enabled", Expiration: days(1),
		Transitions:                  []meta.LifecycleTransition{{Days: 1, StorageClass: "GLACIER"}},
		NoncurrentVersionTransitions: []meta.NoncurrentVersionTransition{{NoncurrentDays: 1, StorageClass: "GLACIER"}}}}
	e.bucket("u", meta.Unversioned, both...)
	e.bucket("v", meta.Enabled, both...)
	putBlob(t, e, ts, "u", "k", 200<<10, 1, e.base, "STANDARD")
	putBlob(t, e, ts, "v", "old", 200<<10, 1, e.base, "STANDARD")
	putBlob(t, e, ts, "v", "old", 200<<10, 1, e.base.Add(day/2), "STANDARD")
	e.now = e.base.Add(3 * day)
	e.pass()
	if got := e.versions("u"); got != "" {
		t.Fatalf("unversioned: %s (expiration goes first)", got)
	}
	all, _ := e.store.ScanVersions(ctx, "v", "", meta.VersionCursor{}, 10)
	var classes []string
	for _, v := range all {
		classes = append(classes, v.StorageClass)
	}
	if strings.Join(classes, " ") != "GLACIER GLACIER" {
		t.Fatalf("versioned after one pass: %v (transitions before the marker)", classes)
	}
	e.pass()
	if got := e.versions("v"); !strings.HasPrefix(got, "old:M ") {
		t.Fatalf("versioned after two passes: %s", got)
	}
}

func TestArchiveIntelligentTiering(t *testing.T) {
	e, ts := tierEnv(t)
	if err := e.store.CreateBucket(ctx, meta.Bucket{Name: "it", Owner: "o", Created: e.base, Config: meta.BucketConfig{
		IntelligentTiering: []meta.IntelligentTiering{{ID: "a", Status: "Enabled", Tierings: []meta.Tiering{{AccessTier: "ARCHIVE_ACCESS", Days: 90}}}}}}); err != nil {
		t.Fatal(err)
	}
	putBlob(t, e, ts, "it", "cold", 200<<10, 1, e.base, "INTELLIGENT_TIERING")
	putBlob(t, e, ts, "it", "read", 200<<10, 1, e.base, "INTELLIGENT_TIERING")
	putBlob(t, e, ts, "it", "std", 200<<10, 1, e.base, "STANDARD")
	if _, err := e.store.UpdateObject(ctx, "it", "read", "", func(o *meta.Object) error { o.Attrs.Accessed = e.base.Add(50 * day); return nil }); err != nil {
		t.Fatal(err)
	}
	e.now = e.base.Add(100 * day)
	e.pass()
	e.pass()
	for key, want := range map[string]string{"cold": "ARCHIVE_ACCESS", "read": "", "std": ""} {
		o, _ := e.store.GetObject(ctx, "it", key, "")
		if o.Attrs.ArchiveStatus != want {
			t.Errorf("%s: archive status %q, want %q", key, o.Attrs.ArchiveStatus, want)
		}
		if want != "" && (tiered.TierOf(o.BlobID) != "cold" || o.StorageClass != "INTELLIGENT_TIERING") {
			t.Errorf("%s: blob %s, class %s", key, o.BlobID, o.StorageClass)
		}
	}
	recs := e.lifecycleRecordsOf(meta.OpIntelligentTiering)
	if len(recs) != 1 || recs[0].Key != "cold" || recs[0].Event != meta.EventIntelligentTiering {
		t.Fatalf("journal: %+v", recs)
	}
}
