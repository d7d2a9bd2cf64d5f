package metatest

import (
	"testing"

	"talus/internal/meta"
)

// testBucketUsage: versions count, delete markers do not, empty buckets
// are listed with zero.
func testBucketUsage(t *testing.T, s meta.Store) {
	mustBucket(t, s, "used")
	mustBucket(t, s, "empty")
	put(t, s, "used", "a", "12345")
	put(t, s, "used", "b", "123")
	put(t, s, "used", "a", "1234567") // replaces the null version
	if _, err := s.DeleteObject(ctx, "used", "b", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.BucketUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []meta.BucketUsage{{Bucket: "empty"}, {Bucket: "used", Objects: 1, Bytes: 7}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("BucketUsage = %+v, want %+v", got, want)
	}
}
