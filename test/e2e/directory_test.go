package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func TestDirectoryScratch(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	name := "scratch--use1-az4--x-s3"
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		Location: &types.LocationInfo{Type: types.LocationTypeAvailabilityZone, Name: aws.String("use1-az4")},
		Bucket:   &types.BucketInfo{Type: types.BucketTypeDirectory, DataRedundancy: types.DataRedundancySingleAvailabilityZone},
	}}, func(o *s3.Options) { o.DisableS3ExpressSessionAuth = aws.Bool(true) })
	if err != nil {
		t.Fatal(err)
	}
	lb, err := c.ListDirectoryBuckets(ctx, &s3.ListDirectoryBucketsInput{}, func(o *s3.Options) { o.DisableS3ExpressSessionAuth = aws.Bool(true) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", lb.Buckets)
	mustPut(t, c, name, "a/b", []byte("hello"))
	t.Logf("%s", mustGet(t, c, name, "a/b"))
	_, err = c.RenameObject(ctx, &s3.RenameObjectInput{Bucket: aws.String(name), Key: aws.String("a/c"), RenameSource: aws.String(name + "/a/b")})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", mustGet(t, c, name, "a/c"))
}
