package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// catalogCall sends a request to the Iceberg REST catalog signed with
// SigV4 for service (s3tables), as Iceberg clients sign it (the payload
// hash signed, not sent).
func catalogCall(t *testing.T, srv *testserver.Server, ak, sk, service, method, path string) (int, map[string]any, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}, req, hex.EncodeToString(sum[:]),
		service, srv.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	res := rqDo(t, req)
	var doc map[string]any
	json.Unmarshal(res.Body, &doc)
	return res.Status, doc, res.Body
}

func restErrorType(doc map[string]any) string {
	e, _ := doc["error"].(map[string]any)
	s, _ := e["type"].(string)
	return s
}

func TestIcebergCatalogEndpoint(t *testing.T) {
	srv := testserver.Start(t, testserver.WithMetadataTableInterval(100*time.Millisecond))
	c := srv.Client()
	mustCreateBucket(t, c, "cat-src")
	if err := mdCreateV2(t, c, "cat-src", &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0)}); err != nil {
		t.Fatal(err)
	}
	waitTables(t, c, "cat-src", false)
	ak, sk := testserver.AccessKey, testserver.SecretKey
	arn := "arn:aws:s3tables:us-east-1:000000000000:bucket/aws-s3"
	call := func(method, path string) (int, map[string]any, []byte) {
		return catalogCall(t, srv, ak, sk, "s3tables", method, path)
	}

	st, doc, body := call("GET", "/iceberg/v1/config?warehouse="+url.QueryEscape(arn))
	over, _ := doc["overrides"].(map[string]any)
	prefix, _ := over["prefix"].(string)
	if st != 200 || prefix != url.PathEscape(arn) {
		t.Fatalf("config: %d %s", st, body)
	}
	base := "/iceberg/v1/" + prefix
	if st, _, body := call("GET", "/iceberg/v1/config"); st != 400 {
		t.Fatalf("config without warehouse: %d %s", st, body)
	}
	if st, doc, body := call("GET", "/iceberg/v1/config?warehouse="+url.QueryEscape("arn:aws:s3tables:us-east-1:000000000000:bucket/nope")); st != 404 || restErrorType(doc) != "NoSuchWarehouseException" {
		t.Fatalf("unknown warehouse: %d %s", st, body)
	}
	// A general purpose bucket is no warehouse.
	if st, _, body := call("GET", "/iceberg/v1/config?warehouse=cat-src"); st != 404 {
		t.Fatalf("general purpose bucket as warehouse: %d %s", st, body)
	}

	st, doc, body = call("GET", base+"/namespaces")
	if st != 200 || !strings.Contains(string(body), `["b_cat-src"]`) {
		t.Fatalf("namespaces: %d %s", st, body)
	}
	if st, _, body := call("HEAD", base+"/namespaces/b_cat-src"); st != 204 {
		t.Fatalf("HEAD namespace: %d %s", st, body)
	}
	if st, doc, body := call("GET", base+"/namespaces/b_other"); st != 404 || restErrorType(doc) != "NoSuchNamespaceException" {
		t.Fatalf("missing namespace: %d %s", st, body)
	}
	st, doc, body = call("GET", base+"/namespaces/b_cat-src/tables")
	if st != 200 || !strings.Contains(string(body), `"name":"journal"`) {
		t.Fatalf("tables: %d %s", st, body)
	}
	st, doc, body = call("GET", base+"/namespaces/b_cat-src/tables/journal")
	loc, _ := doc["metadata-location"].(string)
	md, _ := doc["metadata"].(map[string]any)
	cfg, _ := doc["config"].(map[string]any)
	if st != 200 || !strings.HasPrefix(loc, "s3://aws-s3/b_cat-src/journal-") || md["format-version"] != float64(2) || cfg["s3.endpoint"] != srv.URL {
		t.Fatalf("load table: %d %s", st, body)
	}
	// The metadata file is an object the owner reads with S3.
	key := strings.TrimPrefix(loc, "s3://aws-s3/")
	if got := mustGet(t, c, "aws-s3", key); !strings.Contains(string(got), `"format-version":2`) {
		t.Fatalf("metadata object: %s", got)
	}
	if st, doc, body := call("GET", base+"/namespaces/b_cat-src/tables/nope"); st != 404 || restErrorType(doc) != "NoSuchTableException" {
		t.Fatalf("missing table: %d %s", st, body)
	}
	// Read-only: writes are refused.
	for _, m := range []string{"POST", "DELETE"} {
		if st, doc, body := call(m, base+"/namespaces/b_cat-src/tables/journal"); st != 403 || restErrorType(doc) != "ForbiddenException" {
			t.Fatalf("%s table: %d %s", m, st, body)
		}
	}
	// Bad signatures are refused; a request signed for s3 is an S3 request
	// (to a bucket named iceberg).
	if st, doc, body := catalogCall(t, srv, ak, "wrong-secret-key-wrong-secret-key-00000", "s3tables", "GET", base+"/namespaces"); st != 403 || restErrorType(doc) != "NotAuthorizedException" {
		t.Fatalf("bad signature: %d %s", st, body)
	}
	if st, _, body := catalogCall(t, srv, ak, sk, "s3", "GET", "/iceberg/v1/config"); st < 400 || !strings.Contains(string(body), "<Error><Code>") {
		t.Fatalf("s3-signed request: %d %s", st, body)
	}

	// An IAM user needs the s3tables actions.
	root := iamRoot(t, srv)
	root.ok("CreateUser", "UserName", "reader")
	k := root.ok("CreateAccessKey", "UserName", "reader").AccessKey
	as := func(path string) (int, map[string]any, []byte) {
		return catalogCall(t, srv, k.AccessKeyId, k.SecretAccessKey, "s3tables", "GET", path)
	}
	if st, doc, body := as(base + "/namespaces"); st != 403 || restErrorType(doc) != "ForbiddenException" {
		t.Fatalf("user without permissions: %d %s", st, body)
	}
	root.ok("PutUserPolicy", "UserName", "reader", "PolicyName", "tables",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3tables:ListNamespaces","s3tables:GetTableMetadataLocation"],"Resource":"*"}]}`)
	if st, _, body := as(base + "/namespaces"); st != 200 {
		t.Fatalf("user allowed ListNamespaces: %d %s", st, body)
	}
	if st, doc, body := as(base + "/namespaces/b_cat-src/tables/journal"); st != 403 || restErrorType(doc) != "ForbiddenException" || !strings.Contains(string(body), "s3tables:GetTableData") {
		t.Fatalf("user without GetTableData: %d %s", st, body)
	}
}
