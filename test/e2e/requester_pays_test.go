package e2e

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Requester Pays: another account's requests must accept the charge
// (x-amz-request-payer: requester) and are answered
// x-amz-request-charged; the owner's are free; anonymous ones are refused
// even where a policy makes the bucket public.
func TestRequesterPays(t *testing.T) {
	t.Parallel()
	srv, a, b, _ := threeAccounts(t)
	mustCreateBucket(t, b.Root, "rp-b")
	mustPut(t, b.Root, "rp-b", "doc", []byte("paid"))
	putBucketPolicy(t, b.Root, "rp-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket","s3:PutObject"],"Resource":["arn:aws:s3:::rp-b","arn:aws:s3:::rp-b/*"]}]}`)

	got, err := b.Root.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("rp-b")})
	if err != nil || got.Payer != types.PayerBucketOwner {
		t.Fatalf("default payer: %v %v", got, err)
	}
	if code := anonGet(t, srv.URL+"/rp-b/doc"); code != 200 {
		t.Fatalf("anonymous read of the public bucket before Requester Pays: %d", code)
	}
	if _, err := a.Root.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("rp-b"),
		RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}); apiCode(err) != "AccessDenied" {
		t.Fatalf("another account's PutBucketRequestPayment: %v", err)
	}
	mustCreateBucket(t, a.Root, "rp-a")
	raw := doRaw(t, rawReq{Method: "PUT", URL: srv.URL + "/rp-a?requestPayment", Body: []byte(`<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>`)})
	wantRaw(t, "an unknown payer", raw, 400, "MalformedXML")
	if _, err := b.Root.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("rp-b"),
		RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}); err != nil {
		t.Fatal(err)
	}
	got, err = b.Root.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("rp-b")})
	if err != nil || got.Payer != types.PayerRequester {
		t.Fatalf("payer after PutBucketRequestPayment: %v %v", got, err)
	}

	allowOrDeny(t, "another account without x-amz-request-payer", getErr(a.Root, "rp-b", "doc"), false)
	_, err = a.Root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("rp-b")})
	allowOrDeny(t, "another account's listing without the header", err, false)
	allowOrDeny(t, "another account's put without the header", putErr(a.Root, "rp-b", "new", ""), false)
	if code := anonGet(t, srv.URL+"/rp-b/doc"); code != 403 {
		t.Fatalf("anonymous read of a Requester Pays bucket: %d, want 403", code)
	}

	out, err := a.Root.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rp-b"), Key: aws.String("doc"), RequestPayer: types.RequestPayerRequester})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAllBody(t, out.Body); string(body) != "paid" || out.RequestCharged != types.RequestChargedRequester {
		t.Fatalf("paid GetObject: %q charged %q", body, out.RequestCharged)
	}
	lo, err := a.Root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("rp-b"), RequestPayer: types.RequestPayerRequester})
	if err != nil || len(lo.Contents) != 1 || lo.RequestCharged != types.RequestChargedRequester {
		t.Fatalf("paid listing: %v %v", lo, err)
	}
	po, err := a.Root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rp-b"), Key: aws.String("up"), Body: bytes.NewReader([]byte("x")), RequestPayer: types.RequestPayerRequester})
	if err != nil || po.RequestCharged != types.RequestChargedRequester {
		t.Fatalf("paid PutObject: %v %v", po, err)
	}

	// Copying out of a Requester Pays bucket needs the header too.
	_, err = a.Root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("rp-a"), Key: aws.String("copy"), CopySource: aws.String("rp-b/doc")})
	allowOrDeny(t, "copy from a Requester Pays source without the header", err, false)
	if _, err := a.Root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("rp-a"), Key: aws.String("copy"), CopySource: aws.String("rp-b/doc"),
		RequestPayer: types.RequestPayerRequester}); err != nil {
		t.Fatalf("paid copy: %v", err)
	}

	// The owner's requests are free and need no header.
	if body := mustGet(t, b.Root, "rp-b", "doc"); string(body) != "paid" {
		t.Fatalf("owner read %q", body)
	}

	if _, err := b.Root.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("rp-b"),
		RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerBucketOwner}}); err != nil {
		t.Fatal(err)
	}
	allowOrDeny(t, "another account once the owner pays again", getErr(a.Root, "rp-b", "doc"), true)
}
