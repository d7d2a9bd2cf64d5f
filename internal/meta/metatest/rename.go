package metatest

import (
	"errors"
	"slices"
	"testing"

	"talus/internal/meta"
)

// testRename: RenameObject moves the row (blob, attrs, annotations) in one
// transaction, runs its check inside it, replaces the destination and
// returns its blobs, journals a delete and a create, and refuses buckets
// with versioning.
func testRename(t *testing.T, s meta.Store) {
	mustBucket(t, s, "rn")
	src := &meta.Object{Bucket: "rn", Key: "a", ETag: `"e1"`, Size: 3, StorageClass: "EXPRESS_ONEZONE", Owner: "root", BlobID: "b1",
		Attrs: meta.Attrs{UserMeta: map[string]string{"m": "v"}}}
	if _, err := s.PutObject(ctx, src, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	putAnnotation(t, s, "rn", "a", "", annotation("note", "x"))
	if _, err := s.PutObject(ctx, &meta.Object{Bucket: "rn", Key: "b", ETag: `"e2"`, Size: 1, BlobID: "b2"}, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}

	// A vetoing check changes nothing and its error comes back as is.
	veto := errors.New("veto")
	var seenSrc, seenDst string
	_, err := s.RenameObject(ctx, "rn", "a", "b", meta.RenameOptions{Check: func(from, to *meta.Object) error {
		seenSrc, seenDst = from.ETag, to.ETag
		return veto
	}})
	if !errors.Is(err, veto) || seenSrc != `"e1"` || seenDst != `"e2"` {
		t.Fatalf("veto: %v, saw %s %s", err, seenSrc, seenDst)
	}
	if o, err := s.GetObject(ctx, "rn", "a", ""); err != nil || o.ETag != `"e1"` {
		t.Fatalf("source after veto: %+v %v", o, err)
	}

	start := lastSeq(t, s)
	freed, err := s.RenameObject(withOp("RenameObject"), "rn", "a", "b", meta.RenameOptions{Edit: func(at *meta.Attrs) { at.RenameToken = "tok" }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(freed, []string{"b2"}) {
		t.Errorf("freed %v, want the replaced destination's blob b2", freed)
	}
	if _, err := s.GetObject(ctx, "rn", "a", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Errorf("source still there: %v", err)
	}
	o, err := s.GetObject(ctx, "rn", "b", "")
	if err != nil || o.ETag != `"e1"` || o.BlobID != "b1" || o.VersionID != meta.NullVersion || o.Attrs.UserMeta["m"] != "v" || o.Attrs.RenameToken != "tok" || o.StorageClass != "EXPRESS_ONEZONE" {
		t.Fatalf("destination: %+v %v", o, err)
	}
	if got := annotationNames(t, s, "rn", "b", "", meta.AnnotationListOptions{Limit: 10}); !slices.Equal(got, []string{"note"}) {
		t.Errorf("annotations at the destination: %q", got)
	}
	recs := readAll(t, s, start)
	if len(recs) != 2 || recs[0].Type != meta.RecordDelete || recs[0].Key != "a" || recs[1].Type != meta.RecordCreate || recs[1].Key != "b" || recs[1].ETag != `"e1"` {
		t.Fatalf("journal: %+v", recs)
	}
	if live, err := s.ScanLatest(ctx, "rn", "", "", 10); err != nil || len(live) != 1 || live[0].Key != "b" {
		t.Fatalf("listing after rename: %+v %v", live, err)
	}

	// A missing source: the check sees nil, then ErrNoSuchKey.
	called := false
	_, err = s.RenameObject(ctx, "rn", "a", "c", meta.RenameOptions{Check: func(from, to *meta.Object) error {
		called = from == nil && to == nil
		return nil
	}})
	if !errors.Is(err, meta.ErrNoSuchKey) || !called {
		t.Fatalf("missing source: %v (check called with nils: %v)", err, called)
	}
	// Renaming onto itself changes nothing.
	if _, err := s.RenameObject(ctx, "rn", "b", "b", meta.RenameOptions{}); err != nil {
		t.Fatal(err)
	}
	if o, err := s.GetObject(ctx, "rn", "b", ""); err != nil || o.BlobID != "b1" {
		t.Fatalf("self rename: %+v %v", o, err)
	}
	if _, err := s.RenameObject(ctx, "nobucket", "a", "b", meta.RenameOptions{}); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Errorf("missing bucket: %v", err)
	}
	for _, state := range []string{meta.Enabled, meta.Suspended} {
		name := "rn-" + state
		mustBucket(t, s, name)
		put(t, s, name, "a", "e")
		setVersioning(t, s, name, state)
		if _, err := s.RenameObject(ctx, name, "a", "b", meta.RenameOptions{}); !errors.Is(err, meta.ErrRenameVersioned) {
			t.Errorf("%s bucket: %v, want ErrRenameVersioned", state, err)
		}
	}
}
