package e2e

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7/pkg/signer"

	"talus/internal/testserver"
)

// The rq* helpers send raw HTTP requests for what the SDK cannot express.

var rqSigner = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })

func rqHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// rqNew builds an unsigned request; body nil means no body.
func rqNew(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// rqSignRaw signs req as-is: it does not set x-amz-content-sha256.
func rqSignRaw(t *testing.T, req *http.Request, payloadHash, ak, sk, region string, at time.Time) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
	if err := rqSigner.SignHTTP(ctx, creds, req, payloadHash, "s3", region, at); err != nil {
		t.Fatal(err)
	}
}

// rqSign signs req with the test credentials and a signed payload hash of body.
func rqSign(t *testing.T, req *http.Request, body []byte) *http.Request {
	t.Helper()
	h := rqHash(body)
	req.Header.Set("X-Amz-Content-Sha256", h)
	rqSignRaw(t, req, h, testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now())
	return req
}

// rqSigned builds and signs a request.
func rqSigned(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	return rqSign(t, rqNew(t, method, url, body), body)
}

type rqResp struct {
	Status int
	Header http.Header
	Body   []byte
}

func rqDo(t *testing.T, req *http.Request) rqResp {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return rqResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// rqErrorDoc is S3's error document.
type rqErrorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// rqErr checks that res is S3's XML error with the given status and code,
// and that the body's ids match the response headers.
func rqErr(t *testing.T, res rqResp, status int, code string) rqErrorDoc {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", res.Status, status, res.Body)
	}
	var doc rqErrorDoc
	if err := xml.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("error body is not S3 XML (%v): %q", err, res.Body)
	}
	if doc.Code != code {
		t.Fatalf("Code = %q, want %q; body: %s", doc.Code, code, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type = %q, want application/xml", ct)
	}
	if doc.Message == "" {
		t.Errorf("empty Message in %s", res.Body)
	}
	if id := res.Header.Get("X-Amz-Request-Id"); id == "" || doc.RequestID != id {
		t.Errorf("RequestId = %q, header x-amz-request-id = %q", doc.RequestID, id)
	}
	if id := res.Header.Get("X-Amz-Id-2"); id == "" || doc.HostID != id {
		t.Errorf("HostId = %q, header x-amz-id-2 = %q", doc.HostID, id)
	}
	return doc
}

// rqStatus returns the HTTP status of an SDK error, or 0.
func rqStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// rqCode fails unless err is an S3 error with code and HTTP status.
func rqCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	mustCode(t, err, code)
	if got := rqStatus(err); got != status {
		t.Fatalf("%s: HTTP status = %d, want %d", code, got, status)
	}
}

// rqMissing fails unless bucket/key does not exist.
func rqMissing(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if rqStatus(err) != http.StatusNotFound {
		t.Fatalf("HeadObject(%s/%s) = %v, want 404", bucket, key, err)
	}
}

// rqEscape is S3's UriEncode of a path: every byte but A-Z a-z 0-9 - _ . ~ /
// as %XX, so the path on the wire is already canonical.
func rqEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func rqETag(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func rqCRC32(b []byte) string {
	var s [4]byte
	binary.BigEndian.PutUint32(s[:], crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(s[:])
}

func rqPattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// rqSHA256 adapts sha256 to the hasher minio's streaming signer wants.
type rqSHA256 struct{ hash.Hash }

func (rqSHA256) Close() {}

// rqMaterialize reads a signer-built streaming body into memory so the
// request can be inspected, altered and sent with an exact length.
func rqMaterialize(t *testing.T, req *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != req.ContentLength {
		t.Fatalf("streaming body is %d bytes, Content-Length %d", len(b), req.ContentLength)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = nil
	return b
}

// rqStreamingSigned builds a STREAMING-AWS4-HMAC-SHA256-PAYLOAD PUT
// (…-PAYLOAD-TRAILER when trailer is set) with minio-go's signer.
func rqStreamingSigned(t *testing.T, url string, data []byte, trailer http.Header) (*http.Request, []byte) {
	t.Helper()
	req := rqNew(t, http.MethodPut, url, nil)
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.Trailer = trailer
	req = signer.StreamingSignV4(req, testserver.AccessKey, testserver.SecretKey, "", testserver.Region,
		int64(len(data)), time.Now().UTC(), rqSHA256{sha256.New()})
	return req, rqMaterialize(t, req)
}

// rqStreamingUnsignedTrailer builds a STREAMING-UNSIGNED-PAYLOAD-TRAILER PUT.
func rqStreamingUnsignedTrailer(t *testing.T, url string, data []byte, trailer http.Header) (*http.Request, []byte) {
	t.Helper()
	req := rqNew(t, http.MethodPut, url, data)
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	req = signer.SignV4Trailer(*req, testserver.AccessKey, testserver.SecretKey, "", testserver.Region, trailer)
	return req, rqMaterialize(t, req)
}

func TestAuthAnonymousDenied(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "anon")
	mustPut(t, c, "anon", "k", []byte("secret"))

	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/"},
		{http.MethodGet, "/anon"},
		{http.MethodGet, "/anon/k"},
		{http.MethodPut, "/anon/new"},
		{http.MethodDelete, "/anon/k"},
		{http.MethodPut, "/anon2"},
	} {
		res := rqDo(t, rqNew(t, tc.method, srv.URL+tc.path, []byte{}))
		rqErr(t, res, http.StatusForbidden, "AccessDenied")
	}
	// HEAD: same status, no body.
	res := rqDo(t, rqNew(t, http.MethodHead, srv.URL+"/anon/k", nil))
	if res.Status != http.StatusForbidden || len(res.Body) != 0 {
		t.Fatalf("anonymous HEAD = %d %q, want 403 and no body", res.Status, res.Body)
	}

	anon := testserver.NewClient(srv.URL, "", "", func(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} })
	_, err := anon.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("anon")})
	rqCode(t, err, "AccessDenied", http.StatusForbidden)

	// Nothing changed.
	if got := mustGet(t, c, "anon", "k"); string(got) != "secret" {
		t.Fatalf("object changed: %q", got)
	}
	rqMissing(t, c, "anon", "new")
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("anon2")}); err == nil {
		t.Fatal("anonymous CreateBucket created a bucket")
	}
}

func TestAuthInvalidAccessKey(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "keys")
	bad := testserver.NewClient(srv.URL, "AKIANOSUCHKEY0000000", testserver.SecretKey)
	_, err := bad.ListBuckets(ctx, &s3.ListBucketsInput{})
	rqCode(t, err, "InvalidAccessKeyId", http.StatusForbidden)
	_, err = bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String("k"), Body: strings.NewReader("x")})
	rqCode(t, err, "InvalidAccessKeyId", http.StatusForbidden)
	rqMissing(t, srv.Client(), "keys", "k")

	req := rqNew(t, http.MethodGet, srv.URL+"/keys", nil)
	req.Header.Set("X-Amz-Content-Sha256", rqHash(nil))
	rqSignRaw(t, req, rqHash(nil), "AKIANOSUCHKEY0000000", testserver.SecretKey, testserver.Region, time.Now())
	rqErr(t, rqDo(t, req), http.StatusForbidden, "InvalidAccessKeyId")
}

func TestAuthWrongSecret(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "secret")
	bad := testserver.NewClient(srv.URL, testserver.AccessKey, "not-the-secret")
	_, err := bad.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("secret")})
	rqCode(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
	_, err = bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secret"), Key: aws.String("k"), Body: strings.NewReader("x")})
	rqCode(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
	rqMissing(t, srv.Client(), "secret", "k")
	_, err = bad.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("secret")})
	rqCode(t, err, "SignatureDoesNotMatch", http.StatusForbidden)
	if _, err := srv.Client().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("secret")}); err != nil {
		t.Fatalf("bucket gone after a badly signed delete: %v", err)
	}
}

func TestAuthTampered(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "tamper")
	body := []byte("payload")

	t.Run("signed header changed", func(t *testing.T) {
		req := rqNew(t, http.MethodPut, srv.URL+"/tamper/h", body)
		req.Header.Set("X-Amz-Meta-Color", "blue")
		rqSign(t, req, body)
		req.Header.Set("X-Amz-Meta-Color", "red")
		rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
		rqMissing(t, c, "tamper", "h")
	})
	t.Run("unsigned x-amz header added", func(t *testing.T) {
		req := rqSigned(t, http.MethodPut, srv.URL+"/tamper/u", body)
		req.Header.Set("X-Amz-Meta-Extra", "sneaky")
		rqErr(t, rqDo(t, req), http.StatusForbidden, "AccessDenied")
		rqMissing(t, c, "tamper", "u")
	})
	t.Run("path changed", func(t *testing.T) {
		req := rqSigned(t, http.MethodPut, srv.URL+"/tamper/p1", body)
		req.URL.Path = "/tamper/p2"
		rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
		rqMissing(t, c, "tamper", "p1")
		rqMissing(t, c, "tamper", "p2")
	})
	t.Run("query added", func(t *testing.T) {
		req := rqSigned(t, http.MethodGet, srv.URL+"/tamper?list-type=2", nil)
		req.URL.RawQuery += "&prefix=x"
		rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("method changed", func(t *testing.T) {
		mustPut(t, c, "tamper", "m", body)
		req := rqSigned(t, http.MethodGet, srv.URL+"/tamper/m", nil)
		req.Method = http.MethodDelete
		rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
		if got := mustGet(t, c, "tamper", "m"); !bytes.Equal(got, body) {
			t.Fatalf("object changed: %q", got)
		}
	})
	t.Run("body changed", func(t *testing.T) {
		req := rqNew(t, http.MethodPut, srv.URL+"/tamper/b", []byte("PAYLOAD"))
		req.Header.Set("X-Amz-Content-Sha256", rqHash(body))
		rqSignRaw(t, req, rqHash(body), testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now())
		rqErr(t, rqDo(t, req), http.StatusBadRequest, "XAmzContentSHA256Mismatch")
		rqMissing(t, c, "tamper", "b")
	})
}

func TestAuthClockSkew(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "skew")
	for _, tc := range []struct {
		off  time.Duration
		want int
	}{
		{-20 * time.Minute, http.StatusForbidden},
		{20 * time.Minute, http.StatusForbidden},
		{-24 * time.Hour, http.StatusForbidden},
		{-10 * time.Minute, http.StatusOK},
		{10 * time.Minute, http.StatusOK},
	} {
		req := rqNew(t, http.MethodGet, srv.URL+"/skew", nil)
		req.Header.Set("X-Amz-Content-Sha256", rqHash(nil))
		rqSignRaw(t, req, rqHash(nil), testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now().Add(tc.off))
		res := rqDo(t, req)
		if tc.want == http.StatusOK {
			if res.Status != http.StatusOK {
				t.Fatalf("offset %v: status %d, want 200: %s", tc.off, res.Status, res.Body)
			}
			continue
		}
		rqErr(t, res, tc.want, "RequestTimeTooSkewed")
	}
}

func TestAuthBadDate(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "date")
	for _, d := range []string{"garbage", "2024-01-01T00:00:00Z", ""} {
		req := rqSigned(t, http.MethodGet, srv.URL+"/date", nil)
		if d == "" {
			req.Header.Del("X-Amz-Date")
		} else {
			req.Header.Set("X-Amz-Date", d)
		}
		rqErr(t, rqDo(t, req), http.StatusForbidden, "AccessDenied")
	}
}

func TestAuthWrongRegion(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "region")
	req := rqNew(t, http.MethodGet, srv.URL+"/region", nil)
	req.Header.Set("X-Amz-Content-Sha256", rqHash(nil))
	rqSignRaw(t, req, rqHash(nil), testserver.AccessKey, testserver.SecretKey, "eu-west-1", time.Now())
	doc := rqErr(t, rqDo(t, req), http.StatusBadRequest, "AuthorizationHeaderMalformed")
	if !strings.Contains(doc.Message, "us-east-1") {
		t.Errorf("message does not name the expected region: %q", doc.Message)
	}

	c := srv.Client(func(o *s3.Options) { o.Region = "eu-west-1" })
	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("region")})
	rqCode(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest)
}

func TestAuthMissingContentSHA256(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "sha")
	req := rqNew(t, http.MethodGet, srv.URL+"/sha", nil)
	rqSignRaw(t, req, rqHash(nil), testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now())
	if req.Header.Get("X-Amz-Content-Sha256") != "" {
		t.Fatal("signer set x-amz-content-sha256")
	}
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "InvalidRequest")

	body := []byte("x")
	req = rqNew(t, http.MethodPut, srv.URL+"/sha/k", body)
	rqSignRaw(t, req, rqHash(body), testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now())
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "InvalidRequest")
	rqMissing(t, srv.Client(), "sha", "k")

	// A value that is neither a hash nor a known mode.
	req = rqNew(t, http.MethodGet, srv.URL+"/sha", nil)
	req.Header.Set("X-Amz-Content-Sha256", "not-a-hash")
	rqSignRaw(t, req, "not-a-hash", testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now())
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "InvalidArgument")
}

func TestAuthGarbageAuthorization(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "garbage")
	date := time.Now().UTC().Format("20060102T150405Z")
	day := date[:8]
	cred := testserver.AccessKey + "/" + day + "/us-east-1/s3/aws4_request"
	sig := strings.Repeat("0", 64)
	cases := []struct {
		authz string
		code  string // "" = any S3 auth error with status 400 or 403
	}{
		{"garbage", "InvalidArgument"},
		{"Bearer abc.def", "InvalidArgument"},
		{"AWS4-HMAC-SHA256", "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 garbage", "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 Credential=" + cred, "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host", "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 Credential=" + testserver.AccessKey + "/2001/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 Credential=" + testserver.AccessKey + "/" + day + "/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=" + sig, "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;x-amz-date, Signature=" + sig, "SignatureDoesNotMatch"},
		{"AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=, Signature=" + sig, ""},
		{"AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;host, Signature=" + sig, ""},
		{"AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host, Signature=zz", ""},
		{"AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host, Signature=" + sig + ", Signature=" + sig, "AuthorizationHeaderMalformed"},
		{"AWS4-HMAC-SHA256 Credential=\xff\xfe/" + day + "/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig, ""},
		{"AWS4-HMAC-SHA256 Credential=" + strings.Repeat("A/", 2000) + ", SignedHeaders=host, Signature=" + sig, ""},
		{"AWS4-ECDSA-P256-SHA256 Credential=" + cred + ", SignedHeaders=host, Signature=" + sig, ""},
	}
	// Two Authorization headers, or a header and a presigned query.
	req := rqSigned(t, http.MethodGet, srv.URL+"/garbage", nil)
	req.Header.Add("Authorization", req.Header.Get("Authorization"))
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "InvalidArgument")
	req = rqSigned(t, http.MethodGet, srv.URL+"/garbage?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature="+sig, nil)
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "InvalidArgument")

	for _, tc := range cases {
		req := rqNew(t, http.MethodGet, srv.URL+"/garbage", nil)
		req.Header.Set("X-Amz-Date", date)
		req.Header.Set("X-Amz-Content-Sha256", rqHash(nil))
		req.Header.Set("Authorization", tc.authz)
		res := rqDo(t, req)
		if tc.code != "" {
			rqErr(t, res, map[bool]int{true: 403, false: 400}[tc.code == "SignatureDoesNotMatch"], tc.code)
			continue
		}
		if res.Status != 400 && res.Status != 403 && res.Status != 501 {
			t.Fatalf("Authorization %.60q: status %d, want 400/403: %s", tc.authz, res.Status, res.Body)
		}
		var doc rqErrorDoc
		if err := xml.Unmarshal(res.Body, &doc); err != nil || doc.Code == "" || doc.Code == "InternalError" {
			t.Fatalf("Authorization %.60q: body %s", tc.authz, res.Body)
		}
	}
}

func TestAuthUnsignedPayloadPut(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "unsigned")
	for _, size := range []int{0, 5, 40 << 10} {
		body := rqPattern(size)
		req := rqNew(t, http.MethodPut, srv.URL+"/unsigned/k", body)
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		rqSignRaw(t, req, "UNSIGNED-PAYLOAD", testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now())
		res := rqDo(t, req)
		if res.Status != http.StatusOK {
			t.Fatalf("size %d: status %d: %s", size, res.Status, res.Body)
		}
		if got := res.Header.Get("ETag"); got != rqETag(body) {
			t.Fatalf("size %d: ETag %s, want %s", size, got, rqETag(body))
		}
		if got := mustGet(t, c, "unsigned", "k"); !bytes.Equal(got, body) {
			t.Fatalf("size %d: got %d bytes back", size, len(got))
		}
	}
	// UNSIGNED-PAYLOAD must still be covered by the signature.
	req := rqNew(t, http.MethodPut, srv.URL+"/unsigned/k2", []byte("x"))
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	rqSignRaw(t, req, rqHash([]byte("x")), testserver.AccessKey, testserver.SecretKey, testserver.Region, time.Now())
	rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
	rqMissing(t, c, "unsigned", "k2")
}

func TestAuthStreamingSigned(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "stream")
	for _, size := range []int{1, 1000, 64 << 10, 64<<10 + 1, 200<<10 + 7} {
		data := rqPattern(size)
		req, wire := rqStreamingSigned(t, srv.URL+"/stream/obj", data, nil)
		if !bytes.Contains(wire, []byte(";chunk-signature=")) {
			t.Fatal("not a signed chunked body")
		}
		if req.Header.Get("X-Amz-Content-Sha256") != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" {
			t.Fatalf("x-amz-content-sha256 = %q", req.Header.Get("X-Amz-Content-Sha256"))
		}
		res := rqDo(t, req)
		if res.Status != http.StatusOK {
			t.Fatalf("size %d: status %d: %s", size, res.Status, res.Body)
		}
		if got := res.Header.Get("ETag"); got != rqETag(data) {
			t.Fatalf("size %d: ETag %s, want %s", size, got, rqETag(data))
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("stream"), Key: aws.String("obj")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, data) {
			t.Fatalf("size %d: got %d bytes back, content differs", size, len(got))
		}
		if aws.ToInt64(out.ContentLength) != int64(size) {
			t.Fatalf("size %d: Content-Length %d", size, aws.ToInt64(out.ContentLength))
		}
		if ce := aws.ToString(out.ContentEncoding); strings.Contains(ce, "aws-chunked") {
			t.Fatalf("aws-chunked stored as Content-Encoding: %q", ce)
		}
	}
}

func TestAuthStreamingSignedCorrupt(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "corrupt")
	old := []byte("old contents")
	mustPut(t, c, "corrupt", "existing", old)
	data := rqPattern(150 << 10) // three data chunks

	const marker = ";chunk-signature="
	nthSig := func(wire []byte, n int) int {
		off := 0
		for i := 0; i <= n; i++ {
			j := bytes.Index(wire[off:], []byte(marker))
			if j < 0 {
				t.Fatalf("no chunk signature %d", n)
			}
			off += j + len(marker)
		}
		return off
	}
	flip := func(b *byte) {
		if *b == '0' {
			*b = '1'
		} else {
			*b = '0'
		}
	}
	cases := []struct {
		name   string
		mutate func(wire []byte)
	}{
		{"first chunk signature", func(w []byte) { flip(&w[nthSig(w, 0)+5]) }},
		{"second chunk signature", func(w []byte) { flip(&w[nthSig(w, 1)]) }},
		{"final chunk signature", func(w []byte) { flip(&w[nthSig(w, 3)+63]) }},
		{"data byte in second chunk", func(w []byte) { w[nthSig(w, 1)+64+2+100] ^= 0x01 }},
	}
	for _, tc := range cases {
		for _, key := range []string{"fresh", "existing"} {
			req, wire := rqStreamingSigned(t, srv.URL+"/corrupt/"+key, data, nil)
			tc.mutate(wire)
			rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
			if key == "fresh" {
				rqMissing(t, c, "corrupt", key)
			} else if got := mustGet(t, c, "corrupt", key); !bytes.Equal(got, old) {
				t.Fatalf("%s: existing object changed to %d bytes", tc.name, len(got))
			}
		}
	}
}

func TestAuthStreamingSignedTruncated(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "trunc")
	data := rqPattern(100 << 10)
	for _, cut := range []int{
		-3,             // into the final zero-length chunk's header line
		-86,            // the whole final zero-length chunk
		-(86 + 1000),   // part of the last data chunk
		-(86 + 36<<10), // most of the last data chunk
	} {
		req, wire := rqStreamingSigned(t, srv.URL+"/trunc/k", data, nil)
		n := len(wire) + cut
		req.Body = io.NopCloser(bytes.NewReader(wire[:n]))
		req.ContentLength = int64(n)
		res := rqDo(t, req)
		if res.Status != http.StatusBadRequest && res.Status != http.StatusForbidden {
			t.Fatalf("cut %d: status %d: %s", cut, res.Status, res.Body)
		}
		var doc rqErrorDoc
		if err := xml.Unmarshal(res.Body, &doc); err != nil || doc.Code != "IncompleteBody" && doc.Code != "SignatureDoesNotMatch" && doc.Code != "InvalidRequest" {
			t.Fatalf("cut %d: %s", cut, res.Body)
		}
		rqMissing(t, c, "trunc", "k")
	}
}

func TestAuthStreamingSignedTrailer(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "strailer")
	data := rqPattern(100<<10 + 3)

	req, _ := rqStreamingSigned(t, srv.URL+"/strailer/ok", data, http.Header{"x-amz-checksum-crc32": {rqCRC32(data)}})
	if req.Header.Get("X-Amz-Content-Sha256") != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" {
		t.Fatalf("x-amz-content-sha256 = %q", req.Header.Get("X-Amz-Content-Sha256"))
	}
	res := rqDo(t, req)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if got := res.Header.Get("X-Amz-Checksum-Crc32"); got != rqCRC32(data) {
		t.Fatalf("x-amz-checksum-crc32 = %q, want %q", got, rqCRC32(data))
	}
	if got := mustGet(t, c, "strailer", "ok"); !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}

	req, _ = rqStreamingSigned(t, srv.URL+"/strailer/bad", data, http.Header{"x-amz-checksum-crc32": {rqCRC32([]byte("other"))}})
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "BadDigest")
	rqMissing(t, c, "strailer", "bad")
}

func TestAuthStreamingUnsignedTrailer(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "utrailer")
	for _, size := range []int{1, 64 << 10, 130<<10 + 9} {
		data := rqPattern(size)
		req, wire := rqStreamingUnsignedTrailer(t, srv.URL+"/utrailer/ok", data, http.Header{"x-amz-checksum-crc32": {rqCRC32(data)}})
		if bytes.Contains(wire, []byte("chunk-signature")) || !bytes.Contains(wire, []byte("x-amz-checksum-crc32:")) {
			t.Fatalf("unexpected wire format: %q", wire[:min(len(wire), 80)])
		}
		res := rqDo(t, req)
		if res.Status != http.StatusOK {
			t.Fatalf("size %d: status %d: %s", size, res.Status, res.Body)
		}
		if got := res.Header.Get("X-Amz-Checksum-Crc32"); got != rqCRC32(data) {
			t.Fatalf("x-amz-checksum-crc32 = %q, want %q", got, rqCRC32(data))
		}
		if got := res.Header.Get("ETag"); got != rqETag(data) {
			t.Fatalf("ETag %s, want %s", got, rqETag(data))
		}
		if got := mustGet(t, c, "utrailer", "ok"); !bytes.Equal(got, data) {
			t.Fatalf("size %d: content differs", size)
		}
	}

	// Wrong checksum: BadDigest, nothing stored, an existing object untouched.
	data := rqPattern(70 << 10)
	for _, key := range []string{"bad", "ok"} {
		before := mustGet(t, c, "utrailer", "ok")
		req, _ := rqStreamingUnsignedTrailer(t, srv.URL+"/utrailer/"+key, data, http.Header{"x-amz-checksum-crc32": {rqCRC32([]byte("nope"))}})
		rqErr(t, rqDo(t, req), http.StatusBadRequest, "BadDigest")
		if key == "bad" {
			rqMissing(t, c, "utrailer", key)
		} else if got := mustGet(t, c, "utrailer", key); !bytes.Equal(got, before) {
			t.Fatal("existing object changed by a failed upload")
		}
	}

	// The data is unsigned but the headers are not: tampering is caught.
	req, _ := rqStreamingUnsignedTrailer(t, srv.URL+"/utrailer/tamper", data, http.Header{"x-amz-checksum-crc32": {rqCRC32(data)}})
	req.Header.Set("X-Amz-Decoded-Content-Length", "1")
	rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
	rqMissing(t, c, "utrailer", "tamper")
}
