package metatest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"talus/internal/meta"
)

func annotation(name, data string) *meta.Annotation {
	return &meta.Annotation{Name: name, Size: int64(len(data)), ETag: `"` + data + `"`, Data: []byte(data),
		Checksums: map[string]string{"CRC32": "c-" + data}, ChecksumType: "FULL_OBJECT", WrappedKey: []byte("wk-" + data)}
}

func putAnnotation(t *testing.T, s meta.Store, bucket, key, versionID string, a *meta.Annotation) {
	t.Helper()
	if _, err := s.PutAnnotation(ctx, bucket, key, versionID, a, nil); err != nil {
		t.Fatalf("PutAnnotation(%s): %v", a.Name, err)
	}
}

func annotationNames(t *testing.T, s meta.Store, bucket, key, versionID string, opts meta.AnnotationListOptions) []string {
	t.Helper()
	_, as, err := s.ListAnnotations(ctx, bucket, key, versionID, opts)
	if err != nil {
		t.Fatalf("ListAnnotations: %v", err)
	}
	names := []string{}
	for _, a := range as {
		if a.Data != nil {
			t.Errorf("ListAnnotations loaded the data of %s", a.Name)
		}
		names = append(names, a.Name)
	}
	return names
}

func testAnnotations(t *testing.T, s meta.Store) {
	mustBucket(t, s, "b")
	put(t, s, "b", "k", "e1")
	for _, n := range []string{"b", "a/2", "a/1", "\xc3\xa9", "z"} {
		putAnnotation(t, s, "b", "k", "", annotation(n, "data-"+n))
	}
	o, a, err := s.GetAnnotation(ctx, "b", "k", "", "a/1")
	if err != nil || o.VersionID != meta.NullVersion || string(a.Data) != "data-a/1" || a.Size != 8 || a.ETag != `"data-a/1"` ||
		a.Checksums["CRC32"] != "c-data-a/1" || a.ChecksumType != "FULL_OBJECT" || !bytes.Equal(a.WrappedKey, []byte("wk-data-a/1")) || a.Modified.IsZero() {
		t.Fatalf("GetAnnotation = %+v, %+v, %v", o, a, err)
	}
	// Overwrite replaces in place.
	putAnnotation(t, s, "b", "k", "", annotation("a/1", "new"))
	if _, a, err := s.GetAnnotation(ctx, "b", "k", meta.NullVersion, "a/1"); err != nil || string(a.Data) != "new" || a.Size != 3 {
		t.Fatalf("after overwrite: %+v, %v", a, err)
	}
	// Byte order, prefix, paging.
	all := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Limit: 1000})
	if fmt.Sprint(all) != "[a/1 a/2 b z \xc3\xa9]" {
		t.Errorf("list = %q", all)
	}
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Prefix: "a/", Limit: 1000}); fmt.Sprint(got) != "[a/1 a/2]" {
		t.Errorf("prefix a/ = %q", got)
	}
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Prefix: "a/", After: "a/1", Limit: 1000}); fmt.Sprint(got) != "[a/2]" {
		t.Errorf("prefix a/ after a/1 = %q", got)
	}
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{After: "a/2", Limit: 2}); fmt.Sprint(got) != "[b z]" {
		t.Errorf("after a/2 limit 2 = %q", got)
	}
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Prefix: "q", Limit: 10}); len(got) != 0 {
		t.Errorf("prefix q = %q", got)
	}
	// Delete is idempotent.
	for range 2 {
		if _, err := s.DeleteAnnotation(ctx, "b", "k", "", "b", nil); err != nil {
			t.Fatalf("DeleteAnnotation: %v", err)
		}
	}
	if _, _, err := s.GetAnnotation(ctx, "b", "k", "", "b"); !errors.Is(err, meta.ErrNoSuchAnnotation) {
		t.Errorf("deleted annotation: %v", err)
	}
	// Missing bucket, key, version; a veto changes nothing.
	if _, err := s.PutAnnotation(ctx, "nob", "k", "", annotation("x", "y"), nil); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Errorf("no bucket: %v", err)
	}
	if _, _, err := s.GetAnnotation(ctx, "b", "nokey", "", "x"); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Errorf("no key: %v", err)
	}
	if _, _, err := s.ListAnnotations(ctx, "b", "k", "0123456789abcdef0123456789abcdef", meta.AnnotationListOptions{Limit: 1}); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Errorf("no version: %v", err)
	}
	veto := errors.New("veto")
	if _, err := s.PutAnnotation(ctx, "b", "k", "", annotation("vetoed", "x"), func(*meta.Object) error { return veto }); !errors.Is(err, veto) {
		t.Errorf("vetoed put: %v", err)
	}
	if _, err := s.DeleteAnnotation(ctx, "b", "k", "", "a/2", func(*meta.Object) error { return veto }); !errors.Is(err, veto) {
		t.Errorf("vetoed delete: %v", err)
	}
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Limit: 1000}); fmt.Sprint(got) != "[a/1 a/2 z \xc3\xa9]" {
		t.Errorf("after vetoes = %q", got)
	}
}

func testAnnotationLimit(t *testing.T, s meta.Store) {
	mustBucket(t, s, "b")
	put(t, s, "b", "k", "e1")
	var wg sync.WaitGroup
	errs := make(chan error, meta.MaxAnnotations)
	for i := range meta.MaxAnnotations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.PutAnnotation(ctx, "b", "k", "", annotation(fmt.Sprintf("n%04d", i), "x"), nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("put below the limit: %v", err)
		}
	}
	if _, err := s.PutAnnotation(ctx, "b", "k", "", annotation("one-more", "x"), nil); !errors.Is(err, meta.ErrAnnotationLimit) {
		t.Fatalf("put over the limit: %v", err)
	}
	// Replacing one at the limit is no new annotation.
	putAnnotation(t, s, "b", "k", "", annotation("n0500", "replaced"))
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Limit: 2000}); len(got) != meta.MaxAnnotations {
		t.Errorf("%d annotations, want %d", len(got), meta.MaxAnnotations)
	}
}

func testAnnotationsGoWithVersion(t *testing.T, s meta.Store) {
	mustBucket(t, s, "b")
	// Unversioned: overwriting the object replaces the null version.
	put(t, s, "b", "k", "e1")
	putAnnotation(t, s, "b", "k", "", annotation("a", "1"))
	put(t, s, "b", "k", "e2")
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Limit: 10}); len(got) != 0 {
		t.Errorf("new null version inherited %q", got)
	}
	// Versioned: annotations stay on their version.
	if err := s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error { b.Versioning = meta.Enabled; return nil }); err != nil {
		t.Fatal(err)
	}
	v1 := put(t, s, "b", "k", "e3").VersionID
	putAnnotation(t, s, "b", "k", v1, annotation("a", "v1"))
	v2 := put(t, s, "b", "k", "e4").VersionID
	if got := annotationNames(t, s, "b", "k", "", meta.AnnotationListOptions{Limit: 10}); len(got) != 0 {
		t.Errorf("latest %s has %q", v2, got)
	}
	if _, a, err := s.GetAnnotation(ctx, "b", "k", v1, "a"); err != nil || string(a.Data) != "v1" {
		t.Fatalf("v1 annotation: %v", err)
	}
	// A delete marker leaves v1's annotations alone; deleting v1 removes them.
	if _, err := s.DeleteObject(ctx, "b", "k", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetAnnotation(ctx, "b", "k", v1, "a"); err != nil {
		t.Fatalf("after delete marker: %v", err)
	}
	putAnnotation(t, s, "b", "k", v2, annotation("b", "v2"))
	if _, err := s.DeleteObject(ctx, "b", "k", v1, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetAnnotation(ctx, "b", "k", v1, "a"); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Fatalf("deleted version: %v", err)
	}
	if ok, err := annotationRows(s, "b", "k", v2); err != nil || ok != 1 {
		t.Fatalf("v2 keeps its annotation: %d, %v", ok, err)
	}
	// Suspended: a delete marker replacing the null version removes its annotations.
	if err := s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error { b.Versioning = meta.Suspended; return nil }); err != nil {
		t.Fatal(err)
	}
	put(t, s, "b", "n", "e5")
	putAnnotation(t, s, "b", "n", "", annotation("a", "null"))
	if _, err := s.DeleteObject(ctx, "b", "n", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	put(t, s, "b", "n", "e6")
	if got := annotationNames(t, s, "b", "n", meta.NullVersion, meta.AnnotationListOptions{Limit: 10}); len(got) != 0 {
		t.Errorf("replaced null version's annotations survived: %q", got)
	}
	// Once every version is gone the bucket can go.
	for _, k := range []string{"k", "n"} {
		vs, err := s.ScanVersions(ctx, "b", k, meta.VersionCursor{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if _, err := s.DeleteObject(ctx, "b", v.Key, v.VersionID, meta.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
}

func annotationRows(s meta.Store, bucket, key, versionID string) (int, error) {
	_, as, err := s.ListAnnotations(ctx, bucket, key, versionID, meta.AnnotationListOptions{Limit: 1000})
	return len(as), err
}

// copyOf lists the latest version's annotations as a copy of them, each
// key "wrapped" as tag+name.
func copyOf(t *testing.T, s meta.Store, bucket, key, tag string) *meta.AnnotationCopy {
	t.Helper()
	src, as, err := s.ListAnnotations(ctx, bucket, key, "", meta.AnnotationListOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	c := &meta.AnnotationCopy{Seq: src.Seq}
	for _, a := range as {
		c.Items = append(c.Items, meta.AnnotationCopyItem{Name: a.Name, ETag: a.ETag, Modified: a.Modified, WrappedKey: []byte(tag + a.Name)})
	}
	return c
}

func testAnnotationCopy(t *testing.T, s meta.Store) {
	mustBucket(t, s, "b")
	put(t, s, "b", "src", "e1")
	putAnnotation(t, s, "b", "src", "", annotation("a", "one"))
	putAnnotation(t, s, "b", "src", "", annotation("b", "two"))
	c := copyOf(t, s, "b", "src", "dst-")
	dst := &meta.Object{Bucket: "b", Key: "dst", ETag: "e1", Size: 2, StorageClass: "STANDARD", Owner: "root", BlobID: "b-dst"}
	if _, err := s.PutObject(ctx, dst, meta.PutOptions{Annotations: c}); err != nil {
		t.Fatalf("copy: %v", err)
	}
	_, a, err := s.GetAnnotation(ctx, "b", "dst", "", "b")
	if err != nil || string(a.Data) != "two" || string(a.WrappedKey) != "dst-b" || a.Checksums["CRC32"] != "c-two" || a.Size != 3 {
		t.Fatalf("copied annotation = %+v, %v", a, err)
	}
	// The source changed since it was listed: the copy fails whole.
	time.Sleep(time.Millisecond)
	putAnnotation(t, s, "b", "src", "", annotation("b", "changed"))
	dst2 := &meta.Object{Bucket: "b", Key: "dst2", ETag: "e1", Size: 2, StorageClass: "STANDARD", Owner: "root", BlobID: "b-dst2"}
	if _, err := s.PutObject(ctx, dst2, meta.PutOptions{Annotations: c}); !errors.Is(err, meta.ErrAnnotationsChanged) {
		t.Fatalf("copy of changed annotations: %v", err)
	}
	if _, err := s.GetObject(ctx, "b", "dst2", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("failed copy left a version: %v", err)
	}
	putAnnotation(t, s, "b", "src", "", annotation("c", "three"))
	c.Items = c.Items[:1]
	if _, err := s.PutObject(ctx, dst2, meta.PutOptions{Annotations: c}); !errors.Is(err, meta.ErrAnnotationsChanged) {
		t.Fatalf("copy with an added annotation: %v", err)
	}
	// A copy onto itself replaces the null version and keeps the annotations.
	c = copyOf(t, s, "b", "src", "self-")
	self := c.Seq
	again := &meta.Object{Bucket: "b", Key: "src", ETag: "e9", Size: 2, StorageClass: "STANDARD", Owner: "root", BlobID: "b-src2"}
	if _, err := s.PutObject(ctx, again, meta.PutOptions{Annotations: c}); err != nil {
		t.Fatalf("self copy: %v", err)
	}
	o, a, err := s.GetAnnotation(ctx, "b", "src", "", "c")
	if err != nil || o.Seq == self || o.ETag != "e9" || string(a.Data) != "three" {
		t.Fatalf("after self copy: %+v %+v %v", o, a, err)
	}
	if got := annotationNames(t, s, "b", "src", "", meta.AnnotationListOptions{Limit: 10}); fmt.Sprint(got) != "[a b c]" {
		t.Errorf("after self copy = %q", got)
	}
	// Versioned: the source keeps its annotations after the copy.
	if err := s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error { b.Versioning = meta.Enabled; return nil }); err != nil {
		t.Fatal(err)
	}
	c = copyOf(t, s, "b", "src", "next-")
	next := &meta.Object{Bucket: "b", Key: "src", ETag: "e10", Size: 2, StorageClass: "STANDARD", Owner: "root", BlobID: "b-src3"}
	if _, err := s.PutObject(ctx, next, meta.PutOptions{Annotations: c}); err != nil {
		t.Fatalf("versioned self copy: %v", err)
	}
	for _, v := range []string{meta.NullVersion, next.VersionID} {
		if got := annotationNames(t, s, "b", "src", v, meta.AnnotationListOptions{Limit: 10}); fmt.Sprint(got) != "[a b c]" {
			t.Errorf("version %s after versioned copy = %q", v, got)
		}
	}
}
