package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

const (
	testAK     = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	testHost   = "s3.local:9000"
)

var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func lookup(ak string) (string, bool) {
	if ak == testAK {
		return testSecret, true
	}
	return "", false
}

func testVerifier() *Verifier {
	return &Verifier{Region: testRegion, Lookup: lookup, Now: func() time.Time { return testTime }}
}

// toServer sends a client request through the wire format and back, so the
// verifier sees exactly what a net/http server would hand it.
func toServer(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatalf("write request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	return sr
}

// clientRequest builds a request whose wire path is the AWS SDK's escaping of
// the object path (as the S3 client does) and whose query is sent verbatim.
func clientRequest(t testing.TB, method, path, rawQuery string, body []byte) *http.Request {
	t.Helper()
	raw := "http://" + testHost + httpbinding.EscapePath(path, false)
	if rawQuery != "" {
		raw += "?" + rawQuery
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, raw, rd)
	if err != nil {
		t.Fatalf("new request %q: %v", raw, err)
	}
	if req.URL.Path != path {
		t.Fatalf("test bug: path %q parsed as %q", path, req.URL.Path)
	}
	return req
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type signOpts struct {
	region, ak, secret string
	at                 time.Time
	payload            string // x-amz-content-sha256; "" = sha256 of body
}

func (o signOpts) fill(body []byte) signOpts {
	if o.region == "" {
		o.region = testRegion
	}
	if o.ak == "" {
		o.ak = testAK
	}
	if o.secret == "" {
		o.secret = testSecret
	}
	if o.at.IsZero() {
		o.at = testTime
	}
	if o.payload == "" {
		o.payload = sha256Hex(body)
	}
	return o
}

// sdkSign signs req in place with aws-sdk-go-v2 exactly as its S3 client
// does (payload hash header, no double escaping of the path).
func sdkSign(t testing.TB, req *http.Request, body []byte, o signOpts) {
	t.Helper()
	o = o.fill(body)
	req.Header.Set("X-Amz-Content-Sha256", o.payload)
	err := v4.NewSigner().SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: o.ak, SecretAccessKey: o.secret},
		req, o.payload, "s3", o.region, o.at,
		func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
}

// sdkPresign returns a presigned client request.
func sdkPresign(t testing.TB, req *http.Request, expires int, o signOpts) *http.Request {
	t.Helper()
	if o.payload == "" {
		o.payload = unsignedPayload
	}
	o = o.fill(nil)
	q := req.URL.Query()
	q.Set("X-Amz-Expires", itoa(expires))
	req.URL.RawQuery = q.Encode()
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: o.ak, SecretAccessKey: o.secret},
		req, o.payload, "s3", o.region, o.at,
		func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatalf("presign: %v", err)
	}
	out, err := http.NewRequest(req.Method, u, nil)
	if err != nil {
		t.Fatalf("presigned url %q: %v", u, err)
	}
	for k, v := range hdr {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	return out
}

func itoa(n int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

// refSign is an independent, minimal SigV4 header signer used for cases the
// SDK cannot produce (Date instead of X-Amz-Date, chosen signed headers).
// dateValue is the time string for the string to sign.
func refSign(r *http.Request, signed []string, payload, amzDate, scopeDate, secret, region string) string {
	q := r.URL.Query()
	var qs []string
	for k, vs := range q {
		for _, v := range vs {
			qs = append(qs, strings.ReplaceAll(url.QueryEscape(k), "+", "%20")+"="+strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	sort.Strings(qs)
	var ch strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
			if v == "" {
				v = r.URL.Host
			}
		}
		ch.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	path := r.URL.Path
	if path == "" {
		path = "/"
	}
	creq := strings.Join([]string{r.Method, httpbinding.EscapePath(path, false), strings.Join(qs, "&"),
		ch.String(), strings.Join(signed, ";"), payload}, "\n")
	scope := scopeDate + "/" + region + "/s3/aws4_request"
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(creq))
	mac := func(k []byte, s string) []byte { m := hmac.New(sha256.New, k); m.Write([]byte(s)); return m.Sum(nil) }
	key := mac(mac(mac(mac([]byte("AWS4"+secret), scopeDate), region), "s3"), "aws4_request")
	sig := hex.EncodeToString(mac(key, sts))
	return "AWS4-HMAC-SHA256 Credential=" + testAK + "/" + scope + ", SignedHeaders=" + strings.Join(signed, ";") + ", Signature=" + sig
}

// wantCode asserts err is an *Error with the given code.
func wantCode(t testing.TB, err error, code string) *Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error %s, got %v (%T)", code, err, err)
	}
	if e.Code != code {
		t.Fatalf("want %s, got %s (%s)", code, e.Code, e.Message)
	}
	if e.Status == 0 || e.Message == "" {
		t.Fatalf("incomplete error %+v", e)
	}
	if strings.Contains(e.Message, testSecret) {
		t.Fatalf("secret leaked in message %q", e.Message)
	}
	return e
}
