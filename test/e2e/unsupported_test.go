package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/iam"
	"talus/internal/testserver"
)

// unsupportedDoc is an error body with the elements these tests read.
type unsupportedDoc struct {
	Code, Message, Header, ArgumentName string
}

func unsupportedErr(t *testing.T, what string, r rawResp, status int, code string) unsupportedDoc {
	t.Helper()
	wantRaw(t, what, r, status, code)
	var d unsupportedDoc
	if err := xml.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return d
}

func sseCKey(key []byte) (string, string) {
	sum := md5.Sum(key)
	return base64.StdEncoding.EncodeToString(key), base64.StdEncoding.EncodeToString(sum[:])
}

// TestEncryptionHeaderValidation checks the encryption headers S3 accepts
// and the values it rejects, on every operation that takes them.
func TestEncryptionHeaderValidation(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "sse")
	mustPut(t, c, "sse", "plain", []byte("data"))
	put := func(hdr map[string]string) rawResp {
		return doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "sse", "new"), Header: hdr, Body: []byte("x")})
	}
	key, keyMD5 := sseCKey([]byte(strings.Repeat("k", 32)))
	short, shortMD5 := sseCKey([]byte("short"))
	kmsCtx := base64.StdEncoding.EncodeToString([]byte(`{"a":"b"}`))

	// Values S3 accepts are honoured and echoed.
	for _, tc := range []struct {
		name, method string
		hdr          map[string]string
	}{
		{"SSE-S3", "AES256", map[string]string{"x-amz-server-side-encryption": "AES256"}},
		{"SSE-KMS", "aws:kms", map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": kmsCtx}},
		{"DSSE-KMS", "aws:kms:dsse", map[string]string{"x-amz-server-side-encryption": "aws:kms:dsse"}},
		{"bucket key alone", "AES256", map[string]string{"x-amz-server-side-encryption-bucket-key-enabled": "true"}},
	} {
		r := put(tc.hdr)
		wantRaw(t, tc.name, r, http.StatusOK, "")
		if got := r.Header.Get("x-amz-server-side-encryption"); got != tc.method {
			t.Errorf("%s: x-amz-server-side-encryption %q, want %q", tc.name, got, tc.method)
		}
	}
	// An unknown KMS key is S3's KMS.NotFoundException.
	unsupportedErr(t, "unknown KMS key", put(map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "k1"}), http.StatusBadRequest, "KMS.NotFoundException")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("sse"), Key: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	// Values S3 itself rejects get S3's validation error.
	for _, tc := range []struct {
		name, code, msg string
		hdr             map[string]string
	}{
		{"bogus method", "InvalidArgument", "The encryption method specified is not supported", map[string]string{"x-amz-server-side-encryption": "bogus"}},
		{"KMS key without KMS", "InvalidArgument", "requires HTTP header x-amz-server-side-encryption : aws:kms", map[string]string{"x-amz-server-side-encryption": "AES256", "x-amz-server-side-encryption-aws-kms-key-id": "k1"}},
		{"bad context", "InvalidArgument", "string-string map", map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": "not-json"}},
		{"SSE-C algorithm", "InvalidEncryptionAlgorithmError", "AES256", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES128", "x-amz-server-side-encryption-customer-key": key, "x-amz-server-side-encryption-customer-key-MD5": keyMD5}},
		{"SSE-C short key", "InvalidArgument", "The secret key was invalid for the specified algorithm.", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": short, "x-amz-server-side-encryption-customer-key-MD5": shortMD5}},
		{"SSE-C MD5 mismatch", "InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was provided.", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": key, "x-amz-server-side-encryption-customer-key-MD5": shortMD5}},
		{"SSE-C no key", "InvalidArgument", "must provide an appropriate secret key", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256"}},
		{"SSE-C over HTTP", "InvalidRequest", "must be made over a secure connection", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": key, "x-amz-server-side-encryption-customer-key-MD5": keyMD5}},
	} {
		d := unsupportedErr(t, tc.name, put(tc.hdr), http.StatusBadRequest, tc.code)
		if !strings.Contains(d.Message, tc.msg) {
			t.Errorf("%s: Message %q, want %q", tc.name, d.Message, tc.msg)
		}
		if strings.Contains(string(d.Message), key) {
			t.Errorf("%s: the key is echoed", tc.name)
		}
	}
	rqMissing(t, c, "sse", "new")

	// The SDK's own encryption parameters on the other operations.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse"), Key: aws.String("copy"), CopySource: aws.String("sse/plain"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject SSE-S3: %v", err)
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sse"), Key: aws.String("mpu"), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("k1")})
	if apiCode(err) != "KMS.NotFoundException" || rqStatus(err) != http.StatusBadRequest {
		t.Fatalf("CreateMultipartUpload under an unknown key: %v", err)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("sse")})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("uploads after a refused create: %v %v", ups, err)
	}

	// x-amz-server-side-encryption belongs to writes only, as in S3.
	for _, tc := range []struct{ method, url string }{
		{"GET", objURL(srv, "sse", "plain")},
		{"HEAD", objURL(srv, "sse", "plain")},
		{"GET", srv.URL + "/sse?list-type=2"},
	} {
		r := doRaw(t, rawReq{Method: tc.method, URL: tc.url, Header: map[string]string{"x-amz-server-side-encryption": "AES256"}})
		wantRaw(t, tc.method+" "+tc.url, r, http.StatusBadRequest, "")
		if tc.method != "HEAD" && r.Code() != "InvalidArgument" {
			t.Fatalf("%s %s: %s", tc.method, tc.url, r.Body)
		}
	}
	// A customer key on a read is validated like on a write.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse"), Key: aws.String("plain"), SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(short)})
	if apiCode(err) != "InvalidArgument" {
		t.Fatalf("GetObject with a short SSE-C key: %v", err)
	}
	r := doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "sse", "copy"), Header: map[string]string{
		"x-amz-copy-source": "sse/plain", "x-amz-copy-source-server-side-encryption-customer-algorithm": "AES256"}})
	unsupportedErr(t, "copy source SSE-C", r, http.StatusBadRequest, "InvalidArgument")

	// A missing bucket is reported first.
	r = doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "nosuchbucket", "k"), Header: map[string]string{"x-amz-server-side-encryption": "AES256"}, Body: []byte("x")})
	wantRaw(t, "SSE put to a missing bucket", r, http.StatusNotFound, "NoSuchBucket")

	// A browser upload's form fields select encryption too.
	pc := s3.NewPresignClient(c)
	p, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse"), Key: aws.String("posted")}, func(o *s3.PresignPostOptions) {
		o.Conditions = append(o.Conditions, map[string]string{"x-amz-server-side-encryption": "AES256"})
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Values["x-amz-server-side-encryption"] = "AES256"
	status, _, body := postForm(t, p.URL, p.Values, []string{"key"}, []byte("x"))
	if status != http.StatusNoContent {
		t.Fatalf("POST with SSE = %d %s", status, body)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sse"), Key: aws.String("posted")})
	if err != nil || head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("posted object: %v", err)
	}
}

func TestUnsupportedHeaders(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "hdrs")
	put := mustPut(t, c, "hdrs", "obj", []byte("data"))
	for _, tc := range []struct {
		name, method, url string
		hdr               map[string]string
		status            int
		code              string
	}{
		{"append", "PUT", objURL(srv, "hdrs", "a"), map[string]string{"x-amz-write-offset-bytes": "0"}, 501, "NotImplemented"},
		{"directory class", "PUT", objURL(srv, "hdrs", "a"), map[string]string{"x-amz-storage-class": "EXPRESS_ONEZONE"}, 400, "InvalidStorageClass"},
		{"event hold", "PUT", objURL(srv, "hdrs", "a"), map[string]string{"x-amz-object-lock-event-hold": "ON"}, 501, "NotImplemented"},
		{"bad event hold", "PUT", objURL(srv, "hdrs", "a"), map[string]string{"x-amz-object-lock-event-hold": "MAYBE"}, 400, "InvalidArgument"},
		{"SHA512 checksum", "PUT", objURL(srv, "hdrs", "a"), map[string]string{"x-amz-checksum-sha512": "AAAA"}, 501, "NotImplemented"},
		{"SHA512 algorithm", "POST", objURL(srv, "hdrs", "a") + "?uploads", map[string]string{"x-amz-checksum-algorithm": "SHA512"}, 501, "NotImplemented"},
		{"XXHASH trailer", "PUT", objURL(srv, "hdrs", "a"), map[string]string{"x-amz-trailer": "x-amz-checksum-xxhash64"}, 501, "NotImplemented"},
		{"conditional delete", "DELETE", objURL(srv, "hdrs", "obj"), map[string]string{"If-Match": *put.ETag}, 501, "NotImplemented"},
		{"delete if size", "DELETE", objURL(srv, "hdrs", "obj"), map[string]string{"x-amz-if-match-size": "4"}, 501, "NotImplemented"},
		{"regional namespace", "PUT", srv.URL + "/newbucket", map[string]string{"x-amz-bucket-namespace": "account-regional"}, 501, "NotImplemented"},
		{"bad namespace", "PUT", srv.URL + "/newbucket", map[string]string{"x-amz-bucket-namespace": "x"}, 400, "InvalidArgument"},
		{"optional attributes", "GET", srv.URL + "/hdrs?list-type=2", map[string]string{"x-amz-optional-object-attributes": "Owner"}, 400, "InvalidArgument"},
		{"source owner", "PUT", objURL(srv, "hdrs", "c"), map[string]string{"x-amz-copy-source": "hdrs/obj", "x-amz-source-expected-bucket-owner": "111122223333"}, 403, "AccessDenied"},
	} {
		r := doRaw(t, rawReq{Method: tc.method, URL: tc.url, Header: tc.hdr, Body: []byte{}})
		wantRaw(t, tc.name, r, tc.status, tc.code)
	}
	mustGet(t, c, "hdrs", "obj")
	rqMissing(t, c, "hdrs", "a")
	rqMissing(t, c, "hdrs", "c")
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("newbucket")}); err == nil {
		t.Fatal("a refused CreateBucket created the bucket")
	}

	// What Talus honours passes.
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("hdrs"), OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus}}); err != nil {
		t.Fatalf("RestoreStatus: %v", err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("hdrs"), Key: aws.String("c"), CopySource: aws.String("hdrs/obj"),
		ExpectedSourceBucketOwner: aws.String(iam.AccountID)}); err != nil {
		t.Fatalf("copy with the right source owner: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("hdrs"), Key: aws.String("ia"), Body: strings.NewReader("x"),
		StorageClass: types.StorageClassStandardIa, ObjectLockEventHold: types.ObjectLockEventHoldOff}); err != nil {
		t.Fatalf("STANDARD_IA, event hold OFF: %v", err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("globalns"), BucketNamespace: types.BucketNamespaceGlobal}); err != nil {
		t.Fatalf("global namespace: %v", err)
	}
}

// TestUnimplementedOperationOrder checks that an operation Talus lacks is
// authenticated, authorized and checked for its bucket before the 501.
func TestUnimplementedOperationOrder(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "have")
	ops := []struct {
		method, sub string
		body        []byte
	}{
		{"GET", "session", nil},
	}
	anon := func(method, url string, body []byte) rqResp {
		return rqDo(t, rqNew(t, method, url, body))
	}
	for _, op := range ops {
		for _, b := range []string{"have", "missing"} {
			url := srv.URL + "/" + b + "?" + op.sub
			what := op.method + " " + b + "?" + op.sub
			t.Run(what, func(t *testing.T) {
				want := "NotImplemented"
				status := http.StatusNotImplemented
				if b == "missing" {
					want, status = "NoSuchBucket", http.StatusNotFound
				}
				rqErr(t, rqDo(t, rqSigned(t, op.method, url, op.body)), status, want)
				rqErr(t, anon(op.method, url, op.body), http.StatusForbidden, "AccessDenied")

				req := rqNew(t, op.method, url, op.body)
				req.Header.Set("X-Amz-Content-Sha256", rqHash(op.body))
				// A fresh signer: rqSigner caches the key derived from the right secret.
				creds := aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: "wrong-secret"}
				if err := v4.NewSigner().SignHTTP(ctx, creds, req, rqHash(op.body), "s3", testserver.Region, time.Now()); err != nil {
					t.Fatal(err)
				}
				rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")

				req = rqNew(t, op.method, url, op.body)
				req.Header.Set("X-Amz-Content-Sha256", rqHash(op.body))
				rqSignRaw(t, req, rqHash(op.body), "AKIANOSUCHKEY0000000", "x", testserver.Region, time.Now())
				rqErr(t, rqDo(t, req), http.StatusForbidden, "InvalidAccessKeyId")
			})
		}
	}

	// A user is authorized by the operation's own IAM action.
	_, ak, sk := newUser(t, srv, "sessionmaker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3express:CreateSession","Resource":"*"}]}`)
	user := func(method, url string, body []byte) rqResp {
		req := rqNew(t, method, url, body)
		req.Header.Set("X-Amz-Content-Sha256", rqHash(body))
		rqSignRaw(t, req, rqHash(body), ak, sk, testserver.Region, time.Now())
		return rqDo(t, req)
	}
	rqErr(t, user("GET", srv.URL+"/have?session", nil), http.StatusNotImplemented, "NotImplemented")
	rqErr(t, user("GET", srv.URL+"/have?requestPayment", nil), http.StatusForbidden, "AccessDenied")
	rqErr(t, user("PUT", srv.URL+"/have?notification", []byte("<NotificationConfiguration/>")), http.StatusForbidden, "AccessDenied")

}

// TestCompleteMultipartAssertions checks the headers with which a
// Complete asserts the object's size and the upload's checksum type.
func TestCompleteMultipartAssertions(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpa")
	start := func(key string, alg types.ChecksumAlgorithm) (string, types.CompletedPart) {
		t.Helper()
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpa"), Key: aws.String(key), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpa"), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("hello"), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		return *cr.UploadId, types.CompletedPart{PartNumber: aws.Int32(1), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32}
	}
	complete := func(key, id string, p types.CompletedPart, in func(*s3.CompleteMultipartUploadInput)) error {
		ci := &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpa"), Key: aws.String(key), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}}
		in(ci)
		_, err := c.CompleteMultipartUpload(ctx, ci)
		return err
	}

	id, p := start("sized", "")
	err := complete("sized", id, p, func(in *s3.CompleteMultipartUploadInput) { in.MpuObjectSize = aws.Int64(6) })
	if apiCode(err) != "InvalidRequest" || !strings.Contains(err.Error(), "does not match what was computed: 5") {
		t.Fatalf("wrong x-amz-mp-object-size: %v", err)
	}
	rqMissing(t, c, "mpa", "sized")
	if err := complete("sized", id, p, func(in *s3.CompleteMultipartUploadInput) { in.MpuObjectSize = aws.Int64(5) }); err != nil {
		t.Fatalf("right x-amz-mp-object-size: %v", err)
	}
	if got := mustGet(t, c, "mpa", "sized"); string(got) != "hello" {
		t.Fatalf("got %q", got)
	}

	id, p = start("typed", types.ChecksumAlgorithmCrc32)
	err = complete("typed", id, p, func(in *s3.CompleteMultipartUploadInput) { in.ChecksumType = types.ChecksumTypeFullObject })
	if apiCode(err) != "InvalidRequest" || !strings.Contains(err.Error(), "created using the COMPOSITE checksum mode") {
		t.Fatalf("mismatched x-amz-checksum-type: %v", err)
	}
	if err := complete("typed", id, p, func(in *s3.CompleteMultipartUploadInput) { in.ChecksumType = types.ChecksumTypeComposite }); err != nil {
		t.Fatalf("matching x-amz-checksum-type: %v", err)
	}
}

func TestListBucketsByRegion(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "here-1")
	mustCreateBucket(t, c, "here-2")
	for region, want := range map[string]int{testserver.Region: 2, "eu-west-3": 0} {
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String(region)})
		if err != nil || len(out.Buckets) != want {
			t.Fatalf("bucket-region %s: %v %v, want %d buckets", region, out, err, want)
		}
	}
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String(testserver.Region), MaxBuckets: aws.Int32(1)})
	if err != nil || len(out.Buckets) != 1 || out.ContinuationToken == nil {
		t.Fatalf("first page: %v %v", out, err)
	}
	out, err = c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String(testserver.Region), MaxBuckets: aws.Int32(1), ContinuationToken: out.ContinuationToken})
	if err != nil || len(out.Buckets) != 1 || *out.Buckets[0].Name != "here-2" {
		t.Fatalf("second page: %v %v", out, err)
	}
}
