package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func pabPut(t *testing.T, c *s3.Client, bucket string, blockACLs, ignoreACLs, blockPolicy, restrict bool) {
	t.Helper()
	_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(blockACLs), IgnorePublicAcls: aws.Bool(ignoreACLs), BlockPublicPolicy: aws.Bool(blockPolicy), RestrictPublicBuckets: aws.Bool(restrict)}})
	if err != nil {
		t.Fatalf("PutPublicAccessBlock(%s): %v", bucket, err)
	}
}

func pabDelete(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("DeletePublicAccessBlock(%s): %v", bucket, err)
	}
}

func pabWriterBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
}

func TestPABConfiguration(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "pab")
	_, err := root.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	rqCode(t, err, "NoSuchPublicAccessBlockConfiguration", 404)
	for _, cfg := range [][4]bool{{true, false, true, false}, {false, true, false, true}, {true, true, true, true}, {false, false, false, false}} {
		pabPut(t, root, "pab", cfg[0], cfg[1], cfg[2], cfg[3])
		out, err := root.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
		if err != nil {
			t.Fatal(err)
		}
		c := out.PublicAccessBlockConfiguration
		got := [4]bool{aws.ToBool(c.BlockPublicAcls), aws.ToBool(c.IgnorePublicAcls), aws.ToBool(c.BlockPublicPolicy), aws.ToBool(c.RestrictPublicBuckets)}
		if got != cfg {
			t.Fatalf("GetPublicAccessBlock = %v, want %v", got, cfg)
		}
	}
	pabDelete(t, root, "pab")
	_, err = root.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	rqCode(t, err, "NoSuchPublicAccessBlockConfiguration", 404)
	// Deleting again is harmless; a missing bucket is NoSuchBucket.
	pabDelete(t, root, "pab")
	_, err = root.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("nope")})
	rqCode(t, err, "NoSuchBucket", 404)
	res := doRaw(t, rawReq{Method: "PUT", URL: srv.URL + "/pab?publicAccessBlock", Body: []byte("<PublicAccessBlockConfiguration><BlockPublicAcls>")})
	wantRaw(t, "malformed PutPublicAccessBlock", res, 400, "MalformedXML")
	// A user without permission may neither read nor change it.
	user, _, _ := newUser(t, srv, "nopolicy", "")
	_, err = user.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	rqCode(t, err, "AccessDenied", 403)
	_, err = user.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("pab")})
	rqCode(t, err, "AccessDenied", 403)
}

func TestPABBlockPublicAcls(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	pabWriterBucket(t, root, "bpa")
	mustPut(t, root, "bpa", "obj", []byte("o"))
	pabPut(t, root, "bpa", true, false, false, false)

	_, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa"), Key: aws.String("pub"), Body: strings.NewReader("p"), ACL: types.ObjectCannedACLPublicRead})
	rqCode(t, err, "AccessDenied", 403)
	rqMissing(t, root, "bpa", "pub")
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa"), Key: aws.String("auth"), Body: strings.NewReader("p"), ACL: types.ObjectCannedACLAuthenticatedRead})
	rqCode(t, err, "AccessDenied", 403)
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa"), Key: aws.String("grant"), Body: strings.NewReader("p"), GrantRead: aws.String(`uri="` + aclAllUsers + `"`)})
	rqCode(t, err, "AccessDenied", 403)
	_, err = root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("bpa"), Key: aws.String("obj"), ACL: types.ObjectCannedACLPublicRead})
	rqCode(t, err, "AccessDenied", 403)
	_, err = root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bpa"), ACL: types.BucketCannedACLPublicRead})
	rqCode(t, err, "AccessDenied", 403)
	_, err = root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bpa"), ACL: types.BucketCannedACLPublicReadWrite})
	rqCode(t, err, "AccessDenied", 403)
	aclWant(t, "bucket ACL after refusals", aclBucket(t, root, "bpa"), "owner:FULL_CONTROL")
	aclWant(t, "object ACL after refusals", aclObject(t, root, "bpa", "obj"), "owner:FULL_CONTROL")
	// Non-public ACLs are still accepted.
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa"), Key: aws.String("priv"), Body: strings.NewReader("p"), ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatalf("private PutObject under BlockPublicAcls: %v", err)
	}
	if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bpa"), ACL: "log-delivery-write"}); err != nil {
		t.Fatalf("non-public PutBucketAcl under BlockPublicAcls: %v", err)
	}
	// Lifting the block lets public ACLs through again.
	pabDelete(t, root, "bpa")
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa"), Key: aws.String("pub"), Body: strings.NewReader("p"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, objURL(srv, "bpa", "pub")); got != 200 {
		t.Fatalf("anonymous GET after lifting the block = %d", got)
	}
}

func TestPABIgnorePublicAcls(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ipa"), ObjectOwnership: types.ObjectOwnershipObjectWriter, ACL: types.BucketCannedACLPublicReadWrite}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ipa"), Key: aws.String("pub"), Body: strings.NewReader("p"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ipa"), Key: aws.String("auth"), Body: strings.NewReader("a"), ACL: types.ObjectCannedACLAuthenticatedRead}); err != nil {
		t.Fatal(err)
	}
	user, _, _ := newUser(t, srv, "nopolicy", "")
	userGet := func(key string) int {
		_, err := user.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ipa"), Key: aws.String(key)})
		return aclStatus(err)
	}
	state := func(what string, get, list, put, authGet int) {
		t.Helper()
		if got := anonGet(t, objURL(srv, "ipa", "pub")); got != get {
			t.Errorf("%s: anonymous GET = %d, want %d", what, got, get)
		}
		if got := anonGet(t, srv.URL+"/ipa"); got != list {
			t.Errorf("%s: anonymous list = %d, want %d", what, got, list)
		}
		if got := aclAnonPut(t, srv, "ipa", "drop"); got != put {
			t.Errorf("%s: anonymous PUT = %d, want %d", what, got, put)
		}
		if got := userGet("auth"); got != authGet {
			t.Errorf("%s: IAM user GET of an authenticated-read object = %d, want %d", what, got, authGet)
		}
	}
	state("no block", 200, 200, 200, 200)
	pabPut(t, root, "ipa", false, true, false, false)
	state("IgnorePublicAcls", 403, 403, 403, 403)
	// The ACLs themselves are kept, only ignored.
	aclWant(t, "ignored object ACL", aclObject(t, root, "ipa", "pub"), "owner:FULL_CONTROL", "AllUsers:READ")
	// Public ACLs can still be set (that is BlockPublicAcls' job) but do nothing.
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ipa"), Key: aws.String("pub2"), Body: strings.NewReader("p"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, objURL(srv, "ipa", "pub2")); got != 403 {
		t.Fatalf("anonymous GET of a new public-read object under IgnorePublicAcls = %d", got)
	}
	// A bucket policy still grants under IgnorePublicAcls.
	setBucketPolicy(t, root, "ipa", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ipa/pub2"}]}`)
	if got := anonGet(t, objURL(srv, "ipa", "pub2")); got != 200 {
		t.Fatalf("anonymous GET granted by a policy under IgnorePublicAcls = %d", got)
	}
	pabDelete(t, root, "ipa")
	state("block deleted", 200, 200, 200, 200)
}

func TestPABBlockPublicPolicy(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "bpp")
	mustPut(t, root, "bpp", "obj", []byte("o"))
	pabPut(t, root, "bpp", false, false, true, false)
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bpp/*"}]}`
	_, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bpp"), Policy: aws.String(public)})
	rqCode(t, err, "AccessDenied", 403)
	_, err = root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("bpp")})
	rqCode(t, err, "NoSuchBucketPolicy", 404)
	publicAWS := strings.Replace(public, `"Principal":"*"`, `"Principal":{"AWS":"*"}`, 1)
	_, err = root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bpp"), Policy: aws.String(publicAWS)})
	rqCode(t, err, "AccessDenied", 403)
	// A wildcard principal pinned to a source range is not public.
	pinned := strings.Replace(public, `"Resource"`, `"Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}},"Resource"`, 1)
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bpp"), Policy: aws.String(pinned)}); err != nil {
		t.Fatalf("pinned policy under BlockPublicPolicy: %v", err)
	}
	if got := anonGet(t, objURL(srv, "bpp", "obj")); got != 200 {
		t.Fatalf("anonymous GET from 127.0.0.1 under a pinned policy = %d", got)
	}
	// A 0.0.0.0/0 range pins nothing.
	open := strings.Replace(pinned, "127.0.0.0/8", "0.0.0.0/0", 1)
	_, err = root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bpp"), Policy: aws.String(open)})
	rqCode(t, err, "AccessDenied", 403)
	// So is a policy naming a principal of the account.
	named := strings.Replace(public, `"Principal":"*"`, `"Principal":{"AWS":"arn:aws:iam::000000000000:user/alice"}`, 1)
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bpp"), Policy: aws.String(named)}); err != nil {
		t.Fatalf("non-public policy under BlockPublicPolicy: %v", err)
	}
	got, err := root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("bpp")})
	if err != nil || aws.ToString(got.Policy) != named {
		t.Fatalf("GetBucketPolicy = %v, %v", got, err)
	}
	// Lifting the block accepts the public policy.
	pabDelete(t, root, "bpp")
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bpp"), Policy: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, objURL(srv, "bpp", "obj")); got != 200 {
		t.Fatalf("anonymous GET under a public policy = %d", got)
	}
}

func TestPABRestrictPublicBuckets(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "rpb")
	mustPut(t, root, "rpb", "obj", []byte("o"))
	setBucketPolicy(t, root, "rpb", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::rpb","arn:aws:s3:::rpb/*"]}]}`)
	user, _, _ := newUser(t, srv, "inside", "")
	userGet := func() error {
		_, err := user.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rpb"), Key: aws.String("obj")})
		return err
	}
	if got := anonGet(t, objURL(srv, "rpb", "obj")); got != 200 {
		t.Fatalf("anonymous GET under a public policy = %d", got)
	}
	if err := userGet(); err != nil {
		t.Fatalf("user GET under a public policy: %v", err)
	}
	pabPut(t, root, "rpb", false, false, false, true)
	if got := anonGet(t, objURL(srv, "rpb", "obj")); got != 403 {
		t.Fatalf("anonymous GET under RestrictPublicBuckets = %d", got)
	}
	if got := anonGet(t, srv.URL+"/rpb"); got != 403 {
		t.Fatalf("anonymous list under RestrictPublicBuckets = %d", got)
	}
	if err := userGet(); err != nil {
		t.Fatalf("user of the account GET under RestrictPublicBuckets: %v", err)
	}
	if _, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("rpb")}); err != nil {
		t.Fatalf("user of the account list under RestrictPublicBuckets: %v", err)
	}
	// A non-public policy is not restricted.
	setBucketPolicy(t, root, "rpb", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::rpb/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}}]}`)
	if got := anonGet(t, objURL(srv, "rpb", "obj")); got != 200 {
		t.Fatalf("anonymous GET under a pinned policy and RestrictPublicBuckets = %d", got)
	}
	pabDelete(t, root, "rpb")
	setBucketPolicy(t, root, "rpb", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::rpb/*"}]}`)
	if got := anonGet(t, objURL(srv, "rpb", "obj")); got != 200 {
		t.Fatalf("anonymous GET after deleting the block = %d", got)
	}
}
