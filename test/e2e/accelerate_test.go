package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func putAccelerate(c *s3.Client, bucket string, s types.BucketAccelerateStatus) error {
	_, err := c.PutBucketAccelerateConfiguration(ctx, &s3.PutBucketAccelerateConfigurationInput{Bucket: aws.String(bucket),
		AccelerateConfiguration: &types.AccelerateConfiguration{Status: s}})
	return err
}

// Transfer Acceleration is stored and validated as S3 does, and the
// bucket.s3-accelerate[.dualstack].DOMAIN endpoint serves a bucket only
// while its acceleration is Enabled.
func TestBucketAccelerate(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.WithDomain("s3.test"))
	c := srv.Client()
	accel, _ := vhostClient(srv, "s3-accelerate.s3.test")
	dual, _ := vhostClient(srv, "s3-accelerate.dualstack.s3.test")
	mustCreateBucket(t, c, "fast")
	mustCreateBucket(t, c, "dotted.name")
	mustPut(t, c, "fast", "doc", []byte("quick"))

	got, err := c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: aws.String("fast")})
	if err != nil || got.Status != "" {
		t.Fatalf("never configured: %+v %v", got, err)
	}
	_, err = accel.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("fast"), Key: aws.String("doc")})
	mustCode(t, err, "InvalidRequest")

	mustCode(t, putAccelerate(c, "dotted.name", types.BucketAccelerateStatusEnabled), "InvalidRequest")
	raw := doRaw(t, rawReq{Method: "PUT", URL: srv.URL + "/fast?accelerate", Body: []byte(`<AccelerateConfiguration><Status>Fast</Status></AccelerateConfiguration>`)})
	wantRaw(t, "an unknown status", raw, 400, "MalformedXML")

	if err := putAccelerate(c, "fast", types.BucketAccelerateStatusEnabled); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: aws.String("fast")})
	if err != nil || got.Status != types.BucketAccelerateStatusEnabled {
		t.Fatalf("after enabling: %+v %v", got, err)
	}
	for name, cl := range map[string]*s3.Client{"accelerate": accel, "dualstack": dual} {
		if body := mustGet(t, cl, "fast", "doc"); string(body) != "quick" {
			t.Fatalf("%s GET: %q", name, body)
		}
		mustPut(t, cl, "fast", "via-"+name, []byte(name))
		if body := mustGet(t, c, "fast", "via-"+name); string(body) != name {
			t.Fatalf("%s PUT seen on the plain endpoint: %q", name, body)
		}
	}
	_, err = accel.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustCode(t, err, "InvalidRequest")
	_, err = accel.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("newfast")})
	mustCode(t, err, "InvalidRequest")

	if err := putAccelerate(c, "fast", types.BucketAccelerateStatusSuspended); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: aws.String("fast")})
	if err != nil || got.Status != types.BucketAccelerateStatusSuspended {
		t.Fatalf("after suspending: %+v %v", got, err)
	}
	_, err = accel.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("fast"), Key: aws.String("doc")})
	mustCode(t, err, "InvalidRequest")
	if body := mustGet(t, c, "fast", "doc"); string(body) != "quick" {
		t.Fatalf("plain endpoint while suspended: %q", body)
	}
}
