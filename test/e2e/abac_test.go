package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func setTeam(t *testing.T, c *s3.Client, bucket, team string) {
	t.Helper()
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String(team)}}}}); err != nil {
		t.Fatal(err)
	}
}

func setAbac(t *testing.T, c *s3.Client, bucket string, s types.BucketAbacStatus) {
	t.Helper()
	if _, err := c.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: aws.String(bucket), AbacStatus: &types.AbacStatus{Status: s}}); err != nil {
		t.Fatal(err)
	}
}

// With ABAC enabled, a bucket's tags are aws:ResourceTag/KEY in identity
// and bucket policies; disabled, policies see no such keys.
func TestBucketAbac(t *testing.T) {
	t.Parallel()
	_, a, b, _ := threeAccounts(t)
	mustCreateBucket(t, a.Root, "abac-a")
	mustPut(t, a.Root, "abac-a", "doc", []byte("tagged"))
	got, err := a.Root.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String("abac-a")})
	if err != nil || got.AbacStatus == nil || got.AbacStatus.Status != types.BucketAbacStatusDisabled {
		t.Fatalf("default ABAC status: %+v %v", got, err)
	}
	blue := a.user(t, "blue", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}`))
	setTeam(t, a.Root, "abac-a", "blue")
	allowOrDeny(t, "tag matches but ABAC is disabled", getErr(blue, "abac-a", "doc"), false)

	setAbac(t, a.Root, "abac-a", types.BucketAbacStatusEnabled)
	got, err = a.Root.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String("abac-a")})
	if err != nil || got.AbacStatus.Status != types.BucketAbacStatusEnabled {
		t.Fatalf("ABAC status after enabling: %+v %v", got, err)
	}
	allowOrDeny(t, "identity policy on a matching tag", getErr(blue, "abac-a", "doc"), true)
	setTeam(t, a.Root, "abac-a", "red")
	allowOrDeny(t, "identity policy once the tag changed", getErr(blue, "abac-a", "doc"), false)

	// A bucket policy denying by tag binds another account granted by it.
	putBucketPolicy(t, a.Root, "abac-a", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"`+b.ID+`"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::abac-a","arn:aws:s3:::abac-a/*"]},
		{"Effect":"Deny","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::abac-a","arn:aws:s3:::abac-a/*"],"Condition":{"StringEquals":{"aws:ResourceTag/frozen":"yes"}}}]}`)
	allowOrDeny(t, "another account granted by the bucket policy", getErr(b.Root, "abac-a", "doc"), true)
	if _, err := a.Root.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("abac-a"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("frozen"), Value: aws.String("yes")}}}}); err != nil {
		t.Fatal(err)
	}
	allowOrDeny(t, "object read on a frozen bucket", getErr(b.Root, "abac-a", "doc"), false)
	_, err = b.Root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("abac-a")})
	allowOrDeny(t, "listing a frozen bucket", err, false)

	setAbac(t, a.Root, "abac-a", types.BucketAbacStatusDisabled)
	allowOrDeny(t, "the frozen tag once ABAC is disabled", getErr(b.Root, "abac-a", "doc"), true)

	raw := doRaw(t, rawReq{Method: "PUT", URL: a.srv.URL + "/abac-a?abac", Body: []byte(`<AbacStatus><Status>On</Status></AbacStatus>`)})
	wantRaw(t, "an unknown ABAC status", raw, 400, "MalformedXML")
	if _, err := b.Root.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: aws.String("abac-a")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("another account's GetBucketAbac: %v", err)
	}
}
