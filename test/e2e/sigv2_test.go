package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7/pkg/signer"

	"talus/internal/sigv2"
	"talus/internal/testserver"
)

// v2Req is one request signed with Signature Version 2.
type v2Req struct {
	Method string
	URL    string // already escaped
	Body   []byte
	Header map[string]string
	AK, SK string // default: the test server's root keys
	Bucket string // virtual-hosted bucket (sigv2.Options.Bucket)
	Date   time.Time
	Client *http.Client
}

func (r v2Req) build(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequest(r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if r.Body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	if r.AK == "" {
		r.AK, r.SK = testserver.AccessKey, testserver.SecretKey
	}
	if r.Date.IsZero() {
		r.Date = time.Now()
	}
	sigv2.Sign(req, r.AK, r.SK, r.Date, sigv2.Options{Bucket: r.Bucket})
	return req
}

func (r v2Req) do(t *testing.T) rawResp {
	t.Helper()
	req := r.build(t)
	if r.Client != nil {
		resp, err := r.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b.Bytes()}
	}
	return send(t, req)
}

// v2Keys lists a bucket with a V2-signed ListObjectsV2 call at base (path
// style "http://host/bucket" or virtual-hosted "http://bucket.domain").
func v2Keys(t *testing.T, r v2Req) []string {
	t.Helper()
	r.Method = http.MethodGet
	res := r.do(t)
	if res.Status != 200 {
		t.Fatalf("V2 list %s = %d %s", r.URL, res.Status, res.Body)
	}
	var out struct {
		Contents []struct{ Key string } `xml:"Contents"`
	}
	if err := xml.Unmarshal(res.Body, &out); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range out.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}

// v2Host returns an HTTP client that sends every request to srv whatever
// the host name, and the server's port.
func v2Host(srv *testserver.Server) (*http.Client, string) {
	hostport := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(hostport)
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, hostport)
	}}}, port
}

var v2TestKeys = []string{"plain.txt", "with space/and+plus", "unicodé/日本語 ü.bin", "a+b=c&d;e,f(g)'h'!.txt", "tilde~/x"}

func TestSigV2HeaderAuth(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	sdk := srv.Client()
	if res := (v2Req{Method: http.MethodPut, URL: srv.URL + "/sigv2"}).do(t); res.Status != 200 {
		t.Fatalf("V2 CreateBucket = %d %s", res.Status, res.Body)
	}
	for i, key := range v2TestKeys {
		body := []byte(strings.Repeat(key, i+1))
		res := v2Req{Method: http.MethodPut, URL: objURL(srv, "sigv2", key), Body: body,
			Header: map[string]string{"Content-Type": "text/plain", "x-amz-meta-color": "blue", "Content-Md5": md5B64(body)}}.do(t)
		if res.Status != 200 || res.Header.Get("ETag") != etagFor(body) {
			t.Fatalf("V2 PUT %q = %d %v %s", key, res.Status, res.Header, res.Body)
		}
		res = v2Req{Method: http.MethodGet, URL: objURL(srv, "sigv2", key)}.do(t)
		if res.Status != 200 || !bytes.Equal(res.Body, body) || res.Header.Get("x-amz-meta-color") != "blue" {
			t.Fatalf("V2 GET %q = %d %q", key, res.Status, res.Body)
		}
		if got := mustGet(t, sdk, "sigv2", key); !bytes.Equal(got, body) {
			t.Fatalf("SDK GET %q = %q", key, got)
		}
		res = v2Req{Method: http.MethodHead, URL: objURL(srv, "sigv2", key)}.do(t)
		if res.Status != 200 || res.Header.Get("Content-Type") != "text/plain" {
			t.Fatalf("V2 HEAD %q = %d %v", key, res.Status, res.Header)
		}
	}
	got := v2Keys(t, v2Req{URL: srv.URL + "/sigv2?list-type=2"})
	want := slices.Clone(v2TestKeys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("V2 list = %q, want %q", got, want)
	}
	// Unsigned query parameters (prefix) and signed sub-resources (tagging, acl).
	if got := v2Keys(t, v2Req{URL: srv.URL + "/sigv2?list-type=2&prefix=with%20space%2F"}); !slices.Equal(got, []string{"with space/and+plus"}) {
		t.Fatalf("V2 list with prefix = %q", got)
	}
	tagging := []byte(`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`)
	if res := (v2Req{Method: http.MethodPut, URL: objURL(srv, "sigv2", "plain.txt") + "?tagging", Body: tagging}).do(t); res.Status != 200 {
		t.Fatalf("V2 PutObjectTagging = %d %s", res.Status, res.Body)
	}
	if res := (v2Req{Method: http.MethodGet, URL: objURL(srv, "sigv2", "plain.txt") + "?tagging"}).do(t); res.Status != 200 || !strings.Contains(string(res.Body), "<Key>k</Key>") {
		t.Fatalf("V2 GetObjectTagging = %d %s", res.Status, res.Body)
	}
	if res := (v2Req{Method: http.MethodGet, URL: srv.URL + "/sigv2?acl"}).do(t); res.Status != 200 || !strings.Contains(string(res.Body), "FULL_CONTROL") {
		t.Fatalf("V2 GetBucketAcl = %d %s", res.Status, res.Body)
	}
	if res := (v2Req{Method: http.MethodGet, URL: objURL(srv, "sigv2", "plain.txt") + "?response-content-type=application%2Fx-test"}).do(t); res.Status != 200 || res.Header.Get("Content-Type") != "application/x-test" {
		t.Fatalf("V2 GET with response-content-type = %d %v", res.Status, res.Header)
	}
	// ListBuckets.
	if res := (v2Req{Method: http.MethodGet, URL: srv.URL + "/"}).do(t); res.Status != 200 || !strings.Contains(string(res.Body), "<Name>sigv2</Name>") {
		t.Fatalf("V2 ListBuckets = %d %s", res.Status, res.Body)
	}
	// x-amz-date instead of Date.
	if res := (v2Req{Method: http.MethodGet, URL: objURL(srv, "sigv2", "plain.txt"), Header: map[string]string{"x-amz-date": time.Now().UTC().Format(http.TimeFormat)}}).do(t); res.Status != 200 {
		t.Fatalf("V2 GET with x-amz-date = %d %s", res.Status, res.Body)
	}

	// Failures.
	u := objURL(srv, "sigv2", v2TestKeys[2])
	wantRaw(t, "wrong secret", v2Req{Method: http.MethodGet, URL: u, AK: testserver.AccessKey, SK: "wrong-secret"}.do(t), 403, "SignatureDoesNotMatch")
	wantRaw(t, "unknown key", v2Req{Method: http.MethodGet, URL: u, AK: "AKIANOSUCHKEY0000000", SK: "x"}.do(t), 403, "InvalidAccessKeyId")
	wantRaw(t, "skewed date", v2Req{Method: http.MethodGet, URL: u, Date: time.Now().Add(-20 * time.Minute)}.do(t), 403, "RequestTimeTooSkewed")
	// The PUT-with-bad-date cases of S3 conformance suites: old and far
	// future times are skewed; an empty x-amz-date (even beside a good
	// Date) or one before the epoch is no valid date at all.
	for date, code := range map[string]string{
		"Tue, 07 Jul 2010 21:53:04 GMT": "RequestTimeTooSkewed",
		"Tue, 07 Jul 9999 21:53:04 GMT": "RequestTimeTooSkewed",
		"Tue, 07 Jul 1950 21:53:04 GMT": "AccessDenied",
		"Bad Date":                      "AccessDenied",
		"":                              "AccessDenied",
	} {
		req := v2Req{Method: http.MethodPut, URL: objURL(srv, "sigv2", "dated"), Body: []byte("x"), Header: map[string]string{"x-amz-date": date}}.build(t)
		req.Header["X-Amz-Date"] = []string{date}
		res := send(t, req)
		wantRaw(t, "x-amz-date "+date, res, 403, code)
		if msg := rawMessage(res); code == "AccessDenied" && msg != "AWS authentication requires a valid Date or x-amz-date header" {
			t.Errorf("x-amz-date %q: message %q", date, msg)
		}
	}
	mustNoKey(t, sdk, "sigv2", "dated")
	req := v2Req{Method: http.MethodGet, URL: u}.build(t)
	req.URL.Path, req.URL.RawPath = "/sigv2/plain.txt", ""
	wantRaw(t, "signature for another key", send(t, req), 403, "SignatureDoesNotMatch")
	req = v2Req{Method: http.MethodPut, URL: objURL(srv, "sigv2", "plain.txt"), Body: []byte("x"), Header: map[string]string{"x-amz-meta-color": "blue"}}.build(t)
	req.Header.Set("x-amz-meta-color", "red")
	wantRaw(t, "tampered x-amz header", send(t, req), 403, "SignatureDoesNotMatch")
	req = v2Req{Method: http.MethodGet, URL: objURL(srv, "sigv2", "plain.txt") + "?acl"}.build(t)
	req.URL.RawQuery = "tagging"
	wantRaw(t, "signature for another sub-resource", send(t, req), 403, "SignatureDoesNotMatch")
	// A bad Content-MD5 is caught even though V2 does not sign the body.
	res := v2Req{Method: http.MethodPut, URL: objURL(srv, "sigv2", "md5"), Body: []byte("body"), Header: map[string]string{"Content-Md5": md5B64([]byte("other"))}}.do(t)
	wantRaw(t, "Content-MD5 mismatch", res, 400, "BadDigest")
	rqMissing(t, sdk, "sigv2", "md5")

	// Delete every key through V2.
	for _, key := range v2TestKeys {
		if res := (v2Req{Method: http.MethodDelete, URL: objURL(srv, "sigv2", key)}).do(t); res.Status != 204 {
			t.Fatalf("V2 DELETE %q = %d %s", key, res.Status, res.Body)
		}
		rqMissing(t, sdk, "sigv2", key)
	}
	if res := (v2Req{Method: http.MethodDelete, URL: srv.URL + "/sigv2"}).do(t); res.Status != 204 {
		t.Fatalf("V2 DeleteBucket = %d %s", res.Status, res.Body)
	}

	// minio-go's signer, path style.
	mustCreateBucket(t, sdk, "minio")
	mustPut(t, sdk, "minio", "dir/x y+z.txt", []byte("m"))
	mreq, _ := http.NewRequest(http.MethodGet, srv.URL+"/minio?list-type=2&prefix=dir%2F", nil)
	res = send(t, signer.SignV2(*mreq, testserver.AccessKey, testserver.SecretKey, false))
	if res.Status != 200 || !strings.Contains(string(res.Body), "<Key>dir/x y+z.txt</Key>") {
		t.Fatalf("minio SignV2 list = %d %s", res.Status, res.Body)
	}
	mreq, _ = http.NewRequest(http.MethodGet, objURL(srv, "minio", "dir/x y+z.txt"), nil)
	res = send(t, signer.SignV2(*mreq, testserver.AccessKey, testserver.SecretKey, false))
	if res.Status != 200 || string(res.Body) != "m" {
		t.Fatalf("minio SignV2 GET = %d %s", res.Status, res.Body)
	}
}

func TestSigV2Presigned(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	sdk := srv.Client()
	mustCreateBucket(t, sdk, "pre2")
	presign := func(method, u string, exp time.Time, ak, sk string) string {
		t.Helper()
		req, err := http.NewRequest(method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		sigv2.Presign(req, ak, sk, exp, sigv2.Options{})
		return req.URL.String()
	}
	root := func(method, u string, exp time.Time) string {
		return presign(method, u, exp, testserver.AccessKey, testserver.SecretKey)
	}
	for _, key := range v2TestKeys {
		body := []byte("presigned " + key)
		mustPut(t, sdk, "pre2", key, body)
		signed := root(http.MethodGet, objURL(srv, "pre2", key), time.Now().Add(time.Minute))
		if res := plainDo(t, http.MethodGet, signed, nil, nil); res.Status != 200 || !bytes.Equal(res.Body, body) {
			t.Fatalf("presigned V2 GET %q = %d %s", key, res.Status, res.Body)
		}
	}
	// Presigned PUT, and a presigned GET with a signed sub-resource.
	signed := root(http.MethodPut, objURL(srv, "pre2", "up load+1"), time.Now().Add(time.Minute))
	if res := plainDo(t, http.MethodPut, signed, nil, []byte("uploaded")); res.Status != 200 {
		t.Fatalf("presigned V2 PUT = %d %s", res.Status, res.Body)
	}
	if got := mustGet(t, sdk, "pre2", "up load+1"); string(got) != "uploaded" {
		t.Fatalf("presigned PUT stored %q", got)
	}
	signed = root(http.MethodGet, srv.URL+"/pre2?acl", time.Now().Add(time.Minute))
	if res := plainDo(t, http.MethodGet, signed, nil, nil); res.Status != 200 || !strings.Contains(string(res.Body), "AccessControlPolicy") {
		t.Fatalf("presigned V2 GetBucketAcl = %d %s", res.Status, res.Body)
	}
	u := objURL(srv, "pre2", "plain.txt")
	// Expired.
	res := plainDo(t, http.MethodGet, root(http.MethodGet, u, time.Now().Add(-time.Second)), nil, nil)
	wantRaw(t, "expired presign", res, 403, "AccessDenied")
	rqErr(t, rqResp(res), 403, "AccessDenied")
	// Wrong secret, unknown key, tampered.
	wantRaw(t, "presign wrong secret", plainDo(t, http.MethodGet, presign(http.MethodGet, u, time.Now().Add(time.Minute), testserver.AccessKey, "nope"), nil, nil), 403, "SignatureDoesNotMatch")
	wantRaw(t, "presign unknown key", plainDo(t, http.MethodGet, presign(http.MethodGet, u, time.Now().Add(time.Minute), "AKIANOSUCHKEY0000000", "x"), nil, nil), 403, "InvalidAccessKeyId")
	signed = root(http.MethodGet, u, time.Now().Add(time.Minute))
	wantRaw(t, "presign for another key", plainDo(t, http.MethodGet, strings.Replace(signed, "plain.txt", "tilde~/x", 1), nil, nil), 403, "SignatureDoesNotMatch")
	wantRaw(t, "presign used for DELETE", plainDo(t, http.MethodDelete, signed, nil, nil), 403, "SignatureDoesNotMatch")
	wantRaw(t, "presign with a longer expiry", plainDo(t, http.MethodGet, strings.Replace(signed, "Expires=", "Expires=9", 1), nil, nil), 403, "SignatureDoesNotMatch")
	// minio-go's PreSignV2.
	mreq, _ := http.NewRequest(http.MethodGet, objURL(srv, "pre2", "with space/and+plus"), nil)
	mres := plainDo(t, http.MethodGet, signer.PreSignV2(*mreq, testserver.AccessKey, testserver.SecretKey, 60, false).URL.String(), nil, nil)
	if mres.Status != 200 || string(mres.Body) != "presigned with space/and+plus" {
		t.Fatalf("minio PreSignV2 GET = %d %s", mres.Status, mres.Body)
	}
}

func TestSigV2VirtualHosted(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.WithDomain("s3.test"))
	sdk := srv.Client()
	mustCreateBucket(t, sdk, "vh2")
	hc, port := v2Host(srv)
	base := "http://vh2.s3.test:" + port
	for _, key := range v2TestKeys {
		body := []byte("vh " + key)
		res := v2Req{Method: http.MethodPut, URL: base + "/" + escapeKey(key), Body: body, Bucket: "vh2", Client: hc}.do(t)
		if res.Status != 200 {
			t.Fatalf("vhost V2 PUT %q = %d %s", key, res.Status, res.Body)
		}
		res = v2Req{Method: http.MethodGet, URL: base + "/" + escapeKey(key), Bucket: "vh2", Client: hc}.do(t)
		if res.Status != 200 || !bytes.Equal(res.Body, body) {
			t.Fatalf("vhost V2 GET %q = %d %s", key, res.Status, res.Body)
		}
		if got := mustGet(t, sdk, "vh2", key); !bytes.Equal(got, body) {
			t.Fatalf("path-style read of a vhost upload %q = %q", key, got)
		}
	}
	got := v2Keys(t, v2Req{URL: base + "/?list-type=2", Bucket: "vh2", Client: hc})
	if len(got) != len(v2TestKeys) {
		t.Fatalf("vhost V2 list = %q", got)
	}
	// Signed without the bucket in the resource: refused.
	res := v2Req{Method: http.MethodGet, URL: base + "/plain.txt", Client: hc}.do(t)
	wantRaw(t, "vhost signature without the bucket", res, 403, "SignatureDoesNotMatch")
	// minio-go's signer in virtual-host mode, header and query forms.
	mreq, _ := http.NewRequest(http.MethodGet, base+"/"+escapeKey("with space/and+plus"), nil)
	resp, err := hc.Do(signer.SignV2(*mreq, testserver.AccessKey, testserver.SecretKey, true))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("minio vhost SignV2 GET = %d", resp.StatusCode)
	}
	mreq, _ = http.NewRequest(http.MethodGet, base+"/"+escapeKey("unicodé/日本語 ü.bin"), nil)
	resp, err = hc.Get(signer.PreSignV2(*mreq, testserver.AccessKey, testserver.SecretKey, 60, true).URL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("minio vhost PreSignV2 GET = %d", resp.StatusCode)
	}
	// Our presigner with the bucket option.
	preq, _ := http.NewRequest(http.MethodGet, base+"/plain.txt", nil)
	sigv2.Presign(preq, testserver.AccessKey, testserver.SecretKey, time.Now().Add(time.Minute), sigv2.Options{Bucket: "vh2"})
	resp, err = hc.Get(preq.URL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("vhost V2 presigned GET = %d", resp.StatusCode)
	}
}

func TestSigV2Policies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	sdk := srv.Client()
	mustCreateBucket(t, sdk, "v2pol")
	mustPut(t, sdk, "v2pol", "allowed/a", []byte("a"))
	mustPut(t, sdk, "v2pol", "denied/d", []byte("d"))
	userSDK, ak, sk := newUser(t, srv, "legacy", condDoc(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::v2pol/allowed/*"}`))
	as := func(method, key string, body []byte) rawResp {
		return v2Req{Method: method, URL: objURL(srv, "v2pol", key), Body: body, AK: ak, SK: sk}.do(t)
	}
	if res := as(http.MethodGet, "allowed/a", nil); res.Status != 200 || string(res.Body) != "a" {
		t.Fatalf("user V2 GET allowed = %d %s", res.Status, res.Body)
	}
	if res := as(http.MethodPut, "allowed/new", []byte("n")); res.Status != 200 {
		t.Fatalf("user V2 PUT allowed = %d %s", res.Status, res.Body)
	}
	wantRaw(t, "user V2 GET outside the policy", as(http.MethodGet, "denied/d", nil), 403, "AccessDenied")
	wantRaw(t, "user V2 PUT outside the policy", as(http.MethodPut, "denied/new", []byte("n")), 403, "AccessDenied")
	wantRaw(t, "user V2 DELETE (not in the policy)", as(http.MethodDelete, "allowed/a", nil), 403, "AccessDenied")
	wantRaw(t, "user V2 list (not in the policy)", v2Req{Method: http.MethodGet, URL: srv.URL + "/v2pol", AK: ak, SK: sk}.do(t), 403, "AccessDenied")
	wantRaw(t, "user V2 ListBuckets", v2Req{Method: http.MethodGet, URL: srv.URL + "/", AK: ak, SK: sk}.do(t), 403, "AccessDenied")
	// Presigned by the user: the same policy.
	preq, _ := http.NewRequest(http.MethodGet, objURL(srv, "v2pol", "denied/d"), nil)
	sigv2.Presign(preq, ak, sk, time.Now().Add(time.Minute), sigv2.Options{})
	wantRaw(t, "user V2 presigned GET outside the policy", plainDo(t, http.MethodGet, preq.URL.String(), nil, nil), 403, "AccessDenied")
	preq, _ = http.NewRequest(http.MethodGet, objURL(srv, "v2pol", "allowed/a"), nil)
	sigv2.Presign(preq, ak, sk, time.Now().Add(time.Minute), sigv2.Options{})
	if res := plainDo(t, http.MethodGet, preq.URL.String(), nil, nil); res.Status != 200 {
		t.Fatalf("user V2 presigned GET allowed = %d %s", res.Status, res.Body)
	}

	// s3:signatureversion: deny Signature Version 2.
	setUserPolicy(t, srv, "legacy", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
		`{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:signatureversion":"AWS"}}}`))
	wantRaw(t, "V2 under a V2 deny", as(http.MethodGet, "allowed/a", nil), 403, "AccessDenied")
	condExpect(t, "V4 under a V2 deny", condGet(userSDK, "v2pol", "denied/d"), 200)
	// Allow only Signature Version 4.
	setUserPolicy(t, srv, "legacy", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:signatureversion":"AWS4-HMAC-SHA256"}}}`))
	wantRaw(t, "V2 when only V4 is allowed", as(http.MethodGet, "allowed/a", nil), 403, "AccessDenied")
	condExpect(t, "V4 when only V4 is allowed", condGet(userSDK, "v2pol", "allowed/a"), 200)
	// Allow only Signature Version 2.
	setUserPolicy(t, srv, "legacy", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:signatureversion":"AWS"}}}`))
	if res := as(http.MethodGet, "denied/d", nil); res.Status != 200 {
		t.Fatalf("V2 when only V2 is allowed = %d %s", res.Status, res.Body)
	}
	condExpect(t, "V4 when only V2 is allowed", condGet(userSDK, "v2pol", "allowed/a"), 403)
	// A bucket policy applies to V2 callers as well.
	setUserPolicy(t, srv, "legacy", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	setBucketPolicy(t, sdk, "v2pol", condDoc(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::v2pol/denied/*","Condition":{"StringEquals":{"s3:signatureversion":"AWS"}}}`))
	wantRaw(t, "V2 under a bucket policy V2 deny", as(http.MethodGet, "denied/d", nil), 403, "AccessDenied")
	condExpect(t, "V4 under a bucket policy V2 deny", condGet(userSDK, "v2pol", "denied/d"), 200)
	if res := as(http.MethodGet, "allowed/a", nil); res.Status != 200 {
		t.Fatalf("V2 outside the bucket policy deny = %d", res.Status)
	}
	// The bucket policy's Deny binds the root key too, V2 or V4.
	wantRaw(t, "root V2 under a bucket policy V2 deny", v2Req{Method: http.MethodGet, URL: objURL(srv, "v2pol", "denied/d")}.do(t), 403, "AccessDenied")
	condExpect(t, "root V4 under a bucket policy V2 deny", condGet(sdk, "v2pol", "denied/d"), 200)
}

// hmacV1 signs req the way botocore's HmacV1Auth and s3cmd do, over an
// explicit CanonicalizedResource: "METHOD\nContent-MD5\nContent-Type\nDate\n"
// + resource (no x-amz-* headers).
func hmacV1(req *http.Request, resource string) {
	date := time.Now().UTC().Format(http.TimeFormat)
	req.Header.Set("Date", date)
	sts := req.Method + "\n" + req.Header.Get("Content-Md5") + "\n" + req.Header.Get("Content-Type") + "\n" + date + "\n" + resource
	m := hmac.New(sha1.New, []byte(testserver.SecretKey))
	m.Write([]byte(sts))
	req.Header.Set("Authorization", "AWS "+testserver.AccessKey+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// Bucket operations in path style: botocore sends and signs "/bucket";
// s3cmd and boto2 send and sign "/bucket/"; the S3 documentation writes the
// bucket resource as "/bucket/" whatever the path. Every combination works.
func TestSigV2PathStyleBucketResource(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, tc := range []struct{ path, signed string }{
		{"/v2slash-a", "/v2slash-a/"},
		{"/v2slash-b/", "/v2slash-b"},
		{"/v2slash-c/", "/v2slash-c/"},
		{"/v2slash-d", "/v2slash-d"},
	} {
		do := func(method, query string, status int) {
			t.Helper()
			req, err := http.NewRequest(method, srv.URL+tc.path+query, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Body, req.ContentLength = http.NoBody, 0
			hmacV1(req, tc.signed+query)
			if res := send(t, req); res.Status != status {
				t.Fatalf("%s %s%s signed over %q = %d %s", method, tc.path, query, tc.signed, res.Status, res.Body)
			}
		}
		do(http.MethodPut, "", 200)          // CreateBucket
		do(http.MethodGet, "", 200)          // ListObjects
		do(http.MethodGet, "?location", 200) // GetBucketLocation (sub-resource)
		do(http.MethodHead, "", 200)         // HeadBucket
		do(http.MethodDelete, "", 204)       // DeleteBucket
	}
}
