package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

const (
	aclAllUsers  = "http://acs.amazonaws.com/groups/global/AllUsers"
	aclAuthUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	aclLogGroup  = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// aclShow renders grants as sorted "grantee:PERMISSION" strings, the
// owner's canonical ID shown as "owner" and group URIs by their last part.
func aclShow(t *testing.T, owner *types.Owner, grants []types.Grant) []string {
	t.Helper()
	if owner == nil || aws.ToString(owner.ID) == "" {
		t.Fatalf("ACL without an owner")
	}
	var out []string
	for _, g := range grants {
		if g.Grantee == nil {
			t.Fatalf("grant without a grantee: %+v", g)
		}
		var who string
		switch g.Grantee.Type {
		case types.TypeGroup:
			u := aws.ToString(g.Grantee.URI)
			who = u[strings.LastIndexByte(u, '/')+1:]
		case types.TypeCanonicalUser:
			who = aws.ToString(g.Grantee.ID)
			if who == aws.ToString(owner.ID) {
				who = "owner"
			}
		default:
			who = string(g.Grantee.Type) + "=" + aws.ToString(g.Grantee.EmailAddress)
		}
		out = append(out, who+":"+string(g.Permission))
	}
	slices.Sort(out)
	return out
}

func aclBucket(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("GetBucketAcl(%s): %v", bucket, err)
	}
	return aclShow(t, out.Owner, out.Grants)
}

func aclObject(t *testing.T, c *s3.Client, bucket, key string) []string {
	t.Helper()
	out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObjectAcl(%s/%s): %v", bucket, key, err)
	}
	return aclShow(t, out.Owner, out.Grants)
}

func aclWant(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: grants %v, want %v", what, got, want)
	}
}

// aclStatus is the HTTP status of an SDK call's error (200 for success).
func aclStatus(err error) int {
	if err == nil {
		return 200
	}
	return rqStatus(err)
}

// aclAnonPut PUTs an object anonymously and returns the status.
func aclAnonPut(t *testing.T, srv *testserver.Server, bucket, key string) int {
	t.Helper()
	return plainDo(t, http.MethodPut, objURL(srv, bucket, key), nil, []byte("anon")).Status
}

func TestACLCannedObject(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-obj"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	user, _, _ := newUser(t, srv, "nopolicy", "")
	cases := []struct {
		acl        types.ObjectCannedACL
		grants     []string
		anon, auth int // GET status for anonymous and for an IAM user without policy
	}{
		{types.ObjectCannedACLPrivate, []string{"owner:FULL_CONTROL"}, 403, 403},
		{types.ObjectCannedACLPublicRead, []string{"owner:FULL_CONTROL", "AllUsers:READ"}, 200, 200},
		{types.ObjectCannedACLPublicReadWrite, []string{"owner:FULL_CONTROL", "AllUsers:READ", "AllUsers:WRITE"}, 200, 200},
		{types.ObjectCannedACLAuthenticatedRead, []string{"owner:FULL_CONTROL", "AuthenticatedUsers:READ"}, 403, 200},
		{types.ObjectCannedACLBucketOwnerRead, []string{"owner:FULL_CONTROL"}, 403, 403},
		{types.ObjectCannedACLBucketOwnerFullControl, []string{"owner:FULL_CONTROL"}, 403, 403},
	}
	userGet := func(key string) int {
		_, err := user.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acl-obj"), Key: aws.String(key)})
		if err != nil && apiCode(err) != "AccessDenied" {
			t.Fatalf("user GET %s: %v", key, err)
		}
		return aclStatus(err)
	}
	// Set with PutObject.
	for _, c := range cases {
		key := "put/" + string(c.acl)
		if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acl-obj"), Key: aws.String(key), Body: strings.NewReader("v"), ACL: c.acl}); err != nil {
			t.Fatalf("PutObject with %s: %v", c.acl, err)
		}
		aclWant(t, "PutObject "+string(c.acl), aclObject(t, root, "acl-obj", key), c.grants...)
		if got := anonGet(t, objURL(srv, "acl-obj", key)); got != c.anon {
			t.Errorf("%s: anonymous GET = %d, want %d", c.acl, got, c.anon)
		}
		if got := userGet(key); got != c.auth {
			t.Errorf("%s: IAM user GET = %d, want %d", c.acl, got, c.auth)
		}
	}
	// Set with PutObjectAcl on one object, in turn: each replaces the last.
	mustPut(t, root, "acl-obj", "acl/obj", []byte("v"))
	aclWant(t, "default object ACL", aclObject(t, root, "acl-obj", "acl/obj"), "owner:FULL_CONTROL")
	for _, c := range append(cases, cases[0]) {
		if _, err := root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-obj"), Key: aws.String("acl/obj"), ACL: c.acl}); err != nil {
			t.Fatalf("PutObjectAcl %s: %v", c.acl, err)
		}
		aclWant(t, "PutObjectAcl "+string(c.acl), aclObject(t, root, "acl-obj", "acl/obj"), c.grants...)
		if got := anonGet(t, objURL(srv, "acl-obj", "acl/obj")); got != c.anon {
			t.Errorf("PutObjectAcl %s: anonymous GET = %d, want %d", c.acl, got, c.anon)
		}
		if got := userGet("acl/obj"); got != c.auth {
			t.Errorf("PutObjectAcl %s: IAM user GET = %d, want %d", c.acl, got, c.auth)
		}
	}
	// The user can never write: object ACLs grant nothing on the bucket.
	_, err := user.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acl-obj"), Key: aws.String("put/public-read-write"), Body: strings.NewReader("x")})
	rqCode(t, err, "AccessDenied", 403)
	if got := aclAnonPut(t, srv, "acl-obj", "put/public-read-write"); got != 403 {
		t.Fatalf("anonymous overwrite of a public-read-write object in a private bucket = %d", got)
	}
	// log-delivery-write is a bucket-only canned ACL; unknown names are refused.
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acl-obj"), Key: aws.String("bad"), Body: strings.NewReader("x"), ACL: "log-delivery-write"})
	rqCode(t, err, "InvalidArgument", 400)
	_, err = root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-obj"), Key: aws.String("acl/obj"), ACL: "public-everything"})
	rqCode(t, err, "InvalidArgument", 400)
	rqMissing(t, root, "acl-obj", "bad")
	// Reading ACLs needs READ_ACP: a public-read object does not expose its ACL.
	_, err = user.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("acl-obj"), Key: aws.String("put/public-read")})
	rqCode(t, err, "AccessDenied", 403)
}

func TestACLCannedBucket(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	user, _, _ := newUser(t, srv, "nopolicy", "")
	cases := []struct {
		acl       types.BucketCannedACL
		grants    []string
		anonList  int
		userList  int
		anonWrite int
	}{
		{types.BucketCannedACLPrivate, []string{"owner:FULL_CONTROL"}, 403, 403, 403},
		{types.BucketCannedACLPublicRead, []string{"owner:FULL_CONTROL", "AllUsers:READ"}, 200, 200, 403},
		{types.BucketCannedACLPublicReadWrite, []string{"owner:FULL_CONTROL", "AllUsers:READ", "AllUsers:WRITE"}, 200, 200, 200},
		{types.BucketCannedACLAuthenticatedRead, []string{"owner:FULL_CONTROL", "AuthenticatedUsers:READ"}, 403, 200, 403},
		{"bucket-owner-read", []string{"owner:FULL_CONTROL"}, 403, 403, 403},
		{"bucket-owner-full-control", []string{"owner:FULL_CONTROL"}, 403, 403, 403},
		{"log-delivery-write", []string{"owner:FULL_CONTROL", "LogDelivery:WRITE", "LogDelivery:READ_ACP"}, 403, 403, 403},
	}
	check := func(what, bucket string, want []string, anonList, userList, anonWrite int) {
		t.Helper()
		aclWant(t, what, aclBucket(t, root, bucket), want...)
		if got := anonGet(t, srv.URL+"/"+bucket); got != anonList {
			t.Errorf("%s: anonymous list = %d, want %d", what, got, anonList)
		}
		_, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		if got := aclStatus(err); got != userList {
			t.Errorf("%s: IAM user list = %d (%v), want %d", what, got, err, userList)
		}
		if got := aclAnonPut(t, srv, bucket, "anon.txt"); got != anonWrite {
			t.Errorf("%s: anonymous PUT = %d, want %d", what, got, anonWrite)
		}
		if anonWrite == 200 {
			// The anonymous upload landed and the owner can read it.
			if got := mustGet(t, root, bucket, "anon.txt"); string(got) != "anon" {
				t.Errorf("%s: anonymous upload reads back %q", what, got)
			}
			if _, err := root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("anon.txt")}); err != nil {
				t.Fatal(err)
			}
		}
		// The user without a policy never writes through a canned ACL
		// other than public-read-write (AllUsers WRITE includes it).
		_, err = user.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("user.txt"), Body: strings.NewReader("u")})
		if got := aclStatus(err); got != anonWrite {
			t.Errorf("%s: IAM user PUT = %d (%v), want %d", what, got, err, anonWrite)
		}
	}
	// Set at creation (ACLs need ObjectWriter or BucketOwnerPreferred).
	for i, c := range cases {
		name := "acl-create-" + string(rune('a'+i))
		if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ACL: c.acl, ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
			t.Fatalf("CreateBucket with %s: %v", c.acl, err)
		}
		check("CreateBucket "+string(c.acl), name, c.grants, c.anonList, c.userList, c.anonWrite)
	}
	// Set with PutBucketAcl on a bucket switched to BucketOwnerPreferred.
	mustCreateBucket(t, root, "acl-put")
	if _, err := root.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acl-put"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatal(err)
	}
	check("new bucket", "acl-put", []string{"owner:FULL_CONTROL"}, 403, 403, 403)
	for _, c := range append(cases, cases[0]) {
		if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-put"), ACL: c.acl}); err != nil {
			t.Fatalf("PutBucketAcl %s: %v", c.acl, err)
		}
		check("PutBucketAcl "+string(c.acl), "acl-put", c.grants, c.anonList, c.userList, c.anonWrite)
	}
	_, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-put"), ACL: "aws-everything"})
	rqCode(t, err, "InvalidArgument", 400)
	// A public-read bucket does not make its objects readable.
	root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-put"), ACL: types.BucketCannedACLPublicRead})
	mustPut(t, root, "acl-put", "obj", []byte("o"))
	if got := anonGet(t, objURL(srv, "acl-put", "obj")); got != 403 {
		t.Fatalf("anonymous GET of a private object in a public-read bucket = %d", got)
	}
	if got := anonGet(t, srv.URL+"/acl-put?acl"); got != 403 {
		t.Fatalf("anonymous GetBucketAcl on a public-read bucket = %d", got)
	}
}

func TestACLGrantHeadersAndBodies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("grants"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	user, _, _ := newUser(t, srv, "nopolicy", "")
	ownerOut, err := root.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("grants")})
	if err != nil {
		t.Fatal(err)
	}
	owner := aws.ToString(ownerOut.Owner.ID)

	// x-amz-grant-read on an object.
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grants"), Key: aws.String("gr"), Body: strings.NewReader("g"),
		GrantRead: aws.String(`uri="` + aclAllUsers + `"`)}); err != nil {
		t.Fatal(err)
	}
	aclWant(t, "grant-read", aclObject(t, root, "grants", "gr"), "owner:FULL_CONTROL", "AllUsers:READ")
	if got := anonGet(t, objURL(srv, "grants", "gr")); got != 200 {
		t.Fatalf("anonymous GET with x-amz-grant-read AllUsers = %d", got)
	}
	// x-amz-grant-full-control to another canonical user, several grantees in one header.
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grants"), Key: aws.String("fc"), Body: strings.NewReader("f"),
		GrantFullControl: aws.String(`id="` + owner + `", id="someone-else"`), GrantRead: aws.String(`uri="` + aclAuthUsers + `"`)}); err != nil {
		t.Fatal(err)
	}
	aclWant(t, "grant-full-control", aclObject(t, root, "grants", "fc"), "owner:FULL_CONTROL", "owner:FULL_CONTROL", "someone-else:FULL_CONTROL", "AuthenticatedUsers:READ")
	if got := anonGet(t, objURL(srv, "grants", "fc")); got != 403 {
		t.Fatalf("anonymous GET of an AuthenticatedUsers object = %d", got)
	}
	if got := mustGet(t, user, "grants", "fc"); string(got) != "f" {
		t.Fatalf("user read %q", got)
	}
	// x-amz-grant-write on the bucket lets anonymous callers upload.
	if got := aclAnonPut(t, srv, "grants", "drop"); got != 403 {
		t.Fatalf("anonymous PUT before the grant = %d", got)
	}
	if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("grants"), GrantWrite: aws.String(`uri="` + aclAllUsers + `"`),
		GrantRead: aws.String(`uri="` + aclAuthUsers + `"`)}); err != nil {
		t.Fatal(err)
	}
	aclWant(t, "bucket grants", aclBucket(t, root, "grants"), "owner:FULL_CONTROL", "AllUsers:WRITE", "AuthenticatedUsers:READ")
	if got := aclAnonPut(t, srv, "grants", "drop"); got != 200 {
		t.Fatalf("anonymous PUT with x-amz-grant-write AllUsers = %d", got)
	}
	if got := anonGet(t, srv.URL+"/grants"); got != 403 {
		t.Fatalf("anonymous list with READ only for AuthenticatedUsers = %d", got)
	}
	if _, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("grants")}); err != nil {
		t.Fatalf("user list with AuthenticatedUsers READ: %v", err)
	}
	// Malformed grant headers and canned + grant headers together.
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grants"), Key: aws.String("x"), Body: strings.NewReader("x"), GrantRead: aws.String(`nonsense="x"`)})
	rqCode(t, err, "InvalidArgument", 400)
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grants"), Key: aws.String("x"), Body: strings.NewReader("x"),
		ACL: types.ObjectCannedACLPublicRead, GrantRead: aws.String(`uri="` + aclAllUsers + `"`)})
	rqCode(t, err, "InvalidRequest", 400)
	rqMissing(t, root, "grants", "x")
	_, err = root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("grants"), ACL: types.BucketCannedACLPublicRead, GrantRead: aws.String(`uri="` + aclAllUsers + `"`)})
	rqCode(t, err, "InvalidRequest", 400)
	_, err = root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("grants"), Key: aws.String("gr"), ACL: types.ObjectCannedACLPrivate, GrantWrite: aws.String(`uri="` + aclAllUsers + `"`)})
	rqCode(t, err, "InvalidRequest", 400)

	// An AccessControlPolicy body replaces the bucket ACL.
	acp := &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(owner)}, Grants: []types.Grant{
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: types.PermissionFullControl},
		{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(aclAllUsers)}, Permission: types.PermissionRead},
	}}
	if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("grants"), AccessControlPolicy: acp}); err != nil {
		t.Fatalf("PutBucketAcl with a body: %v", err)
	}
	aclWant(t, "bucket ACL from body", aclBucket(t, root, "grants"), "owner:FULL_CONTROL", "AllUsers:READ")
	if got := anonGet(t, srv.URL+"/grants"); got != 200 {
		t.Fatalf("anonymous list after a body granting AllUsers READ = %d", got)
	}
	if got := aclAnonPut(t, srv, "grants", "drop2"); got != 403 {
		t.Fatalf("anonymous PUT after the body dropped WRITE = %d", got)
	}
	// And an object ACL.
	acp.Grants[1] = types.Grant{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(aclAuthUsers)}, Permission: types.PermissionRead}
	if _, err := root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("grants"), Key: aws.String("gr"), AccessControlPolicy: acp}); err != nil {
		t.Fatalf("PutObjectAcl with a body: %v", err)
	}
	aclWant(t, "object ACL from body", aclObject(t, root, "grants", "gr"), "owner:FULL_CONTROL", "AuthenticatedUsers:READ")
	if got := anonGet(t, objURL(srv, "grants", "gr")); got != 403 {
		t.Fatalf("anonymous GET after the body narrowed the ACL = %d", got)
	}

	// Malformed bodies.
	for _, body := range []string{
		`<AccessControlPolicy><AccessControlList><Grant>`,
		`not xml at all`,
		`<AccessControlPolicy><Owner><ID>` + owner + `</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>` + aclAllUsers + `</URI></Grantee><Permission>READ_EVERYTHING</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`<AccessControlPolicy><Owner><ID>` + owner + `</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
	} {
		res := doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/grants?acl", Body: []byte(body)})
		wantRaw(t, "PutBucketAcl "+body, res, 400, "MalformedACLError")
		res = doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/grants/gr?acl", Body: []byte(body)})
		wantRaw(t, "PutObjectAcl "+body, res, 400, "MalformedACLError")
	}
	aclWant(t, "bucket ACL after malformed bodies", aclBucket(t, root, "grants"), "owner:FULL_CONTROL", "AllUsers:READ")
	// A body together with a canned header.
	res := doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/grants?acl", Header: map[string]string{"x-amz-acl": "private"},
		Body: []byte(`<AccessControlPolicy><Owner><ID>` + owner + `</ID></Owner><AccessControlList></AccessControlList></AccessControlPolicy>`)})
	if res.Status != 400 {
		t.Fatalf("PutBucketAcl with a body and x-amz-acl = %d %s", res.Status, res.Body)
	}
	// Neither body nor headers.
	res = doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/grants?acl"})
	wantRaw(t, "PutBucketAcl with nothing", res, 400, "MissingRequestBodyError")
}

func TestACLObjectOwnership(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "enforced")
	ownership := func(bucket string) (types.ObjectOwnership, error) {
		out, err := root.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
		if err != nil {
			return "", err
		}
		if out.OwnershipControls == nil || len(out.OwnershipControls.Rules) != 1 {
			t.Fatalf("ownership controls = %+v", out.OwnershipControls)
		}
		return out.OwnershipControls.Rules[0].ObjectOwnership, nil
	}
	if got, err := ownership("enforced"); err != nil || got != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("default ownership = %q, %v", got, err)
	}
	put := func(key string, acl types.ObjectCannedACL) error {
		_, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enforced"), Key: aws.String(key), Body: strings.NewReader("v"), ACL: acl})
		return err
	}
	rqCode(t, put("pub", types.ObjectCannedACLPublicRead), "AccessControlListNotSupported", 400)
	rqMissing(t, root, "enforced", "pub")
	rqCode(t, put("auth", types.ObjectCannedACLAuthenticatedRead), "AccessControlListNotSupported", 400)
	_, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enforced"), Key: aws.String("g"), Body: strings.NewReader("v"), GrantRead: aws.String(`uri="` + aclAllUsers + `"`)})
	rqCode(t, err, "AccessControlListNotSupported", 400)
	if err := put("bofc", types.ObjectCannedACLBucketOwnerFullControl); err != nil {
		t.Fatalf("PutObject with bucket-owner-full-control: %v", err)
	}
	// Only bucket-owner-full-control: S3 refuses even private here.
	rqCode(t, put("priv", types.ObjectCannedACLPrivate), "AccessControlListNotSupported", 400)
	rqMissing(t, root, "enforced", "priv")
	aclWant(t, "enforced object ACL", aclObject(t, root, "enforced", "bofc"), "owner:FULL_CONTROL")
	aclWant(t, "enforced bucket ACL", aclBucket(t, root, "enforced"), "owner:FULL_CONTROL")
	_, err = root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("enforced"), ACL: types.BucketCannedACLPublicRead})
	rqCode(t, err, "AccessControlListNotSupported", 400)
	_, err = root.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("enforced"), Key: aws.String("bofc"), ACL: types.ObjectCannedACLPublicRead})
	rqCode(t, err, "AccessControlListNotSupported", 400)
	if got := anonGet(t, objURL(srv, "enforced", "bofc")); got != 403 {
		t.Fatalf("anonymous GET in an enforced bucket = %d", got)
	}
	_, err = root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pub-enforced"), ACL: types.BucketCannedACLPublicRead})
	rqCode(t, err, "InvalidBucketAclWithObjectOwnership", 400)
	if _, err := root.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("pub-enforced")}); rqStatus(err) != 404 {
		t.Fatalf("refused bucket exists: %v", err)
	}
	_, err = root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pub-enforced2"), ACL: types.BucketCannedACLPublicRead, ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced})
	rqCode(t, err, "InvalidBucketAclWithObjectOwnership", 400)
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("priv-enforced"), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatalf("CreateBucket with private under BucketOwnerEnforced: %v", err)
	}

	// Without ownership controls, ACLs apply.
	if _, err := root.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("enforced")}); err != nil {
		t.Fatal(err)
	}
	_, err = ownership("enforced")
	rqCode(t, err, "OwnershipControlsNotFoundError", 404)
	if err := put("pub", types.ObjectCannedACLPublicRead); err != nil {
		t.Fatalf("PutObject public-read without ownership controls: %v", err)
	}
	if got := anonGet(t, objURL(srv, "enforced", "pub")); got != 200 {
		t.Fatalf("anonymous GET of a public-read object = %d", got)
	}
	// Enforcing again disables the stored ACL.
	if _, err := root.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("enforced"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, objURL(srv, "enforced", "pub")); got != 403 {
		t.Fatalf("anonymous GET of a public-read object after enforcing = %d", got)
	}
	// ObjectWriter at creation, and switching to BucketOwnerPreferred.
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("writer"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	if got, err := ownership("writer"); err != nil || got != types.ObjectOwnershipObjectWriter {
		t.Fatalf("ownership = %q, %v", got, err)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("writer"), Key: aws.String("pub"), Body: strings.NewReader("v"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, objURL(srv, "writer", "pub")); got != 200 {
		t.Fatalf("anonymous GET in an ObjectWriter bucket = %d", got)
	}
	if _, err := root.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("writer"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := ownership("writer"); err != nil || got != types.ObjectOwnershipBucketOwnerPreferred {
		t.Fatalf("ownership = %q, %v", got, err)
	}
	if got := anonGet(t, objURL(srv, "writer", "pub")); got != 200 {
		t.Fatalf("anonymous GET under BucketOwnerPreferred = %d", got)
	}
	// Invalid ownership values.
	res := doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/bad-ownership", Header: map[string]string{"x-amz-object-ownership": "Everyone"}})
	wantRaw(t, "CreateBucket with a bad x-amz-object-ownership", res, 400, "InvalidArgument")
	_, err = root.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("writer"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: "Everyone"}}}})
	rqCode(t, err, "MalformedXML", 400)
}

// With BucketOwnerEnforced, every write that sets an ACL must set the
// bucket owner's full control and nothing else: bucket-owner-full-control
// or grants equal to it on objects (PutObject, CopyObject,
// CreateMultipartUpload, PostObject, PutObjectAcl), and an owner-only ACL
// such as private on the bucket (CreateBucket, PutBucketAcl).
func TestACLOwnerEnforcedWrites(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	const b = "enf"
	mustCreateBucket(t, root, b)
	mustPut(t, root, b, "src", []byte("s"))
	ownerOut, err := root.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(b)})
	if err != nil {
		t.Fatal(err)
	}
	ownerGrant := `id="` + aws.ToString(ownerOut.Owner.ID) + `"`
	body := func() *strings.Reader { return strings.NewReader("v") }

	// PutObject.
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("g1"), Body: body(), GrantFullControl: aws.String(ownerGrant)})
	if err != nil {
		t.Fatalf("PutObject with the owner's full control grant: %v", err)
	}
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("g2"), Body: body(), GrantRead: aws.String(ownerGrant)})
	rqCode(t, err, "AccessControlListNotSupported", 400)
	_, err = root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("g3"), Body: body(), GrantFullControl: aws.String(ownerGrant + `, id="someone-else"`)})
	rqCode(t, err, "AccessControlListNotSupported", 400)
	rqMissing(t, root, b, "g2")
	rqMissing(t, root, b, "g3")

	// CopyObject.
	cp := func(key string, acl types.ObjectCannedACL) error {
		_, err := root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String(key), CopySource: aws.String(b + "/src"), ACL: acl})
		return err
	}
	rqCode(t, cp("c1", types.ObjectCannedACLPublicRead), "AccessControlListNotSupported", 400)
	rqCode(t, cp("c2", types.ObjectCannedACLPrivate), "AccessControlListNotSupported", 400)
	if err := cp("c3", types.ObjectCannedACLBucketOwnerFullControl); err != nil {
		t.Fatalf("CopyObject with bucket-owner-full-control: %v", err)
	}

	// CreateMultipartUpload.
	mpu := func(key string, acl types.ObjectCannedACL) error {
		_, err := root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), ACL: acl})
		return err
	}
	rqCode(t, mpu("m1", types.ObjectCannedACLPublicReadWrite), "AccessControlListNotSupported", 400)
	rqCode(t, mpu("m2", types.ObjectCannedACLPrivate), "AccessControlListNotSupported", 400)
	if err := mpu("m3", types.ObjectCannedACLBucketOwnerFullControl); err != nil {
		t.Fatalf("CreateMultipartUpload with bucket-owner-full-control: %v", err)
	}

	// PostObject.
	pc := s3.NewPresignClient(root)
	for _, tc := range []struct {
		acl    string
		status int
	}{{"public-read", 400}, {"private", 400}, {"bucket-owner-full-control", 204}} {
		key := "post-" + tc.acl
		p, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key)}, func(o *s3.PresignPostOptions) {
			o.Conditions = append(o.Conditions, map[string]string{"acl": tc.acl})
		})
		if err != nil {
			t.Fatal(err)
		}
		setField(p.Values, "acl", tc.acl)
		status, _, resp := postForm(t, p.URL, p.Values, []string{"key"}, []byte("x"))
		if status != tc.status || (tc.status == 400 && !strings.Contains(resp, "AccessControlListNotSupported")) {
			t.Fatalf("POST with acl %s = %d %s", tc.acl, status, resp)
		}
	}

	// PutObjectAcl.
	putObjACL := func(in *s3.PutObjectAclInput) error {
		in.Bucket, in.Key = aws.String(b), aws.String("g1")
		_, err := root.PutObjectAcl(ctx, in)
		return err
	}
	rqCode(t, putObjACL(&s3.PutObjectAclInput{ACL: types.ObjectCannedACLPrivate}), "AccessControlListNotSupported", 400)
	rqCode(t, putObjACL(&s3.PutObjectAclInput{GrantRead: aws.String(`uri="` + aclAllUsers + `"`)}), "AccessControlListNotSupported", 400)
	if err := putObjACL(&s3.PutObjectAclInput{ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatalf("PutObjectAcl bucket-owner-full-control: %v", err)
	}
	if err := putObjACL(&s3.PutObjectAclInput{GrantFullControl: aws.String(ownerGrant)}); err != nil {
		t.Fatalf("PutObjectAcl with the owner's full control grant: %v", err)
	}

	// PutBucketAcl and CreateBucket: the owner-only ACL is accepted.
	if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(b), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatalf("PutBucketAcl private: %v", err)
	}
	_, err = root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(b), GrantRead: aws.String(ownerGrant)})
	rqCode(t, err, "AccessControlListNotSupported", 400)
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("enf-grant"), GrantFullControl: aws.String(ownerGrant)}); err != nil {
		t.Fatalf("CreateBucket with the owner's full control grant: %v", err)
	}
	_, err = root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("enf-read"), GrantRead: aws.String(`uri="` + aclAllUsers + `"`)})
	rqCode(t, err, "InvalidBucketAclWithObjectOwnership", 400)
	aclWant(t, "enforced object ACL", aclObject(t, root, b, "g1"), "owner:FULL_CONTROL")
}
