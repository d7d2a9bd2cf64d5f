package accesslog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log destination a test reads while a server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func jsonLog(buf *syncBuffer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level}))
}

func lines(t *testing.T, buf *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// TestMiddlewareLine: the handler's record and the middleware's counts
// make one line; the cause is logged, the body bytes counted both ways.
func TestMiddlewareLine(t *testing.T) {
	var buf syncBuffer
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := From(r.Context())
		rec.Operation, rec.Bucket, rec.Key, rec.Caller = "PutObject", "b", "k", "arn:aws:iam::000000000000:user/u"
		io.Copy(io.Discard, r.Body)
		rec.Fail("AccessDenied", errors.New("no policy allows s3:PutObject"))
		w.Header().Set("x-amz-request-id", "REQ1")
		w.WriteHeader(http.StatusForbidden)
		io.Copy(w, strings.NewReader("denied!")) // through ReadFrom
	}), jsonLog(&buf, slog.LevelInfo))
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest(http.MethodPut, "/b/k", strings.NewReader("0123456789")))
	got := lines(t, &buf)
	if len(got) != 1 {
		t.Fatalf("lines: %v", got)
	}
	l := got[0]
	want := map[string]any{"msg": "access", "level": "INFO", "api": "s3", "op": "PutObject", "bucket": "b", "key": "k",
		"status": 403.0, "code": "AccessDenied", "in": 10.0, "out": 7.0, "caller": "arn:aws:iam::000000000000:user/u",
		"id": "REQ1", "cause": "no policy allows s3:PutObject", "remote": "192.0.2.1"}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("%s = %v, want %v", k, l[k], v)
		}
	}
	if rr.Body.String() != "denied!" || rr.Code != 403 {
		t.Fatalf("response %d %q", rr.Code, rr.Body)
	}
}

// TestMiddlewareKeepsWriterFeatures: flushes and deadlines reach the
// connection through Unwrap, and an aborted handler is still logged.
func TestMiddlewareKeepsWriterFeatures(t *testing.T) {
	var buf syncBuffer
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		From(r.Context()).Operation = "GetObject"
		w.Write([]byte("part"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		panic(http.ErrAbortHandler)
	}), jsonLog(&buf, slog.LevelInfo))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err == nil {
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	for i := 0; i < 100 && !strings.Contains(buf.String(), "GetObject"); i++ {
		http.Get(srv.URL + "/wait") // let the server goroutine finish logging
	}
	l := lines(t, &buf)[0]
	if l["op"] != "GetObject" || l["status"] != 200.0 || l["out"] != 4.0 {
		t.Fatalf("aborted request line: %v", l)
	}
}

// TestLevels: 500s at error, internal probes at debug.
func TestLevels(t *testing.T) {
	var buf syncBuffer
	status, api := 0, ""
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		From(r.Context()).API = api
		w.WriteHeader(status)
	}), jsonLog(&buf, slog.LevelInfo))
	for _, c := range []struct {
		api    string
		status int
	}{{"internal", 200}, {"s3", 500}, {"internal", 503}} {
		api, status = c.api, c.status
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	got := lines(t, &buf)
	if len(got) != 2 || got[0]["level"] != "ERROR" || got[1]["level"] != "INFO" || got[1]["status"] != 503.0 {
		t.Fatalf("levels: %v", got)
	}
}

// TestBoundedLabels: past maxOperations names, new ones count as Other.
func TestBoundedLabels(t *testing.T) {
	l := &labelSet{seen: map[string]map[string]bool{}}
	for i := 0; i < maxOperations; i++ {
		if got := l.bound("x", fmt.Sprint("op", i)); got != fmt.Sprint("op", i) {
			t.Fatalf("op%d = %s", i, got)
		}
	}
	if got := l.bound("x", "one-more"); got != "Other" {
		t.Fatalf("over the bound: %s", got)
	}
	if got := l.bound("x", "op7"); got != "op7" {
		t.Fatalf("a known name: %s", got)
	}
}

// BenchmarkMiddleware measures what the access line and the metrics add
// to one request: compare "bare" with "logged".
func BenchmarkMiddleware(b *testing.B) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := From(r.Context())
		rec.Operation, rec.Bucket, rec.Key = "GetObject", "bucket", "key"
		w.Header().Set("x-amz-request-id", "0123456789ABCDEF")
		w.Write([]byte("hello"))
	})
	req := httptest.NewRequest(http.MethodGet, "/bucket/key", nil)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", inner},
		{"logged", Middleware(inner, slog.New(slog.NewJSONHandler(io.Discard, nil)))},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
