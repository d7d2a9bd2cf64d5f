package process

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestDefaultObjectOwnershipFlag: --default-object-ownership reaches new
// buckets, TALUS_DEFAULT_OBJECT_OWNERSHIP is refused when invalid, and so
// is an invalid flag value, before anything is written.
func TestDefaultObjectOwnershipFlag(t *testing.T) {
	mustRefuseStart(t, "--default-object-ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter", []struct{ env, args []string }{
		{nil, []string{"--default-object-ownership", "BucketOwnerFull"}},
		{[]string{"TALUS_DEFAULT_OBJECT_OWNERSHIP=objectwriter"}, nil},
	})

	p := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK, "--default-object-ownership", "BucketOwnerPreferred")
	ctx := context.Background()
	cl := testserver.NewClient(p.URL, procAK, procSK)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("preferred")}); err != nil {
		t.Fatal(err)
	}
	out, err := cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("preferred")})
	if err != nil || out.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerPreferred {
		t.Fatalf("ownership = %+v, %v", out, err)
	}
	p.Stop(t)
}
