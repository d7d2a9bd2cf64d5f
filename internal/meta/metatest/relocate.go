package metatest

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"talus/internal/meta"
)

// testRelocate moves a blob version and a multipart version to other
// blobs and classes: the old IDs are freed and no longer referenced, the
// new ones are, everything else of the version stays, and a veto changes
// nothing.
func testRelocate(t *testing.T, s meta.Store) {
	mustBucket(t, s, "r")
	put(t, s, "r", "one", `"e1"`)
	mp := &meta.Object{Bucket: "r", Key: "mp", ETag: `"x-2"`, Size: 30, StorageClass: "STANDARD", Parts: []meta.Part{
		{Number: 1, Size: 20, ETag: `"p1"`, BlobID: "part1"}, {Number: 2, Size: 10, ETag: `"p2"`, BlobID: "part2"}}}
	if _, err := s.PutObject(ctx, mp, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.GetObject(ctx, "r", "one", "")
	freed, err := s.RelocateObject(ctx, "r", "one", "", func(o *meta.Object) error {
		o.BlobID, o.StorageClass = "b-e1.cold", "GLACIER"
		o.Attrs.Restore = &meta.Restore{Days: 2}
		return nil
	})
	if err != nil || strings.Join(freed, ",") != `b-"e1"` {
		t.Fatalf("relocate = %v, %v", freed, err)
	}
	got, _ := s.GetObject(ctx, "r", "one", "")
	if got.BlobID != "b-e1.cold" || got.StorageClass != "GLACIER" || got.Attrs.Restore == nil || got.Attrs.Restore.Days != 2 ||
		got.Seq != before.Seq || got.ETag != before.ETag || got.Attrs.ContentType != "text/plain" {
		t.Fatalf("after relocate: %+v", got)
	}
	if ref, _ := s.BlobReferenced(ctx, `b-"e1"`); ref {
		t.Fatal("old blob still referenced")
	}
	if ref, _ := s.BlobReferenced(ctx, "b-e1.cold"); !ref {
		t.Fatal("new blob not referenced")
	}
	freed, err = s.RelocateObject(ctx, "r", "mp", "", func(o *meta.Object) error {
		for i := range o.Parts {
			o.Parts[i].BlobID += ".cold"
		}
		o.StorageClass = "STANDARD_IA"
		return nil
	})
	sort.Strings(freed)
	if err != nil || strings.Join(freed, ",") != "part1,part2" {
		t.Fatalf("relocate parts = %v, %v", freed, err)
	}
	got, _ = s.GetObject(ctx, "r", "mp", "")
	if got.StorageClass != "STANDARD_IA" || len(got.Parts) != 2 || got.Parts[0].BlobID != "part1.cold" || got.Parts[1].BlobID != "part2.cold" || got.Parts[0].Size != 20 {
		t.Fatalf("multipart after relocate: %+v", got)
	}
	veto := errors.New("veto")
	if _, err := s.RelocateObject(ctx, "r", "mp", "", func(o *meta.Object) error { o.StorageClass = "GLACIER"; return veto }); !errors.Is(err, veto) {
		t.Fatalf("vetoed relocate = %v", err)
	}
	if _, err := s.RelocateObject(ctx, "r", "mp", "", func(o *meta.Object) error { o.Parts = o.Parts[:1]; return nil }); err == nil {
		t.Fatal("relocate dropping a part succeeded")
	}
	if got, _ = s.GetObject(ctx, "r", "mp", ""); got.StorageClass != "STANDARD_IA" || len(got.Parts) != 2 {
		t.Fatalf("after vetoes: %+v", got)
	}
	if _, err := s.RelocateObject(ctx, "r", "none", "", func(*meta.Object) error { return nil }); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("missing key = %v", err)
	}
	if _, err := s.RelocateObject(ctx, "r", "one", meta.NewVersionID(before.Modified), func(*meta.Object) error { return nil }); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Fatalf("missing version = %v", err)
	}
	if _, err := s.RelocateObject(ctx, "absent", "one", "", func(*meta.Object) error { return nil }); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("missing bucket = %v", err)
	}
}
