package e2e

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func TestWebsiteConfigurationRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "webrt")

	_, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("webrt")})
	rqCode(t, err, "NoSuchWebsiteConfiguration", http.StatusNotFound)
	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/webrt?website", nil))
	if e := parseCORSError(t, res.Body); e.Message != "The specified bucket does not have a website configuration" || e.BucketName != "webrt" {
		t.Fatalf("GetBucketWebsite without a configuration: %+v", e)
	}

	cfg := &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("error.html")},
		RoutingRules: []types.RoutingRule{
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("old/")}, Redirect: &types.Redirect{ReplaceKeyPrefixWith: aws.String("new/")}},
			{Condition: &types.Condition{HttpErrorCodeReturnedEquals: aws.String("404")},
				Redirect: &types.Redirect{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps, HttpRedirectCode: aws.String("302"), ReplaceKeyWith: aws.String("404.html")}},
			{Redirect: &types.Redirect{HostName: aws.String("other.example")}},
		},
	}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("webrt"), WebsiteConfiguration: cfg}); err != nil {
		t.Fatalf("PutBucketWebsite: %v", err)
	}
	got, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("webrt")})
	if err != nil {
		t.Fatalf("GetBucketWebsite: %v", err)
	}
	if aws.ToString(got.IndexDocument.Suffix) != "index.html" || aws.ToString(got.ErrorDocument.Key) != "error.html" || got.RedirectAllRequestsTo != nil || len(got.RoutingRules) != 3 {
		t.Fatalf("got %+v", got)
	}
	r0, r1, r2 := got.RoutingRules[0], got.RoutingRules[1], got.RoutingRules[2]
	if aws.ToString(r0.Condition.KeyPrefixEquals) != "old/" || aws.ToString(r0.Redirect.ReplaceKeyPrefixWith) != "new/" {
		t.Errorf("rule 0: %+v %+v", r0.Condition, r0.Redirect)
	}
	if aws.ToString(r1.Condition.HttpErrorCodeReturnedEquals) != "404" || aws.ToString(r1.Redirect.HostName) != "example.com" || r1.Redirect.Protocol != types.ProtocolHttps ||
		aws.ToString(r1.Redirect.HttpRedirectCode) != "302" || aws.ToString(r1.Redirect.ReplaceKeyWith) != "404.html" {
		t.Errorf("rule 1: %+v %+v", r1.Condition, r1.Redirect)
	}
	if r2.Condition != nil || aws.ToString(r2.Redirect.HostName) != "other.example" {
		t.Errorf("rule 2: %+v %+v", r2.Condition, r2.Redirect)
	}

	redirect := &types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("example.com"), Protocol: types.ProtocolHttp}}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("webrt"), WebsiteConfiguration: redirect}); err != nil {
		t.Fatalf("PutBucketWebsite redirect: %v", err)
	}
	got, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("webrt")})
	if err != nil || got.RedirectAllRequestsTo == nil || aws.ToString(got.RedirectAllRequestsTo.HostName) != "example.com" || got.RedirectAllRequestsTo.Protocol != types.ProtocolHttp || got.IndexDocument != nil {
		t.Fatalf("redirect config: %v %+v", err, got)
	}

	if _, err := c.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String("webrt")}); err != nil {
		t.Fatalf("DeleteBucketWebsite: %v", err)
	}
	_, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("webrt")})
	rqCode(t, err, "NoSuchWebsiteConfiguration", http.StatusNotFound)
	_, err = c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("nowebbucket"), WebsiteConfiguration: cfg})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestWebsiteConfigurationValidation(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "webval")

	doc := func(inner string) string {
		return `<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + inner + `</WebsiteConfiguration>`
	}
	index := "<IndexDocument><Suffix>index.html</Suffix></IndexDocument>"
	rules := func(rs ...string) string {
		return index + "<RoutingRules>" + strings.Join(rs, "") + "</RoutingRules>"
	}
	redirectTo := "<Redirect><HostName>example.com</HostName></Redirect>"
	many := make([]string, 51)
	for i := range many {
		many[i] = "<RoutingRule>" + redirectTo + "</RoutingRule>"
	}
	const badProto = "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."
	tests := []struct {
		name, body, code, msg, argName, argValue string
	}{
		{name: "not xml", body: "<WebsiteConfiguration>", code: "MalformedXML"},
		{name: "empty", body: doc(""), code: "InvalidArgument", msg: "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", argName: "IndexDocument", argValue: "null"},
		{name: "suffix with slash", body: doc("<IndexDocument><Suffix>a/index.html</Suffix></IndexDocument>"),
			code: "InvalidArgument", msg: "The IndexDocument Suffix is not well formed", argName: "IndexDocument", argValue: "a/index.html"},
		{name: "empty suffix", body: doc("<IndexDocument><Suffix></Suffix></IndexDocument>"), code: "InvalidArgument", msg: "The IndexDocument Suffix is not well formed"},
		{name: "redirect all and index", body: doc("<RedirectAllRequestsTo><HostName>example.com</HostName></RedirectAllRequestsTo>" + index),
			code: "InvalidArgument", msg: "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.", argName: "RedirectAllRequestsTo", argValue: "not null"},
		{name: "redirect all without host", body: doc("<RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>"), code: "MalformedXML"},
		{name: "redirect all bad protocol", body: doc("<RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>ftp</Protocol></RedirectAllRequestsTo>"),
			code: "InvalidRequest", msg: badProto},
		{name: "error document without key", body: doc(index + "<ErrorDocument></ErrorDocument>"), code: "MalformedXML"},
		{name: "no routing rules", body: doc(rules()), code: "MalformedXML"},
		{name: "rule without redirect", body: doc(rules("<RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition></RoutingRule>")), code: "MalformedXML"},
		{name: "51 rules", body: doc(rules(many...)), code: "InvalidRequest", msg: "51 routing rules provided, the number of routing rules in a website configuration is limited to 50."},
		{name: "empty condition", body: doc(rules("<RoutingRule><Condition></Condition>" + redirectTo + "</RoutingRule>")),
			code: "InvalidRequest", msg: "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present."},
		{name: "error code 302", body: doc(rules("<RoutingRule><Condition><HttpErrorCodeReturnedEquals>302</HttpErrorCodeReturnedEquals></Condition>" + redirectTo + "</RoutingRule>")),
			code: "InvalidRequest", msg: "The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX."},
		{name: "redirect code 300", body: doc(rules("<RoutingRule><Redirect><HttpRedirectCode>300</HttpRedirectCode></Redirect></RoutingRule>")),
			code: "InvalidRequest", msg: "The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300."},
		{name: "both replacements", body: doc(rules("<RoutingRule><Redirect><ReplaceKeyPrefixWith>a/</ReplaceKeyPrefixWith><ReplaceKeyWith>b</ReplaceKeyWith></Redirect></RoutingRule>")),
			code: "InvalidRequest", msg: "You can only define ReplaceKeyPrefix or ReplaceKey but not both."},
		{name: "rule bad protocol", body: doc(rules("<RoutingRule><Redirect><Protocol>gopher</Protocol></Redirect></RoutingRule>")), code: "InvalidRequest", msg: badProto},
	}
	type webErr struct {
		Code          string `xml:"Code"`
		Message       string `xml:"Message"`
		ArgumentName  string `xml:"ArgumentName"`
		ArgumentValue string `xml:"ArgumentValue"`
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/webval?website", []byte(tc.body)))
			doc := rqErr(t, res, http.StatusBadRequest, tc.code)
			var e webErr
			if err := xml.Unmarshal(res.Body, &e); err != nil {
				t.Fatal(err)
			}
			if tc.msg != "" && doc.Message != tc.msg {
				t.Errorf("Message %q, want %q", doc.Message, tc.msg)
			}
			if tc.argName != "" && (e.ArgumentName != tc.argName || e.ArgumentValue != tc.argValue) {
				t.Errorf("argument %q=%q, want %q=%q", e.ArgumentName, e.ArgumentValue, tc.argName, tc.argValue)
			}
		})
	}
	_, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("webval")})
	rqCode(t, err, "NoSuchWebsiteConfiguration", http.StatusNotFound)
}

// publicRead is a bucket policy letting anyone read and list the bucket.
func publicRead(bucket string, list bool) string {
	actions := `"s3:GetObject"`
	res := `"arn:aws:s3:::` + bucket + `/*"`
	if list {
		actions += `,"s3:ListBucket"`
		res += `,"arn:aws:s3:::` + bucket + `"`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":[` + actions + `],"Resource":[` + res + `]}]}`
}

// webGet sends an unsigned request to bucket's website endpoint.
func webGet(t *testing.T, srv *testserver.Server, method, bucket, path string) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = bucket + ".web.test"
	return send(t, req)
}

func TestWebsiteEndpoint(t *testing.T) {
	srv := testserver.Start(t, testserver.WithWebsiteDomain("web.test"))
	c := srv.Client()
	put := func(bucket, key, body, ctype string, redirect string) {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body), ContentType: aws.String(ctype)}
		if redirect != "" {
			in.WebsiteRedirectLocation = aws.String(redirect)
		}
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatalf("put %s/%s: %v", bucket, key, err)
		}
	}
	site := func(bucket string, cfg *types.WebsiteConfiguration, policy string) {
		t.Helper()
		mustCreateBucket(t, c, bucket)
		if cfg != nil {
			if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket), WebsiteConfiguration: cfg}); err != nil {
				t.Fatal(err)
			}
		}
		if policy != "" {
			if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	index := &types.IndexDocument{Suffix: aws.String("index.html")}
	site("site", &types.WebsiteConfiguration{
		IndexDocument: index,
		ErrorDocument: &types.ErrorDocument{Key: aws.String("error.html")},
		RoutingRules: []types.RoutingRule{
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("old/")}, Redirect: &types.Redirect{ReplaceKeyPrefixWith: aws.String("docs/")}},
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("img/"), HttpErrorCodeReturnedEquals: aws.String("404")},
				Redirect: &types.Redirect{HostName: aws.String("cdn.example"), Protocol: types.ProtocolHttps, HttpRedirectCode: aws.String("302")}},
		},
	}, publicRead("site", true))
	put("site", "index.html", "<h1>home</h1>", "text/html", "")
	put("site", "docs/index.html", "<h1>docs</h1>", "text/html", "")
	put("site", "docs/page.html", "<p>page</p>", "text/html", "")
	put("site", "error.html", "<p>custom error</p>", "text/html", "")
	put("site", "moved", "", "text/plain", "/docs/page.html")
	put("site", "img/real.png", "png", "image/png", "")
	site("noerr", &types.WebsiteConfiguration{IndexDocument: index}, publicRead("noerr", true))
	site("nolist", &types.WebsiteConfiguration{IndexDocument: index}, publicRead("nolist", false))
	site("closed", &types.WebsiteConfiguration{IndexDocument: index, ErrorDocument: &types.ErrorDocument{Key: aws.String("error.html")}}, "")
	put("closed", "index.html", "secret", "text/html", "")
	put("closed", "error.html", "secret error", "text/html", "")
	site("plain", nil, publicRead("plain", true))
	site("away", &types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps}}, "")

	body := func(what string, r rawResp, status int, want string) {
		t.Helper()
		if r.Status != status || string(r.Body) != want {
			t.Fatalf("%s: %d %q, want %d %q", what, r.Status, r.Body, status, want)
		}
	}
	redirect := func(what string, r rawResp, status int, loc string) {
		t.Helper()
		if r.Status != status || r.Header.Get("Location") != loc {
			t.Fatalf("%s: %d Location %q, want %d %q (%s)", what, r.Status, r.Header.Get("Location"), status, loc, r.Body)
		}
	}
	page := func(what string, r rawResp, status int, code string, items ...string) {
		t.Helper()
		title := strconv.Itoa(status) + " " + http.StatusText(status)
		b := string(r.Body)
		if r.Status != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("x-amz-error-code") != code ||
			!strings.Contains(b, "<title>"+title+"</title>") || !strings.Contains(b, "<h1>"+title+"</h1>") ||
			!strings.Contains(b, "<li>Code: "+code+"</li>") || !strings.Contains(b, "<li>RequestId: "+r.Header.Get("x-amz-request-id")+"</li>") ||
			!strings.Contains(b, "<li>HostId: ") {
			t.Fatalf("%s: %d %v\n%s", what, r.Status, r.Header, b)
		}
		for _, it := range items {
			if !strings.Contains(b, it) {
				t.Errorf("%s: page lacks %q:\n%s", what, it, b)
			}
		}
	}

	r := webGet(t, srv, http.MethodGet, "site", "/")
	body("index", r, 200, "<h1>home</h1>")
	if r.Header.Get("Content-Type") != "text/html" {
		t.Errorf("index Content-Type %q", r.Header.Get("Content-Type"))
	}
	body("HEAD index", webGet(t, srv, http.MethodHead, "site", "/"), 200, "")
	body("folder index", webGet(t, srv, http.MethodGet, "site", "/docs/"), 200, "<h1>docs</h1>")
	body("page", webGet(t, srv, http.MethodGet, "site", "/docs/page.html"), 200, "<p>page</p>")
	redirect("folder without slash", webGet(t, srv, http.MethodGet, "site", "/docs"), http.StatusFound, "/docs/")
	r = webGet(t, srv, http.MethodGet, "site", "/nothing.html")
	body("error document", r, 404, "<p>custom error</p>")
	if r.Header.Get("Content-Type") != "text/html" {
		t.Errorf("error document Content-Type %q", r.Header.Get("Content-Type"))
	}
	redirect("prefix rule", webGet(t, srv, http.MethodGet, "site", "/old/page.html"), http.StatusMovedPermanently, "http://site.web.test/docs/page.html")
	redirect("error rule", webGet(t, srv, http.MethodGet, "site", "/img/none.png"), http.StatusFound, "https://cdn.example/img/none.png")
	body("error rule spares what exists", webGet(t, srv, http.MethodGet, "site", "/img/real.png"), 200, "png")
	redirect("object redirect", webGet(t, srv, http.MethodGet, "site", "/moved"), http.StatusMovedPermanently, "/docs/page.html")
	redirect("redirect all", webGet(t, srv, http.MethodGet, "away", "/a/b.html"), http.StatusMovedPermanently, "https://example.com/a/b.html")

	page("PUT", webGet(t, srv, http.MethodPut, "site", "/x"), 405, "MethodNotAllowed", "<li>Method: PUT</li>", "<li>ResourceType: OBJECT</li>",
		"<li>Message: The specified method is not allowed against this resource.</li>")
	page("POST", webGet(t, srv, http.MethodPost, "site", "/"), 405, "MethodNotAllowed", "<li>Method: POST</li>")
	page("missing key", webGet(t, srv, http.MethodGet, "noerr", "/missing"), 404, "NoSuchKey",
		"<li>Message: The specified key does not exist.</li>", "<li>Key: missing</li>")
	page("missing index", webGet(t, srv, http.MethodGet, "noerr", "/"), 404, "NoSuchKey", "<li>Key: index.html</li>")
	page("missing key, no list", webGet(t, srv, http.MethodGet, "nolist", "/missing"), 403, "AccessDenied", "<li>Message: Access Denied</li>")
	r = webGet(t, srv, http.MethodGet, "closed", "/")
	page("private", r, 403, "AccessDenied", "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>")
	if strings.Contains(string(r.Body), "secret") {
		t.Fatalf("private content served: %s", r.Body)
	}
	page("no website", webGet(t, srv, http.MethodGet, "plain", "/"), 404, "NoSuchWebsiteConfiguration",
		"<li>Message: The specified bucket does not have a website configuration</li>", "<li>BucketName: plain</li>")
	page("no bucket", webGet(t, srv, http.MethodGet, "ghost", "/"), 404, "NoSuchBucket", "<li>BucketName: ghost</li>")
	if r := webGet(t, srv, http.MethodHead, "noerr", "/missing"); r.Status != 404 || len(r.Body) != 0 {
		t.Fatalf("HEAD missing: %d %q", r.Status, r.Body)
	}

	// The website endpoint answers preflights and adds CORS headers too.
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET"}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodOptions, http.MethodGet} {
		req, err := http.NewRequest(method, srv.URL+"/docs/page.html", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "site.web.test"
		req.Header.Set("Origin", "https://app.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		if r := send(t, req); r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
			t.Fatalf("%s with Origin on the website: %d %v", method, r.Status, r.Header)
		}
	}

	// The API endpoint still answers the same bucket with S3 XML.
	res := rqDo(t, rqNew(t, http.MethodGet, srv.URL+"/noerr/missing", nil))
	if res.Status != 404 || res.Header.Get("Content-Type") != "application/xml" {
		t.Fatalf("API endpoint: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
}

func TestWebsiteObjectACL(t *testing.T) {
	srv := testserver.Start(t, testserver.WithWebsiteDomain("web.test"))
	c := srv.Client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("aclsite"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("aclsite"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}}); err != nil {
		t.Fatal(err)
	}
	for key, acl := range map[string]types.ObjectCannedACL{"index.html": types.ObjectCannedACLPublicRead, "private.html": types.ObjectCannedACLPrivate} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("aclsite"), Key: aws.String(key), Body: strings.NewReader(key), ACL: acl}); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
	if r := webGet(t, srv, http.MethodGet, "aclsite", "/"); r.Status != 200 || string(r.Body) != "index.html" {
		t.Fatalf("public-read index: %d %q", r.Status, r.Body)
	}
	r := webGet(t, srv, http.MethodGet, "aclsite", "/private.html")
	if r.Status != 403 || !strings.Contains(string(r.Body), "<li>Code: AccessDenied</li>") {
		t.Fatalf("private object: %d %q", r.Status, r.Body)
	}
}
