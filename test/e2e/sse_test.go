package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"talus/internal/crypt"
	"talus/internal/testserver"
)

// ssecKey is a customer key as the SDK takes it: base64 key and MD5.
type ssecKey struct{ key, md5 string }

func newSSECKey(seed byte) ssecKey {
	k := bytes.Repeat([]byte{seed}, 32)
	sum := md5.Sum(k)
	return ssecKey{base64.StdEncoding.EncodeToString(k), base64.StdEncoding.EncodeToString(sum[:])}
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// mustFail fails unless err is the S3 error code with the status.
func mustFail(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want %d %s", what, status, code)
	}
	if got := httpStatus(err); got != status {
		t.Fatalf("%s: status %d (%v), want %d %s", what, got, err, status, code)
	}
	if code != "" && apiCode(err) != code {
		t.Fatalf("%s: code %q (%v), want %q", what, apiCode(err), err, code)
	}
}

func getSSEC(t *testing.T, c *s3.Client, bucket, key string, k *ssecKey, rng string) (*s3.GetObjectOutput, []byte, error) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if k != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
	}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return out, b, err
}

func sseServer(t *testing.T, opts ...testserver.Option) *testserver.Server {
	return testserver.Start(t, append([]testserver.Option{testserver.WithSSECOverHTTP()}, opts...)...)
}

// segment-crossing ranges of a size-byte object.
func sseRanges(size int) [][2]int {
	seg := crypt.SegmentSize
	var out [][2]int
	for _, r := range [][2]int{{0, 0}, {0, seg - 1}, {seg - 1, seg}, {seg - 5, 2*seg + 5}, {seg, seg}, {size - 1, size - 1}, {1, size - 2}} {
		if r[0] >= 0 && r[1] < size && r[0] <= r[1] {
			out = append(out, r)
		}
	}
	return out
}

func TestSSECObject(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ssec")
	allowSSEC(t, c, "ssec")
	k, wrong := newSSECKey(1), newSSECKey(2)
	for _, size := range []int{0, 100, 3*crypt.SegmentSize + 17} {
		body := randBytes(uint64(size), size)
		key := fmt.Sprintf("obj-%d", size)
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key), Body: bytes.NewReader(body),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(put.SSECustomerAlgorithm) != "AES256" || aws.ToString(put.SSECustomerKeyMD5) != k.md5 || put.ServerSideEncryption != "" {
			t.Fatalf("put headers: %q %q %q", aws.ToString(put.SSECustomerAlgorithm), aws.ToString(put.SSECustomerKeyMD5), put.ServerSideEncryption)
		}
		if aws.ToString(put.ETag) != etagFor(body) {
			t.Fatalf("ETag %s, want MD5 of the plaintext", aws.ToString(put.ETag))
		}
		out, got, err := getSSEC(t, c, "ssec", key, &k, "")
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("size %d: GET with key: %v (%d bytes)", size, err, len(got))
		}
		if aws.ToString(out.SSECustomerKeyMD5) != k.md5 || aws.ToInt64(out.ContentLength) != int64(size) {
			t.Fatalf("GET headers: md5 %q length %d", aws.ToString(out.SSECustomerKeyMD5), aws.ToInt64(out.ContentLength))
		}
		for _, r := range sseRanges(size) {
			_, got, err := getSSEC(t, c, "ssec", key, &k, fmt.Sprintf("bytes=%d-%d", r[0], r[1]))
			if err != nil || !bytes.Equal(got, body[r[0]:r[1]+1]) {
				t.Fatalf("size %d range %v: %v", size, r, err)
			}
		}
		_, _, err = getSSEC(t, c, "ssec", key, nil, "")
		mustFail(t, "GET without key", err, 400, "InvalidRequest")
		if !strings.Contains(err.Error(), "The object was stored using a form of Server Side Encryption") {
			t.Fatalf("message: %v", err)
		}
		_, _, err = getSSEC(t, c, "ssec", key, &wrong, "")
		mustFail(t, "GET with a wrong key", err, 403, "AccessDenied")
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
		if err != nil || aws.ToString(head.SSECustomerKeyMD5) != k.md5 || aws.ToInt64(head.ContentLength) != int64(size) {
			t.Fatalf("HEAD with key: %v", err)
		}
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key)})
		mustFail(t, "HEAD without key", err, 400, "")
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ssec"), Key: aws.String(key),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(wrong.key), SSECustomerKeyMD5: aws.String(wrong.md5)})
		mustFail(t, "HEAD with a wrong key", err, 403, "")
		attrs := func(k *ssecKey) error {
			in := &s3.GetObjectAttributesInput{Bucket: aws.String("ssec"), Key: aws.String(key), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}}
			if k != nil {
				in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
			}
			out, err := c.GetObjectAttributes(ctx, in)
			if err == nil && aws.ToInt64(out.ObjectSize) != int64(size) {
				t.Fatalf("ObjectSize %d", aws.ToInt64(out.ObjectSize))
			}
			return err
		}
		if err := attrs(&k); err != nil {
			t.Fatal(err)
		}
		mustFail(t, "GetObjectAttributes without key", attrs(nil), 400, "InvalidRequest")
		mustFail(t, "GetObjectAttributes with a wrong key", attrs(&wrong), 403, "AccessDenied")
	}
	// A customer key on an object stored without one.
	mustPut(t, c, "ssec", "plain", []byte("plain"))
	_, _, err := getSSEC(t, c, "ssec", "plain", &k, "")
	mustFail(t, "key for a plaintext object", err, 400, "InvalidRequest")
}

func TestSSECRefusedOverPlainHTTP(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "plainhttp")
	k := newSSECKey(1)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plainhttp"), Key: aws.String("k"), Body: strings.NewReader("x"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	mustFail(t, "SSE-C over HTTP", err, 400, "InvalidRequest")
}

func TestSSES3AndKMSObject(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "enc")
	keys := srv.Server().KMS()
	km, err := keys.CreateKey(ctx, "", "test key")
	if err != nil {
		t.Fatal(err)
	}
	body := randBytes(7, 2*crypt.SegmentSize+9)
	small := []byte("a small inline body")

	// SSE-S3
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("s3"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil || put.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(put.ETag) != etagFor(body) {
		t.Fatalf("SSE-S3 put: %v %q", err, put.ServerSideEncryption)
	}
	out, got, err := getSSEC(t, c, "enc", "s3", nil, "")
	if err != nil || !bytes.Equal(got, body) || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("SSE-S3 get: %v", err)
	}

	// SSE-KMS with a named key and a context.
	ec := base64.StdEncoding.EncodeToString([]byte(`{"team":"blue"}`))
	put, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("kms"), Body: bytes.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(km.ID), SSEKMSEncryptionContext: aws.String(ec)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.SSEKMSKeyId) != km.ARN || put.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
		t.Fatalf("kms put: key %q, want %q", aws.ToString(put.SSEKMSKeyId), km.ARN)
	}
	raw, _ := base64.StdEncoding.DecodeString(aws.ToString(put.SSEKMSEncryptionContext))
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil || m["team"] != "blue" || m["aws:s3:arn"] != "arn:aws:s3:::enc/kms" {
		t.Fatalf("context %s: %v", raw, err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("enc"), Key: aws.String("kms")})
	if err != nil || aws.ToString(head.SSEKMSKeyId) != km.ARN || head.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
		t.Fatalf("kms head: %v", err)
	}
	for _, r := range sseRanges(len(body)) {
		_, got, err := getSSEC(t, c, "enc", "kms", nil, fmt.Sprintf("bytes=%d-%d", r[0], r[1]))
		if err != nil || !bytes.Equal(got, body[r[0]:r[1]+1]) {
			t.Fatalf("range %v: %v", r, err)
		}
	}
	// The default aws/s3 key, and DSSE, on an inline object.
	put, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("default"), Body: bytes.NewReader(small), ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	if err != nil || !strings.Contains(aws.ToString(put.SSEKMSKeyId), ":key/") {
		t.Fatalf("default key put: %v %q", err, aws.ToString(put.SSEKMSKeyId))
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("dsse"), Body: bytes.NewReader(small), ServerSideEncryption: types.ServerSideEncryptionAwsKmsDsse, SSEKMSKeyId: aws.String(km.ARN)}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"default", "dsse"} {
		if got := mustGet(t, c, "enc", k); !bytes.Equal(got, small) {
			t.Fatalf("%s: %q", k, got)
		}
	}
	// An unknown key.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("x"), Body: bytes.NewReader(small),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("11111111-2222-3333-4444-555555555555")})
	mustFail(t, "unknown key", err, 400, "KMS.NotFoundException")

	// A disabled key makes reads and writes fail; enabling it again works.
	if _, err := keys.DisableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = getSSEC(t, c, "enc", "kms", nil, "")
	mustFail(t, "GET under a disabled key", err, 400, "KMS.DisabledException")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("x"), Body: bytes.NewReader(small), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(km.ID)})
	mustFail(t, "PUT under a disabled key", err, 400, "KMS.DisabledException")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("enc"), Key: aws.String("kms")}); err != nil {
		t.Fatalf("HEAD needs no key: %v", err)
	}
	if _, err := keys.EnableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "enc", "kms"); !bytes.Equal(got, body) {
		t.Fatal("GET after enabling the key")
	}
	// Pending deletion.
	if _, err := keys.ScheduleKeyDeletion(ctx, km.ID, 7); err != nil {
		t.Fatal(err)
	}
	_, _, err = getSSEC(t, c, "enc", "kms", nil, "")
	mustFail(t, "GET under a key pending deletion", err, 400, "KMS.KMSInvalidStateException")
	if _, err := keys.CancelKeyDeletion(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.EnableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "enc", "kms"); !bytes.Equal(got, body) {
		t.Fatal("GET after cancelling the deletion")
	}
}

func TestSSEMultipart(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpu")
	allowSSEC(t, c, "mpu")
	k, wrong := newSSECKey(3), newSSECKey(4)
	part1 := randBytes(1, 5<<20+3)
	part2 := randBytes(2, 2*crypt.SegmentSize+1)
	src := randBytes(3, 300<<10)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String("src"), Body: bytes.NewReader(src), ServerSideEncryption: types.ServerSideEncryptionAwsKms}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("obj"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil || aws.ToString(cr.SSECustomerKeyMD5) != k.md5 {
		t.Fatalf("create: %v", err)
	}
	up := func(n int32, body []byte, key *ssecKey) (*s3.UploadPartOutput, error) {
		in := &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: cr.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(body)}
		if key != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(key.key), aws.String(key.md5)
		}
		return c.UploadPart(ctx, in)
	}
	// (Small bodies: the server answers before reading them.)
	_, err = up(1, []byte("x"), nil)
	mustFail(t, "part without key", err, 400, "InvalidRequest")
	if !strings.Contains(err.Error(), "The multipart upload initiate requested encryption.") {
		t.Fatalf("message: %v", err)
	}
	_, err = up(1, []byte("x"), &wrong)
	mustFail(t, "part with a wrong key", err, 403, "AccessDenied")
	p1, err := up(1, part1, &k)
	if err != nil || aws.ToString(p1.SSECustomerKeyMD5) != k.md5 {
		t.Fatalf("part 1: %v", err)
	}
	p2, err := up(2, part2, &k)
	if err != nil {
		t.Fatal(err)
	}
	// Part 3 copies a range of an SSE-KMS object.
	p3, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: cr.UploadId, PartNumber: aws.Int32(3),
		CopySource: aws.String("mpu/src"), CopySourceRange: aws.String("bytes=1000-200999"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil {
		t.Fatal(err)
	}
	// Part 2 (too small to be anything but last) is left out and freed.
	if aws.ToString(p2.SSECustomerKeyMD5) != k.md5 {
		t.Fatal("part 2 headers")
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(3), ETag: p3.CopyPartResult.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{}, part1...), src[1000:201000]...)
	_, got, err := getSSEC(t, c, "mpu", "obj", &k, "")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("GET: %v (%d bytes)", err, len(got))
	}
	for _, r := range [][2]int{{len(part1) - 10, len(part1) + 10}, {0, 100}, {len(want) - crypt.SegmentSize - 3, len(want) - 1}} {
		_, got, err := getSSEC(t, c, "mpu", "obj", &k, fmt.Sprintf("bytes=%d-%d", r[0], r[1]))
		if err != nil || !bytes.Equal(got, want[r[0]:r[1]+1]) {
			t.Fatalf("range %v: %v", r, err)
		}
	}
	pn, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("obj"), PartNumber: aws.Int32(2),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAllBody(t, pn.Body); !bytes.Equal(got, src[1000:201000]) {
		t.Fatal("partNumber=2 read")
	}
	_, _, err = getSSEC(t, c, "mpu", "obj", &wrong, "")
	mustFail(t, "GET with a wrong key", err, 403, "AccessDenied")
}

func TestSSECopyBetweenModes(t *testing.T) {
	// Unencrypted objects exist only where the server applies no default.
	srv := sseServer(t, testserver.WithDefaultEncryption("none"))
	c := srv.Client()
	mustCreateBucket(t, c, "copies")
	allowSSEC(t, c, "copies")
	k := newSSECKey(5)
	body := randBytes(9, 100<<10)
	mustPut(t, c, "copies", "plain", body)

	// plain → SSE-C
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copies"), Key: aws.String("c"), CopySource: aws.String("copies/plain"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil || aws.ToString(out.SSECustomerKeyMD5) != k.md5 {
		t.Fatalf("plain→SSE-C: %v", err)
	}
	if _, got, err := getSSEC(t, c, "copies", "c", &k, ""); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read SSE-C copy: %v", err)
	}
	// SSE-C → SSE-KMS needs the source key.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copies"), Key: aws.String("k"), CopySource: aws.String("copies/c"), ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	mustFail(t, "copy of SSE-C without the source key", err, 400, "InvalidRequest")
	out, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copies"), Key: aws.String("k"), CopySource: aws.String("copies/c"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k.key), CopySourceSSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil || out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) == "" {
		t.Fatalf("SSE-C→SSE-KMS: %v", err)
	}
	if got := mustGet(t, c, "copies", "k"); !bytes.Equal(got, body) {
		t.Fatal("read SSE-KMS copy")
	}
	// SSE-KMS → plain
	out, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copies"), Key: aws.String("p"), CopySource: aws.String("copies/k")})
	if err != nil || out.ServerSideEncryption != "" {
		t.Fatalf("SSE-KMS→plain: %v %q", err, out.ServerSideEncryption)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("copies"), Key: aws.String("p")})
	if err != nil || head.ServerSideEncryption != "" {
		t.Fatalf("plain copy head: %v", err)
	}
	if got := mustGet(t, c, "copies", "p"); !bytes.Equal(got, body) {
		t.Fatal("read plain copy")
	}
	// Changing the encryption of an object in place is a legal self-copy.
	out, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copies"), Key: aws.String("p"), CopySource: aws.String("copies/p"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("self-copy to SSE-S3: %v", err)
	}
	if got := mustGet(t, c, "copies", "p"); !bytes.Equal(got, body) {
		t.Fatal("read re-encrypted object")
	}
}

// fileContains reports whether any file under dir holds needle.
func filesContain(t *testing.T, dir string, needle []byte) bool {
	t.Helper()
	found := false
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, needle) {
			found = true
		}
		return nil
	})
	return found
}

func TestSSEAtRestAndTamper(t *testing.T) {
	dir := t.TempDir()
	srv := sseServer(t, testserver.WithDir(dir))
	c := srv.Client()
	mustCreateBucket(t, c, "rest")
	allowSSEC(t, c, "rest")
	k := newSSECKey(6)
	marker := []byte("PLAINTEXT-MARKER-0123456789-")
	inline := bytes.Repeat(marker, 10)
	big := bytes.Repeat(marker, 100000) // several batches of segments
	puts := []struct {
		key  string
		body []byte
		sse  types.ServerSideEncryption
		ssec bool
	}{
		{"inline-s3", inline, types.ServerSideEncryptionAes256, false},
		{"inline-kms", inline, types.ServerSideEncryptionAwsKms, false},
		{"inline-c", inline, "", true},
		{"blob-s3", big, types.ServerSideEncryptionAes256, false},
		{"blob-c", big, "", true},
	}
	for _, p := range puts {
		in := &s3.PutObjectInput{Bucket: aws.String("rest"), Key: aws.String(p.key), Body: bytes.NewReader(p.body), ServerSideEncryption: p.sse}
		if p.ssec {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
		}
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if filesContain(t, dir, marker) {
		t.Fatal("plaintext found in the data directory")
	}
	read := func(c *s3.Client, key string, ssec bool) ([]byte, error) {
		var kp *ssecKey
		if ssec {
			kp = &k
		}
		_, b, err := getSSEC(t, c, "rest", key, kp, "")
		return b, err
	}
	// A restart keeps everything readable.
	srv.Stop(t)
	srv = sseServer(t, testserver.WithDir(dir))
	c = srv.Client()
	for _, p := range puts {
		if got, err := read(c, p.key, p.ssec); err != nil || !bytes.Equal(got, p.body) {
			t.Fatalf("%s after restart: %v", p.key, err)
		}
	}
	// Flip one byte of a stored blob, and truncate another: reads fail,
	// never returning wrong bytes.
	files := blobFiles(t, srv)
	if len(files) != 2 {
		t.Fatalf("%d blob files", len(files))
	}
	for i, f := range files {
		f = filepath.Join(srv.Dir, "blobs", f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			b[10] ^= 0x40 // in the first segment
		} else {
			b = b[:len(b)-1] // the end of the last segment
		}
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range puts[3:] {
		got, err := read(c, p.key, p.ssec)
		if err == nil {
			t.Fatalf("%s: damaged blob read back without error (%d bytes, equal %v)", p.key, len(got), bytes.Equal(got, p.body))
		}
	}
	// Damage in the first segment is an error response; damage further
	// on aborts the response: never a complete 200.
	statuses := map[string]bool{}
	for _, p := range puts[3:] {
		h := map[string]string{}
		if p.ssec {
			h["x-amz-server-side-encryption-customer-algorithm"] = "AES256"
			h["x-amz-server-side-encryption-customer-key"] = k.key
			h["x-amz-server-side-encryption-customer-key-MD5"] = k.md5
		}
		resp, err := rawClient.Do(signRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "rest", p.key), Header: h}))
		if err != nil {
			t.Fatal(err)
		}
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == 500:
			statuses["error"] = true
		case resp.StatusCode == 200 && rerr != nil:
			statuses["aborted"] = true
		default:
			t.Fatalf("%s: status %d, %d bytes, read error %v", p.key, resp.StatusCode, len(body), rerr)
		}
	}
	if !statuses["error"] || !statuses["aborted"] {
		t.Fatalf("got %v, want one error response and one aborted body", statuses)
	}
}

func TestSSEUpdateObjectEncryption(t *testing.T) {
	// Unencrypted objects exist only where the server applies no default.
	srv := sseServer(t, testserver.WithDefaultEncryption("none"))
	c := srv.Client()
	mustCreateBucket(t, c, "upd")
	allowSSEC(t, c, "upd")
	km, err := srv.Server().KMS().CreateKey(ctx, "", "target")
	if err != nil {
		t.Fatal(err)
	}
	body := randBytes(11, 200<<10)
	for _, k := range []string{"big", "small"} {
		b := body
		if k == "small" {
			b = body[:100]
		}
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("upd"), Key: aws.String(k), Body: bytes.NewReader(b), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
			t.Fatal(err)
		}
		before, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upd"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: aws.String("upd"), Key: aws.String(k),
			ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(km.ARN), BucketKeyEnabled: aws.Bool(true)}}})
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		after, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upd"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		if after.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(after.SSEKMSKeyId) != km.ARN || !aws.ToBool(after.BucketKeyEnabled) {
			t.Fatalf("%s: after update %q %q", k, after.ServerSideEncryption, aws.ToString(after.SSEKMSKeyId))
		}
		if aws.ToString(after.ETag) != aws.ToString(before.ETag) || !aws.ToTime(after.LastModified).Equal(aws.ToTime(before.LastModified)) {
			t.Fatalf("%s: ETag or date changed", k)
		}
		if got := mustGet(t, c, "upd", k); !bytes.Equal(got, b) {
			t.Fatalf("%s: data changed", k)
		}
	}
	// The data key now depends on the new key.
	if _, err := srv.Server().KMS().DisableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = getSSEC(t, c, "upd", "big", nil, "")
	mustFail(t, "GET under the disabled new key", err, 400, "KMS.DisabledException")
	if _, err := srv.Server().KMS().EnableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}

	update := func(key, arn string) error {
		_, err := c.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: aws.String("upd"), Key: aws.String(key),
			ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(arn)}}})
		return err
	}
	mustPut(t, c, "upd", "plain", []byte("plain"))
	mustFail(t, "unencrypted source", update("plain", km.ARN), 400, "InvalidRequest")
	k := newSSECKey(8)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("upd"), Key: aws.String("c"), Body: strings.NewReader("x"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}); err != nil {
		t.Fatal(err)
	}
	mustFail(t, "SSE-C source", update("c", km.ARN), 400, "InvalidRequest")
	mustFail(t, "key ID instead of ARN", update("big", km.ID), 400, "InvalidRequest")
	mustFail(t, "missing object", update("nope", km.ARN), 404, "NoSuchKey")
	// Back to the same key without a bucket key: the record changes again.
	if err := update("big", km.ARN); err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upd"), Key: aws.String("big")})
	if err != nil || aws.ToBool(head.BucketKeyEnabled) {
		t.Fatalf("bucket key after second update: %v", err)
	}
}

func TestSSEPresigned(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "presse")
	allowSSEC(t, c, "presse")
	pc := s3.NewPresignClient(c)
	k := newSSECKey(9)
	body := randBytes(13, 70<<10)

	// Headers signed into the URL.
	put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presse"), Key: aws.String("c"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil {
		t.Fatal(err)
	}
	r := plainDo(t, put.Method, put.URL, put.SignedHeader, body)
	wantRaw(t, "presigned SSE-C PUT", r, 200, "")
	if r.Header.Get("x-amz-server-side-encryption-customer-key-MD5") != k.md5 {
		t.Fatalf("PUT headers %v", r.Header)
	}
	get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presse"), Key: aws.String("c"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil {
		t.Fatal(err)
	}
	r = plainDo(t, get.Method, get.URL, get.SignedHeader, nil)
	if r.Status != 200 || !bytes.Equal(r.Body, body) {
		t.Fatalf("presigned SSE-C GET: %d", r.Status)
	}
	// The same URL without the key headers is refused.
	r = plainDo(t, get.Method, get.URL, nil, nil)
	if r.Status != 403 && r.Status != 400 {
		t.Fatalf("presigned GET without the signed key headers: %d", r.Status)
	}

	// x-amz-server-side-encryption as a query parameter of the URL.
	u := presignRaw(t, http.MethodPut, objURL(srv, "presse", "s3")+"?x-amz-server-side-encryption=AES256", "300", time.Now())
	r = plainDo(t, http.MethodPut, u, nil, body)
	wantRaw(t, "presigned PUT with the method in the query", r, 200, "")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("presse"), Key: aws.String("s3")})
	if err != nil || head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("query-string SSE: %v %q", err, head.ServerSideEncryption)
	}
	if got := mustGet(t, c, "presse", "s3"); !bytes.Equal(got, body) {
		t.Fatal("read back")
	}
}

func TestSSEMultipartKMS(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpkms")
	km, err := srv.Server().KMS().CreateKey(ctx, "", "uploads")
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpkms"), Key: aws.String("o"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("arn:aws:kms:us-east-1:000000000000:key/" + km.ID), BucketKeyEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if cr.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(cr.SSEKMSKeyId) != km.ARN || !aws.ToBool(cr.BucketKeyEnabled) || aws.ToString(cr.SSEKMSEncryptionContext) == "" {
		t.Fatalf("create: %q %q %v", cr.ServerSideEncryption, aws.ToString(cr.SSEKMSKeyId), aws.ToBool(cr.BucketKeyEnabled))
	}
	parts := [][]byte{randBytes(21, 5<<20), randBytes(22, 3*crypt.SegmentSize+1)}
	var done []types.CompletedPart
	for i, p := range parts {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpkms"), Key: aws.String("o"), UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		if up.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(up.SSEKMSKeyId) != km.ARN {
			t.Fatalf("part %d headers", i+1)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpkms"), Key: aws.String("o"), UploadId: cr.UploadId})
	if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[1].Size) != int64(len(parts[1])) {
		t.Fatalf("ListParts: %v", err)
	}
	comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpkms"), Key: aws.String("o"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil || comp.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(comp.SSEKMSKeyId) != km.ARN {
		t.Fatalf("complete: %v", err)
	}
	want := append(append([]byte{}, parts[0]...), parts[1]...)
	if got := mustGet(t, c, "mpkms", "o"); !bytes.Equal(got, want) {
		t.Fatal("GET")
	}
	_, got, err := getSSEC(t, c, "mpkms", "o", nil, fmt.Sprintf("bytes=%d-%d", len(parts[0])-crypt.SegmentSize-1, len(parts[0])+crypt.SegmentSize+1))
	if err != nil || !bytes.Equal(got, want[len(parts[0])-crypt.SegmentSize-1:len(parts[0])+crypt.SegmentSize+2]) {
		t.Fatalf("range across the parts: %v", err)
	}
	attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("mpkms"), Key: aws.String("o"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize, types.ObjectAttributesEtag}})
	if err != nil || aws.ToInt64(attrs.ObjectSize) != int64(len(want)) {
		t.Fatalf("attributes: %v", err)
	}
}

func TestSSEPostObject(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "postsse")
	allowSSEC(t, c, "postsse")
	pc := s3.NewPresignClient(c)
	k := newSSECKey(10)
	body := randBytes(17, 40<<10)
	post := func(key string, fields map[string]string) (int, http.Header) {
		p, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("postsse"), Key: aws.String(key)}, func(o *s3.PresignPostOptions) {
			for f, v := range fields {
				o.Conditions = append(o.Conditions, map[string]string{f: v})
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		for f, v := range fields {
			p.Values[f] = v
		}
		status, hdr, _ := postForm(t, p.URL, p.Values, []string{"key"}, body)
		return status, hdr
	}
	status, hdr := post("kms", map[string]string{"x-amz-server-side-encryption": "aws:kms"})
	if status != http.StatusNoContent || hdr.Get("x-amz-server-side-encryption") != "aws:kms" || hdr.Get("x-amz-server-side-encryption-aws-kms-key-id") == "" {
		t.Fatalf("SSE-KMS POST: %d %v", status, hdr)
	}
	if got := mustGet(t, c, "postsse", "kms"); !bytes.Equal(got, body) {
		t.Fatal("read SSE-KMS POST")
	}
	status, hdr = post("c", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256",
		"x-amz-server-side-encryption-customer-key": k.key, "x-amz-server-side-encryption-customer-key-MD5": k.md5})
	if status != http.StatusNoContent || hdr.Get("x-amz-server-side-encryption-customer-key-MD5") != k.md5 {
		t.Fatalf("SSE-C POST: %d %v", status, hdr)
	}
	if _, got, err := getSSEC(t, c, "postsse", "c", &k, ""); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read SSE-C POST: %v", err)
	}
	_, _, err := getSSEC(t, c, "postsse", "c", nil, "")
	mustFail(t, "SSE-C POST object without key", err, 400, "InvalidRequest")
}
