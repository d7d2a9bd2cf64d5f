package process

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestDefaultEncryptionFlag: new objects are SSE-S3 unless the server runs
// with --default-encryption none; invalid values of the flag and of
// TALUS_DEFAULT_ENCRYPTION are refused before anything is written.
func TestDefaultEncryptionFlag(t *testing.T) {
	mustRefuseStart(t, "--default-encryption must be AES256 or none", []struct{ env, args []string }{
		{nil, []string{"--default-encryption", "aws:kms"}},
		{[]string{"TALUS_DEFAULT_ENCRYPTION=aes256"}, nil},
	})

	ctx := context.Background()
	for _, c := range []struct {
		flags []string
		want  types.ServerSideEncryption
	}{
		{nil, types.ServerSideEncryptionAes256},
		{[]string{"--default-encryption", "AES256"}, types.ServerSideEncryptionAes256},
		{[]string{"--default-encryption", "none"}, ""},
	} {
		p := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK, c.flags...)
		cl := testserver.NewClient(p.URL, procAK, procSK)
		if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("encbucket")}); err != nil {
			t.Fatal(err)
		}
		put, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("encbucket"), Key: aws.String("k"), Body: bytes.NewReader([]byte("x"))})
		if err != nil || put.ServerSideEncryption != c.want {
			t.Fatalf("%v: PutObject encryption %q (%v), want %q", c.flags, put.ServerSideEncryption, err, c.want)
		}
		p.Stop(t)
	}
}
