// Package metatest is the conformance suite every meta.Store implementation
// runs: metatest.Run(t, newStore).
package metatest

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"talus/internal/meta"
)

// Run runs the suite. newStore returns an empty store; the suite closes it.
func Run(t *testing.T, newStore func(t *testing.T) meta.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s meta.Store)
	}{
		{"Buckets", testBuckets},
		{"ListBucketsPaging", testListBucketsPaging},
		{"PutGetOverwrite", testPutGetOverwrite},
		{"MissingBucket", testMissingBucket},
		{"VersioningEnabled", testVersioningEnabled},
		{"VersioningSuspended", testVersioningSuspended},
		{"DeleteVersionPromotes", testDeleteVersionPromotes},
		{"Checks", testChecks},
		{"ScanByteOrder", testScanByteOrder},
		{"ListObjectsFolding", testListObjectsFolding},
		{"ListObjectsRandomized", testListObjectsRandomized},
		{"Parts", testParts},
		{"ConcurrentPuts", testConcurrentPuts},
		{"ConditionalRace", testConditionalRace},
		{"UpdateObject", testUpdateObject},
		{"RelocateObject", testRelocate},
		{"ListVersions", testListVersions},
		{"BucketConfig", testBucketConfig},
		{"Identities", testIdentities},
		{"Groups", testGroups},
		{"Roles", testRoles},
		{"ManagedPolicies", testManagedPolicies},
		{"DirectoryAccounts", testDirectoryAccounts},
		{"Accounts", testAccounts},
		{"Keyring", testKeyring},
		{"Leases", testLeases},
		{"DeleteIfLatest", testDeleteIfLatest},
		{"MultipartLifecycle", testMultipartLifecycle},
		{"MultipartAbortAndVeto", testMultipartAbortAndVeto},
		{"ListUploads", testListUploads},
		{"CompleteRacesPartUpload", testCompleteRacesPartUpload},
		{"JournalRecords", testJournalRecords},
		{"JournalRollback", testJournalRollback},
		{"JournalOrder", testJournalOrder},
		{"JournalCursors", testJournalCursors},
		{"JournalRetention", testJournalRetention},
		{"JournalWait", testJournalWait},
		{"JournalBookkeeping", testJournalBookkeeping},
		{"Annotations", testAnnotations},
		{"AnnotationLimit", testAnnotationLimit},
		{"AnnotationsGoWithVersion", testAnnotationsGoWithVersion},
		{"AnnotationCopy", testAnnotationCopy},
		{"BucketUsage", testBucketUsage},
		{"ReplicaVersions", testReplicaVersions},
		{"ReplicationStatus", testReplicationStatus},
		{"Remotes", testRemotes},
		{"DueRestores", testDueRestores},
		{"ObjectLambdaAccessPoints", testObjectLambdaAccessPoints},
		{"Rename", testRename},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

var ctx = context.Background()

func mustBucket(t *testing.T, s meta.Store, name string) {
	t.Helper()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: name, Created: time.Now(), Region: "us-east-1", Owner: "root"}); err != nil {
		t.Fatalf("CreateBucket(%q): %v", name, err)
	}
}

func put(t *testing.T, s meta.Store, bucket, key, etag string) meta.PutResult {
	t.Helper()
	o := &meta.Object{Bucket: bucket, Key: key, ETag: etag, Size: int64(len(etag)), StorageClass: "STANDARD", Owner: "root",
		BlobID: "b-" + etag, Attrs: meta.Attrs{ContentType: "text/plain", UserMeta: map[string]string{"k": etag}}}
	res, err := s.PutObject(ctx, o, meta.PutOptions{})
	if err != nil {
		t.Fatalf("PutObject(%s/%s): %v", bucket, key, err)
	}
	return res
}

func testBuckets(t *testing.T, s meta.Store) {
	mustBucket(t, s, "alpha")
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "alpha", Owner: "root"}); !errors.Is(err, meta.ErrBucketExists) {
		t.Fatalf("duplicate CreateBucket: got %v, want ErrBucketExists", err)
	}
	b, err := s.GetBucket(ctx, "alpha")
	if err != nil || b.Name != "alpha" || b.Region != "us-east-1" || b.Owner != "root" {
		t.Fatalf("GetBucket = %+v, %v", b, err)
	}
	if _, err := s.GetBucket(ctx, "nope"); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("GetBucket(missing) = %v", err)
	}
	put(t, s, "alpha", "k", "e1")
	if err := s.DeleteBucket(ctx, "alpha"); !errors.Is(err, meta.ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket(non-empty) = %v", err)
	}
	if _, err := s.DeleteObject(ctx, "alpha", "k", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "alpha"); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	if err := s.DeleteBucket(ctx, "alpha"); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("DeleteBucket(missing) = %v", err)
	}
	mustBucket(t, s, "beta")
	if err := s.UpdateBucket(ctx, "beta", func(b *meta.Bucket) error { b.Versioning = meta.Enabled; return nil }); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.GetBucket(ctx, "beta"); b.Versioning != meta.Enabled {
		t.Fatalf("UpdateBucket not applied: %+v", b)
	}
	veto := errors.New("veto")
	if err := s.UpdateBucket(ctx, "beta", func(b *meta.Bucket) error { b.Versioning = meta.Suspended; return veto }); !errors.Is(err, veto) {
		t.Fatalf("UpdateBucket veto = %v", err)
	}
	if b, _ := s.GetBucket(ctx, "beta"); b.Versioning != meta.Enabled {
		t.Fatalf("vetoed UpdateBucket applied: %+v", b)
	}
}

func testListBucketsPaging(t *testing.T, s meta.Store) {
	names := []string{"a-1", "a-2", "b-1", "b-2", "b-3", "c"}
	for _, n := range names {
		mustBucket(t, s, n)
	}
	var got []string
	after := ""
	for {
		page, err := s.ListBuckets(ctx, "", "b-", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, b := range page {
			got = append(got, b.Name)
		}
		after = page[len(page)-1].Name
	}
	if strings.Join(got, ",") != "b-1,b-2,b-3" {
		t.Fatalf("paged prefix listing = %v", got)
	}
	all, err := s.ListBuckets(ctx, "root", "", "", 100)
	if err != nil || len(all) != len(names) {
		t.Fatalf("ListBuckets all = %d, %v", len(all), err)
	}
	none, err := s.ListBuckets(ctx, "someone-else", "", "", 100)
	if err != nil || len(none) != 0 {
		t.Fatalf("ListBuckets other owner = %v, %v", none, err)
	}
}

func testPutGetOverwrite(t *testing.T, s meta.Store) {
	mustBucket(t, s, "bkt")
	r1 := put(t, s, "bkt", "a/b", "e1")
	if r1.VersionID != meta.NullVersion || len(r1.Freed) != 0 {
		t.Fatalf("first put = %+v", r1)
	}
	o, err := s.GetObject(ctx, "bkt", "a/b", "")
	if err != nil {
		t.Fatal(err)
	}
	if o.ETag != "e1" || o.BlobID != "b-e1" || !o.IsLatest || o.Attrs.ContentType != "text/plain" || o.Attrs.UserMeta["k"] != "e1" || o.Modified.IsZero() {
		t.Fatalf("GetObject = %+v", o)
	}
	r2 := put(t, s, "bkt", "a/b", "e2")
	if len(r2.Freed) != 1 || r2.Freed[0] != "b-e1" {
		t.Fatalf("overwrite freed %v, want [b-e1]", r2.Freed)
	}
	if ref, _ := s.BlobReferenced(ctx, "b-e1"); ref {
		t.Fatal("replaced blob still referenced")
	}
	if ref, _ := s.BlobReferenced(ctx, "b-e2"); !ref {
		t.Fatal("live blob not referenced")
	}
	o, _ = s.GetObject(ctx, "bkt", "a/b", meta.NullVersion)
	if o == nil || o.ETag != "e2" {
		t.Fatalf("GetObject(null) = %+v", o)
	}
	inline := &meta.Object{Bucket: "bkt", Key: "small", ETag: "e3", Size: 3, Inline: []byte("abc"), StorageClass: "STANDARD"}
	if _, err := s.PutObject(ctx, inline, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	o, _ = s.GetObject(ctx, "bkt", "small", "")
	if string(o.Inline) != "abc" || o.BlobID != "" {
		t.Fatalf("inline round trip = %+v", o)
	}
	if _, err := s.GetObject(ctx, "bkt", "missing", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("GetObject(missing) = %v", err)
	}
	if _, err := s.GetObject(ctx, "bkt", "a/b", "nope"); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Fatalf("GetObject(missing version) = %v", err)
	}
	d, err := s.DeleteObject(ctx, "bkt", "a/b", "", meta.DeleteOptions{})
	if err != nil || d.DeleteMarker || len(d.Freed) != 1 || d.Freed[0] != "b-e2" {
		t.Fatalf("DeleteObject = %+v, %v", d, err)
	}
	if _, err := s.GetObject(ctx, "bkt", "a/b", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("after delete: %v", err)
	}
	d, err = s.DeleteObject(ctx, "bkt", "a/b", "", meta.DeleteOptions{})
	if err != nil || len(d.Freed) != 0 {
		t.Fatalf("repeat delete = %+v, %v", d, err)
	}
}

func testMissingBucket(t *testing.T, s meta.Store) {
	if _, err := s.PutObject(ctx, &meta.Object{Bucket: "none", Key: "k"}, meta.PutOptions{}); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("PutObject = %v", err)
	}
	if _, err := s.GetObject(ctx, "none", "k", ""); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("GetObject = %v", err)
	}
	if _, err := s.DeleteObject(ctx, "none", "k", "", meta.DeleteOptions{}); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("DeleteObject = %v", err)
	}
}

func setVersioning(t *testing.T, s meta.Store, bucket, state string) {
	t.Helper()
	if err := s.UpdateBucket(ctx, bucket, func(b *meta.Bucket) error { b.Versioning = state; return nil }); err != nil {
		t.Fatal(err)
	}
}

func testVersioningEnabled(t *testing.T, s meta.Store) {
	mustBucket(t, s, "v")
	put(t, s, "v", "k", "e0") // null version from before versioning
	setVersioning(t, s, "v", meta.Enabled)
	r1 := put(t, s, "v", "k", "e1")
	r2 := put(t, s, "v", "k", "e2")
	if r1.VersionID == meta.NullVersion || r1.VersionID == r2.VersionID || len(r1.Freed)+len(r2.Freed) != 0 {
		t.Fatalf("versioned puts = %+v %+v", r1, r2)
	}
	if o, _ := s.GetObject(ctx, "v", "k", ""); o.ETag != "e2" {
		t.Fatalf("latest = %+v", o)
	}
	for vid, etag := range map[string]string{meta.NullVersion: "e0", r1.VersionID: "e1", r2.VersionID: "e2"} {
		o, err := s.GetObject(ctx, "v", "k", vid)
		if err != nil || o.ETag != etag || o.IsLatest != (etag == "e2") {
			t.Fatalf("GetObject(%s) = %+v, %v", vid, o, err)
		}
	}
	d, err := s.DeleteObject(ctx, "v", "k", "", meta.DeleteOptions{})
	if err != nil || !d.DeleteMarker || d.VersionID == "" || d.VersionID == meta.NullVersion || len(d.Freed) != 0 {
		t.Fatalf("delete marker = %+v, %v", d, err)
	}
	o, err := s.GetObject(ctx, "v", "k", "")
	if err != nil || !o.DeleteMarker || o.VersionID != d.VersionID {
		t.Fatalf("latest after marker = %+v, %v", o, err)
	}
	if page, _ := s.ScanLatest(ctx, "v", "", "", 10); len(page) != 0 {
		t.Fatalf("scan shows deleted key: %+v", page)
	}
	// Removing the marker makes e2 current again.
	d2, err := s.DeleteObject(ctx, "v", "k", d.VersionID, meta.DeleteOptions{})
	if err != nil || !d2.DeleteMarker {
		t.Fatalf("delete marker by id = %+v, %v", d2, err)
	}
	if o, _ := s.GetObject(ctx, "v", "k", ""); o.ETag != "e2" || !o.IsLatest {
		t.Fatalf("latest after removing marker = %+v", o)
	}
	if err := s.DeleteBucket(ctx, "v"); !errors.Is(err, meta.ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket with versions = %v", err)
	}
}

func testVersioningSuspended(t *testing.T, s meta.Store) {
	mustBucket(t, s, "s")
	setVersioning(t, s, "s", meta.Enabled)
	r1 := put(t, s, "s", "k", "e1")
	setVersioning(t, s, "s", meta.Suspended)
	r2 := put(t, s, "s", "k", "e2")
	if r2.VersionID != meta.NullVersion {
		t.Fatalf("suspended put version = %q", r2.VersionID)
	}
	r3 := put(t, s, "s", "k", "e3") // replaces the null version only
	if len(r3.Freed) != 1 || r3.Freed[0] != "b-e2" {
		t.Fatalf("suspended overwrite freed %v", r3.Freed)
	}
	if o, err := s.GetObject(ctx, "s", "k", r1.VersionID); err != nil || o.ETag != "e1" {
		t.Fatalf("old version lost: %+v %v", o, err)
	}
	d, err := s.DeleteObject(ctx, "s", "k", "", meta.DeleteOptions{})
	if err != nil || !d.DeleteMarker || d.VersionID != meta.NullVersion || len(d.Freed) != 1 || d.Freed[0] != "b-e3" {
		t.Fatalf("suspended delete = %+v, %v", d, err)
	}
	if o, _ := s.GetObject(ctx, "s", "k", ""); !o.DeleteMarker {
		t.Fatalf("latest = %+v", o)
	}
}

func testDeleteVersionPromotes(t *testing.T, s meta.Store) {
	mustBucket(t, s, "p")
	setVersioning(t, s, "p", meta.Enabled)
	r1 := put(t, s, "p", "k", "e1")
	r2 := put(t, s, "p", "k", "e2")
	d, err := s.DeleteObject(ctx, "p", "k", r2.VersionID, meta.DeleteOptions{})
	if err != nil || d.DeleteMarker || len(d.Freed) != 1 || d.Freed[0] != "b-e2" {
		t.Fatalf("delete version = %+v, %v", d, err)
	}
	o, _ := s.GetObject(ctx, "p", "k", "")
	if o.VersionID != r1.VersionID || !o.IsLatest {
		t.Fatalf("promoted = %+v", o)
	}
	if _, err := s.DeleteObject(ctx, "p", "k", r1.VersionID, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetObject(ctx, "p", "k", ""); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("after deleting all versions: %v", err)
	}
	if err := s.DeleteBucket(ctx, "p"); err != nil {
		t.Fatalf("DeleteBucket after removing all versions: %v", err)
	}
}

func testChecks(t *testing.T, s meta.Store) {
	mustBucket(t, s, "c")
	ifNoneMatch := func(cur *meta.Object) error {
		if cur != nil {
			return meta.ErrPreconditionFailed
		}
		return nil
	}
	o := &meta.Object{Bucket: "c", Key: "k", ETag: "e1", BlobID: "b1"}
	if _, err := s.PutObject(ctx, o, meta.PutOptions{Check: ifNoneMatch}); err != nil {
		t.Fatal(err)
	}
	o2 := &meta.Object{Bucket: "c", Key: "k", ETag: "e2", BlobID: "b2"}
	if _, err := s.PutObject(ctx, o2, meta.PutOptions{Check: ifNoneMatch}); !errors.Is(err, meta.ErrPreconditionFailed) {
		t.Fatalf("vetoed put = %v", err)
	}
	if got, _ := s.GetObject(ctx, "c", "k", ""); got.ETag != "e1" {
		t.Fatalf("vetoed put changed the object: %+v", got)
	}
	locked := errors.New("locked")
	if _, err := s.DeleteObject(ctx, "c", "k", "", meta.DeleteOptions{Check: func(*meta.Object) error { return locked }}); !errors.Is(err, locked) {
		t.Fatalf("vetoed delete = %v", err)
	}
	if got, err := s.GetObject(ctx, "c", "k", ""); err != nil || got.ETag != "e1" {
		t.Fatalf("vetoed delete removed the object: %v", err)
	}
}

func testScanByteOrder(t *testing.T, s meta.Store) {
	mustBucket(t, s, "o")
	keys := []string{"a", "a/", "a/b", "a0", "A", "é", "z", "~", "a b", "a+b", "a%2F", "日本", "\u00ff", "a\x01"}
	for i, k := range keys {
		put(t, s, "o", k, fmt.Sprint("e", i))
	}
	page, err := s.ScanLatest(ctx, "o", "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), keys...)
	sort.Strings(want) // Go compares strings byte-wise
	var got []string
	for _, o := range page {
		got = append(got, o.Key)
		if o.ETag == "" || o.Size == 0 || o.Modified.IsZero() {
			t.Fatalf("scan row incomplete: %+v", o)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("scan order\n got %q\nwant %q", got, want)
	}
	page, _ = s.ScanLatest(ctx, "o", "a/", "", 100)
	if len(page) != 2 || page[0].Key != "a/" || page[1].Key != "a/b" {
		t.Fatalf("prefix scan = %+v", page)
	}
	page, _ = s.ScanLatest(ctx, "o", "", "a0", 2)
	if len(page) != 2 || page[0].Key != "a0" {
		t.Fatalf("start scan = %+v", page)
	}
}

type listCase struct {
	prefix, delim, after string
	max                  int
	want                 string // entries joined by ",", prefixes marked with a trailing "*"
	truncated            bool
}

func render(r meta.ListResult) string {
	var parts []string
	for _, e := range r.Entries {
		if e.Object != nil {
			parts = append(parts, e.Object.Key)
		} else {
			parts = append(parts, e.CommonPrefix+"*")
		}
	}
	return strings.Join(parts, ",")
}

func testListObjectsFolding(t *testing.T, s meta.Store) {
	mustBucket(t, s, "l")
	for _, k := range []string{"a", "b/1", "b/2", "b/c/3", "c", "d/1", "d/2", "e", "x--y--z", "x--q"} {
		put(t, s, "l", k, "e-"+k)
	}
	cases := []listCase{
		{"", "", "", 1000, "a,b/1,b/2,b/c/3,c,d/1,d/2,e,x--q,x--y--z", false},
		{"", "/", "", 1000, "a,b/*,c,d/*,e,x--q,x--y--z", false},
		{"", "/", "", 2, "a,b/*", true},
		{"", "/", "b/", 2, "c,d/*", true},
		{"", "/", "d/", 10, "e,x--q,x--y--z", false},
		{"b/", "/", "", 1000, "b/1,b/2,b/c/*", false},
		{"b/", "", "b/1", 1000, "b/2,b/c/3", false},
		{"", "--", "", 1000, "a,b/1,b/2,b/c/3,c,d/1,d/2,e,x--*", false},
		{"x", "--", "", 1000, "x--*", false},
		{"", "/", "", 5, "a,b/*,c,d/*,e", true},
		{"", "/", "", 7, "a,b/*,c,d/*,e,x--q,x--y--z", false},
		{"nothing", "/", "", 10, "", false},
		{"", "", "", 0, "", false},
		{"", "/", "zzz", 10, "", false},
	}
	for _, c := range cases {
		r, err := meta.ListObjects(ctx, s, "l", meta.ListOptions{Prefix: c.prefix, Delimiter: c.delim, After: c.after, MaxKeys: c.max})
		if err != nil {
			t.Fatal(err)
		}
		if got := render(r); got != c.want || r.Truncated != c.truncated {
			t.Errorf("List(prefix=%q delim=%q after=%q max=%d) = %q truncated=%v; want %q truncated=%v",
				c.prefix, c.delim, c.after, c.max, got, r.Truncated, c.want, c.truncated)
		}
	}
}

// testListObjectsRandomized pages through random trees and compares with a
// direct computation of S3's folding.
func testListObjectsRandomized(t *testing.T, s meta.Store) {
	mustBucket(t, s, "r")
	rng := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "b", "/", "-", "é"}
	seen := map[string]bool{}
	var keys []string
	for len(keys) < 300 {
		n := 1 + rng.Intn(6)
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		k := sb.String()
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
			put(t, s, "r", k, "e")
		}
	}
	sort.Strings(keys)
	for _, prefix := range []string{"", "a", "a/", "b-"} {
		for _, delim := range []string{"", "/", "-", "é", "a/"} {
			// Expected: fold every key, dedupe prefixes.
			var want []string
			last := ""
			for _, k := range keys {
				if !strings.HasPrefix(k, prefix) {
					continue
				}
				e := k
				if delim != "" {
					if i := strings.Index(k[len(prefix):], delim); i >= 0 {
						e = k[:len(prefix)+i+len(delim)] + "*"
					}
				}
				if e != last {
					want = append(want, e)
					last = e
				}
			}
			for _, max := range []int{1, 3, 1000} {
				var got []string
				after := ""
				for page := 0; page < 1000; page++ {
					r, err := meta.ListObjects(ctx, s, "r", meta.ListOptions{Prefix: prefix, Delimiter: delim, After: after, MaxKeys: max})
					if err != nil {
						t.Fatal(err)
					}
					if len(r.Entries) > max {
						t.Fatalf("page has %d entries, max %d", len(r.Entries), max)
					}
					if rr := render(r); rr != "" {
						got = append(got, strings.Split(rr, ",")...)
					}
					if !r.Truncated {
						break
					}
					after = r.Next
				}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Fatalf("prefix=%q delim=%q max=%d\n got %q\nwant %q", prefix, delim, max, got, want)
				}
			}
		}
	}
}

func testParts(t *testing.T, s meta.Store) {
	mustBucket(t, s, "m")
	o := &meta.Object{Bucket: "m", Key: "big", ETag: `"x-2"`, Size: 30, Parts: []meta.Part{
		{Number: 1, Size: 20, ETag: `"p1"`, BlobID: "part1", Checksums: map[string]string{"CRC32": "AAAAAA=="}},
		{Number: 2, Size: 10, ETag: `"p2"`, BlobID: "part2"},
	}}
	if _, err := s.PutObject(ctx, o, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetObject(ctx, "m", "big", "")
	if err != nil || len(got.Parts) != 2 || got.Parts[0].BlobID != "part1" || got.Parts[1].Size != 10 || got.Parts[0].Checksums["CRC32"] != "AAAAAA==" {
		t.Fatalf("parts round trip = %+v, %v", got, err)
	}
	if ref, _ := s.BlobReferenced(ctx, "part2"); !ref {
		t.Fatal("part blob not referenced")
	}
	d, err := s.DeleteObject(ctx, "m", "big", "", meta.DeleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(d.Freed)
	if strings.Join(d.Freed, ",") != "part1,part2" {
		t.Fatalf("freed = %v", d.Freed)
	}
	if ref, _ := s.BlobReferenced(ctx, "part2"); ref {
		t.Fatal("deleted part still referenced")
	}
}

func testConcurrentPuts(t *testing.T, s meta.Store) {
	mustBucket(t, s, "cc")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				o := &meta.Object{Bucket: "cc", Key: fmt.Sprintf("k%02d/%03d", g, i), ETag: "e", Size: 1}
				if _, err := s.PutObject(ctx, o, meta.PutOptions{}); err != nil {
					errs <- err
					return
				}
				// Everyone also overwrites one shared key.
				if _, err := s.PutObject(ctx, &meta.Object{Bucket: "cc", Key: "shared", ETag: fmt.Sprint(g)}, meta.PutOptions{}); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, err := meta.ListObjects(ctx, s, "cc", meta.ListOptions{MaxKeys: 1000})
	if err != nil || len(r.Entries) != 16*25+1 {
		t.Fatalf("listed %d, %v", len(r.Entries), err)
	}
}

func testConditionalRace(t *testing.T, s meta.Store) {
	mustBucket(t, s, "race")
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			o := &meta.Object{Bucket: "race", Key: "lock", ETag: fmt.Sprint(g)}
			_, err := s.PutObject(ctx, o, meta.PutOptions{Check: func(cur *meta.Object) error {
				if cur != nil {
					return meta.ErrPreconditionFailed
				}
				return nil
			}})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, meta.ErrPreconditionFailed) {
				t.Error(err)
			}
		}(g)
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d writers won an If-None-Match race, want 1", wins)
	}
}

func testUpdateObject(t *testing.T, s meta.Store) {
	mustBucket(t, s, "u")
	setVersioning(t, s, "u", meta.Enabled)
	r1 := put(t, s, "u", "k", "e1")
	put(t, s, "u", "k", "e2")
	tag := func(v string) func(*meta.Object) error {
		return func(o *meta.Object) error { o.Attrs.Tags = map[string]string{"t": v}; return nil }
	}
	o, err := s.UpdateObject(ctx, "u", "k", r1.VersionID, tag("old"))
	if err != nil || o.Attrs.Tags["t"] != "old" || o.ETag != "e1" {
		t.Fatalf("UpdateObject(version) = %+v, %v", o, err)
	}
	if _, err := s.UpdateObject(ctx, "u", "k", "", tag("new")); err != nil {
		t.Fatal(err)
	}
	got1, _ := s.GetObject(ctx, "u", "k", r1.VersionID)
	got2, _ := s.GetObject(ctx, "u", "k", "")
	if got1.Attrs.Tags["t"] != "old" || got2.Attrs.Tags["t"] != "new" || got2.ETag != "e2" || !got2.IsLatest {
		t.Fatalf("after updates: %+v / %+v", got1.Attrs, got2.Attrs)
	}
	if got2.Attrs.UserMeta["k"] != "e2" {
		t.Fatalf("update lost other attributes: %+v", got2.Attrs)
	}
	veto := errors.New("veto")
	if _, err := s.UpdateObject(ctx, "u", "k", "", func(o *meta.Object) error { o.Attrs.Tags = nil; return veto }); !errors.Is(err, veto) {
		t.Fatalf("vetoed update = %v", err)
	}
	if got, _ := s.GetObject(ctx, "u", "k", ""); got.Attrs.Tags["t"] != "new" {
		t.Fatal("vetoed update applied")
	}
	if _, err := s.UpdateObject(ctx, "u", "nope", "", tag("x")); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("UpdateObject(missing) = %v", err)
	}
	if _, err := s.UpdateObject(ctx, "u", "k", "0000", tag("x")); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Fatalf("UpdateObject(missing version) = %v", err)
	}
}

func testBucketConfig(t *testing.T, s meta.Store) {
	mustBucket(t, s, "cfg")
	err := s.UpdateBucket(ctx, "cfg", func(b *meta.Bucket) error {
		b.ObjectLock = true
		b.Config.Tags = map[string]string{"team": "blue"}
		b.Config.DefaultRetention = &meta.DefaultRetention{Mode: "GOVERNANCE", Days: 3}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.GetBucket(ctx, "cfg")
	if err != nil || !b.ObjectLock || b.Config.Tags["team"] != "blue" || b.Config.DefaultRetention == nil || b.Config.DefaultRetention.Days != 3 {
		t.Fatalf("config round trip = %+v, %v", b, err)
	}
	list, _ := s.ListBuckets(ctx, "", "cfg", "", 10)
	if len(list) != 1 || list[0].Config.Tags["team"] != "blue" {
		t.Fatalf("ListBuckets config = %+v", list)
	}
}
