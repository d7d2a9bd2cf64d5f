// Package e2e drives a real Talus server over HTTP with real S3 clients.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"talus/internal/testserver"
)

var ctx = context.Background()

// apiCode returns the S3 error code of err, or "" if it has none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// mustCode fails the test unless err carries the S3 error code want.
func mustCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := apiCode(err); got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}

func mustCreateBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
}

func mustPut(t *testing.T, c *s3.Client, bucket, key string, body []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject(%s/%s): %v", bucket, key, err)
	}
	return out
}

func mustGet(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject(%s/%s): %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBasicRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "basic")
	for _, size := range []int{0, 1, 32 << 10, 32<<10 + 1, 3 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		key := "k/" + strings.Repeat("a", size%7)
		mustPut(t, c, "basic", key, body)
		if got := mustGet(t, c, "basic", key); !bytes.Equal(got, body) {
			t.Fatalf("size %d: got %d bytes back", size, len(got))
		}
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("basic"), Key: aws.String("missing")})
	mustCode(t, err, "NoSuchKey")
}

// TestMain shares one PostgreSQL server among the package's tests when
// they run on it (TALUS_TEST_META=postgres).
func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }
