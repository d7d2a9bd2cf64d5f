package e2e

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// Cross-account access through a bucket policy needs both sides: the
// resource account's policy and the caller's identity (its root, or an
// allow in the user's policies). An explicit deny on either side wins.
func TestCrossAccountBucketPolicy(t *testing.T) {
	t.Parallel()
	srv, a, b, c := threeAccounts(t)
	mustCreateBucket(t, b.Root, "xp-b")
	mustPut(t, b.Root, "xp-b", "doc", []byte("shared"))
	getAll := condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)
	aReader := a.user(t, "reader", getAll)
	aNoPolicy := a.user(t, "nopolicy", "")
	aOther := a.user(t, "other", getAll)
	aDenied := a.user(t, "denied", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`,
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*"}`))
	bSame := b.user(t, "same", getAll)

	allowOrDeny(t, "A root before any grant", getErr(a.Root, "xp-b", "doc"), false)
	allowOrDeny(t, "B's user by its identity policy alone (same account)", getErr(bSame, "xp-b", "doc"), true)

	// B grants account A (every principal of it).
	putBucketPolicy(t, b.Root, "xp-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+a.ID+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*"}]}`)
	allowOrDeny(t, "A root, granted its account", getErr(a.Root, "xp-b", "doc"), true)
	allowOrDeny(t, "A user with an identity allow", getErr(aReader, "xp-b", "doc"), true)
	allowOrDeny(t, "A user without an identity policy", getErr(aNoPolicy, "xp-b", "doc"), false)
	allowOrDeny(t, "A user whose own policy denies", getErr(aDenied, "xp-b", "doc"), false)
	allowOrDeny(t, "C root, not granted", getErr(c.Root, "xp-b", "doc"), false)
	allowOrDeny(t, "A root, an action not granted", putErr(a.Root, "xp-b", "new", ""), false)

	// A grant naming one user ARN reaches that user only.
	putBucketPolicy(t, b.Root, "xp-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+a.userARN("reader")+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*"}]}`)
	allowOrDeny(t, "the named A user", getErr(aReader, "xp-b", "doc"), true)
	allowOrDeny(t, "another A user", getErr(aOther, "xp-b", "doc"), false)
	allowOrDeny(t, "A root, not named", getErr(a.Root, "xp-b", "doc"), false)

	// An explicit deny in the resource policy beats both allows.
	putBucketPolicy(t, b.Root, "xp-b", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+a.ID+`:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*"},
		{"Effect":"Deny","Principal":{"AWS":"`+a.userARN("other")+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*"}]}`)
	allowOrDeny(t, "A reader under the account grant", getErr(aReader, "xp-b", "doc"), true)
	allowOrDeny(t, "A user the bucket policy denies", getErr(aOther, "xp-b", "doc"), false)

	// aws:PrincipalAccount: a wildcard principal pinned to account C.
	putBucketPolicy(t, b.Root, "xp-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*",
		"Condition":{"StringEquals":{"aws:PrincipalAccount":"`+c.ID+`"}}}]}`)
	allowOrDeny(t, "C root by aws:PrincipalAccount", getErr(c.Root, "xp-b", "doc"), true)
	allowOrDeny(t, "A root by aws:PrincipalAccount", getErr(a.Root, "xp-b", "doc"), false)
	if code := anonGet(t, srv.URL+"/xp-b/doc"); code != 403 {
		t.Fatalf("anonymous under a PrincipalAccount-pinned policy: %d", code)
	}

	// A CanonicalUser principal stands for its account.
	putBucketPolicy(t, b.Root, "xp-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"`+c.CanonicalID+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*"}]}`)
	allowOrDeny(t, "C root by canonical ID", getErr(c.Root, "xp-b", "doc"), true)
	allowOrDeny(t, "A root by C's canonical ID", getErr(a.Root, "xp-b", "doc"), false)

	// s3:ResourceAccount in an identity policy: A's user may read account B's buckets only.
	mustCreateBucket(t, c.Root, "xp-c")
	mustPut(t, c.Root, "xp-c", "doc", []byte("sea"))
	grantA := func(bucket string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + a.ID + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	}
	putBucketPolicy(t, b.Root, "xp-b", grantA("xp-b"))
	putBucketPolicy(t, c.Root, "xp-c", grantA("xp-c"))
	aPinned := a.user(t, "pinned", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ResourceAccount":"`+b.ID+`"}}}`))
	allowOrDeny(t, "pinned user on B's bucket", getErr(aPinned, "xp-b", "doc"), true)
	allowOrDeny(t, "pinned user on C's bucket", getErr(aPinned, "xp-c", "doc"), false)

	// The bucket owner's root can deny itself reads but never loses its policy.
	putBucketPolicy(t, b.Root, "xp-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::xp-b","arn:aws:s3:::xp-b/*"]}]}`)
	allowOrDeny(t, "B root under its own deny", getErr(b.Root, "xp-b", "doc"), false)
	if _, err := b.Root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("xp-b")}); err != nil {
		t.Fatalf("B root deleting its policy: %v", err)
	}
	// Another account's root has no such right.
	_, err := a.Root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("xp-c")})
	mustCode(t, err, "AccessDenied")

	// RestrictPublicBuckets: a public policy reaches only the bucket owner's account.
	putBucketPolicy(t, b.Root, "xp-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::xp-b/*"}]}`)
	allowOrDeny(t, "A root under a public policy", getErr(a.Root, "xp-b", "doc"), true)
	bNone := b.user(t, "none", "")
	if _, err := b.Root.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("xp-b"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	allowOrDeny(t, "A root under a restricted public policy", getErr(a.Root, "xp-b", "doc"), false)
	allowOrDeny(t, "B's user without a policy under a restricted public policy", getErr(bNone, "xp-b", "doc"), true)
}

// ACL grants name accounts by canonical ID or email; the groups reach any
// account's principals. An object another account wrote (ObjectWriter)
// is that account's: the bucket owner reads it only when granted.
func TestCrossAccountACLs(t *testing.T) {
	t.Parallel()
	srv, a, b, c := threeAccounts(t)
	if _, err := b.Root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("xa-b"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	// Unknown emails do not resolve.
	_, err := b.Root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("xa-b"), GrantRead: aws.String(`emailAddress="nobody@example.com"`)})
	mustCode(t, err, "UnresolvableGrantByEmailAddress")
	// WRITE to A by canonical ID, READ to C by email (stored as C's canonical ID).
	if _, err := b.Root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("xa-b"),
		GrantWrite: aws.String(`id="` + a.CanonicalID + `"`), GrantRead: aws.String(`emailAddress="sea@example.com"`)}); err != nil {
		t.Fatal(err)
	}
	acl, err := b.Root.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("xa-b")})
	if err != nil {
		t.Fatal(err)
	}
	got := aclShow(t, acl.Owner, acl.Grants)
	want := []string{a.CanonicalID + ":WRITE", c.CanonicalID + ":READ", "owner:FULL_CONTROL"}
	slices.Sort(want)
	if !slices.Equal(got, want) || aws.ToString(acl.Owner.ID) != b.CanonicalID {
		t.Fatalf("bucket ACL = %v (owner %s), want %v", got, aws.ToString(acl.Owner.ID), want)
	}
	for _, g := range acl.Grants {
		if aws.ToString(g.Grantee.ID) == c.CanonicalID && aws.ToString(g.Grantee.DisplayName) != "sea" {
			t.Fatalf("C's grant display name = %q", aws.ToString(g.Grantee.DisplayName))
		}
	}
	_, err = c.Root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xa-b")})
	allowOrDeny(t, "C lists with READ", err, true)
	allowOrDeny(t, "C writes without WRITE", putErr(c.Root, "xa-b", "c-obj", ""), false)
	_, err = a.Root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xa-b")})
	allowOrDeny(t, "A lists without READ", err, false)

	// A writes: A owns the object, B (the bucket owner) cannot read it.
	allowOrDeny(t, "A root writes with WRITE", putErr(a.Root, "xa-b", "a-private", ""), true)
	if owner := objectOwner(t, a.Root, "xa-b", "a-private"); owner != a.CanonicalID {
		t.Fatalf("A's object is owned by %s", owner)
	}
	allowOrDeny(t, "A reads its own object", getErr(a.Root, "xa-b", "a-private"), true)
	allowOrDeny(t, "B reads A's object", getErr(b.Root, "xa-b", "a-private"), false)
	_, err = b.Root.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xa-b"), Key: aws.String("a-private")})
	allowOrDeny(t, "B reads A's object's ACL", err, false)
	// Even B's bucket policy cannot give B objects another account owns.
	putBucketPolicy(t, b.Root, "xa-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+b.ID+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xa-b/*"}]}`)
	allowOrDeny(t, "B reads A's object under its own policy", getErr(b.Root, "xa-b", "a-private"), false)
	// The bucket owner still deletes anything in its bucket.
	mustPut(t, a.Root, "xa-b", "a-doomed", []byte("x"))
	if _, err := b.Root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("xa-b"), Key: aws.String("a-doomed")}); err != nil {
		t.Fatalf("B deleting A's object in B's bucket: %v", err)
	}

	// bucket-owner-read gives B READ; the object stays A's.
	allowOrDeny(t, "A writes bucket-owner-read", putErr(a.Root, "xa-b", "a-shared", types.ObjectCannedACLBucketOwnerRead), true)
	allowOrDeny(t, "B reads a bucket-owner-read object", getErr(b.Root, "xa-b", "a-shared"), true)
	oacl, err := a.Root.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("xa-b"), Key: aws.String("a-shared")})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{b.CanonicalID + ":READ", "owner:FULL_CONTROL"}
	slices.Sort(want)
	if got := aclShow(t, oacl.Owner, oacl.Grants); !slices.Equal(got, want) || aws.ToString(oacl.Owner.ID) != a.CanonicalID {
		t.Fatalf("bucket-owner-read ACL = %v (owner %s)", got, aws.ToString(oacl.Owner.ID))
	}
	_, err = b.Root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("xa-b"), Key: aws.String("a-shared"), ACL: types.ObjectCannedACLPublicRead})
	allowOrDeny(t, "B changes A's object's ACL with READ only", err, false)

	// An object grant to C's account by email: C's root reads; C's user
	// needs its own identity allow as well.
	mustPut(t, a.Root, "xa-b", "for-c", []byte("c"))
	if _, err := a.Root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("xa-b"), Key: aws.String("for-c"), GrantRead: aws.String(`emailAddress="sea@example.com"`)}); err != nil {
		t.Fatal(err)
	}
	allowOrDeny(t, "C root with an object READ grant", getErr(c.Root, "xa-b", "for-c"), true)
	cNone := c.user(t, "none", "")
	cReader := c.user(t, "reader", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))
	allowOrDeny(t, "C user without identity policy", getErr(cNone, "xa-b", "for-c"), false)
	allowOrDeny(t, "C user with identity allow", getErr(cReader, "xa-b", "for-c"), true)

	// AuthenticatedUsers means any account's authenticated principal, not anonymous.
	mustPut(t, b.Root, "xa-b", "b-auth", []byte("auth"))
	if _, err := b.Root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("xa-b"), Key: aws.String("b-auth"), ACL: types.ObjectCannedACLAuthenticatedRead}); err != nil {
		t.Fatal(err)
	}
	allowOrDeny(t, "A root, authenticated-read", getErr(a.Root, "xa-b", "b-auth"), true)
	allowOrDeny(t, "C user with identity allow, authenticated-read", getErr(cReader, "xa-b", "b-auth"), true)
	if code := anonGet(t, srv.URL+"/xa-b/b-auth"); code != 403 {
		t.Fatalf("anonymous read of authenticated-read: %d", code)
	}
}

// Object ownership decides who owns what another account writes.
func TestCrossAccountObjectOwnership(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	a := adminAccount(srv)
	b := newAccount(t, srv, "bee", "")
	writeGrant := func(bucket string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + a.ID + `"},
			"Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	}
	for _, own := range []types.ObjectOwnership{types.ObjectOwnershipBucketOwnerPreferred, types.ObjectOwnershipBucketOwnerEnforced, types.ObjectOwnershipObjectWriter} {
		name := "xo-" + strings.ToLower(string(own))
		if _, err := b.Root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectOwnership: own}); err != nil {
			t.Fatal(err)
		}
		putBucketPolicy(t, b.Root, name, writeGrant(name))
	}
	pref, enf, writer := "xo-bucketownerpreferred", "xo-bucketownerenforced", "xo-objectwriter"

	// BucketOwnerPreferred: bucket-owner-full-control hands the object to B.
	allowOrDeny(t, "A writes with bucket-owner-full-control", putErr(a.Root, pref, "given", types.ObjectCannedACLBucketOwnerFullControl), true)
	if owner := objectOwner(t, b.Root, pref, "given"); owner != b.CanonicalID {
		t.Fatalf("bucket-owner-full-control into BucketOwnerPreferred: owner %s, want B", owner)
	}
	allowOrDeny(t, "B reads the object it was given", getErr(b.Root, pref, "given"), true)
	allowOrDeny(t, "A reads what it gave away (no grant)", getErr(a.Root, pref, "given"), false)
	allowOrDeny(t, "A writes without the canned ACL", putErr(a.Root, pref, "kept", ""), true)
	if owner := objectOwner(t, a.Root, pref, "kept"); owner != a.CanonicalID {
		t.Fatalf("plain write into BucketOwnerPreferred: owner %s, want A", owner)
	}
	allowOrDeny(t, "B reads A's object", getErr(b.Root, pref, "kept"), false)

	// BucketOwnerEnforced: B owns everything; ACLs are off.
	allowOrDeny(t, "A writes into an enforced bucket", putErr(a.Root, enf, "k", ""), true)
	if owner := objectOwner(t, b.Root, enf, "k"); owner != b.CanonicalID {
		t.Fatalf("enforced: owner %s, want B", owner)
	}
	allowOrDeny(t, "B reads", getErr(b.Root, enf, "k"), true)
	allowOrDeny(t, "A reads without a grant", getErr(a.Root, enf, "k"), false)
	allowOrDeny(t, "A writes bucket-owner-full-control (accepted)", putErr(a.Root, enf, "k2", types.ObjectCannedACLBucketOwnerFullControl), true)
	mustCode(t, putErr(a.Root, enf, "k3", types.ObjectCannedACLPublicRead), "AccessControlListNotSupported")

	// ObjectWriter: multipart uploads and copies belong to the writer too.
	up, err := a.Root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(writer), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := a.Root.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(writer), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Root.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(writer), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32}}}}); err != nil {
		t.Fatal(err)
	}
	if owner := objectOwner(t, a.Root, writer, "mp"); owner != a.CanonicalID {
		t.Fatalf("multipart by A: owner %s", owner)
	}
	mustCreateBucket(t, a.Root, "xo-a-src")
	mustPut(t, a.Root, "xo-a-src", "src", []byte("copied"))
	if _, err := a.Root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(writer), Key: aws.String("copy"), CopySource: aws.String("xo-a-src/src")}); err != nil {
		t.Fatalf("A copying its object into B's bucket: %v", err)
	}
	if owner := objectOwner(t, a.Root, writer, "copy"); owner != a.CanonicalID {
		t.Fatalf("copy by A: owner %s", owner)
	}
	allowOrDeny(t, "B reads A's copy", getErr(b.Root, writer, "copy"), false)
	// Copying B's object needs read access to the source, in the source's account.
	mustPut(t, b.Root, writer, "b-src", []byte("bee"))
	_, err = a.Root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("xo-a-src"), Key: aws.String("stolen"), CopySource: aws.String(writer + "/b-src")})
	allowOrDeny(t, "A copying B's object out without a grant", err, false)
	out, err := a.Root.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("xo-a-src"), FetchOwner: aws.Bool(true)})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Owner.ID) != a.CanonicalID || aws.ToString(out.Contents[0].Owner.DisplayName) != "admin" {
		t.Fatalf("A's listing = %+v, %v", out.Contents, err)
	}
}

// x-amz-expected-bucket-owner and x-amz-source-expected-bucket-owner
// compare with the bucket's owning account.
func TestCrossAccountExpectedBucketOwner(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeAccounts(t)
	mustCreateBucket(t, b.Root, "xe-b")
	mustPut(t, b.Root, "xe-b", "doc", []byte("x"))
	putBucketPolicy(t, b.Root, "xe-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+a.ID+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xe-b/*"}]}`)
	mustCreateBucket(t, a.Root, "xe-a")
	get := func(owner string) error {
		out, err := a.Root.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("xe-b"), Key: aws.String("doc"), ExpectedBucketOwner: aws.String(owner)})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	allowOrDeny(t, "expected owner B", get(b.ID), true)
	allowOrDeny(t, "expected owner A (the caller)", get(a.ID), false)
	allowOrDeny(t, "expected owner C", get(c.ID), false)
	if _, err := b.Root.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("xe-b"), ExpectedBucketOwner: aws.String(b.ID)}); err != nil {
		t.Fatalf("B's HeadBucket expecting itself: %v", err)
	}
	copyFrom := func(src, dst string) error {
		_, err := a.Root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("xe-a"), Key: aws.String("copy"), CopySource: aws.String("xe-b/doc"),
			ExpectedSourceBucketOwner: aws.String(src), ExpectedBucketOwner: aws.String(dst)})
		return err
	}
	allowOrDeny(t, "copy: source B, destination A", copyFrom(b.ID, a.ID), true)
	allowOrDeny(t, "copy: source expected C", copyFrom(c.ID, a.ID), false)
	allowOrDeny(t, "copy: destination expected B", copyFrom(b.ID, b.ID), false)
}
