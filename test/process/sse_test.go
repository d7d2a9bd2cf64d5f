package process

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestAllowSSECOverHTTPFlag: customer keys on plain HTTP are refused as
// in S3 unless the server runs with --allow-sse-c-over-http; the data of
// an SSE-C object survives a restart of the binary.
func TestAllowSSECOverHTTPFlag(t *testing.T) {
	ctx := context.Background()
	key := bytes.Repeat([]byte{7}, 32)
	sum := md5.Sum(key)
	k64, m64 := base64.StdEncoding.EncodeToString(key), base64.StdEncoding.EncodeToString(sum[:])
	put := func(cl *s3.Client) error {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"), Body: bytes.NewReader([]byte("secret data")),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k64), SSECustomerKeyMD5: aws.String(m64)})
		return err
	}
	dir := t.TempDir()
	p := testserver.StartProcess(t, talusBin, dir, procAK, procSK)
	cl := testserver.NewClient(p.URL, procAK, procSK)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ssec")}); err != nil {
		t.Fatal(err)
	}
	// New buckets block SSE-C writes, as in S3.
	if _, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("ssec"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{BlockedEncryptionTypes: &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := put(cl); err == nil {
		t.Fatal("SSE-C over plain HTTP accepted without the flag")
	}
	p.Stop(t)

	p = testserver.StartProcess(t, talusBin, dir, procAK, procSK, "--allow-sse-c-over-http")
	cl = testserver.NewClient(p.URL, procAK, procSK)
	if err := put(cl); err != nil {
		t.Fatalf("SSE-C with --allow-sse-c-over-http: %v", err)
	}
	p.Stop(t)

	p = testserver.StartProcess(t, talusBin, dir, procAK, procSK, "--allow-sse-c-over-http")
	cl = testserver.NewClient(p.URL, procAK, procSK)
	out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k64), SSECustomerKeyMD5: aws.String(m64)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "secret data" {
		t.Fatalf("after restart: %q", b)
	}
	p.Stop(t)
}
