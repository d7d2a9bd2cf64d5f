package e2e

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"talus/internal/testserver"
)

func TestErrorsRequestIDHeaders(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ids")
	mustPut(t, c, "ids", "k", []byte("v"))

	reqs := []*http.Request{
		rqSigned(t, http.MethodGet, srv.URL+"/", nil),
		rqSigned(t, http.MethodPut, srv.URL+"/ids2", nil),
		rqSigned(t, http.MethodPut, srv.URL+"/ids/new", []byte("x")),
		rqSigned(t, http.MethodGet, srv.URL+"/ids/k", nil),
		rqSigned(t, http.MethodHead, srv.URL+"/ids/k", nil),
		rqSigned(t, http.MethodHead, srv.URL+"/ids", nil),
		rqSigned(t, http.MethodGet, srv.URL+"/ids?list-type=2", nil),
		rqSigned(t, http.MethodGet, srv.URL+"/ids?location", nil),
		rqSigned(t, http.MethodDelete, srv.URL+"/ids/new", nil),
		rqSigned(t, http.MethodGet, srv.URL+"/ids/missing", nil),
		rqSigned(t, http.MethodHead, srv.URL+"/ids/missing", nil),
		rqSigned(t, http.MethodGet, srv.URL+"/nobucket", nil),
		rqSigned(t, http.MethodGet, srv.URL+"/ids?cors", nil),
		rqNew(t, http.MethodGet, srv.URL+"/ids/k", nil),
		rqNew(t, http.MethodHead, srv.URL+"/ids/k", nil),
	}
	seen := map[string]bool{}
	for _, req := range reqs {
		res := rqDo(t, req)
		id, id2 := res.Header.Get("X-Amz-Request-Id"), res.Header.Get("X-Amz-Id-2")
		if id == "" || id2 == "" {
			t.Fatalf("%s %s (%d): x-amz-request-id %q x-amz-id-2 %q", req.Method, req.URL, res.Status, id, id2)
		}
		if seen[id] {
			t.Fatalf("request id %s reused", id)
		}
		seen[id] = true
	}

	// The SDK reads both into its error.
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ids"), Key: aws.String("missing")})
	var re interface {
		ServiceRequestID() string
		ServiceHostID() string
	}
	if !errors.As(err, &re) || re.ServiceRequestID() == "" || re.ServiceHostID() == "" {
		t.Fatalf("SDK error lacks request ids: %v", err)
	}
}

func TestErrorsXMLBody(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "xmlerr")

	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/xmlerr/no/such/key", nil))
	doc := rqErr(t, res, http.StatusNotFound, "NoSuchKey")
	if doc.Resource != "/xmlerr/no/such/key" {
		t.Errorf("Resource = %q", doc.Resource)
	}
	if !bytes.HasPrefix(res.Body, []byte("<?xml")) {
		t.Errorf("body lacks an XML declaration: %s", res.Body)
	}
	if res.Header.Get("Content-Length") == "" {
		t.Error("no Content-Length on an error")
	}

	res = rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/nosuchbucket?list-type=2", nil))
	doc = rqErr(t, res, http.StatusNotFound, "NoSuchBucket")
	if doc.Resource != "/nosuchbucket" || !bytes.Contains(res.Body, []byte("<BucketName>nosuchbucket</BucketName>")) {
		t.Errorf("NoSuchBucket body: %s", res.Body)
	}

	res = rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/nosuchbucket/key", nil))
	rqErr(t, res, http.StatusNotFound, "NoSuchBucket")

	// Auth failures are XML errors too.
	res = rqDo(t, rqNew(t, http.MethodGet, srv.URL+"/xmlerr", nil))
	if doc := rqErr(t, res, http.StatusForbidden, "AccessDenied"); doc.Resource != "/xmlerr" {
		t.Errorf("Resource = %q", doc.Resource)
	}

	// The SDK parses the same document.
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("xmlerr"), Key: aws.String("nope")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Fatalf("GetObject error %T %v, want *types.NoSuchKey", err, err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorMessage() == "" {
		t.Fatalf("no message: %v", err)
	}
}

func TestErrorsMalformedQuery(t *testing.T) {
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "mquery")
	for _, q := range []string{"%zz", "prefix=%", "list-type=2&prefix=%g0"} {
		req := rqSigned(t, http.MethodGet, srv.URL+"/mquery", nil)
		req.URL.RawQuery = q // after signing: the signer re-encodes the query
		res := rqDo(t, req)
		if res.Status != http.StatusBadRequest && res.Status != http.StatusForbidden {
			t.Fatalf("?%s: status %d: %s", q, res.Status, res.Body)
		}
		var doc rqErrorDoc
		if err := xml.Unmarshal(res.Body, &doc); err != nil || doc.Code == "" || doc.Code == "InternalError" {
			t.Fatalf("?%s: %s", q, res.Body)
		}
	}
}

func TestErrorsHeadHasNoBody(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "headerr")
	for _, tc := range []struct {
		req    *http.Request
		status int
	}{
		{rqSigned(t, http.MethodHead, srv.URL+"/headerr/missing", nil), http.StatusNotFound},
		{rqSigned(t, http.MethodHead, srv.URL+"/nobucket/missing", nil), http.StatusNotFound},
		{rqSigned(t, http.MethodHead, srv.URL+"/nobucket", nil), http.StatusNotFound},
		{rqNew(t, http.MethodHead, srv.URL+"/headerr", nil), http.StatusForbidden},
	} {
		res := rqDo(t, tc.req)
		if res.Status != tc.status || len(res.Body) != 0 {
			t.Fatalf("HEAD %s = %d %q, want %d without body", tc.req.URL.Path, res.Status, res.Body, tc.status)
		}
		if cl := res.Header.Get("Content-Length"); cl != "" && cl != "0" {
			t.Fatalf("HEAD %s: Content-Length %s for a bodiless error", tc.req.URL.Path, cl)
		}
		if res.Header.Get("X-Amz-Request-Id") == "" {
			t.Fatal("no request id")
		}
	}
	bad := testserver.NewClient(srv.URL, testserver.AccessKey, "wrong-secret")
	_, err := bad.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("headerr"), Key: aws.String("k")})
	if rqStatus(err) != http.StatusForbidden {
		t.Fatalf("badly signed HeadObject: %v", err)
	}
}

func TestErrorsNotImplemented(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "noimpl")
	mustPut(t, c, "noimpl", "obj", []byte("data"))
	// RenameObject is served in buckets that never had versioning only.
	mustCreateBucket(t, c, "noimplv")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("noimplv"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "noimplv", "obj", []byte("data"))

	for _, tc := range []struct {
		method, path string
		body         []byte
		hdr, val     string
	}{
		{http.MethodPut, "/noimpl/copy2?accelerate", []byte{}, "X-Amz-Copy-Source", "noimpl/obj"},
		{http.MethodPut, "/noimplv/renamed?renameObject", []byte{}, "X-Amz-Rename-Source", "noimplv/obj"},
	} {
		req := rqNew(t, tc.method, srv.URL+tc.path, tc.body)
		req.Header.Set(tc.hdr, tc.val)
		rqSign(t, req, tc.body)
		res := rqDo(t, req)
		doc := rqErr(t, res, http.StatusNotImplemented, "NotImplemented")
		if want := strings.SplitN(tc.path, "?", 2)[0]; doc.Resource != want {
			t.Errorf("%s %s: Resource %q, want %q", tc.method, tc.path, doc.Resource, want)
		}
	}
	rqMissing(t, c, "noimpl", "copy2")
	rqMissing(t, c, "noimplv", "renamed")
	if got := mustGet(t, c, "noimpl", "obj"); string(got) != "data" {
		t.Fatalf("object changed: %q", got)
	}
	if got := mustGet(t, c, "noimplv", "obj"); string(got) != "data" {
		t.Fatalf("versioned object changed: %q", got)
	}
}

func TestErrorsXIDIgnored(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "xid")
	mustPut(t, c, "xid", "k", []byte("value"))

	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/xid/k?x-id=GetObject", nil))
	if res.Status != http.StatusOK || string(res.Body) != "value" {
		t.Fatalf("GET ?x-id=GetObject: %d %q", res.Status, res.Body)
	}
	// x-id never selects the operation: a misleading one is ignored too.
	res = rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/xid/k?x-id=DeleteObject", nil))
	if res.Status != http.StatusOK || string(res.Body) != "value" {
		t.Fatalf("GET ?x-id=DeleteObject: %d %q", res.Status, res.Body)
	}
	res = rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/xid/k2?x-id=PutObject", []byte("two")))
	if res.Status != http.StatusOK {
		t.Fatalf("PUT ?x-id=PutObject: %d %s", res.Status, res.Body)
	}
	if got := mustGet(t, c, "xid", "k2"); string(got) != "two" {
		t.Fatalf("k2 = %q", got)
	}
	res = rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/xid?list-type=2&x-id=ListObjectsV2", nil))
	if res.Status != http.StatusOK || !bytes.Contains(res.Body, []byte("<Key>k2</Key>")) || !bytes.Contains(res.Body, []byte("<KeyCount>2</KeyCount>")) {
		t.Fatalf("list ?x-id: %d %s", res.Status, res.Body)
	}
	res = rqDo(t, rqSigned(t, http.MethodDelete, srv.URL+"/xid/k2?x-id=DeleteObject", nil))
	if res.Status != http.StatusNoContent {
		t.Fatalf("DELETE ?x-id: %d %s", res.Status, res.Body)
	}
	rqMissing(t, c, "xid", "k2")
}

func TestErrorsHealthEndpoints(t *testing.T) {
	srv := testserver.Start(t)
	for _, p := range []string{"/_talus/health/live", "/_talus/health/ready"} {
		res := rqDo(t, rqNew(t, http.MethodGet, srv.URL+p, nil))
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", p, res.Status, res.Body)
		}
		// Credentials, even bad ones, do not matter.
		req := rqNew(t, http.MethodGet, srv.URL+p, nil)
		req.Header.Set("Authorization", "garbage")
		if res := rqDo(t, req); res.Status != http.StatusOK {
			t.Fatalf("GET %s with garbage auth = %d", p, res.Status)
		}
	}
	// Other /_talus/ paths are not S3 and not open.
	res := rqDo(t, rqNew(t, http.MethodGet, srv.URL+"/_talus/nothing", nil))
	if res.Status != http.StatusNotFound {
		t.Fatalf("GET /_talus/nothing = %d", res.Status)
	}
}

// Operations AWS serves on other endpoints answer 501 here rather than
// being mistaken for ListBuckets or a POST upload to a bucket.
func TestErrorsOtherEndpointOperations(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "listed")

	// ListDirectoryBuckets lists directory buckets only (see directory_test.go).
	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/?x-id=ListDirectoryBuckets", nil))
	if res.Status != http.StatusOK || !bytes.Contains(res.Body, []byte("<ListAllMyDirectoryBucketsResult")) || bytes.Contains(res.Body, []byte("listed")) {
		t.Fatalf("ListDirectoryBuckets listed general purpose buckets: %s", res.Body)
	}
	// Plain ListBuckets still lists.
	res = rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/?x-id=ListBuckets", nil))
	if res.Status != http.StatusOK || !bytes.Contains(res.Body, []byte("<Name>listed</Name>")) {
		t.Fatalf("ListBuckets: %d %s", res.Status, res.Body)
	}

	body := []byte("transformed")
	req := rqNew(t, http.MethodPost, srv.URL+"/WriteGetObjectResponse", body)
	req.Header.Set("X-Amz-Request-Route", "route-1")
	req.Header.Set("X-Amz-Request-Token", "token-1")
	rqSign(t, req, body)
	// WriteGetObjectResponse is S3 Object Lambda's (object_lambda_test.go):
	// signed for s3 it is refused, never taken for a POST upload.
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "AuthorizationHeaderMalformed")

	// Anonymous callers are refused before the 501, as for any operation.
	anon, err := http.NewRequest(http.MethodGet, srv.URL+"/?x-id=ListDirectoryBuckets", nil)
	if err != nil {
		t.Fatal(err)
	}
	rqErr(t, rqDo(t, anon), http.StatusForbidden, "AccessDenied")
}
