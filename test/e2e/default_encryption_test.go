package e2e

// A bucket's default encryption applied to the objects written into it.

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// deSSE is the encryption an object reports.
type deSSE struct {
	Algorithm, KeyARN string
	BucketKey         bool
}

func deHead(t *testing.T, c *s3.Client, bucket, key string) deSSE {
	t.Helper()
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HeadObject(%s/%s): %v", bucket, key, err)
	}
	return deSSE{string(h.ServerSideEncryption), aws.ToString(h.SSEKMSKeyId), aws.ToBool(h.BucketKeyEnabled)}
}

func deWant(t *testing.T, what string, got, want deSSE) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: encryption %+v, want %+v", what, got, want)
	}
}

// deNoPlaintext fails if any blob file holds marker in clear.
func deNoPlaintext(t *testing.T, srv *testserver.Server, marker []byte) {
	t.Helper()
	files := blobFiles(t, srv)
	if len(files) == 0 {
		t.Fatal("no blob files")
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(srv.Dir, "blobs", f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, marker) {
			t.Fatalf("blob %s holds the object's plaintext", f)
		}
	}
}

func TestDefaultEncryptionSSES3(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "dflt")
	if err := bePut(c, "dflt", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAes256, "")}); err != nil {
		t.Fatal(err)
	}
	marker := []byte("plaintext-marker-")
	body := bytes.Repeat(marker, 4096) // 68 KiB: stored as a blob, not inline
	sse := deSSE{Algorithm: "AES256"}

	// PutObject with no encryption of its own.
	out := mustPut(t, c, "dflt", "put", body)
	if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PutObject answered encryption %q, want AES256", out.ServerSideEncryption)
	}
	if aws.ToString(out.ETag) != etagFor(body) {
		t.Fatalf("SSE-S3 ETag %s, want the MD5 %s", aws.ToString(out.ETag), etagFor(body))
	}
	deWant(t, "PutObject", deHead(t, c, "dflt", "put"), sse)
	if got := mustGet(t, c, "dflt", "put"); !bytes.Equal(got, body) {
		t.Fatal("GetObject returned other bytes")
	}

	// CopyObject from an unencrypted source.
	mustPut(t, c, "src", "plain", body)
	// A bucket never configured encrypts with SSE-S3, as S3 does.
	deWant(t, "unconfigured source", deHead(t, c, "src", "plain"), sse)
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dflt"), Key: aws.String("copy"), CopySource: aws.String("src/plain")})
	if err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject answered encryption %q", cp.ServerSideEncryption)
	}
	deWant(t, "CopyObject", deHead(t, c, "dflt", "copy"), sse)
	if got := mustGet(t, c, "dflt", "copy"); !bytes.Equal(got, body) {
		t.Fatal("copy returned other bytes")
	}

	// CreateMultipartUpload, UploadPart, CompleteMultipartUpload.
	mpu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("dflt"), Key: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}
	if mpu.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CreateMultipartUpload answered encryption %q", mpu.ServerSideEncryption)
	}
	part1 := bytes.Repeat(marker, 5<<20/len(marker)+1)
	var parts []types.CompletedPart
	for i, p := range [][]byte{part1, body} {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("dflt"), Key: aws.String("mpu"), UploadId: mpu.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if up.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Fatalf("UploadPart answered encryption %q", up.ServerSideEncryption)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("dflt"), Key: aws.String("mpu"), UploadId: mpu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	if done.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CompleteMultipartUpload answered encryption %q", done.ServerSideEncryption)
	}
	deWant(t, "multipart", deHead(t, c, "dflt", "mpu"), sse)
	if got := mustGet(t, c, "dflt", "mpu"); !bytes.Equal(got, append(append([]byte{}, part1...), body...)) {
		t.Fatal("multipart object returned other bytes")
	}

	// PostObject with no encryption field.
	p, err := s3.NewPresignClient(c).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dflt"), Key: aws.String("post")})
	if err != nil {
		t.Fatal(err)
	}
	status, hdr, resp := postForm(t, p.URL, p.Values, []string{"key"}, body)
	if status != http.StatusNoContent {
		t.Fatalf("PostObject = %d %s", status, resp)
	}
	if v := hdr.Get("x-amz-server-side-encryption"); v != "AES256" {
		t.Fatalf("PostObject answered encryption %q", v)
	}
	deWant(t, "PostObject", deHead(t, c, "dflt", "post"), sse)

	// The bytes at rest are not the object's.
	waitBlobCount(t, srv, 6) // put, source, copy, two parts, post
	deNoPlaintext(t, srv, marker)

	// An explicit header wins over the default.
	if err := bePut(c, "dflt", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, "")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dflt"), Key: aws.String("explicit"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatal(err)
	}
	deWant(t, "explicit AES256 over an aws:kms default", deHead(t, c, "dflt", "explicit"), sse)

	// Changing the default leaves existing objects as they were written.
	deWant(t, "existing object after a new default", deHead(t, c, "dflt", "put"), sse)
}

func TestDefaultEncryptionSSEKMS(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	keyARN := epS3KeyARN(t, c)
	keyID := keyARN[strings.LastIndex(keyARN, "/")+1:]
	mustCreateBucket(t, c, "kmsdflt")
	// Configured by key ID with a bucket key: objects name the key's ARN
	// and echo the bucket key.
	if err := bePut(c, "kmsdflt", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, keyID), BucketKeyEnabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	want := deSSE{Algorithm: "aws:kms", KeyARN: keyARN, BucketKey: true}
	body := []byte("kms by default")
	out := mustPut(t, c, "kmsdflt", "obj", body)
	if got := (deSSE{string(out.ServerSideEncryption), aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled)}); got != want {
		t.Fatalf("PutObject answered %+v, want %+v", got, want)
	}
	deWant(t, "HeadObject", deHead(t, c, "kmsdflt", "obj"), want)
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kmsdflt"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAllBody(t, g.Body); !bytes.Equal(got, body) || aws.ToString(g.SSEKMSKeyId) != keyARN || !aws.ToBool(g.BucketKeyEnabled) {
		t.Fatalf("GetObject: %q key %q bucket key %v", got, aws.ToString(g.SSEKMSKeyId), aws.ToBool(g.BucketKeyEnabled))
	}

	// Multipart and copy take the same default.
	mpu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("kmsdflt"), Key: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}
	if got := (deSSE{string(mpu.ServerSideEncryption), aws.ToString(mpu.SSEKMSKeyId), aws.ToBool(mpu.BucketKeyEnabled)}); got != want {
		t.Fatalf("CreateMultipartUpload answered %+v, want %+v", got, want)
	}
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("kmsdflt"), Key: aws.String("mpu"), UploadId: mpu.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("kmsdflt"), Key: aws.String("mpu"), UploadId: mpu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	deWant(t, "multipart", deHead(t, c, "kmsdflt", "mpu"), want)
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("kmsdflt"), Key: aws.String("copy"), CopySource: aws.String("kmsdflt/obj")}); err != nil {
		t.Fatal(err)
	}
	deWant(t, "CopyObject", deHead(t, c, "kmsdflt", "copy"), want)

	// A request's own SSE-KMS without the bucket-key header takes the
	// bucket's bucket-key setting.
	own, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmsdflt"), Key: aws.String("own"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	if err != nil || !aws.ToBool(own.BucketKeyEnabled) {
		t.Fatalf("PutObject aws:kms into a bucket-key bucket: %v, bucket key %v", err, aws.ToBool(own.BucketKeyEnabled))
	}
	own, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmsdflt"), Key: aws.String("own"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAwsKms, BucketKeyEnabled: aws.Bool(false)})
	if err != nil || aws.ToBool(own.BucketKeyEnabled) {
		t.Fatalf("PutObject aws:kms with bucket key false: %v, bucket key %v", err, aws.ToBool(own.BucketKeyEnabled))
	}

	// An explicit SSE-S3 header wins over the SSE-KMS default.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmsdflt"), Key: aws.String("s3"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatal(err)
	}
	deWant(t, "explicit AES256", deHead(t, c, "kmsdflt", "s3"), deSSE{Algorithm: "AES256"})

	// S3 takes a default key it cannot find and refuses the writes that
	// would use it.
	mustCreateBucket(t, c, "badkey")
	if err := bePut(c, "badkey", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, "no-such-key")}); err != nil {
		t.Fatalf("PutBucketEncryption with an unknown key: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("badkey"), Key: aws.String("k"), Body: bytes.NewReader(body)})
	mustCode(t, err, "KMS.NotFoundException")
	rqMissing(t, c, "badkey", "k")
}

// A bucket never configured gets SSE-S3, as every S3 bucket does; under
// --default-encryption none it stores objects unencrypted and reports no
// default, while a configured default still applies.
func TestDefaultEncryptionServerSetting(t *testing.T) {
	marker := []byte("server-setting-marker-")
	body := bytes.Repeat(marker, 2048)

	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "aws-like")
	if out := mustPut(t, c, "aws-like", "k", body); out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PutObject into an unconfigured bucket: encryption %q, want AES256", out.ServerSideEncryption)
	}
	deWant(t, "unconfigured bucket", deHead(t, c, "aws-like", "k"), deSSE{Algorithm: "AES256"})
	deNoPlaintext(t, srv, marker)

	off := testserver.Start(t, testserver.WithDefaultEncryption("none"))
	c = off.Client()
	mustCreateBucket(t, c, "plain")
	if out := mustPut(t, c, "plain", "k", body); out.ServerSideEncryption != "" {
		t.Fatalf("PutObject under none: encryption %q", out.ServerSideEncryption)
	}
	deWant(t, "none", deHead(t, c, "plain", "k"), deSSE{})
	_, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("plain")})
	mustCode(t, err, "ServerSideEncryptionConfigurationNotFoundError")
	// Configured with only the SSE-C setting: a rule without a default.
	if err := bePut(c, "plain", types.ServerSideEncryptionRule{BlockedEncryptionTypes: &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeSseC}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.ServerSideEncryptionConfiguration.Rules
	if len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault != nil || r[0].BlockedEncryptionTypes == nil || len(r[0].BlockedEncryptionTypes.EncryptionType) != 1 || r[0].BlockedEncryptionTypes.EncryptionType[0] != types.EncryptionTypeSseC {
		t.Fatalf("GetBucketEncryption under none: %+v, want only the SSE-C block", r)
	}
	if out := mustPut(t, c, "plain", "k1", body); out.ServerSideEncryption != "" {
		t.Fatalf("PutObject under none with only the SSE-C setting: encryption %q", out.ServerSideEncryption)
	}
	if err := bePut(c, "plain", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAes256, "")}); err != nil {
		t.Fatal(err)
	}
	if out := mustPut(t, c, "plain", "k2", body); out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PutObject under none into a configured bucket: encryption %q", out.ServerSideEncryption)
	}
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	if out := mustPut(t, c, "plain", "k3", body); out.ServerSideEncryption != "" {
		t.Fatalf("PutObject under none after DeleteBucketEncryption: encryption %q", out.ServerSideEncryption)
	}
}

// Copying an object onto itself with nothing changed is illegal, unless the
// bucket has a default encryption configured, which the copy then applies.
func TestDefaultEncryptionSelfCopy(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "selfcopy")
	mustPut(t, c, "selfcopy", "k", []byte("same"))
	self := func() error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("selfcopy"), Key: aws.String("k"), CopySource: aws.String("selfcopy/k")})
		return err
	}
	mustCode(t, self(), "InvalidRequest")
	allowSSEC(t, c, "selfcopy") // a configuration without a default encryption
	mustCode(t, self(), "InvalidRequest")

	keyARN := epS3KeyARN(t, c)
	if err := bePut(c, "selfcopy", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, "")}); err != nil {
		t.Fatal(err)
	}
	if err := self(); err != nil {
		t.Fatalf("self-copy in a bucket with a default encryption: %v", err)
	}
	deWant(t, "self-copy", deHead(t, c, "selfcopy", "k"), deSSE{Algorithm: "aws:kms", KeyARN: keyARN})
	if got := mustGet(t, c, "selfcopy", "k"); string(got) != "same" {
		t.Fatalf("after self-copy: %q", got)
	}
}
