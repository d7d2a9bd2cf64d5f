package postpolicy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"
	"time"

	"github.com/minio/minio-go/v7/pkg/signer"
)

const (
	testAK     = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	testBucket = "johnsmith"
)

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func lookup(ak string) (string, bool) {
	if ak == testAK {
		return testSecret, true
	}
	return "", false
}

// field is one form part, in order.
type field struct{ name, value string }

// upload describes a multipart body: fields, the file, then trailing fields.
type upload struct {
	fields      []field
	fileName    string
	fileType    string
	file        []byte
	noFile      bool
	afterFields []field
}

func (u upload) body(t testing.TB) (string, []byte) {
	return u.bodyWithBoundary(t, "")
}

func (u upload) bodyWithBoundary(t testing.TB, boundary string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if boundary != "" {
		if err := w.SetBoundary(boundary); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range u.fields {
		if err := w.WriteField(f.name, f.value); err != nil {
			t.Fatal(err)
		}
	}
	if !u.noFile {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+u.fileName+`"`)
		if u.fileType != "" {
			h.Set("Content-Type", u.fileType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(u.file)
	}
	for _, f := range u.afterFields {
		if err := w.WriteField(f.name, f.value); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

func (u upload) request(t testing.TB) *http.Request {
	t.Helper()
	ct, body := u.body(t)
	r := httptest.NewRequest("POST", "/"+testBucket, bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	return r
}

// policyB64 encodes a policy document.
func policyB64(t testing.TB, expiration time.Time, conditions ...any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"expiration": expiration.UTC().Format("2006-01-02T15:04:05.000Z"),
		"conditions": conditions,
	})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func credential(ak string, at time.Time, region string) string {
	return ak + "/" + at.UTC().Format("20060102") + "/" + region + "/s3/aws4_request"
}

// v4Fields returns the SigV4 fields for policy, signed by minio-go.
func v4Fields(policy string, at time.Time, region string) []field {
	return []field{
		{"x-amz-algorithm", "AWS4-HMAC-SHA256"},
		{"x-amz-credential", credential(testAK, at, region)},
		{"x-amz-date", at.UTC().Format("20060102T150405Z")},
		{"policy", policy},
		{"x-amz-signature", signer.PostPresignSignatureV4(policy, at, testSecret, region)},
	}
}

// v4Conds are the conditions covering v4Fields.
func v4Conds(at time.Time, region string) []any {
	return []any{
		[]any{"eq", "$x-amz-algorithm", "AWS4-HMAC-SHA256"},
		map[string]string{"x-amz-credential": credential(testAK, at, region)},
		map[string]string{"x-amz-date": at.UTC().Format("20060102T150405Z")},
	}
}

func parseForm(t testing.TB, u upload) *Form {
	t.Helper()
	f, err := Parse(u.request(t), 0)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	f.Bucket = testBucket
	return f
}

func wantCode(t testing.TB, err error, code string, status int) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not *Error", err, err)
	}
	if e.Code != code || e.Status != status {
		t.Fatalf("got %s/%d (%s), want %s/%d", e.Code, e.Status, e.Message, code, status)
	}
	return e
}

func wantMessage(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	e := wantCode(t, err, code, status)
	if e.Message != msg {
		t.Fatalf("message\n got %s\nwant %s", e.Message, msg)
	}
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read file: %v", err)
	}
	return string(b)
}

func fieldsWith(base []field, extra ...field) []field {
	out := append([]field(nil), base...)
	return append(out, extra...)
}
