package e2e

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// account is one account of a test server and an S3 client for its root.
type account struct {
	ID, CanonicalID, Name, Email string
	AK, SK                       string
	Root                         *s3.Client
	srv                          *testserver.Server
}

// adminAccount is the test server's first account: ID 000000000000, whose
// canonical ID is the first root access key the directory was started with.
func adminAccount(srv *testserver.Server) account {
	return account{ID: "000000000000", CanonicalID: testserver.AccessKey, Name: "admin", AK: testserver.AccessKey, SK: testserver.SecretKey,
		Root: srv.Client(), srv: srv}
}

// newAccount creates an account through the administrator's IAM endpoint
// (as 'talus admin account create' does).
func newAccount(t *testing.T, srv *testserver.Server, name, email string) account {
	t.Helper()
	status, body := iamCall(t, srv, testserver.AccessKey, testserver.SecretKey,
		url.Values{"Action": {"TalusCreateAccount"}, "AccountName": {name}, "Email": {email}})
	if status != 200 {
		t.Fatalf("TalusCreateAccount %s: %d %s", name, status, body)
	}
	var out struct {
		A struct {
			AccountID       string `xml:"AccountId"`
			CanonicalUserID string `xml:"CanonicalUserId"`
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
		} `xml:"TalusCreateAccountResult>Account"`
	}
	if err := xml.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	a := out.A
	if len(a.AccountID) != 12 || len(a.CanonicalUserID) != 64 || a.AccessKeyID == "" || a.SecretAccessKey == "" {
		t.Fatalf("TalusCreateAccount answered %s", body)
	}
	return account{ID: a.AccountID, CanonicalID: a.CanonicalUserID, Name: name, Email: email, AK: a.AccessKeyID, SK: a.SecretAccessKey,
		Root: testserver.NewClient(srv.URL, a.AccessKeyID, a.SecretAccessKey), srv: srv}
}

// threeAccounts starts a server with the administrator's account and two
// more, bee and sea (with emails bee@example.com and sea@example.com).
func threeAccounts(t *testing.T) (*testserver.Server, account, account, account) {
	t.Helper()
	srv := testserver.Start(t)
	return srv, adminAccount(srv), newAccount(t, srv, "bee", "bee@example.com"), newAccount(t, srv, "sea", "sea@example.com")
}

// iam is an IAM caller acting as the account's root.
func (a account) iam(t *testing.T) iamAs { return iamAs{t, a.srv, a.AK, a.SK} }

// user creates an IAM user of the account with an optional inline policy
// and returns an S3 client acting as it.
func (a account) user(t *testing.T, name, policyDoc string) *s3.Client {
	t.Helper()
	c := a.iam(t)
	c.ok("CreateUser", "UserName", name)
	key := c.ok("CreateAccessKey", "UserName", name).AccessKey
	if policyDoc != "" {
		c.ok("PutUserPolicy", "UserName", name, "PolicyName", "p", "PolicyDocument", policyDoc)
	}
	return testserver.NewClient(a.srv.URL, key.AccessKeyId, key.SecretAccessKey)
}

// userARN is the ARN of the account's user name.
func (a account) userARN(name string) string { return "arn:aws:iam::" + a.ID + ":user/" + name }

func putBucketPolicy(t *testing.T, c *s3.Client, bucket, doc string) {
	t.Helper()
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutBucketPolicy(%s): %v", bucket, err)
	}
}

// getErr is the error of a GetObject (nil when it succeeds).
func getErr(c *s3.Client, bucket, key string) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		out.Body.Close()
	}
	return err
}

func putErr(c *s3.Client, bucket, key string, acl types.ObjectCannedACL) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte("data")), ACL: acl})
	return err
}

// objectOwner is the owner ID GetObjectAcl reports, read by c.
func objectOwner(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObjectAcl(%s/%s): %v", bucket, key, err)
	}
	return aws.ToString(out.Owner.ID)
}

// allowOrDeny fails unless err is nil (want true) or AccessDenied (want false).
func allowOrDeny(t *testing.T, what string, err error, want bool) {
	t.Helper()
	switch {
	case want && err != nil:
		t.Fatalf("%s: %v, want success", what, err)
	case !want && apiCode(err) != "AccessDenied":
		t.Fatalf("%s: %v, want AccessDenied", what, err)
	}
}
