package metatest

import (
	"testing"
	"time"

	"talus/internal/meta"
)

func dueKeys(t *testing.T, s meta.Store, now time.Time) []string {
	t.Helper()
	due, err := s.DueRestores(ctx, now, 100)
	if err != nil {
		t.Fatalf("DueRestores: %v", err)
	}
	var keys []string
	for _, d := range due {
		keys = append(keys, d.Key)
	}
	return keys
}

func setRestore(t *testing.T, s meta.Store, key string, fn func(*meta.Object)) *meta.Object {
	t.Helper()
	o, err := s.UpdateObject(ctx, "rb", key, "", func(o *meta.Object) error { fn(o); return nil })
	if err != nil {
		t.Fatalf("UpdateObject(%s): %v", key, err)
	}
	return o
}

// testDueRestores: the index of due restore events follows the version's
// restore through every change (requested, completed, extended, cleared,
// version removed), ordered by due time, and only returns what is due.
func testDueRestores(t *testing.T, s meta.Store) {
	mustBucket(t, s, "rb")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ready, expires := base.Add(time.Hour), base.Add(48*time.Hour)
	for _, k := range []string{"a", "b", "c", "plain"} {
		put(t, s, "rb", k, `"`+k+`"`)
	}
	if got := dueKeys(t, s, base.Add(1000*time.Hour)); len(got) != 0 {
		t.Fatalf("due with no restores: %v", got)
	}
	// b is ready before a; c is an Intelligent-Tiering restore (no expiry).
	setRestore(t, s, "a", func(o *meta.Object) {
		o.Attrs.Restore = &meta.Restore{Requested: base, Ready: ready.Add(time.Minute), Expires: expires, Days: 2}
	})
	ob := setRestore(t, s, "b", func(o *meta.Object) {
		o.Attrs.Restore = &meta.Restore{Requested: base, Ready: ready, Expires: expires, Days: 2}
	})
	setRestore(t, s, "c", func(o *meta.Object) {
		o.Attrs.Restore = &meta.Restore{Requested: base, Ready: ready.Add(2 * time.Minute)}
	})
	if got := dueKeys(t, s, ready.Add(-time.Millisecond)); len(got) != 0 {
		t.Fatalf("due before ready: %v", got)
	}
	if got := dueKeys(t, s, ready.Add(time.Millisecond)); len(got) != 1 || got[0] != "b" {
		t.Fatalf("due just after b's ready: %v", got)
	}
	due, _ := s.DueRestores(ctx, ready.Add(time.Hour), 100)
	if len(due) != 3 || due[0].Key != "b" || due[1].Key != "a" || due[2].Key != "c" {
		t.Fatalf("due after all ready: %+v", due)
	}
	if d := due[0]; d.Seq != ob.Seq || d.VersionID != ob.VersionID || d.Bucket != "rb" || d.Due.Before(ready) || d.Due.After(ready.Add(time.Millisecond)) {
		t.Fatalf("due entry %+v for version %d/%s ready %v", d, ob.Seq, ob.VersionID, ready)
	}
	if got, _ := s.DueRestores(ctx, ready.Add(time.Hour), 2); len(got) != 2 {
		t.Fatalf("limit 2 gave %d", len(got))
	}
	// Completed: b is next due at its expiry; c (no expiry) is done.
	setRestore(t, s, "b", func(o *meta.Object) { o.Attrs.Restore.Completed = true })
	setRestore(t, s, "c", func(o *meta.Object) { o.Attrs.Restore.Completed = true })
	if got := dueKeys(t, s, ready.Add(time.Hour)); len(got) != 1 || got[0] != "a" {
		t.Fatalf("due after completions: %v", got)
	}
	if got := dueKeys(t, s, expires.Add(time.Millisecond)); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("due at expiry: %v", got)
	}
	// Extended: the new expiry counts.
	setRestore(t, s, "b", func(o *meta.Object) { o.Attrs.Restore.Expires = expires.Add(24 * time.Hour) })
	if got := dueKeys(t, s, expires.Add(time.Hour)); len(got) != 1 || got[0] != "a" {
		t.Fatalf("due after extension: %v", got)
	}
	// Cleared, and a version removed: gone from the index.
	setRestore(t, s, "b", func(o *meta.Object) { o.Attrs.Restore = nil })
	if _, err := s.DeleteObject(ctx, "rb", "a", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := dueKeys(t, s, base.Add(1000*time.Hour)); len(got) != 0 {
		t.Fatalf("due after clear and delete: %v", got)
	}
	// An overwrite is a new version with no restore.
	setRestore(t, s, "plain", func(o *meta.Object) { o.Attrs.Restore = &meta.Restore{Requested: base, Ready: ready, Expires: expires} })
	put(t, s, "rb", "plain", `"again"`)
	if got := dueKeys(t, s, base.Add(1000*time.Hour)); len(got) != 0 {
		t.Fatalf("due after overwrite: %v", got)
	}
}
