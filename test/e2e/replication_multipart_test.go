package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestReplicationMultipart: a version over the multipart threshold (40 MiB
// over 16 MiB here, 5 GiB by default) is copied with a multipart upload
// and reads back equal; a multipart version is copied with its own parts,
// so the replica keeps its ETag; both keep their version IDs.
func TestReplicationMultipart(t *testing.T) {
	srv := testserver.Start(t, testserver.WithReplicationMultipart(16<<20, 16<<20))
	c := srv.Client()
	mustVersioned(t, c, "src")
	mustVersioned(t, c, "dst")
	if err := putReplication(c, "src", v2Rule("all", 1, "", "arn:aws:s3:::dst", false)); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 40<<20)
	rand.Read(big)
	put := mustPut(t, c, "src", "big", big)
	vid := aws.ToString(put.VersionId)
	waitStatus(t, c, "src", "big", vid, types.ReplicationStatusCompleted)
	rep := waitStatus(t, c, "dst", "big", vid, types.ReplicationStatusReplica)
	if !strings.HasSuffix(aws.ToString(rep.ETag), `-3"`) || aws.ToInt64(rep.ContentLength) != int64(len(big)) {
		t.Fatalf("replica of a 40 MiB PUT: ETag %s, size %d; want a 3-part multipart ETag", aws.ToString(rep.ETag), aws.ToInt64(rep.ContentLength))
	}
	sameBody(t, c, "dst", "big", vid, big)

	// A multipart source: 5 MiB, 5 MiB and 1 MiB parts.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("src"), Key: aws.String("mp"), ContentType: aws.String("application/x-mp")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	var whole []byte
	for i, size := range []int{5 << 20, 5 << 20, 1 << 20} {
		b := make([]byte, size)
		rand.Read(b)
		whole = append(whole, b...)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("src"), Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("src"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	mvid := aws.ToString(done.VersionId)
	waitStatus(t, c, "src", "mp", mvid, types.ReplicationStatusCompleted)
	rep = waitStatus(t, c, "dst", "mp", mvid, types.ReplicationStatusReplica)
	if aws.ToString(rep.ETag) != aws.ToString(done.ETag) || aws.ToString(rep.ContentType) != "application/x-mp" {
		t.Fatalf("replica of a multipart version: ETag %s (source %s), type %q", aws.ToString(rep.ETag), aws.ToString(done.ETag), aws.ToString(rep.ContentType))
	}
	sameBody(t, c, "dst", "mp", mvid, whole)
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("dst")})
	if err != nil || len(vs.Versions) != 2 {
		t.Fatalf("destination versions: %+v, %v", vs, err)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("dst")})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("uploads left on the destination: %+v, %v", ups, err)
	}
}

func sameBody(t *testing.T, c *s3.Client, bucket, key, vid string, want []byte) {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil || n != int64(len(want)) || !bytes.Equal(h.Sum(nil), sha256Of(want)) {
		t.Fatalf("%s/%s: %d bytes read (%v), want %d equal bytes", bucket, key, n, err, len(want))
	}
}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
