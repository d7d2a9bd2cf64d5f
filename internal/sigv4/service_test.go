package sigv4

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Services other than S3 sign the escaped path encoded once more (the SDK
// signer's default); an Iceberg REST path carries an escaped ARN.
func TestVerifyOtherServiceEscapedPath(t *testing.T) {
	v := &Verifier{Region: testRegion, Service: "s3tables", Lookup: lookup, Now: testVerifier().Now}
	for _, path := range []string{
		"/iceberg/v1/config",
		"/iceberg/v1/arn%3Aaws%3As3tables%3Aus-east-1%3A000000000000%3Abucket%2Faws-s3/namespaces",
		"/iceberg/v1/p/namespaces/b_x%1Fy/tables/t%20u",
	} {
		req, err := http.NewRequest("GET", "http://"+testHost+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		payload := sha256Hex(nil)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSecret},
			req, payload, "s3tables", testRegion, testTime); err != nil {
			t.Fatal(err)
		}
		sr := toServer(t, req)
		sr.Header.Set("X-Amz-Content-Sha256", payload)
		if _, err := v.Verify(sr); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		// The path is signed: another one does not verify.
		sr.URL.RawPath, sr.URL.Path = "", "/iceberg/v1/other"
		if _, err := v.Verify(sr); err == nil {
			t.Errorf("%s: a changed path verified", path)
		}
	}
}

// Directory bucket requests are signed for s3express, with the path
// encoded once as for s3; a verifier takes them only when s3express is
// among its AlsoServices, and says which service signed.
func TestVerifyAlsoServicesExpress(t *testing.T) {
	base := testVerifier()
	req, err := http.NewRequest("GET", "http://"+testHost+"/b--use1-az4--x-s3/a%20b/c%2Bd", nil)
	if err != nil {
		t.Fatal(err)
	}
	payload := sha256Hex(nil)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSecret},
		req, payload, "s3express", testRegion, testTime); err != nil {
		t.Fatal(err)
	}
	sr := toServer(t, req)
	sr.Header.Set("X-Amz-Content-Sha256", payload)
	plain := &Verifier{Region: testRegion, Lookup: lookup, Now: base.Now}
	if _, err := plain.Verify(sr); err == nil {
		t.Fatal("an s3-only verifier took an s3express signature")
	}
	both := &Verifier{Region: testRegion, Lookup: lookup, Now: base.Now, AlsoServices: []string{"s3express"}}
	a, err := both.Verify(sr)
	if err != nil {
		t.Fatalf("s3express signature refused: %v", err)
	}
	if a.Service != "s3express" {
		t.Errorf("Auth.Service = %q, want s3express", a.Service)
	}
	if _, err := (&Verifier{Region: testRegion, Lookup: lookup, Now: base.Now, AlsoServices: []string{"s3express"}, Service: "iam"}).Verify(sr); err != nil {
		t.Errorf("s3express among AlsoServices of an iam verifier: %v", err)
	}
}
