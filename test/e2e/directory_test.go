package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// Directory buckets through aws-sdk-go-v2 on a custom endpoint. The SDK's
// endpoint rules then sign every request to a --x-s3 bucket, bucket-level
// ones included, with S3 Express session credentials; the requests AWS
// serves on the s3express-control endpoint (CreateBucket, DeleteBucket,
// ListDirectoryBuckets, bucket policy and encryption) need plain SigV4, so
// they pass DisableS3ExpressSessionAuth (control).

// control signs a request with the long-term credentials (for s3express).
func control(o *s3.Options) { o.DisableS3ExpressSessionAuth = aws.Bool(true) }

func directoryConfig(zone string) *types.CreateBucketConfiguration {
	return &types.CreateBucketConfiguration{
		Location: &types.LocationInfo{Type: types.LocationTypeAvailabilityZone, Name: aws.String(zone)},
		Bucket:   &types.BucketInfo{Type: types.BucketTypeDirectory, DataRedundancy: types.DataRedundancySingleAvailabilityZone},
	}
}

func mustCreateDirectoryBucket(t *testing.T, c *s3.Client, name, zone string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), CreateBucketConfiguration: directoryConfig(zone)}, control); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
}

// headerLog records the headers of every request a client sends.
type headerLog struct {
	mu   sync.Mutex
	seen []http.Header
	next http.RoundTripper
}

func (l *headerLog) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.seen = append(l.seen, r.Header.Clone())
	l.mu.Unlock()
	return l.next.RoundTrip(r)
}

func (l *headerLog) last() http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[len(l.seen)-1]
}

func TestDirectoryBucketCreateAndList(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	for _, tc := range []struct {
		name, bucket string
		cfg          *types.CreateBucketConfiguration
		code         string
	}{
		{"no zone", "base--x-s3", directoryConfig("use1-az4"), "InvalidBucketName"},
		{"bad zone", "base--notazone--x-s3", directoryConfig("notazone"), "InvalidBucketName"},
		{"dot in name", "ba.se--use1-az4--x-s3", directoryConfig("use1-az4"), "InvalidBucketName"},
		{"reserved prefix", "xn--base--use1-az4--x-s3", directoryConfig("use1-az4"), "InvalidBucketName"},
		{"too long", strings.Repeat("a", 50) + "--use1-az4--x-s3", directoryConfig("use1-az4"), "InvalidBucketName"},
		{"zone mismatch", "base--use1-az4--x-s3", directoryConfig("use1-az6"), "InvalidBucketName"},
		{"no configuration", "base--use1-az4--x-s3", nil, "InvalidRequest"},
		{"no bucket info", "base--use1-az4--x-s3", &types.CreateBucketConfiguration{
			Location: &types.LocationInfo{Type: types.LocationTypeAvailabilityZone, Name: aws.String("use1-az4")}}, "InvalidRequest"},
		{"redundancy mismatch", "base--use1-az4--x-s3", &types.CreateBucketConfiguration{
			Location: &types.LocationInfo{Type: types.LocationTypeAvailabilityZone, Name: aws.String("use1-az4")},
			Bucket:   &types.BucketInfo{Type: types.BucketTypeDirectory, DataRedundancy: types.DataRedundancySingleLocalZone}}, "InvalidArgument"},
		{"directory config on a general purpose name", "general", directoryConfig("use1-az4"), "InvalidBucketName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(tc.bucket), CreateBucketConfiguration: tc.cfg}, control)
			mustCode(t, err, tc.code)
		})
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked--use1-az4--x-s3"), CreateBucketConfiguration: directoryConfig("use1-az4"),
		ObjectLockEnabledForBucket: aws.Bool(true)}, control)
	mustCode(t, err, "NotImplemented")

	mustCreateBucket(t, c, "general")
	dirs := []string{"a--use1-az4--x-s3", "b--use1-az4--x-s3", "c--usw2-lax1-az1--x-s3"}
	for _, d := range dirs[:2] {
		mustCreateDirectoryBucket(t, c, d, "use1-az4")
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirs[2]), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		Location: &types.LocationInfo{Type: types.LocationTypeLocalZone, Name: aws.String("usw2-lax1-az1")},
		Bucket:   &types.BucketInfo{Type: types.BucketTypeDirectory, DataRedundancy: types.DataRedundancySingleLocalZone},
	}}, control); err != nil {
		t.Fatalf("local zone bucket: %v", err)
	}

	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lb.Buckets) != 1 || *lb.Buckets[0].Name != "general" {
		t.Fatalf("ListBuckets shows directory buckets: %+v", lb.Buckets)
	}
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListDirectoryBuckets(ctx, &s3.ListDirectoryBucketsInput{MaxDirectoryBuckets: aws.Int32(2), ContinuationToken: token}, control)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Buckets) > 2 {
			t.Fatalf("page of %d buckets, asked for 2", len(out.Buckets))
		}
		for _, b := range out.Buckets {
			got = append(got, *b.Name)
			if b.CreationDate == nil || aws.ToString(b.BucketRegion) != testserver.Region {
				t.Errorf("bucket %s: %+v", *b.Name, b)
			}
		}
		if token = out.ContinuationToken; token == nil {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(dirs, ",") {
		t.Fatalf("ListDirectoryBuckets = %v, want %v", got, dirs)
	}
	_, err = c.ListDirectoryBuckets(ctx, &s3.ListDirectoryBucketsInput{ContinuationToken: aws.String("!!")}, control)
	mustCode(t, err, "InvalidArgument")

	// HeadBucket and DeleteBucket of a directory bucket.
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(dirs[0])}); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(dirs[0])}, control); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
}

func TestDirectoryBucketRules(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	b := "rules--use1-az4--x-s3"
	mustCreateDirectoryBucket(t, c, b, "use1-az4")
	mustPut(t, c, b, "dir/k", []byte("v"))
	// Keys that need escaping sign as for s3 (the path encoded once).
	mustPut(t, c, b, "dir/sub/a b+c%d=é", []byte("odd"))
	if got := mustGet(t, c, b, "dir/sub/a b+c%d=é"); string(got) != "odd" {
		t.Fatalf("escaped key = %q", got)
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("dir/k")})
	if err != nil {
		t.Fatal(err)
	}
	if head.StorageClass != types.StorageClassExpressOnezone {
		t.Errorf("storage class %q, want EXPRESS_ONEZONE", head.StorageClass)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}, control)
	mustCode(t, err, "NotImplemented")
	_, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(b)})
	mustCode(t, err, "NotImplemented")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("di")})
	mustCode(t, err, "InvalidArgument")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Delimiter: aws.String("-")})
	mustCode(t, err, "InvalidArgument")
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
	if err != nil || len(out.Contents) != 1 || *out.Contents[0].Key != "dir/k" {
		t.Fatalf("ListObjectsV2 dir/ = %+v, %v", out, err)
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("dir/k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
	mustCode(t, err, "NotImplemented")
	_, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(b), Key: aws.String("dir/k")})
	mustCode(t, err, "NotImplemented")
	_, err = c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(b), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}}, control)
	mustCode(t, err, "NotImplemented")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("t"), Body: strings.NewReader("x"), Tagging: aws.String("a=b")})
	mustCode(t, err, "NotImplemented")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("t"), Body: strings.NewReader("x"), StorageClass: types.StorageClassStandard})
	mustCode(t, err, "InvalidStorageClass")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("t"), Body: strings.NewReader("x"), StorageClass: types.StorageClassExpressOnezone,
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatalf("PutObject EXPRESS_ONEZONE with SHA256: %v", err)
	}
	// A general purpose bucket refuses the directory class.
	mustCreateBucket(t, c, "general")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("general"), Key: aws.String("t"), Body: strings.NewReader("x"), StorageClass: types.StorageClassExpressOnezone})
	mustCode(t, err, "InvalidStorageClass")
	// Multipart uploads work as in general purpose buckets.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32}}}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, b, "mp"); string(got) != "part" {
		t.Fatalf("multipart object = %q", got)
	}
}

// staticExpress hands the SDK fixed session credentials, never refreshing
// them, so a test can use them past their expiry or in ReadOnly mode.
type staticExpress struct{ creds aws.Credentials }

func (s staticExpress) Retrieve(context.Context, string) (aws.Credentials, error) {
	return s.creds, nil
}

func createSession(t *testing.T, c *s3.Client, bucket string, mode types.SessionMode) aws.Credentials {
	t.Helper()
	out, err := c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(bucket), SessionMode: mode})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	cr := out.Credentials
	return aws.Credentials{AccessKeyID: *cr.AccessKeyId, SecretAccessKey: *cr.SecretAccessKey, SessionToken: *cr.SessionToken,
		CanExpire: true, Expires: *cr.Expiration}
}

func TestExpressSessions(t *testing.T) {
	srv := testserver.Start(t, testserver.WithExpressSessionDuration(3*time.Second))
	log := &headerLog{next: http.DefaultTransport}
	c := srv.Client(func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: log} })
	b, other := "sess--use1-az4--x-s3", "other--use1-az4--x-s3"
	mustCreateDirectoryBucket(t, c, b, "use1-az4")
	mustCreateDirectoryBucket(t, c, other, "use1-az4")

	// The SDK's own resolver: CreateSession, then x-amz-s3session-token.
	mustPut(t, c, b, "k", []byte("v"))
	if h := log.last(); h.Get("X-Amz-S3session-Token") == "" || h.Get("X-Amz-Security-Token") != "" ||
		!strings.Contains(h.Get("Authorization"), "/s3express/aws4_request") {
		t.Fatalf("PutObject was not signed with a session: %v", h)
	}

	out, err := c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(b)})
	if err != nil {
		t.Fatal(err)
	}
	if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("session SSE %q, want AES256", out.ServerSideEncryption)
	}
	if left := time.Until(*out.Credentials.Expiration); left > 4*time.Second || left < -time.Second {
		t.Errorf("session expires in %v, want about 3s", left)
	}
	_, err = c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(b), ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	mustCode(t, err, "InvalidArgument")
	mustCreateBucket(t, c, "general")
	_, err = c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String("general")})
	mustCode(t, err, "NotImplemented")

	with := func(creds aws.Credentials) *s3.Client {
		return srv.Client(func(o *s3.Options) { o.ExpressCredentials = staticExpress{creds} })
	}
	ro := with(createSession(t, c, b, types.SessionModeReadOnly))
	if got := mustGet(t, ro, b, "k"); string(got) != "v" {
		t.Fatalf("ReadOnly GET = %q", got)
	}
	_, err = ro.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("w"), Body: strings.NewReader("x")})
	mustCode(t, err, "AccessDenied")
	_, err = ro.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	mustCode(t, err, "AccessDenied")

	rwCreds := createSession(t, c, b, types.SessionModeReadWrite)
	rw := with(rwCreds)
	mustPut(t, rw, b, "w", []byte("x"))
	// A session is for its bucket alone.
	_, err = rw.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(other), Key: aws.String("k")})
	mustCode(t, err, "AccessDenied")
	// Its token is no STS token, and an STS-style x-amz-security-token
	// never passes for a session one.
	sts := srv.Client(func(o *s3.Options) {
		o.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return rwCreds, nil }))
	})
	_, err = sts.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")}, control)
	mustCode(t, err, "InvalidToken")
	bad := rwCreds
	bad.SessionToken = rwCreds.SessionToken[:len(rwCreds.SessionToken)-4] + "AAAA"
	_, err = with(bad).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	mustCode(t, err, "InvalidToken")

	// Expiry: the same credentials stop working once the session is over.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err = rw.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
		if err != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	mustCode(t, err, "ExpiredToken")
	// The SDK's resolver makes a new session and goes on.
	if got := mustGet(t, c, b, "w"); !bytes.Equal(got, []byte("x")) {
		t.Fatalf("GET after expiry = %q", got)
	}
}

// TestExpressSessionAuthorizes: as in S3, an IAM user allowed only
// s3express:CreateSession on the bucket works in it through sessions;
// without that allow CreateSession (and so every object request) is denied.
func TestExpressSessionAuthorizes(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	b := "authz--use1-az4--x-s3"
	mustCreateDirectoryBucket(t, root, b, "use1-az4")
	_, ak, sk := newUser(t, srv, "express", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3express:CreateSession","Resource":"arn:aws:s3:::`+b+`"}]}`)
	u := testserver.NewClient(srv.URL, ak, sk)
	mustPut(t, u, b, "k", []byte("by session"))
	if got := mustGet(t, u, b, "k"); string(got) != "by session" {
		t.Fatalf("GET = %q", got)
	}
	_, nak, nsk := newUser(t, srv, "nothing", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	n := testserver.NewClient(srv.URL, nak, nsk)
	_, err := n.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(b)})
	mustCode(t, err, "AccessDenied")
	_, err = n.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	if err == nil {
		t.Fatal("a user without s3express:CreateSession read the bucket")
	}
}
