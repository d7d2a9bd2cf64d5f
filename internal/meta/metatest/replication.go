package metatest

import (
	"errors"
	"testing"
	"time"

	"talus/internal/meta"
)

// testReplicaVersions: a put or delete marker with a given version ID
// keeps it, and a second write of the same ID changes nothing and
// journals nothing; a replica's records say so.
func testReplicaVersions(t *testing.T, s meta.Store) {
	mustBucket(t, s, "dst")
	setVersioning(t, s, "dst", meta.Enabled)
	vid := meta.NewVersionID(time.Now())
	o := &meta.Object{Bucket: "dst", Key: "k", ETag: `"e"`, Size: 1, StorageClass: "STANDARD", Owner: "root", Inline: []byte("x"),
		Attrs: meta.Attrs{ReplicationStatus: "REPLICA"}}
	before := lastSeq(t, s)
	res, err := s.PutObject(ctx, o, meta.PutOptions{VersionID: vid})
	if err != nil || res.VersionID != vid || res.Existed {
		t.Fatalf("PutObject with version ID: %+v, %v", res, err)
	}
	recs := readAll(t, s, before)
	if len(recs) != 1 || !recs[0].Replica || recs[0].VersionID != vid {
		t.Fatalf("replica records %+v", recs)
	}
	again := &meta.Object{Bucket: "dst", Key: "k", ETag: `"f"`, Size: 1, Owner: "root", Inline: []byte("y")}
	res, err = s.PutObject(ctx, again, meta.PutOptions{VersionID: vid})
	if err != nil || !res.Existed || res.VersionID != vid {
		t.Fatalf("second PutObject with version ID: %+v, %v", res, err)
	}
	if got, _ := s.GetObject(ctx, "dst", "k", vid); got == nil || got.ETag != `"e"` {
		t.Fatalf("version after repeat %+v", got)
	}
	mvid := meta.NewVersionID(time.Now())
	del, err := s.DeleteObject(ctx, "dst", "k", "", meta.DeleteOptions{MarkerVersionID: mvid, MarkerAttrs: meta.Attrs{ReplicationStatus: "REPLICA"}})
	if err != nil || del.VersionID != mvid || !del.DeleteMarker {
		t.Fatalf("delete marker with version ID: %+v, %v", del, err)
	}
	mark := lastSeq(t, s)
	if del, err = s.DeleteObject(ctx, "dst", "k", "", meta.DeleteOptions{MarkerVersionID: mvid}); err != nil || del.VersionID != mvid {
		t.Fatalf("repeated delete marker: %+v, %v", del, err)
	}
	if lastSeq(t, s) != mark {
		t.Fatal("a repeated replica write appended journal records")
	}
	recs = readAll(t, s, before)
	if last := recs[len(recs)-1]; !last.DeleteMarker || !last.Replica || last.VersionID != mvid {
		t.Fatalf("marker record %+v", last)
	}
	if n := countVersions(t, s, "dst"); n != 2 {
		t.Fatalf("%d versions, want 2", n)
	}

	// CompleteUpload keeps a given version ID too; a second upload
	// completed with it writes nothing and frees its parts.
	uvid := meta.NewVersionID(time.Now())
	newUpload(t, s, "dst", "mp", "rep-1", time.Now())
	putPart(t, s, "dst", "mp", "rep-1", 1, "rep-blob-1")
	mo := &meta.Object{Bucket: "dst", Key: "mp", UploadID: "rep-1", StorageClass: "STANDARD"}
	res, err = s.CompleteUpload(ctx, mo, buildAll(mo), meta.PutOptions{VersionID: uvid})
	if err != nil || res.VersionID != uvid || res.Existed {
		t.Fatalf("CompleteUpload with version ID: %+v, %v", res, err)
	}
	newUpload(t, s, "dst", "mp", "rep-2", time.Now())
	putPart(t, s, "dst", "mp", "rep-2", 1, "rep-blob-2")
	mark = lastSeq(t, s)
	mo2 := &meta.Object{Bucket: "dst", Key: "mp", UploadID: "rep-2", StorageClass: "STANDARD"}
	res, err = s.CompleteUpload(ctx, mo2, buildAll(mo2), meta.PutOptions{VersionID: uvid})
	if err != nil || !res.Existed || res.VersionID != uvid || len(res.Freed) != 1 || res.Freed[0] != "rep-blob-2" {
		t.Fatalf("second CompleteUpload with version ID: %+v, %v", res, err)
	}
	if lastSeq(t, s) != mark {
		t.Fatal("a repeated replica upload appended journal records")
	}
	if _, err := s.CompletedVersion(ctx, "dst", "mp", "rep-2"); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("the repeated upload is still there or became a version: %v", err)
	}
	if got, err := s.GetObject(ctx, "dst", "mp", uvid); err != nil || got.UploadID != "rep-1" {
		t.Fatalf("replica multipart version %+v, %v", got, err)
	}
}

func countVersions(t *testing.T, s meta.Store, bucket string) int {
	t.Helper()
	vs, err := s.ScanVersions(ctx, bucket, "", meta.VersionCursor{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(vs)
}

// testReplicationStatus: the status is set on one incarnation of a
// version, without a journal record.
func testReplicationStatus(t *testing.T, s meta.Store) {
	mustBucket(t, s, "src")
	put(t, s, "src", "k", `"a"`)
	o, err := s.GetObject(ctx, "src", "k", "")
	if err != nil {
		t.Fatal(err)
	}
	before := lastSeq(t, s)
	if err := s.SetReplicationStatus(ctx, "src", "k", o.Seq, "COMPLETED"); err != nil {
		t.Fatal(err)
	}
	if lastSeq(t, s) != before {
		t.Fatal("SetReplicationStatus appended a journal record")
	}
	got, _ := s.GetObject(ctx, "src", "k", "")
	if got.Attrs.ReplicationStatus != "COMPLETED" || got.Attrs.ContentType != "text/plain" || got.Attrs.UserMeta["k"] != `"a"` {
		t.Fatalf("attrs after status %+v", got.Attrs)
	}
	// A version written PENDING says so in its CREATE record.
	mark := lastSeq(t, s)
	if _, err := s.PutObject(ctx, &meta.Object{Bucket: "src", Key: "p", ETag: `"p"`, Owner: "root", Inline: []byte("p"),
		Attrs: meta.Attrs{ReplicationStatus: "PENDING"}}, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if recs := readAll(t, s, mark); len(recs) != 1 || !recs[0].Pending || recs[0].Replica {
		t.Fatalf("record of a PENDING version %+v", recs)
	}
	put(t, s, "src", "k", `"b"`) // a new incarnation of the null version
	if err := s.SetReplicationStatus(ctx, "src", "k", o.Seq, "FAILED"); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Fatalf("status of a replaced version: %v", err)
	}
	if got, _ := s.GetObject(ctx, "src", "k", ""); got.Attrs.ReplicationStatus != "" {
		t.Fatalf("new incarnation status %q", got.Attrs.ReplicationStatus)
	}
}

func testRemotes(t *testing.T, s meta.Store) {
	r := meta.Remote{Name: "west", Endpoint: "http://127.0.0.1:1", Region: "us-west-2", AccessKey: "AK", SealedSecret: []byte{1, 2, 3},
		PathStyle: true, Created: time.Now().UTC().Truncate(time.Millisecond)}
	if err := s.PutRemote(ctx, r, false); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRemote(ctx, r, false); !errors.Is(err, meta.ErrRemoteExists) {
		t.Fatalf("duplicate remote: %v", err)
	}
	r.Endpoint = "http://127.0.0.1:2"
	if err := s.PutRemote(ctx, r, true); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRemote(ctx, "west")
	if err != nil || got.Endpoint != r.Endpoint || got.AccessKey != "AK" || string(got.SealedSecret) != "\x01\x02\x03" || !got.PathStyle || !got.Created.Equal(r.Created) {
		t.Fatalf("GetRemote %+v, %v", got, err)
	}
	if err := s.PutRemote(ctx, meta.Remote{Name: "east", Endpoint: "e", SealedSecret: []byte{0}}, false); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListRemotes(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "east" || all[1].Name != "west" {
		t.Fatalf("ListRemotes %+v, %v", all, err)
	}
	if err := s.DeleteRemote(ctx, "west"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRemote(ctx, "west"); !errors.Is(err, meta.ErrNoSuchRemote) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := s.GetRemote(ctx, "west"); !errors.Is(err, meta.ErrNoSuchRemote) {
		t.Fatalf("deleted remote: %v", err)
	}
}
