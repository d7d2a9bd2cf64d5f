package e2e

import (
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func rename(c *s3.Client, bucket, from, to string, edit ...func(*s3.RenameObjectInput)) error {
	in := &s3.RenameObjectInput{Bucket: aws.String(bucket), Key: aws.String(to), RenameSource: aws.String(bucket + "/" + url.PathEscape(from))}
	for _, e := range edit {
		e(in)
	}
	_, err := c.RenameObject(ctx, in)
	return err
}

func TestRenameObject(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	b := "ren--use1-az4--x-s3"
	mustCreateDirectoryBucket(t, c, b, "use1-az4")
	src := mustPut(t, c, b, "dir/src", []byte("payload"))
	dst := mustPut(t, c, b, "dir/dst", []byte("old"))
	past := time.Now().Add(-time.Hour)
	future := time.Now().Add(time.Hour)

	// Conditions on the destination and on the source: 412, nothing moves.
	for name, edit := range map[string]func(*s3.RenameObjectInput){
		"If-Match":                   func(in *s3.RenameObjectInput) { in.DestinationIfMatch = aws.String(`"0000"`) },
		"If-None-Match *":            func(in *s3.RenameObjectInput) { in.DestinationIfNoneMatch = aws.String("*") },
		"If-Modified-Since":          func(in *s3.RenameObjectInput) { in.DestinationIfModifiedSince = aws.Time(future) },
		"If-Unmodified-Since":        func(in *s3.RenameObjectInput) { in.DestinationIfUnmodifiedSince = aws.Time(past) },
		"source If-Match":            func(in *s3.RenameObjectInput) { in.SourceIfMatch = aws.String(`"0000"`) },
		"source If-None-Match":       func(in *s3.RenameObjectInput) { in.SourceIfNoneMatch = src.ETag },
		"source If-Modified-Since":   func(in *s3.RenameObjectInput) { in.SourceIfModifiedSince = aws.Time(future) },
		"source If-Unmodified-Since": func(in *s3.RenameObjectInput) { in.SourceIfUnmodifiedSince = aws.Time(past) },
	} {
		t.Run(name, func(t *testing.T) {
			mustCode(t, rename(c, b, "dir/src", "dir/dst", edit), "PreconditionFailed")
		})
	}
	if got := mustGet(t, c, b, "dir/dst"); string(got) != "old" {
		t.Fatalf("a failed rename changed the destination: %q", got)
	}
	// Passing conditions and a client token: the object moves.
	ok := func(in *s3.RenameObjectInput) {
		in.DestinationIfMatch, in.SourceIfMatch = dst.ETag, src.ETag
		in.SourceIfUnmodifiedSince = aws.Time(future)
		in.ClientToken = aws.String("token-1")
	}
	if err := rename(c, b, "dir/src", "dir/dst", ok); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if got := mustGet(t, c, b, "dir/dst"); string(got) != "payload" {
		t.Fatalf("destination = %q", got)
	}
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("dir/src")})
	mustCode(t, err, "NotFound")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("dir/dst")})
	if err != nil || aws.ToString(head.ETag) != aws.ToString(src.ETag) {
		t.Fatalf("renamed object's ETag %v, want the source's %s (%v)", head.ETag, aws.ToString(src.ETag), err)
	}
	// The same request with the same token answers success again; the
	// token with other parameters is IdempotencyParameterMismatch.
	if err := rename(c, b, "dir/src", "dir/dst", ok); err != nil {
		t.Fatalf("retry with the same token: %v", err)
	}
	mustPut(t, c, b, "dir/third", []byte("3"))
	mustCode(t, rename(c, b, "dir/third", "dir/dst", func(in *s3.RenameObjectInput) { in.ClientToken = aws.String("token-1") }), "IdempotencyParameterMismatch")
	// Without the token the retry finds no source.
	mustCode(t, rename(c, b, "dir/src", "dir/dst"), "NoSuchKey")
	// Only within one bucket.
	other := "ren2--use1-az4--x-s3"
	mustCreateDirectoryBucket(t, c, other, "use1-az4")
	_, err = c.RenameObject(ctx, &s3.RenameObjectInput{Bucket: aws.String(b), Key: aws.String("x"), RenameSource: aws.String(other + "/dir/third")})
	mustCode(t, err, "InvalidRequest")
	_, err = c.RenameObject(ctx, &s3.RenameObjectInput{Bucket: aws.String(b), Key: aws.String("x"), RenameSource: aws.String("no-slash")})
	mustCode(t, err, "InvalidArgument")
	// A renamed key lists under its new name only.
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("dir/")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	if len(keys) != 2 || keys[0] != "dir/dst" || keys[1] != "dir/third" {
		t.Fatalf("listing after renames: %v", keys)
	}
}

// TestRenameObjectGeneralPurpose: a Talus extension on buckets that never
// had versioning; versioned and suspended buckets answer 501.
func TestRenameObjectGeneralPurpose(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "plain")
	mustPut(t, c, "plain", "a b", []byte("x"))
	if err := rename(c, "plain", "a b", "c/d"); err != nil {
		t.Fatalf("rename in a general purpose bucket: %v", err)
	}
	if got := mustGet(t, c, "plain", "c/d"); string(got) != "x" {
		t.Fatalf("renamed object = %q", got)
	}
	for _, state := range []types.BucketVersioningStatus{types.BucketVersioningStatusEnabled, types.BucketVersioningStatusSuspended} {
		name := map[types.BucketVersioningStatus]string{types.BucketVersioningStatusEnabled: "versioned", types.BucketVersioningStatusSuspended: "suspended"}[state]
		mustCreateBucket(t, c, name)
		mustPut(t, c, name, "a", []byte("x"))
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &types.VersioningConfiguration{Status: state}}); err != nil {
			t.Fatal(err)
		}
		mustCode(t, rename(c, name, "a", "b"), "NotImplemented")
	}
	mustCode(t, rename(c, "plain", "missing", "b"), "NoSuchKey")
	mustCode(t, rename(c, "nobucket", "a", "b"), "NoSuchBucket")
}
