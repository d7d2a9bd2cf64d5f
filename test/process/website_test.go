package process

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestWebsiteDomainFlag: --website-domain makes bucket.DOMAIN on the
// same listener the bucket's website, while the API keeps answering.
func TestWebsiteDomainFlag(t *testing.T) {
	p := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK, "--website-domain", "Web.Example.Test")
	ctx := context.Background()
	cl := testserver.NewClient(p.URL, procAK, procSK)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("home")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/*"}]}`
	if _, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("home"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("home"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("home"), Key: aws.String("index.html"), Body: strings.NewReader("hello web")}); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, p.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "home.web.example.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello web" {
		t.Fatalf("website GET: %d %q", resp.StatusCode, body)
	}
	p.Stop(t)
}
