package sigv2

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

const (
	docAK     = "AKIAIOSFODNN7EXAMPLE"
	docSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func lookup(ak string) (string, bool) {
	if ak == docAK {
		return docSecret, true
	}
	return "", false
}

// toServer sends a client request through the wire format and back, so
// Verify sees exactly what a net/http server would hand it (RequestURI, raw
// path, canonicalised header names).
func toServer(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatalf("write request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	return sr
}

// serverReq builds a server-side request for a raw request target.
func serverReq(method, target string, hdr map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	return r
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

func mustOK(t testing.TB, ak string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if ak != docAK {
		t.Fatalf("access key %q, want %q", ak, docAK)
	}
}

func mustParse(layout, v string) time.Time {
	t, err := time.Parse(layout, v)
	if err != nil {
		panic(err)
	}
	return t
}
