package e2e

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// corsError is S3's error document with the elements CORS errors add.
type corsError struct {
	Code         string `xml:"Code"`
	Message      string `xml:"Message"`
	Method       string `xml:"Method"`
	ResourceType string `xml:"ResourceType"`
	BucketName   string `xml:"BucketName"`
}

func parseCORSError(t *testing.T, body []byte) corsError {
	t.Helper()
	var e corsError
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an S3 error document (%v): %s", err, body)
	}
	return e
}

const corsNotAllowed = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."

func TestCORSConfigurationRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "corsrt")

	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("corsrt")})
	rqCode(t, err, "NoSuchCORSConfiguration", http.StatusNotFound)
	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/corsrt?cors", nil))
	if e := parseCORSError(t, res.Body); e.Message != "The CORS configuration does not exist" || e.BucketName != "corsrt" {
		t.Fatalf("GetBucketCors without a configuration: %+v", e)
	}

	rules := []types.CORSRule{
		{ID: aws.String("writers"), AllowedOrigins: []string{"http://www.example1.com"}, AllowedMethods: []string{"PUT", "POST", "DELETE"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag", "x-amz-request-id"}, MaxAgeSeconds: aws.Int32(3000)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("corsrt"), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("corsrt")})
	if err != nil {
		t.Fatalf("GetBucketCors: %v", err)
	}
	if len(got.CORSRules) != 2 {
		t.Fatalf("rules = %+v", got.CORSRules)
	}
	r := got.CORSRules[0]
	if aws.ToString(r.ID) != "writers" || strings.Join(r.AllowedMethods, ",") != "PUT,POST,DELETE" || strings.Join(r.AllowedOrigins, ",") != "http://www.example1.com" ||
		strings.Join(r.AllowedHeaders, ",") != "*" || strings.Join(r.ExposeHeaders, ",") != "ETag,x-amz-request-id" || aws.ToInt32(r.MaxAgeSeconds) != 3000 {
		t.Errorf("rule 0 = %+v", r)
	}
	if r := got.CORSRules[1]; r.ID != nil || r.MaxAgeSeconds != nil || len(r.AllowedHeaders) != 0 || strings.Join(r.AllowedOrigins, ",") != "*" {
		t.Errorf("rule 1 = %+v", r)
	}

	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("corsrt")}); err != nil {
		t.Fatalf("DeleteBucketCors: %v", err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("corsrt")})
	rqCode(t, err, "NoSuchCORSConfiguration", http.StatusNotFound)
	// Deleting what is not there still succeeds.
	if res := rqDo(t, rqSigned(t, http.MethodDelete, srv.URL+"/corsrt?cors", nil)); res.Status != http.StatusNoContent {
		t.Fatalf("second DeleteBucketCors: %d %s", res.Status, res.Body)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("nocorsbucket")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)

	// Only principals allowed s3:PutBucketCORS may change it.
	anon := testserver.NewClient(srv.URL, "", "", func(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} })
	_, err = anon.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("corsrt"), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	rqCode(t, err, "AccessDenied", http.StatusForbidden)
}

// putCORS sends a raw PutBucketCors with a Content-MD5.
func putCORS(t *testing.T, srv *testserver.Server, bucket, body string) rqResp {
	t.Helper()
	req := rqNew(t, http.MethodPut, srv.URL+"/"+bucket+"?cors", []byte(body))
	req.Header.Set("Content-MD5", md5B64([]byte(body)))
	return rqDo(t, rqSign(t, req, []byte(body)))
}

func TestCORSConfigurationValidation(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "corsval")

	rule := func(inner string) string { return "<CORSRule>" + inner + "</CORSRule>" }
	doc := func(rules ...string) string {
		return `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(rules, "") + "</CORSConfiguration>"
	}
	ok := rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>")
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = ok
	}
	tests := []struct {
		name, body, code, msg string
	}{
		{"not xml", "<CORSConfiguration><CORSRule>", "MalformedXML", ""},
		{"wrong root", "<Cors>" + ok + "</Cors>", "MalformedXML", ""},
		{"no rules", doc(), "MalformedXML", ""},
		{"101 rules", doc(append(hundred, ok)...), "MalformedXML", ""},
		{"no origin", doc(rule("<AllowedMethod>GET</AllowedMethod>")), "MalformedXML", ""},
		{"no method", doc(rule("<AllowedOrigin>*</AllowedOrigin>")), "MalformedXML", ""},
		{"max age not a number", doc(rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds>")), "MalformedXML", ""},
		{"long id", doc(rule("<ID>" + strings.Repeat("i", 256) + "</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>")), "MalformedXML", ""},
		{"OPTIONS method", doc(rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>OPTIONS</AllowedMethod>")),
			"InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS"},
		{"two origin wildcards", doc(rule("<AllowedOrigin>http://*.*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>")),
			"InvalidRequest", `AllowedOrigin "http://*.*.example.com" can not have more than one wildcard.`},
		{"two header wildcards", doc(rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-*-*</AllowedHeader>")),
			"InvalidRequest", `AllowedHeader "x-*-*" can not have more than one wildcard.`},
		{"expose wildcard", doc(rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>x-amz-*</ExposeHeader>")),
			"InvalidRequest", `ExposeHeader "x-amz-*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := putCORS(t, srv, "corsval", tc.body)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d, body %s", res.Status, res.Body)
			}
			e := parseCORSError(t, res.Body)
			if e.Code != tc.code || (tc.msg != "" && e.Message != tc.msg) {
				t.Fatalf("got %s %q, want %s %q", e.Code, e.Message, tc.code, tc.msg)
			}
		})
	}
	// One hundred rules are fine.
	if res := putCORS(t, srv, "corsval", doc(hundred...)); res.Status != http.StatusOK {
		t.Fatalf("100 rules: %d %s", res.Status, res.Body)
	}
	// Without Content-MD5 or a checksum the body has no integrity check.
	body := []byte(doc(ok))
	res := rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/corsval?cors", body))
	if e := parseCORSError(t, res.Body); res.Status != http.StatusBadRequest || e.Code != "InvalidRequest" || e.Message != "Missing required header for this request: Content-Md5." {
		t.Fatalf("no Content-MD5: %d %+v", res.Status, e)
	}
	// A refused configuration leaves the stored one alone.
	got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("corsval")})
	if err != nil || len(got.CORSRules) != 100 {
		t.Fatalf("stored configuration: %v %d", err, len(got.CORSRules))
	}
}

// preflight sends an unsigned OPTIONS request with the given headers.
func preflight(t *testing.T, url string, hdr map[string]string) rqResp {
	t.Helper()
	req := rqNew(t, http.MethodOptions, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return rqDo(t, req)
}

func TestCORSPreflight(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "pre")
	mustCreateBucket(t, c, "precfg")
	rules := []types.CORSRule{
		{AllowedOrigins: []string{"http://www.example1.com"}, AllowedMethods: []string{"PUT", "POST", "DELETE"}, AllowedHeaders: []string{"*"}},
		{AllowedOrigins: []string{"http://www.example2.com"}, AllowedMethods: []string{"GET"}},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
		{AllowedOrigins: []string{"http://www.corstest*.com", "http://*.sample.com"}, AllowedMethods: []string{"GET", "HEAD", "PUT", "POST", "DELETE"},
			AllowedHeaders: []string{"x-amz-*", "Content-*"}, MaxAgeSeconds: aws.Int32(3000),
			ExposeHeaders: []string{"x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2"}},
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("precfg"), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}}); err != nil {
		t.Fatal(err)
	}
	const vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
	type want struct {
		status                  int
		code, msg, method, rtyp string
		headers                 map[string]string // "" means absent
	}
	corsOff := "CORSResponse: CORS is not enabled for this bucket."
	tests := []struct {
		name string
		path string
		hdr  map[string]string
		want want
	}{
		{"no headers", "/precfg/k", nil, want{status: 400, code: "BadRequest", msg: "Insufficient information. Origin request header needed."}},
		{"method without origin", "/precfg/k", map[string]string{"Access-Control-Request-Method": "GET"},
			want{status: 400, code: "BadRequest", msg: "Insufficient information. Origin request header needed."}},
		{"bad method", "/pre/k", map[string]string{"Origin": "http://www.example1.com", "Access-Control-Request-Method": "BLAH"},
			want{status: 400, code: "BadRequest", msg: "Invalid Access-Control-Request-Method: BLAH"}},
		{"OPTIONS method", "/precfg/k", map[string]string{"Origin": "http://www.example1.com", "Access-Control-Request-Method": "OPTIONS"},
			want{status: 400, code: "BadRequest", msg: "Invalid Access-Control-Request-Method: OPTIONS"}},
		{"no configuration", "/pre/k", map[string]string{"Origin": "http://www.example1.com", "Access-Control-Request-Method": "PUT"},
			want{status: 403, code: "AccessForbidden", msg: corsOff, method: "PUT", rtyp: "BUCKET"}},
		{"no configuration no method", "/pre", map[string]string{"Origin": "http://www.example1.com"},
			want{status: 403, code: "AccessForbidden", msg: corsOff, method: "OPTIONS", rtyp: "BUCKET"}},
		{"no bucket", "/nosuchbucket/k", map[string]string{"Origin": "http://www.example1.com", "Access-Control-Request-Method": "GET"},
			want{status: 403, code: "AccessForbidden", msg: "CORSResponse: Bucket not found", method: "GET", rtyp: "BUCKET"}},
		{"origin without method", "/precfg/k", map[string]string{"Origin": "http://www.example1.com"},
			want{status: 400, code: "BadRequest", msg: "Invalid Access-Control-Request-Method: null"}},
		{"exact origin on bucket", "/precfg", map[string]string{"Origin": "http://www.example1.com", "Access-Control-Request-Method": "POST"},
			want{status: 200, headers: map[string]string{"Access-Control-Allow-Origin": "http://www.example1.com", "Access-Control-Allow-Methods": "PUT, POST, DELETE",
				"Access-Control-Allow-Credentials": "true", "Vary": vary, "Access-Control-Allow-Headers": "", "Access-Control-Max-Age": "", "Content-Length": "0"}}},
		{"any header allowed", "/precfg/a/b.txt", map[string]string{"Origin": "http://www.example1.com", "Access-Control-Request-Method": "PUT",
			"Access-Control-Request-Headers": "Content-Type,X-Custom-Header"},
			want{status: 200, headers: map[string]string{"Access-Control-Allow-Headers": "content-type, x-custom-header"}}},
		{"any origin", "/precfg/k", map[string]string{"Origin": "http://www.mycorssite1.com", "Access-Control-Request-Method": "HEAD"},
			want{status: 200, headers: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "HEAD", "Access-Control-Allow-Credentials": "", "Vary": vary}}},
		{"wildcard origin and headers", "/precfg/k", map[string]string{"Origin": "http://this.sample.com", "Access-Control-Request-Method": "DELETE",
			"Access-Control-Request-Headers": "x-amz-date, Content-Length"},
			want{status: 200, headers: map[string]string{"Access-Control-Allow-Origin": "http://this.sample.com", "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE",
				"Access-Control-Allow-Headers": "x-amz-date, content-length", "Access-Control-Max-Age": "3000",
				"Access-Control-Expose-Headers": "x-amz-server-side-encryption, x-amz-request-id, x-amz-id-2", "Access-Control-Allow-Credentials": "true"}}},
		{"port makes another origin", "/precfg/k", map[string]string{"Origin": "http://this.sample.com:80", "Access-Control-Request-Method": "DELETE"},
			want{status: 403, code: "AccessForbidden", msg: corsNotAllowed, method: "DELETE", rtyp: "OBJECT"}},
		{"one header not allowed", "/precfg/k", map[string]string{"Origin": "http://www.corstest1.com", "Access-Control-Request-Method": "DELETE",
			"Access-Control-Request-Headers": "x-amz-date,Date"},
			want{status: 403, code: "AccessForbidden", msg: corsNotAllowed, method: "DELETE", rtyp: "OBJECT", headers: map[string]string{"Access-Control-Allow-Origin": ""}}},
		{"method not allowed for origin", "/precfg", map[string]string{"Origin": "http://www.example2.com", "Access-Control-Request-Method": "PUT"},
			want{status: 403, code: "AccessForbidden", msg: corsNotAllowed, method: "PUT", rtyp: "BUCKET"}},
		{"rule without headers", "/precfg/k", map[string]string{"Origin": "http://www.example2.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-a"},
			want{status: 403, code: "AccessForbidden", msg: corsNotAllowed, method: "GET", rtyp: "OBJECT"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := preflight(t, srv.URL+tc.path, tc.hdr)
			if res.Status != tc.want.status {
				t.Fatalf("status %d, want %d; body %s", res.Status, tc.want.status, res.Body)
			}
			if tc.want.code != "" {
				e := parseCORSError(t, res.Body)
				if e.Code != tc.want.code || e.Message != tc.want.msg || e.Method != tc.want.method || e.ResourceType != tc.want.rtyp {
					t.Fatalf("error %+v, want %+v", e, tc.want)
				}
				if v := res.Header.Get("Access-Control-Allow-Origin"); v != "" {
					t.Errorf("refused preflight carries Access-Control-Allow-Origin %q", v)
				}
			} else if len(res.Body) != 0 {
				t.Errorf("preflight body %q", res.Body)
			}
			for k, v := range tc.want.headers {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
	// A preflight never needs a signature, even on a presigned URL's path.
	p, err := s3.NewPresignClient(c).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("precfg"), Key: aws.String("up")})
	if err != nil {
		t.Fatal(err)
	}
	res := preflight(t, p.URL, map[string]string{"Origin": "http://www.example1.com", "Access-Control-Request-Method": "PUT"})
	if res.Status != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != "http://www.example1.com" {
		t.Fatalf("preflight on a presigned URL: %d %v", res.Status, res.Header)
	}
}

func TestCORSHeadersOnRequests(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "act")
	mustPut(t, c, "act", "k", []byte("hello"))
	rules := []types.CORSRule{
		{AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET", "PUT"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(60)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("act"), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}}); err != nil {
		t.Fatal(err)
	}
	signed := func(method, path, origin string, hdr map[string]string) rqResp {
		req := rqNew(t, method, srv.URL+path, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return rqDo(t, rqSign(t, req, nil))
	}
	check := func(what string, res rqResp, status int, allow string) {
		t.Helper()
		if res.Status != status {
			t.Fatalf("%s: status %d, want %d (%s)", what, res.Status, status, res.Body)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != allow {
			t.Fatalf("%s: Access-Control-Allow-Origin %q, want %q", what, got, allow)
		}
		if allow == "" && res.Header.Get("Vary") != "" {
			t.Errorf("%s: Vary %q without CORS headers", what, res.Header.Get("Vary"))
		}
	}
	res := signed(http.MethodGet, "/act/k", "https://app.example", nil)
	check("GET allowed", res, 200, "https://app.example")
	for k, v := range map[string]string{"Access-Control-Allow-Methods": "GET, PUT", "Access-Control-Expose-Headers": "ETag", "Access-Control-Max-Age": "60",
		"Access-Control-Allow-Credentials": "true", "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"} {
		if got := res.Header.Get(k); got != v {
			t.Errorf("GET allowed: %s = %q, want %q", k, got, v)
		}
	}
	check("no Origin", signed(http.MethodGet, "/act/k", "", nil), 200, "")
	check("other origin", signed(http.MethodGet, "/act/k", "https://evil.example", nil), 200, "")
	check("method not in rule", signed(http.MethodDelete, "/act/gone", "https://app.example", nil), 204, "")
	check("HEAD any origin", signed(http.MethodHead, "/act/k", "https://evil.example", nil), 200, "*")
	// The request-method header decides an actual request's match.
	check("request-method header", signed(http.MethodGet, "/act/k", "https://app.example", map[string]string{"Access-Control-Request-Method": "DELETE"}), 200, "")
	// Errors carry the headers too.
	check("missing key", signed(http.MethodGet, "/act/nokey", "https://app.example", nil), 404, "https://app.example")
	bad := rqNew(t, http.MethodGet, srv.URL+"/act/k", nil)
	bad.Header.Set("Origin", "https://app.example")
	bad.Header.Set("X-Amz-Content-Sha256", rqHash(nil))
	// A fresh signer: the shared one caches signing keys by access key.
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: "wrong-secret"}, bad, rqHash(nil), "s3", testserver.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	check("bad signature", rqDo(t, bad), 403, "https://app.example")
	anon := rqNew(t, http.MethodGet, srv.URL+"/act/k", nil)
	anon.Header.Set("Origin", "https://app.example")
	check("anonymous denied", rqDo(t, anon), 403, "https://app.example")
	check("other bucket", signed(http.MethodGet, "/nobucket/k", "https://app.example", nil), 404, "")
}
