package e2e

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/server"
	"talus/internal/testserver"
)

// tierWait polls cond until it holds or the test clock ran for many days.
func tierWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * lcaDay)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func headClass(t *testing.T, c *s3.Client, bucket, key, version string) (*s3.HeadObjectOutput, string) {
	t.Helper()
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.HeadObject(ctx, in)
	if err != nil {
		t.Fatalf("HeadObject(%s %s): %v", key, version, err)
	}
	class := string(out.StorageClass)
	if class == "" {
		class = "STANDARD"
	}
	return out, class
}

// dirFiles lists the regular files under dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func putMultipart(t *testing.T, c *s3.Client, bucket, key string, parts ...[]byte) []byte {
	t.Helper()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	var all []byte
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1)), ChecksumCRC32: out.ChecksumCRC32})
		all = append(all, p...)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatal(err)
	}
	return all
}

// TestTransitionToDirectoryTier: a Transition rule moves the bytes of the
// objects it selects (a blob, a multipart object's parts, an object
// under retention) to a directory tier, still encrypted, and GET reads
// them through; objects under 128 KiB or outside the filter stay.
func TestTransitionToDirectoryTier(t *testing.T) {
	cold := t.TempDir()
	srv := testserver.Start(t, testserver.WithLifecycleDay(lcaDay),
		testserver.WithTier(server.TierConfig{Name: "cold", Dir: cold}), testserver.WithClassTier("GLACIER_IR", "cold"))
	c := srv.Client()
	mustCreateBucket(t, c, "trans")
	big := randBytes(1, 200<<10)
	mustPut(t, c, "trans", "logs/big", big)
	mustPut(t, c, "trans", "logs/small", randBytes(2, 100<<10))
	mustPut(t, c, "trans", "keep/big", randBytes(3, 200<<10))
	mp := putMultipart(t, c, "trans", "logs/mp", randBytes(4, 5<<20), randBytes(5, 1<<20))
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	locked, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("ret"), Body: bytes.NewReader(big),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(dirFiles(t, cold)); n != 0 {
		t.Fatalf("cold tier holds %d files before any transition", n)
	}
	lcaRules(t, c, "trans", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
		Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacierIr}}})
	lcaRules(t, c, "locked", types.LifecycleRule{Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacierIr}}})
	tierWait(t, "transitions", func() bool {
		_, a := headClass(t, c, "trans", "logs/big", "")
		_, b := headClass(t, c, "trans", "logs/mp", "")
		_, l := headClass(t, c, "locked", "ret", "")
		return a == "GLACIER_IR" && b == "GLACIER_IR" && l == "GLACIER_IR"
	})
	time.Sleep(lcaDay / 2) // more passes change nothing
	for _, k := range []string{"logs/small", "keep/big"} {
		if _, class := headClass(t, c, "trans", k, ""); class != "STANDARD" {
			t.Errorf("%s moved to %s", k, class)
		}
	}
	if !bytes.Equal(mustGet(t, c, "trans", "logs/big"), big) || !bytes.Equal(mustGet(t, c, "trans", "logs/mp"), mp) || !bytes.Equal(mustGet(t, c, "locked", "ret"), big) {
		t.Fatal("a transitioned object reads back different bytes")
	}
	// Ranged read through the tier.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trans"), Key: aws.String("logs/mp"), Range: aws.String("bytes=5242870-5242889")})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAllBody(t, out.Body); !bytes.Equal(got, mp[5242870:5242890]) {
		t.Fatal("ranged read across parts in the tier differs")
	}
	// One blob, two parts and the locked object in the tier, ciphertext only.
	files := dirFiles(t, cold)
	if len(files) != 4 {
		t.Fatalf("cold tier holds %d files, want 4: %v", len(files), files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, big[:64]) || bytes.Contains(data, mp[:64]) {
			t.Fatalf("tier file %s holds plaintext", f)
		}
	}
	// The data directory kept only the blobs of logs/small and keep/big.
	waitBlobCount(t, srv, 2)
	// The retention still holds after the move.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: aws.String("ret"), VersionId: locked.VersionId}); err == nil {
		t.Fatal("a locked version was deleted after its transition")
	}
	// Deleting a transitioned object frees its tier blobs.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("trans"), Key: aws.String("logs/mp")}); err != nil {
		t.Fatal(err)
	}
	if n := len(dirFiles(t, cold)); n != 2 {
		t.Fatalf("cold tier holds %d files after deleting the multipart object, want 2", n)
	}
	// The configuration reads back with its transition.
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("trans")})
	if err != nil || len(lc.Rules) != 1 || len(lc.Rules[0].Transitions) != 1 || lc.Rules[0].Transitions[0].StorageClass != types.TransitionStorageClassGlacierIr ||
		aws.ToInt32(lc.Rules[0].Transitions[0].Days) != 1 {
		t.Fatalf("GetBucketLifecycleConfiguration = %+v, %v", lc, err)
	}
}

// listedRestore is key's RestoreStatus in ListObjectsV2.
func listedRestore(t *testing.T, c *s3.Client, bucket, key string) *types.RestoreStatus {
	t.Helper()
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(key),
		OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Contents {
		if aws.ToString(o.Key) == key {
			return o.RestoreStatus
		}
	}
	t.Fatalf("%s not listed", key)
	return nil
}

func restoreRaw(t *testing.T, srv *testserver.Server, bucket, key, version, body string) rawResp {
	t.Helper()
	u := objURL(srv, bucket, key) + "?restore"
	if version != "" {
		u += "&versionId=" + version
	}
	return doRaw(t, rawReq{Method: "POST", URL: u, Body: []byte(body)})
}

func restoreBody(days int, tier string) string {
	return fmt.Sprintf(`<RestoreRequest><Days>%d</Days><GlacierJobParameters><Tier>%s</Tier></GlacierJobParameters></RestoreRequest>`, days, tier)
}

// TestTransitionToRemoteTierAndRestore: in a versioned bucket, the
// current version moves to DEEP_ARCHIVE and the noncurrent one to
// GLACIER, both kept in a bucket of a second Talus server; archived
// versions answer 403 InvalidObjectState until RestoreObject completes,
// HEAD shows x-amz-restore, and the restored copy expires after Days.
func TestTransitionToRemoteTierAndRestore(t *testing.T) {
	remote := testserver.Start(t)
	rc := remote.Client()
	mustCreateBucket(t, rc, "tier")
	srv := testserver.Start(t, testserver.WithLifecycleDay(lcaDay),
		testserver.WithTier(server.TierConfig{Name: "far", URL: remote.URL + "/tier/talus", AccessKey: testserver.AccessKey, SecretKey: testserver.SecretKey}),
		testserver.WithClassTier("GLACIER", "far"), testserver.WithClassTier("DEEP_ARCHIVE", "far"))
	c := srv.Client()
	mustCreateBucket(t, c, "vers")
	lcaVersioning(t, c, "vers", types.BucketVersioningStatusEnabled)
	v1 := randBytes(11, 300<<10)
	v2 := randBytes(12, 300<<10)
	old := aws.ToString(mustPut(t, c, "vers", "doc", v1).VersionId)
	mustPut(t, c, "vers", "doc", v2)
	mustPut(t, c, "vers", "plain", randBytes(13, 200<<10))
	lcaRules(t, c, "vers", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("doc")},
		Transitions:                  []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassDeepArchive}},
		NoncurrentVersionTransitions: []types.NoncurrentVersionTransition{{NoncurrentDays: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}}})
	tierWait(t, "transitions", func() bool {
		_, cur := headClass(t, c, "vers", "doc", "")
		_, nc := headClass(t, c, "vers", "doc", old)
		return cur == "DEEP_ARCHIVE" && nc == "GLACIER"
	})
	// Both versions' bytes are objects of the remote bucket now.
	lo, err := rc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tier"), Prefix: aws.String("talus/")})
	if err != nil || len(lo.Contents) != 2 {
		t.Fatalf("remote tier lists %+v, %v; want 2 objects", lo, err)
	}
	waitBlobCount(t, srv, 1) // plain's blob stays at home
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("doc")})
	mustCode(t, err, "InvalidObjectState")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vers"), Key: aws.String("copy"), CopySource: aws.String("vers/doc")})
	mustCode(t, err, "InvalidObjectState")
	if h, _ := headClass(t, c, "vers", "doc", ""); h.Restore != nil {
		t.Fatalf("x-amz-restore before any restore: %s", *h.Restore)
	}
	// Restore refusals.
	wantRaw(t, "restore of a STANDARD object", restoreRaw(t, srv, "vers", "plain", "", restoreBody(1, "Standard")), 403, "InvalidObjectState")
	wantRaw(t, "expedited from DEEP_ARCHIVE", restoreRaw(t, srv, "vers", "doc", "", restoreBody(1, "Expedited")), 400, "InvalidArgument")
	wantRaw(t, "restore without Days", restoreRaw(t, srv, "vers", "doc", "", `<RestoreRequest/>`), 400, "InvalidArgument")
	wantRaw(t, "select restore", restoreRaw(t, srv, "vers", "doc", "", `<RestoreRequest><Type>SELECT</Type></RestoreRequest>`), 501, "NotImplemented")
	// Bulk from DEEP_ARCHIVE takes 48 hours: two test days.
	if r := restoreRaw(t, srv, "vers", "doc", "", restoreBody(1, "Bulk")); r.Status != 202 {
		t.Fatalf("first restore: %d %s", r.Status, r.Body)
	}
	if h, _ := headClass(t, c, "vers", "doc", ""); aws.ToString(h.Restore) != `ongoing-request="true"` {
		t.Fatalf("x-amz-restore while restoring: %q", aws.ToString(h.Restore))
	}
	wantRaw(t, "restore in progress", restoreRaw(t, srv, "vers", "doc", "", restoreBody(1, "Bulk")), 409, "RestoreAlreadyInProgress")
	if st := listedRestore(t, c, "vers", "doc"); st == nil || !aws.ToBool(st.IsRestoreInProgress) {
		t.Fatalf("ListObjectsV2 RestoreStatus while restoring: %+v", st)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("doc")})
	mustCode(t, err, "InvalidObjectState")
	// Standard (12 hours) is faster than Bulk (48): it upgrades the restore
	// in progress; asking for Bulk again is then a conflict.
	if r := restoreRaw(t, srv, "vers", "doc", "", restoreBody(1, "Standard")); r.Status != 202 {
		t.Fatalf("restore speed upgrade: %d %s", r.Status, r.Body)
	}
	wantRaw(t, "slower restore in progress", restoreRaw(t, srv, "vers", "doc", "", restoreBody(1, "Bulk")), 409, "RestoreAlreadyInProgress")
	// The noncurrent GLACIER version restores in minutes (Expedited).
	if r := restoreRaw(t, srv, "vers", "doc", old, restoreBody(3, "Expedited")); r.Status != 202 {
		t.Fatalf("restore of the noncurrent version: %d %s", r.Status, r.Body)
	}
	var restored string
	tierWait(t, "the restores to complete", func() bool {
		h, _ := headClass(t, c, "vers", "doc", "")
		restored = aws.ToString(h.Restore)
		return strings.HasPrefix(restored, `ongoing-request="false", expiry-date="`)
	})
	if !bytes.Equal(mustGet(t, c, "vers", "doc"), v2) {
		t.Fatal("restored current version reads back different bytes")
	}
	if st := listedRestore(t, c, "vers", "doc"); st == nil || aws.ToBool(st.IsRestoreInProgress) || st.RestoreExpiryDate == nil {
		t.Fatalf("ListObjectsV2 RestoreStatus once restored: %+v", st)
	}
	lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vers"), Prefix: aws.String("doc"),
		OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}})
	if err != nil || len(lv.Versions) != 2 || lv.Versions[0].RestoreStatus == nil || lv.Versions[1].RestoreStatus == nil {
		t.Fatalf("ListObjectVersions RestoreStatus: %+v, %v", lv, err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("doc"), VersionId: aws.String(old)})
	if err != nil {
		t.Fatalf("restored noncurrent version: %v", err)
	}
	if !bytes.Equal(readAllBody(t, out.Body), v1) {
		t.Fatal("restored noncurrent version reads back different bytes")
	}
	// A restored object can be copied; the copy is STANDARD and at home.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vers"), Key: aws.String("copy"), CopySource: aws.String("vers/doc")}); err != nil {
		t.Fatal(err)
	}
	if h, class := headClass(t, c, "vers", "copy", ""); class != "STANDARD" || h.Restore != nil {
		t.Fatalf("copy of a restored object: class %s, restore %v", class, h.Restore)
	}
	// Asking again once restored answers 200 and keeps it readable.
	if r := restoreRaw(t, srv, "vers", "doc", "", restoreBody(1, "Standard")); r.Status != 200 {
		t.Fatalf("restore of a restored object: %d %s", r.Status, r.Body)
	}
	// The restored copy expires after its day: archived again.
	tierWait(t, "the restored copy to expire", func() bool {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("doc")})
		return apiCode(err) == "InvalidObjectState"
	})
	if h, _ := headClass(t, c, "vers", "doc", ""); h.Restore != nil {
		t.Fatalf("x-amz-restore after expiry: %s", *h.Restore)
	}
}

// TestArchiveClassOnPut: GLACIER and DEEP_ARCHIVE uploads (PUT and
// multipart) are archived at once; every class is reported as written.
func TestArchiveClassOnPut(t *testing.T) {
	srv := testserver.Start(t, testserver.WithLifecycleDay(lcaDay))
	c := srv.Client()
	mustCreateBucket(t, c, "cls")
	for _, class := range []types.StorageClass{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"} {
		key := "k-" + string(class)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cls"), Key: aws.String(key), Body: strings.NewReader("x"), StorageClass: class}); err != nil {
			t.Fatalf("PUT %s: %v", class, err)
		}
		if _, got := headClass(t, c, "cls", key, ""); got != string(class) {
			t.Errorf("HEAD class %s, want %s", got, class)
		}
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cls"), Key: aws.String(key)})
		archived := class == "GLACIER" || class == "DEEP_ARCHIVE"
		if archived {
			mustCode(t, err, "InvalidObjectState")
		} else if err != nil {
			t.Errorf("GET %s: %v", class, err)
		}
	}
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cls")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range lo.Contents {
		if want := strings.TrimPrefix(*o.Key, "k-"); string(o.StorageClass) != want {
			t.Errorf("list reports %s as %s", *o.Key, o.StorageClass)
		}
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cls"), Key: aws.String("mp"), StorageClass: types.StorageClassGlacier})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cls"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("cls"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: p.ETag, PartNumber: aws.Int32(1), ChecksumCRC32: p.ChecksumCRC32}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cls"), Key: aws.String("mp")})
	mustCode(t, err, "InvalidObjectState")
	// Standard from GLACIER: five hours, a fifth of a two-second day.
	if _, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("cls"), Key: aws.String("mp"),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(2), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}}); err != nil {
		t.Fatal(err)
	}
	tierWait(t, "the restore", func() bool {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cls"), Key: aws.String("mp")})
		return err == nil
	})
	if got := mustGet(t, c, "cls", "mp"); string(got) != "part" {
		t.Fatalf("restored multipart object = %q", got)
	}
	// The copy of an archived object can change its class.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cls"), Key: aws.String("mp"), CopySource: aws.String("cls/mp"), StorageClass: types.StorageClassStandardIa}); err != nil {
		t.Fatal(err)
	}
	if _, class := headClass(t, c, "cls", "mp", ""); class != "STANDARD_IA" {
		t.Fatalf("class after a class-changing copy: %s", class)
	}
}
