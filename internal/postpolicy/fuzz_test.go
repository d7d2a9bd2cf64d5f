package postpolicy

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const fuzzBoundary = "fuzzBoundary"

func FuzzParse(f *testing.F) {
	policy := base64.StdEncoding.EncodeToString([]byte(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["starts-with","$key",""]]}`))
	seeds := []upload{
		{fields: []field{{"key", "k"}}, fileName: "a.txt", file: []byte("hello")},
		{fields: []field{{"key", "user/${filename}"}, {"policy", policy}, {"AWSAccessKeyId", testAK}, {"signature", "x"}}, fileName: "b", file: []byte("x"), afterFields: []field{{"late", "1"}}},
		{fields: []field{{"key", "k"}, {"KEY", "dup"}}, noFile: true},
		{fields: []field{{"x-amz-signature", strings.Repeat("0", 64)}}, file: bytes.Repeat([]byte("--fuzzBoundary"), 10)},
	}
	for _, u := range seeds {
		_, body := u.bodyWithBoundary(f, fuzzBoundary)
		f.Add(body, int64(0))
		f.Add(body[:len(body)/2], int64(64))
	}
	f.Add([]byte("--fuzzBoundary\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"), int64(1))
	f.Fuzz(func(t *testing.T, body []byte, max int64) {
		if max > 1<<20 || max < -1 {
			max = 0
		}
		r := httptest.NewRequest("POST", "/b", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		form, err := Parse(r, max)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || form != nil {
				t.Fatalf("error %T %v, form %v", err, err, form)
			}
			return
		}
		limit := max
		if limit <= 0 {
			limit = DefaultMaxFormBytes
		}
		total := 0
		for k, v := range form.Fields {
			if k != strings.ToLower(k) || k == "file" {
				t.Fatalf("field name %q", k)
			}
			total += len(k) + len(v)
		}
		if int64(total) > limit {
			t.Fatalf("fields hold %d bytes, budget %d", total, limit)
		}
		n, _ := io.Copy(io.Discard, form.File)
		if n > int64(len(body)) {
			t.Fatalf("file longer than the body")
		}
		form.Bucket = "b"
		// Verify never panics and only returns *Error.
		ak, _, err := form.Verify(lookup, testRegion, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify error %T", err)
			}
		} else if ak != "" {
			t.Fatalf("fuzzed form authenticated as %q", ak)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key","a/"],["content-length-range",1,10],["eq","$Content-Type","x"]]}`,
		`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["content-length-range","1","9223372036854775807"]]}`,
		`{"expiration":5}`, `[]`, `{"conditions":[[]]}`, `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq",1,2]]}`,
	} {
		f.Add(base64.StdEncoding.EncodeToString([]byte(s)))
	}
	f.Fuzz(func(t *testing.T, b64 string) {
		p, err := ParsePolicy(b64)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != "InvalidPolicyDocument" || p != nil {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if lo, hi, ok := p.LengthRange(); ok && (lo < 0 || hi < lo) {
			t.Fatalf("range %d %d", lo, hi)
		}
		err = p.CheckFields(map[string]string{"key": "a/b", "bucket": "b", "content-type": "x"})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != "AccessDenied" {
				t.Fatalf("CheckFields error %T %v", err, err)
			}
		}
	})
}
