package e2e

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// bucketNames lists every bucket the server reports.
func bucketNames(t *testing.T, c *s3.Client) []string {
	t.Helper()
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	return names
}

func TestBucketCreateNames(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	valid := []string{"abc", "a-b", "a.b.c", "1bucket", "bucket1", "my-bucket.example-2", strings.Repeat("a", 63), "0.0.0", "1.2.3.4.5"}
	for _, name := range valid {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatalf("CreateBucket(%q): %v", name, err)
		}
	}
	invalid := []string{
		"ab", "a", "UPPER", "Abc", "a..b", "192.168.1.1", "-abc", "abc-", ".abc", "abc.",
		"xn--abc", "sthree-abc", "abc-s3alias", "abc--ol-s3", "a_b", strings.Repeat("a", 64),
	}
	for _, name := range invalid {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		if apiCode(err) != "InvalidBucketName" || rqStatus(err) != http.StatusBadRequest {
			t.Fatalf("CreateBucket(%q): %v, want 400 InvalidBucketName", name, err)
		}
	}
	// Characters the SDK would put into the path unescaped (and sign so):
	// sent properly escaped instead.
	for _, name := range []string{"a b", "ab!", "é-bucket", "a%b", "a+b"} {
		req := rqSigned(t, http.MethodPut, srv.URL+"/"+rqEscape(name), nil)
		rqErr(t, rqDo(t, req), http.StatusBadRequest, "InvalidBucketName")
	}
	got := bucketNames(t, c)
	want := slices.Clone(valid)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("buckets = %q, want %q", got, want)
	}

	// Error body names the bucket.
	res := rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/UPPER", nil))
	doc := rqErr(t, res, http.StatusBadRequest, "InvalidBucketName")
	if doc.Resource != "/UPPER" || !strings.Contains(string(res.Body), "<BucketName>UPPER</BucketName>") {
		t.Errorf("error body lacks the bucket: %s", res.Body)
	}
}

func TestBucketCreateResponse(t *testing.T) {
	srv := testserver.Start(t)
	res := rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/created", nil))
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if loc := res.Header.Get("Location"); loc != "/created" {
		t.Errorf("Location = %q, want /created", loc)
	}
	out, err := srv.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("created2")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Location) != "/created2" {
		t.Errorf("Location = %q", aws.ToString(out.Location))
	}
}

func TestBucketCreateHeaders(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-private"), ACL: types.BucketCannedACLPrivate})
	if err != nil {
		t.Fatal(err)
	}
	// New buckets default to BucketOwnerEnforced: ACLs are disabled.
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-public"), ACL: types.BucketCannedACLPublicRead})
	rqCode(t, err, "InvalidBucketAclWithObjectOwnership", http.StatusBadRequest)
	// Object lock at creation turns versioning on with it.
	if _, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("locked")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning of an object-lock bucket = %+v, %v", v, err)
	}
	lc, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("locked")})
	if err != nil || lc.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		t.Fatalf("object lock configuration = %+v, %v", lc, err)
	}
	if got := bucketNames(t, c); !slices.Equal(got, []string{"acl-private", "locked"}) {
		t.Fatalf("buckets = %q", got)
	}
}

// TestBucketCreateTwice: re-creating a bucket one owns is 200 OK in
// us-east-1 (S3's legacy answer there, which resets the bucket ACL and
// nothing else) and 409 BucketAlreadyOwnedByYou in every other region.
func TestBucketCreateTwice(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "twice")
	mustPut(t, c, "twice", "k", []byte("v"))
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("twice"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("twice")})
	if err != nil {
		t.Fatalf("re-create in us-east-1: %v", err)
	}
	if aws.ToString(out.Location) != "/twice" {
		t.Errorf("Location = %q", aws.ToString(out.Location))
	}
	res := rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/twice", nil))
	if res.Status != http.StatusOK || res.Header.Get("Location") != "/twice" || len(res.Body) != 0 {
		t.Errorf("raw re-create: %d %q %q", res.Status, res.Header.Get("Location"), res.Body)
	}
	// The existing bucket keeps its objects and configuration.
	if got := mustGet(t, c, "twice", "k"); string(got) != "v" {
		t.Fatalf("object = %q", got)
	}
	if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("twice")}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning after re-create = %+v, %v", v, err)
	}

	// The ACL is reset to the one the re-create gives.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("acl"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl"), ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	publicGrants := func() int {
		t.Helper()
		acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("acl")})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, g := range acl.Grants {
			if g.Grantee != nil && aws.ToString(g.Grantee.URI) != "" {
				n++
			}
		}
		return n
	}
	if publicGrants() != 1 {
		t.Fatal("public-read grant missing before re-create")
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl"), ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	if n := publicGrants(); n != 0 {
		t.Errorf("after re-create the ACL still has %d public grants", n)
	}

	// Elsewhere it is an error, and the bucket is untouched.
	eu := testserver.Start(t, testserver.WithRegion("eu-west-1"))
	ec := eu.Client()
	in := &s3.CreateBucketInput{Bucket: aws.String("twice"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}
	if _, err := ec.CreateBucket(ctx, in); err != nil {
		t.Fatal(err)
	}
	mustPut(t, ec, "twice", "k", []byte("v"))
	_, err = ec.CreateBucket(ctx, in)
	rqCode(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
	if got := mustGet(t, ec, "twice", "k"); string(got) != "v" {
		t.Fatalf("object = %q", got)
	}
}

func TestBucketCreateLocationConstraint(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()

	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lc-east"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	rqCode(t, err, "InvalidLocationConstraint", http.StatusBadRequest)

	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lc-west"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	rqCode(t, err, "IllegalLocationConstraintException", http.StatusBadRequest)

	for _, body := range []string{
		"<CreateBucketConfiguration><LocationConstraint>",
		"not xml at all",
		"<Other><LocationConstraint>us-east-1</LocationConstraint></Other>",
		"<CreateBucketConfiguration></CreateBucketConfiguration><Extra/>",
	} {
		res := rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/lc-bad", []byte(body)))
		rqErr(t, res, http.StatusBadRequest, "MalformedXML")
	}

	// An empty configuration is fine and means us-east-1.
	empty := `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CreateBucketConfiguration>`
	res := rqDo(t, rqSigned(t, http.MethodPut, srv.URL+"/lc-empty", []byte(empty)))
	if res.Status != http.StatusOK {
		t.Fatalf("empty configuration: %d %s", res.Status, res.Body)
	}
	if got := bucketNames(t, c); !slices.Equal(got, []string{"lc-empty"}) {
		t.Fatalf("buckets = %q, want only lc-empty", got)
	}
}

func TestBucketHead(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "headb")
	out, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("headb")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.BucketRegion) != "us-east-1" {
		t.Fatalf("BucketRegion = %q", aws.ToString(out.BucketRegion))
	}
	res := rqDo(t, rqSigned(t, http.MethodHead, srv.URL+"/headb", nil))
	if res.Status != http.StatusOK || res.Header.Get("X-Amz-Bucket-Region") != "us-east-1" {
		t.Fatalf("HEAD = %d, region %q", res.Status, res.Header.Get("X-Amz-Bucket-Region"))
	}

	for _, name := range []string{"missing", "UPPER"} {
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
		if rqStatus(err) != http.StatusNotFound {
			t.Fatalf("HeadBucket(%s) = %v, want 404", name, err)
		}
		res = rqDo(t, rqSigned(t, http.MethodHead, srv.URL+"/"+name, nil))
		if res.Status != http.StatusNotFound || len(res.Body) != 0 {
			t.Fatalf("HEAD %s = %d %q, want 404 with no body", name, res.Status, res.Body)
		}
		if res.Header.Get("X-Amz-Request-Id") == "" {
			t.Fatal("no x-amz-request-id on HEAD 404")
		}
	}
}

func TestBucketDelete(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "delb")
	mustPut(t, c, "delb", "a/b", []byte("x"))

	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("delb")})
	rqCode(t, err, "BucketNotEmpty", http.StatusConflict)
	res := rqDo(t, rqSigned(t, http.MethodDelete, srv.URL+"/delb", nil))
	doc := rqErr(t, res, http.StatusConflict, "BucketNotEmpty")
	if doc.Resource != "/delb" {
		t.Errorf("Resource = %q", doc.Resource)
	}
	if got := mustGet(t, c, "delb", "a/b"); string(got) != "x" {
		t.Fatal("object lost")
	}

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("delb"), Key: aws.String("a/b")}); err != nil {
		t.Fatal(err)
	}
	res = rqDo(t, rqSigned(t, http.MethodDelete, srv.URL+"/delb", nil))
	if res.Status != http.StatusNoContent || len(res.Body) != 0 {
		t.Fatalf("DELETE = %d %q, want 204", res.Status, res.Body)
	}
	if got := bucketNames(t, c); len(got) != 0 {
		t.Fatalf("buckets after delete: %q", got)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("delb")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("delb"), Key: aws.String("k"), Body: strings.NewReader("x")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)

	// The name can be reused, and the new bucket is empty.
	mustCreateBucket(t, c, "delb")
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("delb")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lo.Contents) != 0 {
		t.Fatalf("recreated bucket lists %d objects", len(lo.Contents))
	}
}

func TestBucketGetLocation(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "locb")
	out, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("locb")})
	if err != nil {
		t.Fatal(err)
	}
	if out.LocationConstraint != "" {
		t.Fatalf("LocationConstraint = %q, want empty for us-east-1", out.LocationConstraint)
	}
	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/locb?location", nil))
	var doc struct {
		XMLName xml.Name
		Value   string `xml:",chardata"`
	}
	if res.Status != http.StatusOK || xml.Unmarshal(res.Body, &doc) != nil {
		t.Fatalf("GET ?location = %d %s", res.Status, res.Body)
	}
	if doc.XMLName.Local != "LocationConstraint" || doc.XMLName.Space != "http://s3.amazonaws.com/doc/2006-03-01/" || doc.Value != "" {
		t.Fatalf("body = %s", res.Body)
	}
	_, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("nolocb")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestBucketList(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	var lb []string
	for _, s := range []string{"g", "c", "a", "e", "b", "f", "d"} {
		lb = append(lb, "lb-"+s)
	}
	all := append(slices.Clone(lb), "other-1", "other-2", "zzz")
	for _, n := range all {
		mustCreateBucket(t, c, n)
	}
	slices.Sort(lb)
	slices.Sort(all)

	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Owner.ID) == "" {
		t.Error("no Owner ID")
	}
	if out.ContinuationToken != nil {
		t.Errorf("ContinuationToken on a complete listing: %q", aws.ToString(out.ContinuationToken))
	}
	for i, b := range out.Buckets {
		if b.CreationDate == nil || b.CreationDate.IsZero() {
			t.Errorf("%s: no CreationDate", aws.ToString(b.Name))
		}
		if aws.ToString(b.BucketRegion) != "us-east-1" {
			t.Errorf("%s: BucketRegion %q", aws.ToString(b.Name), aws.ToString(b.BucketRegion))
		}
		if i < len(all) && aws.ToString(b.Name) != all[i] {
			t.Errorf("bucket %d = %q, want %q", i, aws.ToString(b.Name), all[i])
		}
	}
	if len(out.Buckets) != len(all) {
		t.Fatalf("%d buckets, want %d", len(out.Buckets), len(all))
	}

	// Manual paging with max-buckets.
	var got []string
	var token *string
	pages := 0
	for {
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(3), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Buckets) > 3 {
			t.Fatalf("page of %d buckets with max-buckets 3", len(out.Buckets))
		}
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
		if out.ContinuationToken == nil {
			break
		}
		if len(out.Buckets) != 3 {
			t.Fatalf("short page (%d) with a continuation token", len(out.Buckets))
		}
		token = out.ContinuationToken
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(got, all) || pages != 4 {
		t.Fatalf("paged %q in %d pages, want %q in 4", got, pages, all)
	}

	// Paginator with a prefix: exact page boundary (7 = 3+3+1, and 4+3).
	for _, limit := range []int32{1, 3, 4, 7, 100} {
		p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{Prefix: aws.String("lb-")}, func(o *s3.ListBucketsPaginatorOptions) { o.Limit = limit })
		got = nil
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Prefix) != "lb-" {
				t.Fatalf("Prefix = %q", aws.ToString(out.Prefix))
			}
			for _, b := range out.Buckets {
				got = append(got, aws.ToString(b.Name))
			}
		}
		if !slices.Equal(got, lb) {
			t.Fatalf("limit %d: %q, want %q", limit, got, lb)
		}
	}

	out, err = c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("nomatch")})
	if err != nil || len(out.Buckets) != 0 {
		t.Fatalf("prefix nomatch: %v, %d buckets", err, len(out.Buckets))
	}

	for _, n := range []int32{0, -1, 10001} {
		_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(n)})
		rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	}
	for _, q := range []string{"max-buckets=abc", "continuation-token=%21%21%21"} {
		rqErr(t, rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/?"+q, nil)), http.StatusBadRequest, "InvalidArgument")
	}
	out, err = c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(10000)})
	if err != nil || len(out.Buckets) != len(all) {
		t.Fatalf("max-buckets 10000: %v", err)
	}
}
