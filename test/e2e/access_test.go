package e2e

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// iamCall sends one IAM query API request signed for the "iam" service
// with the given keys and returns the status and body.
func iamCall(t *testing.T, srv *testserver.Server, ak, sk string, params url.Values) (int, string) {
	t.Helper()
	return testserver.IAMCall(t, srv.URL, ak, sk, params)
}

// newUser creates an IAM user with an access key and optional inline policy
// and returns an S3 client acting as that user.
func newUser(t *testing.T, srv *testserver.Server, name, policyDoc string) (*s3.Client, string, string) {
	t.Helper()
	root := func(p url.Values) string {
		status, body := iamCall(t, srv, testserver.AccessKey, testserver.SecretKey, p)
		if status != 200 {
			t.Fatalf("IAM %s: %d %s", p.Get("Action"), status, body)
		}
		return body
	}
	root(url.Values{"Action": {"CreateUser"}, "UserName": {name}})
	var out struct {
		Result struct {
			AccessKey struct {
				AccessKeyID     string `xml:"AccessKeyId"`
				SecretAccessKey string `xml:"SecretAccessKey"`
			} `xml:"AccessKey"`
		} `xml:"CreateAccessKeyResult"`
	}
	if err := xml.Unmarshal([]byte(root(url.Values{"Action": {"CreateAccessKey"}, "UserName": {name}})), &out); err != nil {
		t.Fatal(err)
	}
	if policyDoc != "" {
		root(url.Values{"Action": {"PutUserPolicy"}, "UserName": {name}, "PolicyName": {"p"}, "PolicyDocument": {policyDoc}})
	}
	ak, sk := out.Result.AccessKey.AccessKeyID, out.Result.AccessKey.SecretAccessKey
	return testserver.NewClient(srv.URL, ak, sk), ak, sk
}

func anonGet(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAccessIdentityPolicies(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "data")
	mustCreateBucket(t, root, "other")
	mustPut(t, root, "data", "home/alice/a.txt", []byte("a"))
	mustPut(t, root, "data", "home/bob/b.txt", []byte("b"))
	mustPut(t, root, "other", "x", []byte("x"))

	// alice may read and write her home directory, and list it.
	alice, _, _ := newUser(t, srv, "alice", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/home/${aws:username}/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}`)
	// bob has no policy at all.
	bob, _, _ := newUser(t, srv, "bob", "")

	if got := mustGet(t, alice, "data", "home/alice/a.txt"); string(got) != "a" {
		t.Fatalf("alice read %q", got)
	}
	mustPut(t, alice, "data", "home/alice/new.txt", []byte("n"))
	_, err := alice.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("home/bob/b.txt")})
	mustCode(t, err, "AccessDenied")
	_, err = alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("other"), Key: aws.String("y"), Body: bytes.NewReader([]byte("y"))})
	mustCode(t, err, "AccessDenied")
	if _, err := alice.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("home/alice/")}); err != nil {
		t.Fatalf("alice listing her prefix: %v", err)
	}
	_, err = alice.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("home/bob/")})
	mustCode(t, err, "AccessDenied")
	_, err = alice.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("home/alice/a.txt")})
	mustCode(t, err, "AccessDenied")

	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("home/bob/b.txt")})
	mustCode(t, err, "AccessDenied")
	_, err = bob.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustCode(t, err, "AccessDenied")
}

func TestAccessBucketPolicy(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "site")
	mustPut(t, root, "site", "public/index.html", []byte("<h1>hi</h1>"))
	mustPut(t, root, "site", "private/secret.txt", []byte("s"))
	objURL := func(key string) string { return srv.URL + "/site/" + key }

	if got := anonGet(t, objURL("public/index.html")); got != 403 {
		t.Fatalf("anonymous GET without policy = %d, want 403", got)
	}
	// Malformed policies are refused with the reason.
	_, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}`)})
	mustCode(t, err, "MalformedPolicy")
	_, err = root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::elsewhere/*"}]}`)})
	mustCode(t, err, "MalformedPolicy")
	_, err = root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("site")})
	mustCode(t, err, "NoSuchBucketPolicy")
	// Without a policy there is no policy status either.
	_, err = root.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("site")})
	rqCode(t, err, "NoSuchBucketPolicy", http.StatusNotFound)

	pol := `{"Version":"2012-10-17","Statement":[
		{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/public/*"},
		{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/private/*"}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	got, err := root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("site")})
	if err != nil || aws.ToString(got.Policy) != pol {
		t.Fatalf("GetBucketPolicy = %v, %v", got, err)
	}
	st, err := root.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("site")})
	if err != nil || !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatalf("policy status = %+v, %v", st, err)
	}
	if got := anonGet(t, objURL("public/index.html")); got != 200 {
		t.Fatalf("anonymous GET of public object = %d", got)
	}
	if got := anonGet(t, objURL("private/secret.txt")); got != 403 {
		t.Fatalf("anonymous GET of private object = %d", got)
	}
	// Anonymous writes stay denied.
	req, _ := http.NewRequest(http.MethodPut, objURL("public/evil.html"), strings.NewReader("x"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Fatalf("anonymous PUT = %v, %v", resp, err)
	}
	// An explicit Deny in the bucket policy beats a user's identity Allow.
	carol, _, _ := newUser(t, srv, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	if got := mustGet(t, carol, "site", "public/index.html"); len(got) == 0 {
		t.Fatal("carol read nothing")
	}
	_, err = carol.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("site"), Key: aws.String("private/secret.txt")})
	mustCode(t, err, "AccessDenied")
	// An explicit Deny to "*" binds the owner's root too, as in S3.
	_, err = root.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("site"), Key: aws.String("private/secret.txt")})
	mustCode(t, err, "AccessDenied")
	if got := mustGet(t, root, "site", "public/index.html"); len(got) == 0 {
		t.Fatal("root read nothing")
	}

	// A condition on the source address: only 10.0.0.0/8 may read.
	pol2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(pol2)}); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, objURL("public/index.html")); got != 403 {
		t.Fatalf("anonymous GET from 127.0.0.1 with a 10/8 condition = %d", got)
	}
	st, _ = root.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("site")})
	if aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatal("a policy pinned to a source range reported public")
	}
	pol3 := strings.Replace(pol2, "10.0.0.0/8", "127.0.0.0/8", 1)
	root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(pol3)})
	if got := anonGet(t, objURL("public/index.html")); got != 200 {
		t.Fatalf("anonymous GET from 127.0.0.1 with a 127/8 condition = %d", got)
	}

	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, objURL("public/index.html")); got != 403 {
		t.Fatalf("anonymous GET after deleting the policy = %d", got)
	}
}

// A bucket policy's explicit Deny applies to the owner account, root and
// IAM users alike; only the root keeps the bucket policy operations, so it
// can always undo the Deny.
func TestAccessBucketPolicyDenyBindsOwner(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "lockout")
	mustPut(t, root, "lockout", "k", []byte("v"))
	admin, _, _ := newUser(t, srv, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	pol := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::lockout/*"},
		{"Effect":"Deny","Principal":"*","Action":["s3:GetBucketPolicy","s3:PutBucketPolicy","s3:DeleteBucketPolicy"],"Resource":"arn:aws:s3:::lockout"}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("lockout"), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*s3.Client{"root": root, "admin": admin} {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lockout"), Key: aws.String("k")})
		mustCode(t, err, "AccessDenied")
		// What the policy does not deny still works.
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("lockout")}); err != nil {
			t.Fatalf("%s HeadBucket: %v", name, err)
		}
	}
	_, err := admin.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("lockout")})
	mustCode(t, err, "AccessDenied")
	_, err = admin.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("lockout")})
	mustCode(t, err, "AccessDenied")
	if got, err := root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("lockout")}); err != nil || aws.ToString(got.Policy) != pol {
		t.Fatalf("root GetBucketPolicy despite the Deny = %v, %v", got, err)
	}
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("lockout")}); err != nil {
		t.Fatalf("root DeleteBucketPolicy despite the Deny: %v", err)
	}
	if got := mustGet(t, root, "lockout", "k"); string(got) != "v" {
		t.Fatalf("root GET after the policy is gone = %q", got)
	}
	if got := mustGet(t, admin, "lockout", "k"); string(got) != "v" {
		t.Fatalf("admin GET after the policy is gone = %q", got)
	}
}

func TestAccessIAMPermissions(t *testing.T) {
	srv := testserver.Start(t)
	_, bobAK, bobSK := newUser(t, srv, "bob", "")
	status, body := iamCall(t, srv, bobAK, bobSK, url.Values{"Action": {"ListUsers"}})
	if status != 403 || !strings.Contains(body, "AccessDenied") {
		t.Fatalf("bob ListUsers = %d %s", status, body)
	}
	_, adminAK, adminSK := newUser(t, srv, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)
	status, body = iamCall(t, srv, adminAK, adminSK, url.Values{"Action": {"ListUsers"}})
	if status != 200 || !strings.Contains(body, "<UserName>bob</UserName>") {
		t.Fatalf("admin ListUsers = %d %s", status, body)
	}
	status, body = iamCall(t, srv, adminAK, adminSK, url.Values{"Action": {"PutUserPolicy"}, "UserName": {"bob"}, "PolicyName": {"bad"}, "PolicyDocument": {`{"Statement":"nope"}`}})
	if status != 400 || !strings.Contains(body, "MalformedPolicyDocument") {
		t.Fatalf("malformed identity policy = %d %s", status, body)
	}
	// Deactivating a key locks its holder out at once.
	iamCall(t, srv, testserver.AccessKey, testserver.SecretKey, url.Values{"Action": {"UpdateAccessKey"}, "UserName": {"admin"}, "AccessKeyId": {adminAK}, "Status": {"Inactive"}})
	status, body = iamCall(t, srv, adminAK, adminSK, url.Values{"Action": {"ListUsers"}})
	if status != 403 || !strings.Contains(body, "InvalidClientTokenId") {
		t.Fatalf("inactive key = %d %s", status, body)
	}
}

func TestAccessGovernanceBypassNeedsPermission(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	out, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), Body: bytes.NewReader([]byte("v")),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	vid := out.VersionId
	dave, _, _ := newUser(t, srv, "dave", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObjectVersion","Resource":"arn:aws:s3:::locked/*"}]}`)
	_, err = dave.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), VersionId: vid, BypassGovernanceRetention: aws.Bool(true)})
	mustCode(t, err, "AccessDenied")
	erin, _, _ := newUser(t, srv, "erin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:DeleteObjectVersion","s3:BypassGovernanceRetention"],"Resource":"arn:aws:s3:::locked/*"}]}`)
	if _, err := erin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), VersionId: vid, BypassGovernanceRetention: aws.Bool(true)}); err != nil {
		t.Fatalf("bypass with permission: %v", err)
	}
}

func TestAccessObjectLockConditionKeys(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// Writers may lock objects for at most 30 days.
	u, _, _ := newUser(t, srv, "writer", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::vault/*"},
		{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::vault/*",
		 "Condition":{"NumericGreaterThan":{"s3:object-lock-remaining-retention-days":"30"}}}]}`)
	put := func(days int) error {
		_, err := u.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("k"), Body: bytes.NewReader([]byte("v")),
			ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(time.Duration(days) * 24 * time.Hour))})
		return err
	}
	if err := put(10); err != nil {
		t.Fatalf("10-day lock: %v", err)
	}
	mustCode(t, put(40), "AccessDenied")
}

// anonDo sends an anonymous request and returns its status and error code.
func anonDo(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc struct {
		Code string `xml:"Code"`
	}
	xml.Unmarshal(b, &doc)
	return resp.StatusCode, doc.Code
}

// TestAccessMissingKey: a read of a key or version that is not there is
// 404 only for a caller who may list the bucket; anyone else gets 403
// AccessDenied, as in S3, so keys cannot be probed.
func TestAccessMissingKey(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "probe")
	if _, err := root.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("probe"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, root, "probe", "there", []byte("x"))
	gone := mustPut(t, root, "probe", "gone", []byte("g"))
	if _, err := root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("probe"), Key: aws.String("gone"), VersionId: gone.VersionId}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, root, "probe", "marked", []byte("m"))
	if _, err := root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("probe"), Key: aws.String("marked")}); err != nil {
		t.Fatal(err)
	}
	url := func(key string) string { return srv.URL + "/probe/" + key }
	goneURL := url("gone") + "?versionId=" + aws.ToString(gone.VersionId)
	read := `{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion","s3:GetObjectAttributes"],"Resource":"arn:aws:s3:::probe/*"}`
	list := `{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::probe"}`
	setPolicy := func(stmts ...string) {
		t.Helper()
		pol := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("probe"), Policy: aws.String(pol)}); err != nil {
			t.Fatal(err)
		}
	}
	type want struct {
		status int
		code   string
	}
	check := func(stage string, cases map[string]want) {
		t.Helper()
		for u, w := range cases {
			for _, m := range []string{http.MethodGet, http.MethodHead} {
				status, code := anonDo(t, m, u)
				if m == http.MethodHead {
					w.code = "" // HEAD answers carry no body
				}
				if status != w.status || code != w.code {
					t.Errorf("%s: anonymous %s %s = %d %q, want %d %q", stage, m, u, status, code, w.status, w.code)
				}
			}
		}
	}

	// s3:GetObject alone: what exists is readable, what does not is 403.
	setPolicy(read)
	check("GetObject only", map[string]want{
		url("there"):   {200, ""},
		url("missing"): {403, "AccessDenied"},
		url("marked"):  {403, "AccessDenied"},
		goneURL:        {403, "AccessDenied"},
	})
	_, err := srv.Client(func(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} }).GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{
		Bucket: aws.String("probe"), Key: aws.String("missing"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
	mustCode(t, err, "AccessDenied")
	// An IAM user with only s3:GetObject is treated the same way.
	user, _, _ := newUser(t, srv, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::probe/*"}]}`)
	_, err = user.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("probe"), Key: aws.String("nope")})
	mustCode(t, err, "AccessDenied")
	// The account root may list, so it learns the key is missing.
	_, err = root.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("probe"), Key: aws.String("nope")})
	mustCode(t, err, "NoSuchKey")
	_, err = root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("probe"), Key: aws.String("nope")})
	mustCode(t, err, "NotFound")

	// With s3:ListBucket as well, the 404s come back.
	setPolicy(read, list)
	check("GetObject and ListBucket", map[string]want{
		url("there"):   {200, ""},
		url("missing"): {404, "NoSuchKey"},
		url("marked"):  {404, "NoSuchKey"},
		goneURL:        {404, "NoSuchVersion"},
	})
	lister, _, _ := newUser(t, srv, "lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::probe/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::probe"}]}`)
	_, err = lister.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("probe"), Key: aws.String("nope")})
	mustCode(t, err, "NoSuchKey")

	// ACLs count too: a public-read bucket lets anyone list it, so its
	// missing keys are 404 while a private object stays 403.
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("aclprobe"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("aclprobe"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, root, "aclprobe", "private", []byte("p"))
	aclURL := srv.URL + "/aclprobe/"
	check("private bucket ACL", map[string]want{aclURL + "private": {403, "AccessDenied"}, aclURL + "missing": {403, "AccessDenied"}})
	if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("aclprobe"), ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	check("public-read bucket ACL", map[string]want{aclURL + "private": {403, "AccessDenied"}, aclURL + "missing": {404, "NoSuchKey"}})
}
