package e2e

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/server"
	"talus/internal/space"
	"talus/internal/testserver"
)

// TestFreeSpaceThreshold drives the free-space check through an injected
// statfs (test/diskfull fills a real file system): below the threshold every
// operation that stores new data gets 507 InsufficientStorage, while reads,
// deletes and aborts go on; once space is back, writes work again.
func TestFreeSpaceThreshold(t *testing.T) {
	var free atomic.Uint64
	free.Store(10 << 30)
	srv := testserver.Start(t, func(c *server.Config) {
		c.MinFreeSpace = space.Threshold{Bytes: 1 << 30}
		c.Statfs = func(string) (space.Usage, error) { return space.Usage{Free: free.Load(), Total: 100 << 30}, nil }
	})
	c := srv.Client()
	mustCreateBucket(t, c, "space")
	mustPut(t, c, "space", "kept", []byte("kept"))
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("space"), Key: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}

	free.Store(512 << 20)
	full := func(what string, err error) {
		t.Helper()
		mustCode(t, err, "InsufficientStorage")
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != 507 {
			t.Fatalf("%s: %v, want status 507", what, err)
		}
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("space"), Key: aws.String("new"), Body: bytes.NewReader([]byte("x"))})
	full("PutObject", err)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("space"), Key: aws.String("copy"), CopySource: aws.String("space/kept")})
	full("CopyObject", err)
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("space"), Key: aws.String("mpu2")})
	full("CreateMultipartUpload", err)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("space"), Key: aws.String("mpu"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
	full("UploadPart", err)
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("space"), Key: aws.String("mpu"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("space/kept")})
	full("UploadPartCopy", err)
	mustNoKey(t, c, "space", "new")

	if got := mustGet(t, c, "space", "kept"); string(got) != "kept" {
		t.Fatalf("GET below the threshold: %q", got)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("space"), Key: aws.String("mpu"), UploadId: up.UploadId}); err != nil {
		t.Fatalf("AbortMultipartUpload below the threshold: %v", err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("space"), Key: aws.String("kept")}); err != nil {
		t.Fatalf("DeleteObject below the threshold: %v", err)
	}

	free.Store(2 << 30)
	mustPut(t, c, "space", "new", []byte("x"))
}
