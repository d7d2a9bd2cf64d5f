package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// Three accounts in one server: each lists its own buckets and its own
// users; bucket names stay global.
func TestAccountsIsolation(t *testing.T) {
	t.Parallel()
	srv, a, b, c := threeAccounts(t)
	mustCreateBucket(t, a.Root, "iso-a")
	mustCreateBucket(t, b.Root, "iso-b")
	mustCreateBucket(t, c.Root, "iso-c")
	for _, tc := range []struct {
		who  account
		want []string
	}{{a, []string{"iso-a"}}, {b, []string{"iso-b"}}, {c, []string{"iso-c"}}} {
		if got := bucketNames(t, tc.who.Root); !slices.Equal(got, tc.want) {
			t.Fatalf("%s lists %v, want %v", tc.who.Name, got, tc.want)
		}
	}
	out, err := b.Root.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || aws.ToString(out.Owner.ID) != b.CanonicalID || aws.ToString(out.Owner.DisplayName) != "bee" {
		t.Fatalf("ListBuckets owner = %+v, %v", out.Owner, err)
	}
	// Names are global: another account cannot take one; the owner gets S3's us-east-1 answer.
	_, err = c.Root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("iso-b")})
	mustCode(t, err, "BucketAlreadyExists")
	if _, err := b.Root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("iso-b")}); err != nil {
		t.Fatalf("owner re-creating its bucket in us-east-1: %v", err)
	}
	acl, err := b.Root.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("iso-b")})
	if err != nil || aws.ToString(acl.Owner.ID) != b.CanonicalID || aws.ToString(acl.Owner.DisplayName) != "bee" {
		t.Fatalf("GetBucketAcl owner = %+v, %v", acl.Owner, err)
	}
	// Without any grant, no account reaches another's bucket, root or not.
	_, err = a.Root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("iso-b")})
	mustCode(t, err, "AccessDenied")
	mustPut(t, b.Root, "iso-b", "k", []byte("bee's"))
	allowOrDeny(t, "admin root reads bee's object", getErr(a.Root, "iso-b", "k"), false)
	allowOrDeny(t, "sea root deletes bee's bucket", func() error {
		_, err := c.Root.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("iso-b")})
		return err
	}(), false)
	// A user with every permission in its own account still needs the other account's grant.
	cAll := c.user(t, "all", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	if got := bucketNames(t, cAll); !slices.Equal(got, []string{"iso-c"}) {
		t.Fatalf("sea's user lists %v", got)
	}
	allowOrDeny(t, "sea's s3:* user reads bee's object", getErr(cAll, "iso-b", "k"), false)
	allowOrDeny(t, "sea's s3:* user writes its account's bucket", putErr(cAll, "iso-c", "k", ""), true)

	// IAM acts within the caller's account: the same user name in two
	// accounts, neither seeing the other's.
	bi, ci := b.iam(t), c.iam(t)
	u := bi.ok("CreateUser", "UserName", "alice").User
	if u.Arn != b.userARN("alice") {
		t.Fatalf("bee's alice ARN = %s", u.Arn)
	}
	if u := ci.ok("CreateUser", "UserName", "alice").User; u.Arn != c.userARN("alice") {
		t.Fatalf("sea's alice ARN = %s", u.Arn)
	}
	if users := bi.ok("ListUsers").Users; len(users) != 1 || users[0].Arn != b.userARN("alice") {
		t.Fatalf("bee's users = %+v", users)
	}
	bi.fail(http.StatusNotFound, "NoSuchEntity", "GetUser", "UserName", "all")
	iamRoot(t, srv).fail(http.StatusNotFound, "NoSuchEntity", "GetUser", "UserName", "alice")
	ci.ok("DeleteUser", "UserName", "alice")
	if u := bi.ok("GetUser", "UserName", "alice").User; u.UserId == "" {
		t.Fatal("deleting sea's alice touched bee's")
	}
	// Only the administrator's account manages accounts.
	bi.fail(http.StatusForbidden, "AccessDenied", "TalusListAccounts")
	bi.fail(http.StatusForbidden, "AccessDenied", "TalusCreateAccount", "AccountName", "mine")
	iamRoot(t, srv).fail(http.StatusConflict, "EntityAlreadyExists", "TalusCreateAccount", "AccountName", "other", "Email", "bee@example.com")
	iamRoot(t, srv).fail(http.StatusConflict, "DeleteConflict", "TalusDeleteAccount", "AccountId", b.ID)
}

// The key service is the administrator account's: another account's root
// neither lists nor creates keys in it, nor uses one by ARN.
func TestAccountsKeyServiceIsTheAdministrators(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	b := newAccount(t, srv, "bee", "")
	key, err := kmsRoot(srv).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	bk := kmsClient(srv, b.AK, b.SK)
	_, err = bk.ListKeys(ctx, &kms.ListKeysInput{})
	kmsCode(t, err, "AccessDeniedException")
	_, err = bk.CreateKey(ctx, &kms.CreateKeyInput{})
	kmsCode(t, err, "AccessDeniedException")
	_, err = bk.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.Arn})
	kmsCode(t, err, "AccessDeniedException")
	// The server still encrypts the account's objects with its keys.
	mustCreateBucket(t, b.Root, "bee-kms")
	if _, err := b.Root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bee-kms"), Key: aws.String("k"), Body: strings.NewReader("secret"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms}); err != nil {
		t.Fatalf("SSE-KMS PutObject by another account: %v", err)
	}
	if got := mustGet(t, b.Root, "bee-kms", "k"); string(got) != "secret" {
		t.Fatalf("read back %q", got)
	}
}
