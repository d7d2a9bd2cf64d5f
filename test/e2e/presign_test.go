package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

// presignRaw presigns method u with X-Amz-Expires=expires, as of signTime.
func presignRaw(t *testing.T, method, u, expires string, signTime time.Time) string {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	q.Set("X-Amz-Expires", expires)
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
	signed, _, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		PresignHTTP(context.Background(), creds, req, unsignedPayload, "s3", testserver.Region, signTime)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// plainDo sends an unsigned request with plain net/http.
func plainDo(t *testing.T, method, u string, hdr http.Header, body []byte) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	return send(t, req)
}

func TestPresignedURLs(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "pre")
	pc := s3.NewPresignClient(c)
	key := "dir/presigned file+name ü.txt"
	body := randBytes(5, 40<<10)

	// PUT through a presigned URL, with plain net/http.
	put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pre"), Key: aws.String(key), ContentType: aws.String("text/plain")},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if put.Method != http.MethodPut || !strings.Contains(put.URL, "X-Amz-Signature=") {
		t.Fatalf("presigned PUT: %s %s", put.Method, put.URL)
	}
	r := plainDo(t, put.Method, put.URL, put.SignedHeader, body)
	wantRaw(t, "presigned PUT", r, 200, "")
	if r.Header.Get("ETag") != etagFor(body) {
		t.Errorf("presigned PUT ETag %q", r.Header.Get("ETag"))
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("pre"), Key: aws.String(key)})
	if err != nil || aws.ToString(h.ContentType) != "text/plain" {
		t.Fatalf("after presigned PUT: %q %v", aws.ToString(h.ContentType), err)
	}
	// The Content-Type is signed: another one is refused.
	hdr := put.SignedHeader.Clone()
	hdr.Set("Content-Type", "image/png")
	r = plainDo(t, put.Method, put.URL, hdr, []byte("other"))
	wantRaw(t, "presigned PUT with another Content-Type", r, 403, "SignatureDoesNotMatch")

	// GET through a presigned URL, with a response override.
	get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String(key),
		ResponseContentDisposition: aws.String(`attachment; filename="dl.txt"`)})
	if err != nil {
		t.Fatal(err)
	}
	r = plainDo(t, get.Method, get.URL, get.SignedHeader, nil)
	wantRaw(t, "presigned GET", r, 200, "")
	if !bytes.Equal(r.Body, body) || r.Header.Get("Content-Disposition") != `attachment; filename="dl.txt"` {
		t.Fatalf("presigned GET: %d bytes, Content-Disposition %q", len(r.Body), r.Header.Get("Content-Disposition"))
	}
	// With a Range header (unsigned headers other than x-amz-* are allowed).
	r = plainDo(t, get.Method, get.URL, http.Header{"Range": {"bytes=0-9"}}, nil)
	if r.Status != 206 || !bytes.Equal(r.Body, body[:10]) {
		t.Errorf("presigned GET with Range: %d, %d bytes", r.Status, len(r.Body))
	}
	// HEAD through a presigned URL.
	head, err := pc.PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("pre"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	r = plainDo(t, head.Method, head.URL, head.SignedHeader, nil)
	if r.Status != 200 || r.Header.Get("ETag") != etagFor(body) {
		t.Errorf("presigned HEAD: %d", r.Status)
	}
	// The signature binds the method and the key.
	r = plainDo(t, http.MethodDelete, get.URL, nil, nil)
	wantRaw(t, "presigned GET URL used for DELETE", r, 403, "SignatureDoesNotMatch")
	other := strings.Replace(get.URL, "/pre/dir/", "/pre/dir2/", 1)
	r = plainDo(t, http.MethodGet, other, nil, nil)
	wantRaw(t, "presigned URL for another key", r, 403, "SignatureDoesNotMatch")

	// A tampered signature.
	u, _ := url.Parse(get.URL)
	q := u.Query()
	sig := []byte(q.Get("X-Amz-Signature"))
	if sig[0] == '0' {
		sig[0] = '1'
	} else {
		sig[0] = '0'
	}
	q.Set("X-Amz-Signature", string(sig))
	u.RawQuery = q.Encode()
	r = plainDo(t, http.MethodGet, u.String(), nil, nil)
	wantRaw(t, "tampered signature", r, 403, "SignatureDoesNotMatch")
	// A tampered expiry.
	q = must(url.ParseQuery(must(url.Parse(get.URL)).RawQuery))
	q.Set("X-Amz-Expires", "3601")
	u.RawQuery = q.Encode()
	r = plainDo(t, http.MethodGet, u.String(), nil, nil)
	wantRaw(t, "tampered expiry", r, 403, "SignatureDoesNotMatch")
	// A tampered response override.
	q = must(url.ParseQuery(must(url.Parse(get.URL)).RawQuery))
	q.Set("response-content-disposition", "inline")
	u.RawQuery = q.Encode()
	r = plainDo(t, http.MethodGet, u.String(), nil, nil)
	wantRaw(t, "tampered override", r, 403, "SignatureDoesNotMatch")

	// DELETE through a presigned URL.
	del, err := pc.PresignDeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("pre"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	r = plainDo(t, del.Method, del.URL, del.SignedHeader, nil)
	wantRaw(t, "presigned DELETE", r, 204, "")
	mustNoKey(t, c, "pre", key)
	r = plainDo(t, get.Method, get.URL, get.SignedHeader, nil)
	wantRaw(t, "presigned GET of a deleted key", r, 404, "NoSuchKey")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPresignedExpiry(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "exp")
	mustPut(t, c, "exp", "k", []byte("v"))
	u := objURL(srv, "exp", "k")
	now := time.Now()

	r := plainDo(t, http.MethodGet, presignRaw(t, http.MethodGet, u, "60", now), nil, nil)
	if r.Status != 200 || string(r.Body) != "v" {
		t.Fatalf("fresh presigned GET: %d %s", r.Status, r.Body)
	}
	// Signed two hours ago, valid for one minute.
	r = plainDo(t, http.MethodGet, presignRaw(t, http.MethodGet, u, "60", now.Add(-2*time.Hour)), nil, nil)
	wantRaw(t, "expired presigned GET", r, 403, "AccessDenied")
	// Signed 6 days ago, valid for a week: still fine.
	r = plainDo(t, http.MethodGet, presignRaw(t, http.MethodGet, u, "604800", now.Add(-6*24*time.Hour)), nil, nil)
	wantRaw(t, "week-long presigned GET", r, 200, "")
	// More than a week is refused outright.
	r = plainDo(t, http.MethodGet, presignRaw(t, http.MethodGet, u, "604801", now), nil, nil)
	wantRaw(t, "X-Amz-Expires > 604800", r, 400, "AuthorizationQueryParametersError")
	for _, bad := range []string{"-1", "soon"} { // S3: "must be non-negative", "should be a number"
		r = plainDo(t, http.MethodGet, presignRaw(t, http.MethodGet, u, bad, now), nil, nil)
		wantRaw(t, "X-Amz-Expires="+bad, r, 400, "AuthorizationQueryParametersError")
	}
	// An expired presigned PUT stores nothing.
	r = plainDo(t, http.MethodPut, presignRaw(t, http.MethodPut, objURL(srv, "exp", "new"), "60", now.Add(-time.Hour)), nil, []byte("x"))
	wantRaw(t, "expired presigned PUT", r, 403, "AccessDenied")
	mustNoKey(t, c, "exp", "new")
	// Through the SDK's presigner, with an expiry already past.
	pc := s3.NewPresignClient(c, func(o *s3.PresignOptions) { o.Expires = time.Second })
	get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("exp"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	r = plainDo(t, get.Method, get.URL, get.SignedHeader, nil)
	wantRaw(t, "SDK presigned GET", r, 200, "")
	time.Sleep(2100 * time.Millisecond)
	r = plainDo(t, get.Method, get.URL, get.SignedHeader, nil)
	wantRaw(t, "SDK presigned GET after expiry", r, 403, "AccessDenied")
}
