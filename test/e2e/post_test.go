package e2e

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// postForm sends a browser-style multipart POST: fields first, file last.
func postForm(t *testing.T, url string, fields map[string]string, order []string, file []byte) (int, http.Header, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	seen := map[string]bool{}
	for _, k := range order {
		if v, ok := fields[k]; ok {
			w.WriteField(k, v)
			seen[k] = true
		}
	}
	for k, v := range fields {
		if !seen[k] {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("file", "photo.jpg")
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// setField replaces a form field whatever its case.
func setField(fields map[string]string, name, value string) {
	for k := range fields {
		if strings.EqualFold(k, name) {
			delete(fields, k)
		}
	}
	fields[name] = value
}

func TestPostObject(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "uploads")
	pc := s3.NewPresignClient(c)
	presign := func(key string, opts ...func(*s3.PresignPostOptions)) (string, map[string]string) {
		t.Helper()
		p, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String(key)}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return p.URL, p.Values
	}

	url, fields := presign("photos/cat.jpg")
	status, hdr, body := postForm(t, url, fields, []string{"key"}, []byte("meow"))
	if status != http.StatusNoContent || hdr.Get("ETag") != rqETag([]byte("meow")) {
		t.Fatalf("POST = %d %v %s", status, hdr, body)
	}
	if got := mustGet(t, c, "uploads", "photos/cat.jpg"); string(got) != "meow" {
		t.Fatalf("stored %q", got)
	}

	// success_action_status 201 answers with the PostResponse document.
	url, fields = presign("photos/dog.jpg", func(o *s3.PresignPostOptions) {
		o.Conditions = append(o.Conditions, map[string]string{"success_action_status": "201"})
	})
	setField(fields, "success_action_status", "201")
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("woof"))
	if status != http.StatusCreated || !strings.Contains(body, "<Key>photos/dog.jpg</Key>") {
		t.Fatalf("POST with 201 = %d %s", status, body)
	}

	// A content-length-range in the policy bounds the file.
	url, fields = presign("small.bin", func(o *s3.PresignPostOptions) {
		o.Conditions = append(o.Conditions, []interface{}{"content-length-range", 1, 10})
	})
	status, _, body = postForm(t, url, fields, []string{"key"}, bytes.Repeat([]byte("x"), 11))
	if status != http.StatusBadRequest || !strings.Contains(body, "EntityTooLarge") {
		t.Fatalf("oversized POST = %d %s", status, body)
	}
	rqMissing(t, c, "uploads", "small.bin")

	// A field the policy does not cover is refused.
	url, fields = presign("extra.txt")
	fields["x-amz-meta-color"] = "red"
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("x"))
	if status != http.StatusForbidden || !strings.Contains(body, "Extra input fields") {
		t.Fatalf("POST with an extra field = %d %s", status, body)
	}

	// A checksum field needs no condition: it is checked against the file.
	url, fields = presign("summed.txt")
	fields["x-amz-checksum-sha256"] = checksums([]byte("sum me"))[types.ChecksumAlgorithmSha256]
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("sum me"))
	if status != http.StatusNoContent {
		t.Fatalf("POST with an uncovered checksum = %d %s", status, body)
	}
	url, fields = presign("missummed.txt")
	fields["x-amz-checksum-sha256"] = checksums([]byte("other"))[types.ChecksumAlgorithmSha256]
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("sum me"))
	if status != http.StatusBadRequest || !strings.Contains(body, "BadDigest") {
		t.Fatalf("POST with a wrong checksum = %d %s", status, body)
	}
	rqMissing(t, c, "uploads", "missummed.txt")
	// starts-with works on x-amz-* fields such as the storage class.
	url, fields = presign("cold.txt", func(o *s3.PresignPostOptions) {
		o.Conditions = append(o.Conditions, []interface{}{"starts-with", "$x-amz-storage-class", "STANDARD"})
	})
	fields["x-amz-storage-class"] = "STANDARD_IA"
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("brr"))
	if status != http.StatusNoContent {
		t.Fatalf("POST with starts-with on the storage class = %d %s", status, body)
	}

	// A tampered signature is refused; so is a key the policy did not sign.
	url, fields = presign("signed.txt")
	setField(fields, "x-amz-signature", strings.Repeat("0", 64))
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("x"))
	if status != http.StatusForbidden || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Fatalf("POST with a bad signature = %d %s", status, body)
	}
	url, fields = presign("signed.txt")
	setField(fields, "key", "other.txt")
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("x"))
	if status != http.StatusForbidden || !strings.Contains(body, "Policy Condition failed") {
		t.Fatalf("POST to another key = %d %s", status, body)
	}

	// An expired policy is refused.
	url, fields = presign("late.txt", func(o *s3.PresignPostOptions) { o.Expires = time.Second })
	time.Sleep(1500 * time.Millisecond)
	status, _, body = postForm(t, url, fields, []string{"key"}, []byte("x"))
	if status != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Fatalf("POST with an expired policy = %d %s", status, body)
	}

	// Anonymous uploads need a bucket policy that grants them.
	anon := map[string]string{"key": "drop/${filename}"}
	status, _, body = postForm(t, srv.URL+"/uploads", anon, []string{"key"}, []byte("anon"))
	if status != http.StatusForbidden || !strings.Contains(body, "AccessDenied") {
		t.Fatalf("anonymous POST without a policy = %d %s", status, body)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::uploads/drop/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("uploads"), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	status, _, body = postForm(t, srv.URL+"/uploads", anon, []string{"key"}, []byte("anon"))
	if status != http.StatusNoContent {
		t.Fatalf("anonymous POST with a policy = %d %s", status, body)
	}
	if got := mustGet(t, c, "uploads", "drop/photo.jpg"); string(got) != "anon" {
		t.Fatalf("anonymous upload stored %q", got)
	}
}
