package e2e

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

// iamResult is the union of the IAM result elements the tests read.
type iamResult struct {
	User struct {
		Path, UserName, UserId, Arn, CreateDate string
	} `xml:"User"`
	Users []struct {
		Path, UserName, Arn string
	} `xml:"Users>member"`
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker"`
	AccessKey   struct {
		UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string
	} `xml:"AccessKey"`
	Keys []struct {
		UserName, AccessKeyId, Status, SecretAccessKey string
	} `xml:"AccessKeyMetadata>member"`
	PolicyNames    []string `xml:"PolicyNames>member"`
	PolicyName     string   `xml:"PolicyName"`
	PolicyDocument string   `xml:"PolicyDocument"`
}

// iamDoc is an IAM response: its <ActionResult> and metadata.
type iamDoc struct {
	iamResult
	RequestID string
}

type iamErrDoc struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type, Code, Message string
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// iamAs is an IAM caller.
type iamAs struct {
	t      *testing.T
	srv    *testserver.Server
	ak, sk string
}

func iamRoot(t *testing.T, srv *testserver.Server) iamAs {
	return iamAs{t, srv, testserver.AccessKey, testserver.SecretKey}
}

func iamParams(action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// ok runs an action that must succeed and decodes its result.
func (c iamAs) ok(action string, kv ...string) iamDoc {
	c.t.Helper()
	status, body := iamCall(c.t, c.srv, c.ak, c.sk, iamParams(action, kv...))
	if status != 200 {
		c.t.Fatalf("IAM %s %v: %d %s", action, kv, status, body)
	}
	if !strings.Contains(body, "<"+action+"Response") {
		c.t.Fatalf("IAM %s: unexpected document %s", action, body)
	}
	var raw struct {
		Result    iamResult `xml:",any"`
		RequestID string    `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &raw); err != nil {
		c.t.Fatalf("IAM %s: %v in %s", action, err, body)
	}
	d := iamDoc{raw.Result, raw.RequestID}
	if d.RequestID == "" {
		c.t.Errorf("IAM %s: no RequestId in %s", action, body)
	}
	return d
}

// fail runs an action that must fail with status and code.
func (c iamAs) fail(status int, code, action string, kv ...string) iamErrDoc {
	c.t.Helper()
	got, body := iamCall(c.t, c.srv, c.ak, c.sk, iamParams(action, kv...))
	var d iamErrDoc
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		c.t.Fatalf("IAM %s %v: %d, error body not XML (%v): %s", action, kv, got, err, body)
	}
	if got != status || d.Error.Code != code {
		c.t.Fatalf("IAM %s %v: %d %s, want %d %s; body %s", action, kv, got, d.Error.Code, status, code, body)
	}
	if d.Error.Message == "" || d.RequestID == "" || d.Error.Type != map[bool]string{true: "Sender", false: "Receiver"}[status < 500] {
		c.t.Fatalf("IAM %s: incomplete error document %s", action, body)
	}
	return d
}

func TestIAMAPIUsers(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := iamRoot(t, srv)

	d := root.ok("CreateUser", "UserName", "alice")
	u := d.User
	if u.UserName != "alice" || u.Path != "/" || u.Arn != "arn:aws:iam::000000000000:user/alice" || !strings.HasPrefix(u.UserId, "AIDA") || u.CreateDate == "" {
		t.Fatalf("CreateUser = %+v", u)
	}
	root.fail(409, "EntityAlreadyExists", "CreateUser", "UserName", "alice")
	for _, bad := range []string{"bad name", "semi;colon", "slash/name", strings.Repeat("x", 65)} {
		root.fail(400, "ValidationError", "CreateUser", "UserName", bad)
	}
	root.fail(400, "ValidationError", "CreateUser")
	root.fail(400, "ValidationError", "CreateUser", "UserName", "pathless", "Path", "no-slashes")
	root.ok("CreateUser", "UserName", "name+with=odd,chars.@-_")
	for _, n := range []string{"eng-1", "eng-2", "eng-3"} {
		if got := root.ok("CreateUser", "UserName", n, "Path", "/eng/").User; got.Path != "/eng/" {
			t.Fatalf("CreateUser with a path = %+v", got)
		}
	}
	root.ok("CreateUser", "UserName", "ops-1", "Path", "/ops/")
	root.ok("CreateUser", "UserName", "zed")

	g := root.ok("GetUser", "UserName", "alice").User
	if g.UserId != u.UserId || g.Arn != u.Arn || g.Path != "/" {
		t.Fatalf("GetUser = %+v, created %+v", g, u)
	}
	if got := root.ok("GetUser", "UserName", "eng-2").User; got.Path != "/eng/" {
		t.Fatalf("GetUser eng-2 = %+v", got)
	}
	root.fail(404, "NoSuchEntity", "GetUser", "UserName", "nobody")
	root.fail(400, "ValidationError", "GetUser", "UserName", "bad name")

	// Paging: every user once, in order.
	all := []string{"alice", "eng-1", "eng-2", "eng-3", "name+with=odd,chars.@-_", "ops-1", "zed"}
	slices.Sort(all)
	page := func(prefix string, max int) ([]string, int) {
		var names []string
		marker, pages := "", 0
		for {
			kv := []string{"MaxItems", string(rune('0' + max))}
			if marker != "" {
				kv = append(kv, "Marker", marker)
			}
			if prefix != "" {
				kv = append(kv, "PathPrefix", prefix)
			}
			d := root.ok("ListUsers", kv...)
			pages++
			if len(d.Users) > max {
				t.Fatalf("ListUsers returned %d > MaxItems %d", len(d.Users), max)
			}
			for _, u := range d.Users {
				names = append(names, u.UserName)
			}
			if !d.IsTruncated {
				if d.Marker != "" {
					t.Fatalf("untruncated page with Marker %q", d.Marker)
				}
				return names, pages
			}
			if d.Marker == "" || pages > 20 {
				t.Fatalf("truncated page without a usable Marker: %+v", d)
			}
			marker = d.Marker
		}
	}
	for _, max := range []int{1, 2, 3, 7, 9} {
		names, pages := page("", max)
		if !slices.Equal(names, all) {
			t.Fatalf("ListUsers MaxItems=%d: %q, want %q", max, names, all)
		}
		if want := (len(all) + max - 1) / max; pages != want && pages != want+1 {
			t.Fatalf("ListUsers MaxItems=%d took %d pages", max, pages)
		}
	}
	if d := root.ok("ListUsers"); len(d.Users) != len(all) || d.IsTruncated {
		t.Fatalf("ListUsers without paging: %d users, truncated %v", len(d.Users), d.IsTruncated)
	}
	for _, max := range []int{1, 2, 5} {
		if names, _ := page("/eng/", max); !slices.Equal(names, []string{"eng-1", "eng-2", "eng-3"}) {
			t.Fatalf("ListUsers PathPrefix=/eng/ MaxItems=%d: %q", max, names)
		}
	}
	if names, _ := page("/ops", 2); !slices.Equal(names, []string{"ops-1"}) {
		t.Fatalf("ListUsers PathPrefix=/ops: %q", names)
	}
	if d := root.ok("ListUsers", "PathPrefix", "/none/"); len(d.Users) != 0 || d.IsTruncated {
		t.Fatalf("ListUsers with an unused prefix = %+v", d)
	}
	for _, bad := range []string{"0", "1001", "-1", "many"} {
		root.fail(400, "ValidationError", "ListUsers", "MaxItems", bad)
	}

	// Deleting.
	root.ok("DeleteUser", "UserName", "zed")
	root.fail(404, "NoSuchEntity", "GetUser", "UserName", "zed")
	root.fail(404, "NoSuchEntity", "DeleteUser", "UserName", "zed")
	root.ok("CreateAccessKey", "UserName", "alice")
	root.fail(409, "DeleteConflict", "DeleteUser", "UserName", "alice")
	root.ok("PutUserPolicy", "UserName", "eng-1", "PolicyName", "p", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))
	root.fail(409, "DeleteConflict", "DeleteUser", "UserName", "eng-1")
	root.ok("DeleteUserPolicy", "UserName", "eng-1", "PolicyName", "p")
	root.ok("DeleteUser", "UserName", "eng-1")
	// A name can be reused after deletion, as a new user.
	if got := root.ok("CreateUser", "UserName", "zed").User; got.UserId == "" {
		t.Fatalf("recreated user = %+v", got)
	}

	// Unknown and missing actions.
	root.fail(400, "InvalidAction", "Frobnicate", "UserName", "alice")
	root.fail(400, "InvalidAction", "CreateLoginProfile", "UserName", "alice")
	status, body := iamCall(t, srv, testserver.AccessKey, testserver.SecretKey, url.Values{})
	if status != 400 || !strings.Contains(body, "MissingAction") {
		t.Fatalf("IAM without Action = %d %s", status, body)
	}
}

func TestIAMAPIAccessKeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := iamRoot(t, srv)
	sdk := srv.Client()
	mustCreateBucket(t, sdk, "keys")
	root.ok("CreateUser", "UserName", "bob")
	root.ok("PutUserPolicy", "UserName", "bob", "PolicyName", "s3", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	if d := root.ok("ListAccessKeys", "UserName", "bob"); len(d.Keys) != 0 {
		t.Fatalf("new user has keys: %+v", d.Keys)
	}
	k1 := root.ok("CreateAccessKey", "UserName", "bob").AccessKey
	if k1.UserName != "bob" || k1.Status != "Active" || len(k1.AccessKeyId) != 20 || !strings.HasPrefix(k1.AccessKeyId, "AKIA") || len(k1.SecretAccessKey) != 40 || k1.CreateDate == "" {
		t.Fatalf("CreateAccessKey = %+v", k1)
	}
	s3As := func(k struct{ UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string }) error {
		c := testserver.NewClient(srv.URL, k.AccessKeyId, k.SecretAccessKey)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String("by-" + k.AccessKeyId), Body: strings.NewReader("x")})
		return err
	}
	// The new key works for S3 at once.
	if err := s3As(k1); err != nil {
		t.Fatalf("new key on S3: %v", err)
	}
	k2 := root.ok("CreateAccessKey", "UserName", "bob").AccessKey
	if k2.AccessKeyId == k1.AccessKeyId || k2.SecretAccessKey == k1.SecretAccessKey {
		t.Fatal("second key equals the first")
	}
	if err := s3As(k2); err != nil {
		t.Fatalf("second key on S3: %v", err)
	}
	root.fail(409, "LimitExceeded", "CreateAccessKey", "UserName", "bob")
	list := func() map[string]string {
		d := root.ok("ListAccessKeys", "UserName", "bob")
		m := map[string]string{}
		for _, k := range d.Keys {
			if k.SecretAccessKey != "" || k.UserName != "bob" {
				t.Fatalf("ListAccessKeys leaks or misnames: %+v", k)
			}
			m[k.AccessKeyId] = k.Status
		}
		return m
	}
	if got := list(); len(got) != 2 || got[k1.AccessKeyId] != "Active" || got[k2.AccessKeyId] != "Active" {
		t.Fatalf("ListAccessKeys = %v", got)
	}

	// Inactive keys are refused as unknown, at once; reactivating restores them.
	root.ok("UpdateAccessKey", "UserName", "bob", "AccessKeyId", k1.AccessKeyId, "Status", "Inactive")
	if got := list(); got[k1.AccessKeyId] != "Inactive" || got[k2.AccessKeyId] != "Active" {
		t.Fatalf("after deactivating: %v", got)
	}
	rqCode(t, s3As(k1), "InvalidAccessKeyId", 403)
	if err := s3As(k2); err != nil {
		t.Fatalf("the other key after deactivating one: %v", err)
	}
	status, body := iamCall(t, srv, k1.AccessKeyId, k1.SecretAccessKey, iamParams("ListUsers"))
	if status != 403 || !strings.Contains(body, "InvalidClientTokenId") {
		t.Fatalf("IAM call with an inactive key = %d %s", status, body)
	}
	// Still counts against the quota.
	root.fail(409, "LimitExceeded", "CreateAccessKey", "UserName", "bob")
	root.ok("UpdateAccessKey", "UserName", "bob", "AccessKeyId", k1.AccessKeyId, "Status", "Active")
	if err := s3As(k1); err != nil {
		t.Fatalf("reactivated key: %v", err)
	}
	root.fail(400, "ValidationError", "UpdateAccessKey", "UserName", "bob", "AccessKeyId", k1.AccessKeyId, "Status", "Disabled")
	root.fail(400, "ValidationError", "UpdateAccessKey", "UserName", "bob", "Status", "Active")
	root.fail(404, "NoSuchEntity", "UpdateAccessKey", "UserName", "bob", "AccessKeyId", "AKIANOSUCHKEY0000000", "Status", "Inactive")
	// Another user's key is not found under this user.
	root.ok("CreateUser", "UserName", "carol")
	root.fail(404, "NoSuchEntity", "UpdateAccessKey", "UserName", "carol", "AccessKeyId", k1.AccessKeyId, "Status", "Inactive")
	root.fail(404, "NoSuchEntity", "DeleteAccessKey", "UserName", "carol", "AccessKeyId", k1.AccessKeyId)
	if err := s3As(k1); err != nil {
		t.Fatalf("key after a refused cross-user update: %v", err)
	}

	// Deleted keys are refused at once.
	root.ok("DeleteAccessKey", "UserName", "bob", "AccessKeyId", k1.AccessKeyId)
	rqCode(t, s3As(k1), "InvalidAccessKeyId", 403)
	root.fail(404, "NoSuchEntity", "DeleteAccessKey", "UserName", "bob", "AccessKeyId", k1.AccessKeyId)
	if got := list(); len(got) != 1 || got[k2.AccessKeyId] != "Active" {
		t.Fatalf("after deleting: %v", got)
	}
	// A freed slot can be used again.
	k3 := root.ok("CreateAccessKey", "UserName", "bob").AccessKey
	if err := s3As(k3); err != nil {
		t.Fatalf("replacement key: %v", err)
	}
	// Unknown users.
	root.fail(404, "NoSuchEntity", "CreateAccessKey", "UserName", "nobody")
	root.fail(404, "NoSuchEntity", "ListAccessKeys", "UserName", "nobody")
	root.fail(400, "ValidationError", "CreateAccessKey")
	// Deleting the user needs its keys gone; then its keys are gone too.
	root.fail(409, "DeleteConflict", "DeleteUser", "UserName", "bob")
	root.ok("DeleteAccessKey", "UserName", "bob", "AccessKeyId", k2.AccessKeyId)
	root.ok("DeleteAccessKey", "UserName", "bob", "AccessKeyId", k3.AccessKeyId)
	root.ok("DeleteUserPolicy", "UserName", "bob", "PolicyName", "s3")
	root.ok("DeleteUser", "UserName", "bob")
	rqCode(t, s3As(k3), "InvalidAccessKeyId", 403)
}

func TestIAMAPIUserPolicies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := iamRoot(t, srv)
	sdk := srv.Client()
	mustCreateBucket(t, sdk, "pol")
	mustPut(t, sdk, "pol", "a+b c/x", []byte("x"))
	client, _, _ := newUser(t, srv, "dana", "")
	if d := root.ok("ListUserPolicies", "UserName", "dana"); len(d.PolicyNames) != 0 {
		t.Fatalf("new user has policies %q", d.PolicyNames)
	}
	// Spaces, '+', '%', '&' and newlines survive the round trip.
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"ReadPlus\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\",\n   \"Resource\": \"arn:aws:s3:::pol/a+b c/*\", \"Condition\": {\"StringLike\": {\"aws:UserAgent\": \"*&100%*\"}}}]\n}"
	root.ok("PutUserPolicy", "UserName", "dana", "PolicyName", "read", "PolicyDocument", doc)
	got := root.ok("GetUserPolicy", "UserName", "dana", "PolicyName", "read")
	if got.PolicyName != "read" {
		t.Fatalf("GetUserPolicy = %+v", got)
	}
	if strings.ContainsAny(got.PolicyDocument, " {\"\n+") {
		t.Fatalf("PolicyDocument is not URL-encoded (RFC 3986): %q", got.PolicyDocument)
	}
	if dec, err := url.PathUnescape(got.PolicyDocument); err != nil || dec != doc {
		t.Fatalf("PolicyDocument decodes to %q (%v), want %q", dec, err, doc)
	}
	// The policy is in force (the SDK's User-Agent does not match, so: denied).
	condExpect(t, "condition on the user agent", condGet(client, "pol", "a+b c/x"), 403)
	root.ok("PutUserPolicy", "UserName", "dana", "PolicyName", "read", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/a+b c/*"}`))
	condExpect(t, "replaced policy", condGet(client, "pol", "a+b c/x"), 200)
	if dec, _ := url.PathUnescape(root.ok("GetUserPolicy", "UserName", "dana", "PolicyName", "read").PolicyDocument); !strings.Contains(dec, `"Resource":"arn:aws:s3:::pol/a+b c/*"`) {
		t.Fatalf("replaced document = %q", dec)
	}
	root.ok("PutUserPolicy", "UserName", "dana", "PolicyName", "list", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::pol"}`))
	root.ok("PutUserPolicy", "UserName", "dana", "PolicyName", "a-first", "PolicyDocument", condDoc(`{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}`))
	if d := root.ok("ListUserPolicies", "UserName", "dana"); !slices.Equal(d.PolicyNames, []string{"a-first", "list", "read"}) {
		t.Fatalf("ListUserPolicies = %q", d.PolicyNames)
	}
	condExpect(t, "second policy", condList(client, "pol", nil, nil), 200)
	// Deleting a policy takes effect at once.
	root.ok("DeleteUserPolicy", "UserName", "dana", "PolicyName", "read")
	condExpect(t, "deleted policy", condGet(client, "pol", "a+b c/x"), 403)
	if d := root.ok("ListUserPolicies", "UserName", "dana"); !slices.Equal(d.PolicyNames, []string{"a-first", "list"}) {
		t.Fatalf("ListUserPolicies after delete = %q", d.PolicyNames)
	}
	root.fail(404, "NoSuchEntity", "GetUserPolicy", "UserName", "dana", "PolicyName", "read")
	root.fail(404, "NoSuchEntity", "DeleteUserPolicy", "UserName", "dana", "PolicyName", "read")
	root.fail(404, "NoSuchEntity", "GetUserPolicy", "UserName", "nobody", "PolicyName", "read")
	root.fail(404, "NoSuchEntity", "ListUserPolicies", "UserName", "nobody")
	root.fail(404, "NoSuchEntity", "PutUserPolicy", "UserName", "nobody", "PolicyName", "p", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))

	// Malformed documents.
	for _, bad := range []string{
		"not json",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringWhatever":{"s3:prefix":"x"}}}]}`,
		`{"Version":"1999-01-01","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
	} {
		root.fail(400, "MalformedPolicyDocument", "PutUserPolicy", "UserName", "dana", "PolicyName", "bad", "PolicyDocument", bad)
	}
	root.fail(404, "NoSuchEntity", "GetUserPolicy", "UserName", "dana", "PolicyName", "bad")
	// Bad names and missing parameters.
	root.fail(400, "ValidationError", "PutUserPolicy", "UserName", "dana", "PolicyName", "bad name", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	root.fail(400, "ValidationError", "PutUserPolicy", "UserName", "dana", "PolicyName", "p")
	root.fail(400, "ValidationError", "GetUserPolicy", "UserName", "dana")
}

func TestIAMAPIPermissions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := iamRoot(t, srv)
	_, ak, sk := newUser(t, srv, "nopolicy", "")
	none := iamAs{t, srv, ak, sk}
	none.fail(403, "AccessDenied", "ListUsers")
	none.fail(403, "AccessDenied", "CreateUser", "UserName", "x")
	none.fail(403, "AccessDenied", "GetUser", "UserName", "nopolicy")
	none.fail(403, "AccessDenied", "CreateAccessKey", "UserName", "nopolicy")
	none.fail(403, "AccessDenied", "PutUserPolicy", "UserName", "nopolicy", "PolicyName", "escalate", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	root.fail(404, "NoSuchEntity", "GetUser", "UserName", "x")
	if d := root.ok("ListUserPolicies", "UserName", "nopolicy"); len(d.PolicyNames) != 0 {
		t.Fatalf("escalation stored a policy: %q", d.PolicyNames)
	}

	// S3 permissions grant nothing in IAM.
	_, ak, sk = newUser(t, srv, "s3admin", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	iamAs{t, srv, ak, sk}.fail(403, "AccessDenied", "ListUsers")

	// Only iam:ListUsers.
	_, ak, sk = newUser(t, srv, "auditor", condDoc(`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}`))
	auditor := iamAs{t, srv, ak, sk}
	if d := auditor.ok("ListUsers"); len(d.Users) != 3 {
		t.Fatalf("auditor ListUsers = %+v", d.Users)
	}
	auditor.fail(403, "AccessDenied", "CreateUser", "UserName", "y")
	auditor.fail(403, "AccessDenied", "GetUser", "UserName", "auditor")
	auditor.fail(403, "AccessDenied", "DeleteUser", "UserName", "nopolicy")

	// Resource-scoped: each user may read and rotate only their own keys.
	self := condDoc(`{"Effect":"Allow","Action":["iam:GetUser","iam:ListAccessKeys","iam:CreateAccessKey"],"Resource":"arn:aws:iam::000000000000:user/${aws:username}"}`)
	_, ak, sk = newUser(t, srv, "selfie", self)
	selfie := iamAs{t, srv, ak, sk}
	if got := selfie.ok("GetUser", "UserName", "selfie").User.UserName; got != "selfie" {
		t.Fatalf("self GetUser = %q", got)
	}
	if d := selfie.ok("ListAccessKeys", "UserName", "selfie"); len(d.Keys) != 1 || d.Keys[0].AccessKeyId != ak {
		t.Fatalf("self ListAccessKeys = %+v", d.Keys)
	}
	selfie.fail(403, "AccessDenied", "GetUser", "UserName", "auditor")
	selfie.fail(403, "AccessDenied", "CreateAccessKey", "UserName", "auditor")
	selfie.fail(403, "AccessDenied", "ListUsers")

	// iam:* administers everything, except what a Deny takes away.
	_, ak, sk = newUser(t, srv, "admin", condDoc(`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`,
		`{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"arn:aws:iam::000000000000:user/protected"}`))
	admin := iamAs{t, srv, ak, sk}
	admin.ok("CreateUser", "UserName", "made-by-admin")
	k := admin.ok("CreateAccessKey", "UserName", "made-by-admin").AccessKey
	admin.ok("PutUserPolicy", "UserName", "made-by-admin", "PolicyName", "p", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}`))
	if _, err := testserver.NewClient(srv.URL, k.AccessKeyId, k.SecretAccessKey).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("key and policy made by the admin: %v", err)
	}
	if d := admin.ok("GetUserPolicy", "UserName", "made-by-admin", "PolicyName", "p"); d.PolicyDocument == "" {
		t.Fatal("admin GetUserPolicy: empty document")
	}
	admin.ok("ListUsers")
	admin.ok("UpdateAccessKey", "UserName", "made-by-admin", "AccessKeyId", k.AccessKeyId, "Status", "Inactive")
	admin.ok("DeleteAccessKey", "UserName", "made-by-admin", "AccessKeyId", k.AccessKeyId)
	admin.ok("DeleteUserPolicy", "UserName", "made-by-admin", "PolicyName", "p")
	admin.ok("DeleteUser", "UserName", "made-by-admin")
	admin.ok("CreateUser", "UserName", "protected")
	admin.fail(403, "AccessDenied", "DeleteUser", "UserName", "protected")
	root.ok("DeleteUser", "UserName", "protected")
	// The admin can grant the auditor more, which takes effect at once.
	admin.ok("PutUserPolicy", "UserName", "auditor", "PolicyName", "more", "PolicyDocument", condDoc(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}`))
	auditor.ok("GetUser", "UserName", "admin")

	// Authentication failures.
	status, body := iamCall(t, srv, testserver.AccessKey, "wrong-secret", iamParams("ListUsers"))
	if status != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Fatalf("IAM with a wrong secret = %d %s", status, body)
	}
	status, body = iamCall(t, srv, "AKIANOSUCHKEY0000000", "x", iamParams("ListUsers"))
	if status != 403 || !strings.Contains(body, "InvalidClientTokenId") && !strings.Contains(body, "InvalidAccessKeyId") {
		t.Fatalf("IAM with an unknown key = %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := send(t, req)
	if res.Status != 403 || !bytes.Contains(res.Body, []byte("MissingAuthenticationToken")) {
		t.Fatalf("unsigned IAM call = %d %s", res.Status, res.Body)
	}
}

// TestIAMAPIAWSCLI drives the IAM API with the real AWS CLI.
func TestIAMAPIAWSCLI(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	cli := awsCLI(t, srv, testserver.AccessKey, testserver.SecretKey)
	run := func(args ...string) (map[string]any, string, error) {
		t.Helper()
		return cli(append([]string{"iam"}, args...)...)
	}
	must := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := run(args...)
		if err != nil {
			t.Fatalf("aws iam %v: %v\n%s", args, err, stderr)
		}
		return out
	}
	out := must("create-user", "--user-name", "cli-user", "--path", "/cli/")
	if u, _ := out["User"].(map[string]any); u["UserName"] != "cli-user" || u["Arn"] != "arn:aws:iam::000000000000:user/cli/cli-user" && u["Arn"] != "arn:aws:iam::000000000000:user/cli-user" {
		t.Fatalf("create-user = %v", out)
	}
	must("create-user", "--user-name", "other")
	out = must("list-users", "--path-prefix", "/cli/")
	if us, _ := out["Users"].([]any); len(us) != 1 || us[0].(map[string]any)["UserName"] != "cli-user" {
		t.Fatalf("list-users --path-prefix = %v", out)
	}
	// The CLI pages with MaxItems/Marker on its own.
	out = must("list-users", "--page-size", "1")
	if us, _ := out["Users"].([]any); len(us) != 2 {
		t.Fatalf("list-users paged = %v", out)
	}
	doc := condDoc(`{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:CreateBucket"], "Resource": "*"}`)
	must("put-user-policy", "--user-name", "cli-user", "--policy-name", "cli+policy=1", "--policy-document", doc)
	out = must("get-user-policy", "--user-name", "cli-user", "--policy-name", "cli+policy=1")
	// botocore URL-decodes the document and parses it: it must come back as an object.
	pd, ok := out["PolicyDocument"].(map[string]any)
	if !ok || pd["Version"] != "2012-10-17" {
		t.Fatalf("get-user-policy PolicyDocument = %#v", out["PolicyDocument"])
	}
	out = must("create-access-key", "--user-name", "cli-user")
	key, _ := out["AccessKey"].(map[string]any)
	akid, _ := key["AccessKeyId"].(string)
	secret, _ := key["SecretAccessKey"].(string)
	if akid == "" || secret == "" || key["Status"] != "Active" {
		t.Fatalf("create-access-key = %v", out)
	}
	user := testserver.NewClient(srv.URL, akid, secret)
	if _, err := user.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cli-made")}); err != nil {
		t.Fatalf("S3 with a key made by the CLI: %v", err)
	}
	if _, err := user.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("S3 ListBuckets with a key made by the CLI: %v", err)
	}
	_, err := user.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("cli-made")})
	rqCode(t, err, "AccessDenied", 403)
	out = must("list-access-keys", "--user-name", "cli-user")
	if ks, _ := out["AccessKeyMetadata"].([]any); len(ks) != 1 || ks[0].(map[string]any)["AccessKeyId"] != akid {
		t.Fatalf("list-access-keys = %v", out)
	}
	must("update-access-key", "--user-name", "cli-user", "--access-key-id", akid, "--status", "Inactive")
	_, err = user.ListBuckets(ctx, &s3.ListBucketsInput{})
	rqCode(t, err, "InvalidAccessKeyId", 403)
	// Errors come back as the CLI reports them.
	_, stderr, err := run("get-user", "--user-name", "nobody")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !strings.Contains(stderr, "NoSuchEntity") {
		t.Fatalf("get-user of a missing user: %v %s", err, stderr)
	}
	_, stderr, err = run("delete-user", "--user-name", "cli-user")
	if err == nil || !strings.Contains(stderr, "DeleteConflict") {
		t.Fatalf("delete-user with keys: %v %s", err, stderr)
	}
	must("delete-access-key", "--user-name", "cli-user", "--access-key-id", akid)
	must("delete-user-policy", "--user-name", "cli-user", "--policy-name", "cli+policy=1")
	must("delete-user", "--user-name", "cli-user")
}
