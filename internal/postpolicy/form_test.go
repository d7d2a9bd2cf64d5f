package postpolicy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestParseErrors(t *testing.T) {
	raw := func(ct, body string) *http.Request {
		r := httptest.NewRequest("POST", "/b", strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		return r
	}
	const b = "XyZ"
	for name, tc := range map[string]struct {
		r    *http.Request
		max  int64
		code string
	}{
		"no content type":  {raw("", ""), 0, "MalformedPOSTRequest"},
		"urlencoded":       {raw("application/x-www-form-urlencoded", "key=x"), 0, "MalformedPOSTRequest"},
		"no boundary":      {raw("multipart/form-data", ""), 0, "MalformedPOSTRequest"},
		"empty body":       {raw("multipart/form-data; boundary="+b, ""), 0, "MalformedPOSTRequest"},
		"no file":          {raw("multipart/form-data; boundary="+b, "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--XyZ--\r\n"), 0, "IncorrectNumberOfFilesInPostRequest"},
		"unnamed part":     {raw("multipart/form-data; boundary="+b, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nk\r\n--XyZ--\r\n"), 0, "MalformedPOSTRequest"},
		"not form-data":    {raw("multipart/form-data; boundary="+b, "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nk\r\n--XyZ--\r\n"), 0, "MalformedPOSTRequest"},
		"truncated field":  {raw("multipart/form-data; boundary="+b, "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nkkkk"), 0, "MalformedPOSTRequest"},
		"duplicate field":  {raw("multipart/form-data; boundary="+b, "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--XyZ\r\nContent-Disposition: form-data; name=\"KEY\"\r\n\r\nk\r\n--XyZ--\r\n"), 0, "InvalidArgument"},
		"value too large":  {upload{fields: []field{{"key", strings.Repeat("k", 101)}}}.request(t), 100, "MaxPostPreDataLengthExceeded"},
		"fields too large": {upload{fields: []field{{"key", strings.Repeat("k", 60)}, {"acl", strings.Repeat("a", 60)}}}.request(t), 100, "MaxPostPreDataLengthExceeded"},
		"many tiny parts":  {upload{fields: manyFields(5000)}.request(t), 1000, "MaxPostPreDataLengthExceeded"},
		"huge part header": {raw("multipart/form-data; boundary="+b, "--XyZ\r\nX-Pad: "+strings.Repeat("p", 1<<20)+"\r\n"), 1000, "MaxPostPreDataLengthExceeded"},
	} {
		t.Run(name, func(t *testing.T) {
			f, err := Parse(tc.r, tc.max)
			if f != nil {
				t.Fatal("form with error")
			}
			status := 400
			wantCode(t, err, tc.code, status)
		})
	}
	// A nil body.
	r := httptest.NewRequest("POST", "/b", nil)
	r.Body = nil
	r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	_, err := Parse(r, 0)
	wantCode(t, err, "MalformedPOSTRequest", 400)
}

func manyFields(n int) []field {
	out := make([]field, n)
	for i := range out {
		out[i] = field{"f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)), ""}
	}
	return out
}

func TestParseFieldsExactlyAtBudget(t *testing.T) {
	u := upload{fields: []field{{"key", strings.Repeat("k", 97)}}, file: []byte("x")} // 3 + 97 = 100
	f, err := Parse(u.request(t), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Fields["key"]) != 97 || readAll(t, f.File) != "x" {
		t.Fatal("wrong form")
	}
}

func TestParseCaseAndFileDetails(t *testing.T) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("KEY", "k")
	w.WriteField("X-Amz-Meta-Mixed", "v")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="File"; filename="dir\\fran`+"\u00e7"+`ais.txt"`)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	pw, _ := w.CreatePart(h)
	pw.Write([]byte("line1\r\n--not-a-boundary\r\n"))
	w.Close()
	r := httptest.NewRequest("POST", "/b", &buf)
	r.Header.Set("Content-Type", w.FormDataContentType())
	f, err := Parse(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Fields["key"] != "k" || f.Fields["x-amz-meta-mixed"] != "v" || f.Field("x-AMZ-meta-MIXED") != "v" {
		t.Fatalf("fields %v", f.Fields)
	}
	if f.FileName != `dir\français.txt` { // as sent, quoted-pair unescaped, no path cleaning
		t.Fatalf("FileName %q", f.FileName)
	}
	if f.FileContentType != "text/plain; charset=utf-8" {
		t.Fatalf("FileContentType %q", f.FileContentType)
	}
	if got := readAll(t, f.File); got != "line1\r\n--not-a-boundary\r\n" {
		t.Fatalf("file %q", got)
	}
}

func TestTruncatedFile(t *testing.T) {
	u := upload{fields: []field{{"key", "k"}}, file: bytes.Repeat([]byte("z"), 10000)}
	ct, body := u.body(t)
	r := httptest.NewRequest("POST", "/b", bytes.NewReader(body[:len(body)-200]))
	r.Header.Set("Content-Type", ct)
	f, err := Parse(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f.File); err == nil {
		t.Fatal("truncated file read without error")
	}
}

// patternReader generates left bytes of a fixed pattern.
type patternReader struct{ left int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	for i := range b {
		b[i] = byte('a' + (p.left-int64(i))%23)
	}
	p.left -= int64(len(b))
	return len(b), nil
}

// A 50 MiB file goes through File with bounded memory: the body is
// generated on the fly through a pipe, so a buffering parser would have to
// allocate at least the file's size.
func TestLargeFileStreamed(t *testing.T) {
	const size = 50 << 20
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	want := sha256.New()
	go func() {
		w.WriteField("key", "big/${filename}")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="big.bin"`)
		part, err := w.CreatePart(h)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		buf := make([]byte, 64<<10)
		src := io.TeeReader(&patternReader{left: size}, want)
		if _, err := io.CopyBuffer(part, src, buf); err != nil {
			pw.CloseWithError(err)
			return
		}
		w.WriteField("after", "x")
		pw.CloseWithError(w.Close())
	}()
	r := httptest.NewRequest("POST", "/b", pr)
	r.Header.Set("Content-Type", w.FormDataContentType())

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := Parse(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.CopyBuffer(got, f.File, make([]byte, 32<<10))
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n != size {
		t.Fatalf("read %d bytes, want %d", n, size)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("file content differs")
	}
	if f.Key() != "big/big.bin" {
		t.Fatalf("Key %q", f.Key())
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("allocated %d bytes streaming a %d-byte file", alloc, size)
	} else {
		t.Logf("allocated %d KiB streaming 50 MiB", alloc>>10)
	}
	io.Copy(io.Discard, pr) // let the writer finish
}

// The AWS SDK for Go v2's presigned POST, sent as a browser would.
func TestAWSSDKPresignPost(t *testing.T) {
	client := s3.New(s3.Options{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(testAK, testSecret, ""),
	})
	pre, err := s3.NewPresignClient(client).PresignPostObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String("uploads/${filename}"),
	}, func(o *s3.PresignPostOptions) {
		o.Expires = time.Minute
		o.Conditions = []any{
			[]any{"starts-with", "$Content-Type", "text/"},
			[]any{"content-length-range", 1, 1024},
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var fields []field
	for k, v := range pre.Values {
		fields = append(fields, field{k, v})
	}
	fields = append(fields, field{"Content-Type", "text/plain"})
	f := parseForm(t, upload{fields: fields, fileName: "notes.txt", file: []byte("hello")})
	ak, p, err := f.Verify(lookup, testRegion, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ak != testAK || f.Key() != "uploads/notes.txt" {
		t.Fatalf("ak %q key %q", ak, f.Key())
	}
	if lo, hi, ok := p.LengthRange(); !ok || lo != 1 || hi != 1024 {
		t.Fatalf("range %d %d %v", lo, hi, ok)
	}
	// Same form, other bucket or a key the policy does not allow.
	f = parseForm(t, upload{fields: fields, fileName: "notes.txt", file: []byte("hello")})
	f.Bucket = "elsewhere"
	_, _, err = f.Verify(lookup, testRegion, time.Now())
	wantCode(t, err, "AccessDenied", 403)
	// Expired.
	f = parseForm(t, upload{fields: fields, fileName: "notes.txt", file: []byte("hello")})
	_, _, err = f.Verify(lookup, testRegion, time.Now().Add(2*time.Minute))
	wantMessage(t, err, "AccessDenied", 403, "Invalid according to Policy: Policy expired.")
}
