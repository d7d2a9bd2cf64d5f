package metatest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"talus/internal/meta"
)

func newUpload(t *testing.T, s meta.Store, bucket, key, id string, at time.Time) {
	t.Helper()
	u := meta.Upload{Bucket: bucket, Key: key, UploadID: id, Initiated: at, StorageClass: "STANDARD", Owner: "root",
		Attrs: meta.Attrs{ContentType: "text/x", UserMeta: map[string]string{"a": "b"}}, ChecksumAlgorithm: "CRC32", ChecksumType: "COMPOSITE"}
	if err := s.CreateUpload(ctx, u); err != nil {
		t.Fatalf("CreateUpload: %v", err)
	}
}

func putPart(t *testing.T, s meta.Store, bucket, key, id string, n int, blobID string) []string {
	t.Helper()
	freed, err := s.PutPart(ctx, bucket, key, id, meta.UploadPart{Number: n, Size: int64(10 * n), ETag: fmt.Sprintf(`"e%d"`, n), BlobID: blobID,
		Modified: time.Now(), Checksums: map[string]string{"CRC32": "c" + blobID}})
	if err != nil {
		t.Fatalf("PutPart(%d): %v", n, err)
	}
	return freed
}

// buildAll makes a manifest of every stored part.
func buildAll(o *meta.Object) func(meta.Upload, []meta.UploadPart) error {
	return func(u meta.Upload, parts []meta.UploadPart) error {
		o.Parts, o.Size = nil, 0
		for _, p := range parts {
			o.Parts = append(o.Parts, meta.Part{Number: p.Number, Size: p.Size, ETag: p.ETag, BlobID: p.BlobID, Checksums: p.Checksums})
			o.Size += p.Size
		}
		o.ETag = fmt.Sprintf(`"x-%d"`, len(parts))
		o.Attrs = u.Attrs
		return nil
	}
}

func testMultipartLifecycle(t *testing.T, s meta.Store) {
	mustBucket(t, s, "mp")
	if err := s.CreateUpload(ctx, meta.Upload{Bucket: "none", Key: "k", UploadID: "x"}); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("CreateUpload(no bucket) = %v", err)
	}
	newUpload(t, s, "mp", "obj", "u1", time.Now())
	u, err := s.GetUpload(ctx, "mp", "obj", "u1")
	if err != nil || u.Attrs.ContentType != "text/x" || u.ChecksumAlgorithm != "CRC32" || u.Attrs.UserMeta["a"] != "b" {
		t.Fatalf("GetUpload = %+v, %v", u, err)
	}
	if _, err := s.GetUpload(ctx, "mp", "other-key", "u1"); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("GetUpload(wrong key) = %v", err)
	}
	putPart(t, s, "mp", "obj", "u1", 2, "p2")
	putPart(t, s, "mp", "obj", "u1", 1, "p1a")
	if freed := putPart(t, s, "mp", "obj", "u1", 1, "p1b"); len(freed) != 1 || freed[0] != "p1a" {
		t.Fatalf("replacing a part freed %v", freed)
	}
	putPart(t, s, "mp", "obj", "u1", 3, "p3")
	if _, err := s.PutPart(ctx, "mp", "obj", "nope", meta.UploadPart{Number: 1, BlobID: "z"}); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("PutPart(no upload) = %v", err)
	}
	parts, err := s.ListParts(ctx, "mp", "obj", "u1", 0, 2)
	if err != nil || len(parts) != 2 || parts[0].Number != 1 || parts[0].BlobID != "p1b" || parts[1].Number != 2 || parts[0].Checksums["CRC32"] != "cp1b" {
		t.Fatalf("ListParts = %+v, %v", parts, err)
	}
	parts, _ = s.ListParts(ctx, "mp", "obj", "u1", 2, 10)
	if len(parts) != 1 || parts[0].Number != 3 {
		t.Fatalf("ListParts after 2 = %+v", parts)
	}
	for _, id := range []string{"p1b", "p2", "p3"} {
		if ref, _ := s.BlobReferenced(ctx, id); !ref {
			t.Fatalf("part blob %s not referenced", id)
		}
	}
	// Complete with parts 1 and 3 only: part 2's blob is freed.
	o := &meta.Object{Bucket: "mp", Key: "obj", UploadID: "u1", StorageClass: "STANDARD"}
	build := func(u meta.Upload, parts []meta.UploadPart) error {
		if err := buildAll(o)(u, parts); err != nil {
			return err
		}
		o.Parts = []meta.Part{o.Parts[0], o.Parts[2]}
		o.Size = o.Parts[0].Size + o.Parts[1].Size
		return nil
	}
	res, err := s.CompleteUpload(ctx, o, build, meta.PutOptions{})
	if err != nil || len(res.Freed) != 1 || res.Freed[0] != "p2" {
		t.Fatalf("CompleteUpload = %+v, %v", res, err)
	}
	got, err := s.GetObject(ctx, "mp", "obj", "")
	if err != nil || len(got.Parts) != 2 || got.Parts[1].BlobID != "p3" || got.Size != 40 || got.UploadID != "u1" || got.Attrs.ContentType != "text/x" {
		t.Fatalf("completed object = %+v, %v", got, err)
	}
	if _, err := s.GetUpload(ctx, "mp", "obj", "u1"); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("upload still in progress after Complete: %v", err)
	}
	cv, err := s.CompletedVersion(ctx, "mp", "obj", "u1")
	if err != nil || cv.VersionID != got.VersionID || len(cv.Parts) != 2 {
		t.Fatalf("CompletedVersion = %+v, %v", cv, err)
	}
	if _, err := s.CompleteUpload(ctx, o, build, meta.PutOptions{}); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("second CompleteUpload = %v", err)
	}
	// Overwriting the object frees the manifest's blobs.
	r := put(t, s, "mp", "obj", "plain")
	sort.Strings(r.Freed)
	if strings.Join(r.Freed, ",") != "p1b,p3" {
		t.Fatalf("overwrite of multipart object freed %v", r.Freed)
	}
	if _, err := s.CompletedVersion(ctx, "mp", "obj", "u1"); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("CompletedVersion after overwrite = %v", err)
	}
}

func testMultipartAbortAndVeto(t *testing.T, s meta.Store) {
	mustBucket(t, s, "ab")
	newUpload(t, s, "ab", "k", "u1", time.Now())
	putPart(t, s, "ab", "k", "u1", 1, "b1")
	putPart(t, s, "ab", "k", "u1", 2, "b2")
	veto := errors.New("bad part")
	o := &meta.Object{Bucket: "ab", Key: "k", UploadID: "u1"}
	if _, err := s.CompleteUpload(ctx, o, func(meta.Upload, []meta.UploadPart) error { return veto }, meta.PutOptions{}); !errors.Is(err, veto) {
		t.Fatalf("vetoed Complete = %v", err)
	}
	if _, err := s.GetUpload(ctx, "ab", "k", "u1"); err != nil {
		t.Fatalf("vetoed Complete removed the upload: %v", err)
	}
	pre := func(cur *meta.Object) error { return meta.ErrPreconditionFailed }
	if _, err := s.CompleteUpload(ctx, o, buildAll(o), meta.PutOptions{Check: pre}); !errors.Is(err, meta.ErrPreconditionFailed) {
		t.Fatalf("Complete with failing condition = %v", err)
	}
	if _, err := s.GetObject(ctx, "ab", "k", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("failed Complete created the object: %v", err)
	}
	freed, err := s.AbortUpload(ctx, "ab", "k", "u1")
	sort.Strings(freed)
	if err != nil || strings.Join(freed, ",") != "b1,b2" {
		t.Fatalf("AbortUpload = %v, %v", freed, err)
	}
	if _, err := s.AbortUpload(ctx, "ab", "k", "u1"); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("second AbortUpload = %v", err)
	}
	if ref, _ := s.BlobReferenced(ctx, "b1"); ref {
		t.Fatal("aborted part still referenced")
	}
	// A bucket holding only uploads in progress can be deleted.
	newUpload(t, s, "ab", "k2", "u2", time.Now())
	if err := s.DeleteBucket(ctx, "ab"); err != nil {
		t.Fatalf("DeleteBucket with an upload in progress: %v", err)
	}
}

func testListUploads(t *testing.T, s meta.Store) {
	mustBucket(t, s, "lu")
	base := time.Now()
	// Two uploads of "a" (initiated in order), one each of "b/1", "b/2", "c".
	newUpload(t, s, "lu", "a", "u-a2", base.Add(2*time.Second))
	newUpload(t, s, "lu", "a", "u-a1", base.Add(1*time.Second))
	newUpload(t, s, "lu", "b/1", "u-b1", base)
	newUpload(t, s, "lu", "b/2", "u-b2", base)
	newUpload(t, s, "lu", "c", "u-c", base)
	ids := func(us []meta.Upload) string {
		var out []string
		for _, u := range us {
			out = append(out, u.UploadID)
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		opts meta.UploadListOptions
		want string
	}{
		{meta.UploadListOptions{Limit: 10}, "u-a1,u-a2,u-b1,u-b2,u-c"},
		{meta.UploadListOptions{Limit: 2}, "u-a1,u-a2"},
		{meta.UploadListOptions{KeyMarker: "a", Limit: 10}, "u-b1,u-b2,u-c"},
		{meta.UploadListOptions{KeyMarker: "a", UploadIDMarker: "u-a1", Limit: 10}, "u-a2,u-b1,u-b2,u-c"},
		{meta.UploadListOptions{Prefix: "b/", Limit: 10}, "u-b1,u-b2"},
		{meta.UploadListOptions{StartKey: "b0", Limit: 10}, "u-c"},
	}
	for _, c := range cases {
		got, err := s.ListUploads(ctx, "lu", c.opts)
		if err != nil || ids(got) != c.want {
			t.Errorf("ListUploads(%+v) = %s, %v; want %s", c.opts, ids(got), err, c.want)
		}
	}
	if _, err := s.ListUploads(ctx, "missing", meta.UploadListOptions{Limit: 1}); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("ListUploads(missing bucket) = %v", err)
	}
}

// testCompleteRacesPartUpload: parts replaced while Complete runs must never
// leave the manifest naming a freed blob.
func testCompleteRacesPartUpload(t *testing.T, s meta.Store) {
	mustBucket(t, s, "race")
	newUpload(t, s, "race", "k", "u", time.Now())
	putPart(t, s, "race", "k", "u", 1, "first")
	var wg sync.WaitGroup
	freed := map[string]bool{}
	var mu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			f, err := s.PutPart(ctx, "race", "k", "u", meta.UploadPart{Number: 1, BlobID: fmt.Sprint("r", i), ETag: "e"})
			if err != nil {
				return // completed
			}
			mu.Lock()
			for _, id := range f {
				freed[id] = true
			}
			mu.Unlock()
		}
	}()
	o := &meta.Object{Bucket: "race", Key: "k", UploadID: "u"}
	if _, err := s.CompleteUpload(ctx, o, buildAll(o), meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	got, _ := s.GetObject(ctx, "race", "k", "")
	mu.Lock()
	defer mu.Unlock()
	if freed[got.Parts[0].BlobID] {
		t.Fatalf("manifest names freed blob %s", got.Parts[0].BlobID)
	}
}
