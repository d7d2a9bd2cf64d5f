package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestDefaultObjectOwnership: a server configured with ObjectWriter gives
// it to buckets created without x-amz-object-ownership, so ACLs work in
// them; an explicit header still wins; the default server keeps S3's
// BucketOwnerEnforced and refuses the same ACL.
func TestDefaultObjectOwnership(t *testing.T) {
	t.Parallel()
	putPublic := func(c *s3.Client, bucket string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("v"), ACL: types.ObjectCannedACLPublicRead})
		return err
	}
	ownership := func(c *s3.Client, bucket string) types.ObjectOwnership {
		t.Helper()
		out, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
		if err != nil || out.OwnershipControls == nil || len(out.OwnershipControls.Rules) != 1 {
			t.Fatalf("GetBucketOwnershipControls(%s) = %+v, %v", bucket, out, err)
		}
		return out.OwnershipControls.Rules[0].ObjectOwnership
	}

	srv := testserver.Start(t, testserver.WithDefaultObjectOwnership("ObjectWriter"))
	c := srv.Client()
	mustCreateBucket(t, c, "writer")
	if got := ownership(c, "writer"); got != types.ObjectOwnershipObjectWriter {
		t.Fatalf("ownership of a new bucket = %q, want ObjectWriter", got)
	}
	if err := putPublic(c, "writer"); err != nil {
		t.Fatalf("PutObject with public-read under ObjectWriter: %v", err)
	}
	aclWant(t, "public-read object", aclObject(t, c, "writer", "k"), "owner:FULL_CONTROL", "AllUsers:READ")
	if got := anonGet(t, objURL(srv, "writer", "k")); got != 200 {
		t.Fatalf("anonymous GET of a public-read object = %d", got)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("explicit"), ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}); err != nil {
		t.Fatal(err)
	}
	if got := ownership(c, "explicit"); got != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("explicit header lost to the default: %q", got)
	}
	rqCode(t, putPublic(c, "explicit"), "AccessControlListNotSupported", 400)

	def := testserver.Start(t)
	dc := def.Client()
	mustCreateBucket(t, dc, "enforced")
	if got := ownership(dc, "enforced"); got != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("default server's ownership = %q", got)
	}
	rqCode(t, putPublic(dc, "enforced"), "AccessControlListNotSupported", 400)
}
