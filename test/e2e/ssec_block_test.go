package e2e

// Buckets block customer-key (SSE-C) writes by default, as S3 does since
// April 2026, until BlockedEncryptionTypes says NONE.

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const sbBlockedMsg = "because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type"

// sbBlocked fails unless err is S3's 403 for an SSE-C write to a blocking
// bucket, naming the action and the object.
func sbBlocked(t *testing.T, what string, err error, action, resource string) {
	t.Helper()
	mustFail(t, what, err, http.StatusForbidden, "AccessDenied")
	want := "User: arn:aws:iam::000000000000:root is not authorized to perform: " + action + ` on resource: "` + resource + `" ` + sbBlockedMsg
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: %v, want the message %q", what, err, want)
	}
}

func TestSSECBlockedByDefault(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "blk")
	k := newSSECKey(7)
	body := []byte("customer keyed")
	putC := func(key string, kk ssecKey) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("blk"), Key: aws.String(key), Body: bytes.NewReader(body),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(kk.key), SSECustomerKeyMD5: aws.String(kk.md5)})
		return err
	}

	sbBlocked(t, "PutObject SSE-C", putC("c", k), "s3:PutObject", "arn:aws:s3:::blk/c")
	rqMissing(t, c, "blk", "c")
	_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("blk"), Key: aws.String("m"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	sbBlocked(t, "CreateMultipartUpload SSE-C", err, "s3:PutObject", "arn:aws:s3:::blk/m")
	mustPut(t, c, "blk", "plain", body)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("blk"), Key: aws.String("cc"), CopySource: aws.String("blk/plain"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	sbBlocked(t, "CopyObject to SSE-C", err, "s3:CopyObject", "arn:aws:s3:::blk/cc")

	// PostObject with the customer-key fields.
	ssecFields := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256",
		"x-amz-server-side-encryption-customer-key": k.key, "x-amz-server-side-encryption-customer-key-MD5": k.md5}
	var conds []any
	for f, v := range ssecFields {
		conds = append(conds, map[string]string{f: v})
	}
	p, err := s3.NewPresignClient(c).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("blk"), Key: aws.String("posted")}, func(o *s3.PresignPostOptions) {
		o.Conditions = append(o.Conditions, conds...)
	})
	if err != nil {
		t.Fatal(err)
	}
	for f, v := range ssecFields {
		p.Values[f] = v
	}
	status, _, resp := postForm(t, p.URL, p.Values, []string{"key"}, body)
	if status != http.StatusForbidden || !strings.Contains(resp, sbBlockedMsg) || !strings.Contains(resp, "arn:aws:s3:::blk/posted") {
		t.Fatalf("PostObject SSE-C = %d %s, want 403 for the SSE-C block", status, resp)
	}
	rqMissing(t, c, "blk", "posted")

	// Header problems are still reported as such; other encryption is allowed.
	bad := k
	bad.md5 = newSSECKey(8).md5
	mustFail(t, "SSE-C with a wrong key MD5", putC("bad", bad), http.StatusBadRequest, "InvalidArgument")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("blk"), Key: aws.String("s3"), Body: bytes.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatalf("SSE-S3 into a bucket blocking SSE-C: %v", err)
	}
	// A missing bucket is still NoSuchBucket.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k"), Body: bytes.NewReader(body),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	mustCode(t, err, "NoSuchBucket")

	// Unblocked, SSE-C writes work.
	allowSSEC(t, c, "blk")
	beWant(t, "unblocked", beGet(t, c, "blk"), beRule{Algorithm: "AES256", Blocked: []string{"NONE"}})
	if err := putC("c", k); err != nil {
		t.Fatalf("PutObject SSE-C after unblocking: %v", err)
	}
	mpu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("blk"), Key: aws.String("m"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload SSE-C after unblocking: %v", err)
	}

	// Blocked again: stored SSE-C objects stay readable, new SSE-C data is
	// refused, also for an upload begun before the block.
	if err := bePut(c, "blk", types.ServerSideEncryptionRule{BlockedEncryptionTypes: beBlocked(types.EncryptionTypeSseC)}); err != nil {
		t.Fatal(err)
	}
	if _, got, err := getSSEC(t, c, "blk", "c", &k, ""); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("GetObject of an SSE-C object in a blocking bucket: %v %q", err, got)
	}
	// Copying out of SSE-C (the source's key only) writes no SSE-C data.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("blk"), Key: aws.String("decrypted"), CopySource: aws.String("blk/c"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k.key), CopySourceSSECustomerKeyMD5: aws.String(k.md5)}); err != nil {
		t.Fatalf("CopyObject from an SSE-C source in a blocking bucket: %v", err)
	}
	if got := mustGet(t, c, "blk", "decrypted"); !bytes.Equal(got, body) {
		t.Fatalf("copy out of SSE-C: %q", got)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("blk"), Key: aws.String("m"), UploadId: mpu.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(body),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	sbBlocked(t, "UploadPart SSE-C after the block", err, "s3:PutObject", "arn:aws:s3:::blk/m")
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("blk"), Key: aws.String("m"), UploadId: mpu.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("blk/plain"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	sbBlocked(t, "UploadPartCopy SSE-C after the block", err, "s3:PutObject", "arn:aws:s3:::blk/m")
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("blk"), Key: aws.String("m"), UploadId: mpu.UploadId}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	sbBlocked(t, "PutObject SSE-C after the block", putC("c2", k), "s3:PutObject", "arn:aws:s3:::blk/c2")

	// DeleteBucketEncryption restores S3's default, which blocks SSE-C.
	if err := putC("c3", k); err == nil {
		t.Fatal("SSE-C accepted while blocked")
	}
	allowSSEC(t, c, "blk")
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("blk")}); err != nil {
		t.Fatal(err)
	}
	sbBlocked(t, "PutObject SSE-C after DeleteBucketEncryption", putC("c4", k), "s3:PutObject", "arn:aws:s3:::blk/c4")
}
