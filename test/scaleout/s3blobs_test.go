package scaleout

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/meta/postgres/pgtest"
	"talus/internal/testserver"
)

// Two gateways keep their blobs in a bucket of another S3 server (here a
// Talus): an object written through one, larger than the multipart part
// size of the blob store, reads back whole and by range through the other,
// and its bytes are in the remote bucket under the prefix.
func TestGatewaysOnS3BlobTier(t *testing.T) {
	remote := testserver.Start(t)
	rc := remote.Client()
	if _, err := rc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("blobs")}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TALUS_BLOBS_ACCESS_KEY", testserver.AccessKey)
	t.Setenv("TALUS_BLOBS_SECRET_KEY", testserver.SecretKey)
	flags := []string{"--meta", pgtest.Start(t), "--blobs", "s3:" + remote.URL + "/blobs/gw", "--console-address", "off"}
	key := make([]byte, 32)
	rand.Read(key)
	var gws []*testserver.Process
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
		if err := os.WriteFile(filepath.Join(dir, "keys", "master.key"), key, 0o600); err != nil {
			t.Fatal(err)
		}
		gws = append(gws, testserver.StartProcess(t, bin, dir, testserver.AccessKey, testserver.SecretKey, flags...))
	}
	c0 := testserver.NewClient(gws[0].URL, testserver.AccessKey, testserver.SecretKey)
	c1 := testserver.NewClient(gws[1].URL, testserver.AccessKey, testserver.SecretKey)
	if _, err := c0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 9<<20+123)
	rand.Read(body)
	if _, err := c0.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("big"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, c1, "data", "big", ""); !bytes.Equal(got, body) {
		t.Fatalf("gateway 1 reads %d bytes, want %d", len(got), len(body))
	}
	out, err := c1.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("big"), Range: aws.String("bytes=8388600-8388700")})
	if err != nil {
		t.Fatal(err)
	}
	var part bytes.Buffer
	part.ReadFrom(out.Body)
	out.Body.Close()
	if !bytes.Equal(part.Bytes(), body[8388600:8388701]) {
		t.Fatal("ranged read across the remote multipart boundary differs")
	}
	list, err := rc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("blobs")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range list.Contents {
		if strings.HasPrefix(aws.ToString(o.Key), "gw/") && aws.ToInt64(o.Size) >= int64(len(body)) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no blob of the object under gw/ in the remote bucket (%d objects)", len(list.Contents))
	}
}
