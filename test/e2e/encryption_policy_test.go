package e2e

// The server-side encryption condition keys of bucket and identity
// policies: s3:x-amz-server-side-encryption and
// s3:x-amz-server-side-encryption-aws-kms-key-id.

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// epPast fails unless the write the policy let through succeeded.
func epPast(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v, want the write to pass the policy", what, err)
	}
}

// epS3KeyARN returns the ARN of the account's aws/s3 key, which SSE-KMS
// uses when a request names no key.
func epS3KeyARN(t *testing.T, c *s3.Client) string {
	t.Helper()
	mustCreateBucket(t, c, "keyprobe")
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keyprobe"), Key: aws.String("k"), Body: bytes.NewReader([]byte("k")), ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	if err != nil {
		t.Fatalf("PutObject aws:kms: %v", err)
	}
	arn := aws.ToString(out.SSEKMSKeyId)
	if !strings.HasPrefix(arn, "arn:aws:kms:") || !strings.Contains(arn, ":key/") {
		t.Fatalf("SSEKMSKeyId = %q, want a key ARN", arn)
	}
	return arn
}

func epPolicy(t *testing.T, c *s3.Client, bucket, statements string) {
	t.Helper()
	pol := `{"Version":"2012-10-17","Statement":[` + statements + `]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(pol)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
}

func epPut(c *s3.Client, bucket, key string, sse types.ServerSideEncryption, kmsKey string) error {
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte("data"))}
	in.ServerSideEncryption = sse
	if kmsKey != "" {
		in.SSEKMSKeyId = aws.String(kmsKey)
	}
	_, err := c.PutObject(ctx, in)
	return err
}

// The usual "deny unencrypted uploads" bucket policy: binds the owner's
// root too, and lets requests that ask for encryption through.
func TestEncryptionPolicyDenyUnencrypted(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "secure")
	mustPut(t, c, "secure", "src", []byte("source"))
	epPolicy(t, c, "secure", `{"Sid":"DenyNoSSE","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::secure/*",
		"Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}`)

	mustCode(t, epPut(c, "secure", "plain", "", ""), "AccessDenied")
	rqMissing(t, c, "secure", "plain")
	epPast(t, "PutObject AES256", epPut(c, "secure", "sse-s3", types.ServerSideEncryptionAes256, ""))
	epPast(t, "PutObject aws:kms", epPut(c, "secure", "sse-kms", types.ServerSideEncryptionAwsKms, ""))

	// CopyObject and CreateMultipartUpload are s3:PutObject too.
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("secure"), Key: aws.String("copy"), CopySource: aws.String("secure/src")})
	mustCode(t, err, "AccessDenied")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("secure"), Key: aws.String("copy"), CopySource: aws.String("secure/src"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	epPast(t, "CopyObject AES256", err)
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("secure"), Key: aws.String("mpu")})
	mustCode(t, err, "AccessDenied")
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("secure"), Key: aws.String("mpu"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	epPast(t, "CreateMultipartUpload AES256", err)

	// Reads are not covered by the statement.
	if got := mustGet(t, c, "secure", "src"); string(got) != "source" {
		t.Fatalf("GetObject = %q", got)
	}

	// The same rule written as StringNotEquals AES256 also refuses SSE-KMS.
	epPolicy(t, c, "secure", `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::secure/*",
		"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}}`)
	mustCode(t, epPut(c, "secure", "plain", "", ""), "AccessDenied")
	mustCode(t, epPut(c, "secure", "sse-kms", types.ServerSideEncryptionAwsKms, ""), "AccessDenied")
	epPast(t, "PutObject AES256 under StringNotEquals", epPut(c, "secure", "sse-s3", types.ServerSideEncryptionAes256, ""))

	// Without the policy a plain upload works again.
	if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("secure")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "secure", "plain", []byte("p"))
}

// Requiring one KMS key: the condition compares the key's ARN, also when
// the request names the key by its ID or an alias.
func TestEncryptionPolicyKMSKeyID(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	keyARN := epS3KeyARN(t, c)
	keyID := keyARN[strings.LastIndex(keyARN, "/")+1:]
	otherARN := keyARN[:strings.LastIndex(keyARN, "/")+1] + "99999999-0000-0000-0000-000000000000"
	mustCreateBucket(t, c, "kmsonly")
	epPolicy(t, c, "kmsonly", `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::kmsonly/*",
		"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"`+keyARN+`"}}}`)

	epPast(t, "the required key by ARN", epPut(c, "kmsonly", "arn", types.ServerSideEncryptionAwsKms, keyARN))
	epPast(t, "the required key by ID", epPut(c, "kmsonly", "id", types.ServerSideEncryptionAwsKms, keyID))
	epPast(t, "the required key by alias", epPut(c, "kmsonly", "alias", types.ServerSideEncryptionAwsKms, "alias/aws/s3"))
	mustCode(t, epPut(c, "kmsonly", "other", types.ServerSideEncryptionAwsKms, otherARN), "AccessDenied")
	mustCode(t, epPut(c, "kmsonly", "unknown alias", types.ServerSideEncryptionAwsKms, "alias/nothing-here"), "AccessDenied")
	// A request that names no key has no value for the key: StringNotEquals
	// matches and the upload is refused, as S3 refuses it.
	mustCode(t, epPut(c, "kmsonly", "nokey", types.ServerSideEncryptionAwsKms, ""), "AccessDenied")
	mustCode(t, epPut(c, "kmsonly", "plain", "", ""), "AccessDenied")
	rqMissing(t, c, "kmsonly", "other")

	// ArnNotLike with an account-wide pattern.
	epPolicy(t, c, "kmsonly", `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::kmsonly/*",
		"Condition":{"ArnNotLike":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:*:000000000000:key/*"}}}`)
	epPast(t, "ArnNotLike, alias of a key", epPut(c, "kmsonly", "a", types.ServerSideEncryptionAwsKms, "alias/aws/s3"))
	mustCode(t, epPut(c, "kmsonly", "b", types.ServerSideEncryptionAwsKms, "alias/nothing-here"), "AccessDenied")

	// The value as sent is not what the condition compares.
	epPolicy(t, c, "kmsonly", `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::kmsonly/*",
		"Condition":{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"alias/aws/s3"}}}`)
	epPast(t, "alias compared as sent", epPut(c, "kmsonly", "c", types.ServerSideEncryptionAwsKms, "alias/aws/s3"))
}

// Identity policies see the same keys.
func TestEncryptionPolicyIdentity(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "team")
	user, _, _ := newUser(t, srv, "uploader", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::team/*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}`)

	mustCode(t, epPut(user, "team", "plain", "", ""), "AccessDenied")
	mustCode(t, epPut(user, "team", "sse-s3", types.ServerSideEncryptionAes256, ""), "AccessDenied")
	epPast(t, "user PutObject aws:kms", epPut(user, "team", "sse-kms", types.ServerSideEncryptionAwsKms, ""))

	// The root is not bound by a user's policy.
	mustPut(t, root, "team", "plain", []byte("p"))
}

// PostObject's form fields are the request's encryption values.
func TestEncryptionPolicyPostObject(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "forms")
	epPolicy(t, c, "forms", `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::forms/*",
		"Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}`)
	pc := s3.NewPresignClient(c)
	presign := func(key string, conds ...any) (string, map[string]string) {
		t.Helper()
		p, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("forms"), Key: aws.String(key)}, func(o *s3.PresignPostOptions) {
			o.Conditions = append(o.Conditions, conds...)
		})
		if err != nil {
			t.Fatal(err)
		}
		return p.URL, p.Values
	}

	url, fields := presign("plain.txt")
	status, _, body := postForm(t, url, fields, []string{"key"}, []byte("x"))
	if status != http.StatusForbidden || !strings.Contains(body, "AccessDenied") {
		t.Fatalf("POST without encryption = %d %s, want 403 AccessDenied", status, body)
	}
	rqMissing(t, c, "forms", "plain.txt")

	url, fields = presign("enc.txt", map[string]string{"x-amz-server-side-encryption": "AES256"})
	fields["x-amz-server-side-encryption"] = "AES256"
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("x"))
	if status != http.StatusNoContent {
		t.Fatalf("POST with encryption = %d %s, want 204", status, body)
	}
	if got := mustGet(t, c, "forms", "enc.txt"); string(got) != "x" {
		t.Fatalf("stored %q", got)
	}
}
