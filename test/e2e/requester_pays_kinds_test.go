package e2e

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// postFormWith is postForm with request headers.
func postFormWith(t *testing.T, url string, hdr http.Header, fields map[string]string, file []byte) (int, http.Header, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if k, ok := fields["key"]; ok {
		w.WriteField("key", k)
	}
	for k, v := range fields {
		if k != "key" {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("file", "f.bin")
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestRequesterPaysEveryRequestKind: on a Requester Pays bucket another
// account must accept the charge on every kind of request, not only GET
// and PUT: each multipart call, a part copied out of a Requester Pays
// source, a presigned URL (x-amz-request-payer in its signed query), a
// browser POST upload (the header, or a form field the policy covers),
// HEAD and DELETE. Accepted requests are answered x-amz-request-charged;
// the owner's need nothing.
func TestRequesterPaysEveryRequestKind(t *testing.T) {
	t.Parallel()
	srv, a, b, _ := threeAccounts(t)
	mustCreateBucket(t, b.Root, "rpk-b")
	mustPut(t, b.Root, "rpk-b", "doc", bytes.Repeat([]byte("d"), 1000))
	putBucketPolicy(t, b.Root, "rpk-b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+a.ID+`"},"Action":"s3:*","Resource":["arn:aws:s3:::rpk-b","arn:aws:s3:::rpk-b/*"]}]}`)
	if _, err := b.Root.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("rpk-b"),
		RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}); err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, a.Root, "rpk-a")
	pay := types.RequestPayerRequester
	charged := func(what string, got types.RequestCharged, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got != types.RequestChargedRequester {
			t.Errorf("%s: x-amz-request-charged %q, want requester", what, got)
		}
	}

	// Multipart upload into the bucket: every call needs the header.
	_, err := a.Root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp")})
	allowOrDeny(t, "CreateMultipartUpload without the header", err, false)
	cu, err := a.Root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp"), RequestPayer: pay})
	charged("CreateMultipartUpload", cu.RequestCharged, err)
	up := func(payer types.RequestPayer) (*s3.UploadPartOutput, error) {
		return a.Root.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp"), UploadId: cu.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part one")), RequestPayer: payer})
	}
	_, err = up("")
	allowOrDeny(t, "UploadPart without the header", err, false)
	part, err := up(pay)
	charged("UploadPart", part.RequestCharged, err)
	_, err = a.Root.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp"), UploadId: cu.UploadId})
	allowOrDeny(t, "ListParts without the header", err, false)
	lp, err := a.Root.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp"), UploadId: cu.UploadId, RequestPayer: pay})
	charged("ListParts", lp.RequestCharged, err)
	_, err = a.Root.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("rpk-b")})
	allowOrDeny(t, "ListMultipartUploads without the header", err, false)
	complete := func(payer types.RequestPayer) (*s3.CompleteMultipartUploadOutput, error) {
		return a.Root.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp"), UploadId: cu.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}, RequestPayer: payer})
	}
	_, err = complete("")
	allowOrDeny(t, "CompleteMultipartUpload without the header", err, false)
	done, err := complete(pay)
	charged("CompleteMultipartUpload", done.RequestCharged, err)
	ab, err := a.Root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rpk-b"), Key: aws.String("gone"), RequestPayer: pay})
	mustOK(t, "CreateMultipartUpload to abort", err)
	_, err = a.Root.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("rpk-b"), Key: aws.String("gone"), UploadId: ab.UploadId})
	allowOrDeny(t, "AbortMultipartUpload without the header", err, false)
	abo, err := a.Root.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("rpk-b"), Key: aws.String("gone"), UploadId: ab.UploadId, RequestPayer: pay})
	charged("AbortMultipartUpload", abo.RequestCharged, err)

	// A part copied out of the Requester Pays bucket into a's own.
	own, err := a.Root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("rpk-a"), Key: aws.String("copied")})
	mustOK(t, "CreateMultipartUpload in a's bucket", err)
	copyPart := func(payer types.RequestPayer) (*s3.UploadPartCopyOutput, error) {
		return a.Root.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("rpk-a"), Key: aws.String("copied"), UploadId: own.UploadId,
			PartNumber: aws.Int32(1), CopySource: aws.String("rpk-b/doc"), RequestPayer: payer})
	}
	_, err = copyPart("")
	allowOrDeny(t, "UploadPartCopy from a Requester Pays source without the header", err, false)
	cp, err := copyPart(pay)
	charged("UploadPartCopy", cp.RequestCharged, err)

	// HEAD and DELETE.
	_, err = a.Root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp")})
	if err == nil || !strings.Contains(err.Error(), "StatusCode: 403") { // a HEAD answer has no body to carry the code
		t.Fatalf("HeadObject without the header: %v, want 403", err)
	}
	ho, err := a.Root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp"), RequestPayer: pay})
	charged("HeadObject", ho.RequestCharged, err)
	_, err = a.Root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp")})
	allowOrDeny(t, "DeleteObject without the header", err, false)
	do, err := a.Root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("rpk-b"), Key: aws.String("mp"), RequestPayer: pay})
	charged("DeleteObject", do.RequestCharged, err)

	// A presigned URL accepts the charge in its signed query.
	presign := func(payer bool) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/rpk-b/doc", nil)
		q := req.URL.Query()
		q.Set("X-Amz-Expires", "300")
		if payer {
			q.Set("x-amz-request-payer", "requester")
		}
		req.URL.RawQuery = q.Encode()
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: a.AK, SecretAccessKey: a.SK},
			req, unsignedPayload, "s3", testserver.Region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	if r := plainDo(t, http.MethodGet, presign(false), nil, nil); r.Status != http.StatusForbidden || r.Code() != "AccessDenied" {
		t.Fatalf("presigned GET without x-amz-request-payer: %d %s", r.Status, r.Body)
	}
	if r := plainDo(t, http.MethodGet, presign(true), nil, nil); r.Status != http.StatusOK || r.Header.Get("x-amz-request-charged") != "requester" || len(r.Body) != 1000 {
		t.Fatalf("presigned GET with x-amz-request-payer: %d charged %q, %d bytes", r.Status, r.Header.Get("x-amz-request-charged"), len(r.Body))
	}

	// A browser POST upload signed by a.
	pc := s3.NewPresignClient(a.Root)
	post := func(key string, field bool) (string, map[string]string) {
		p, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rpk-b"), Key: aws.String(key)}, func(o *s3.PresignPostOptions) {
			if field {
				o.Conditions = append(o.Conditions, map[string]string{"x-amz-request-payer": "requester"})
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if field {
			p.Values["x-amz-request-payer"] = "requester"
		}
		return p.URL, p.Values
	}
	u, fields := post("posted", false)
	if status, _, body := postFormWith(t, u, nil, fields, []byte("x")); status != http.StatusForbidden {
		t.Fatalf("POST upload without accepting the charge: %d %s", status, body)
	}
	rqMissing(t, b.Root, "rpk-b", "posted")
	status, hdr, body := postFormWith(t, u, http.Header{"X-Amz-Request-Payer": {"requester"}}, fields, []byte("by header"))
	if status != http.StatusNoContent || hdr.Get("x-amz-request-charged") != "requester" {
		t.Fatalf("POST upload with the header: %d charged %q %s", status, hdr.Get("x-amz-request-charged"), body)
	}
	u, fields = post("posted-field", true)
	status, hdr, body = postFormWith(t, u, nil, fields, []byte("by field"))
	if status != http.StatusNoContent || hdr.Get("x-amz-request-charged") != "requester" {
		t.Fatalf("POST upload with the form field: %d charged %q %s", status, hdr.Get("x-amz-request-charged"), body)
	}
	if got := mustGet(t, b.Root, "rpk-b", "posted-field"); string(got) != "by field" {
		t.Fatalf("posted object %q", got)
	}

	// The owner's POST needs nothing and is not charged.
	op, err := s3.NewPresignClient(b.Root).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rpk-b"), Key: aws.String("owners")})
	if err != nil {
		t.Fatal(err)
	}
	status, hdr, body = postFormWith(t, op.URL, nil, op.Values, []byte("free"))
	if status != http.StatusNoContent || hdr.Get("x-amz-request-charged") != "" {
		t.Fatalf("owner's POST upload: %d charged %q %s", status, hdr.Get("x-amz-request-charged"), body)
	}
}
