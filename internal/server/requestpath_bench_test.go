package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"talus/internal/sigv4"
)

// BenchmarkRequestPath runs signed S3 requests through the server's whole
// handler chain (access log, routing, SigV4, policy, the SQLite store, the
// blob store, SSE-S3 by default) without a socket, so ns/op and allocs/op
// are the server's own cost per request. Signing the request is inside the
// timed loop for PUT (a few microseconds); GET and LIST clone one signed
// request.
func BenchmarkRequestPath(b *testing.B) {
	cfg := Config{
		Address: "127.0.0.1:0", DataDir: b.TempDir(), Region: "us-east-1",
		AccessKey: "AKBENCH", SecretKey: "secret-key-for-benchmarks", InlineMax: 32 << 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Shutdown(context.Background()) })
	h := s.http.Handler
	do := func(r *http.Request, want int) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("%s %s: status %d, want %d: %s", r.Method, r.URL, w.Code, want, w.Body.String())
		}
	}
	sign := func(method, target string, body []byte) *http.Request {
		r := httptest.NewRequest(method, "http://127.0.0.1"+target, bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		sigv4.Sign(r, cfg.AccessKey, cfg.SecretKey, cfg.Region, sigv4.UnsignedPayload, time.Now())
		return r
	}
	do(sign(http.MethodPut, "/bench", nil), http.StatusOK)
	body := bytes.Repeat([]byte("t"), 4<<10)
	for i := range 1000 {
		do(sign(http.MethodPut, fmt.Sprintf("/bench/get/%04d", i), body), http.StatusOK)
	}

	b.Run("PutObject4KiB", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			do(sign(http.MethodPut, fmt.Sprintf("/bench/put/%08d", i), body), http.StatusOK)
		}
	})
	b.Run("GetObject4KiB", func(b *testing.B) {
		tmpl := sign(http.MethodGet, "/bench/get/0420", nil)
		b.ReportAllocs()
		for b.Loop() {
			do(tmpl.Clone(context.Background()), http.StatusOK)
		}
	})
	b.Run("HeadObject", func(b *testing.B) {
		tmpl := sign(http.MethodHead, "/bench/get/0420", nil)
		b.ReportAllocs()
		for b.Loop() {
			do(tmpl.Clone(context.Background()), http.StatusOK)
		}
	})
	b.Run("ListObjectsV2_1000", func(b *testing.B) {
		tmpl := sign(http.MethodGet, "/bench?list-type=2&prefix=get/", nil)
		b.ReportAllocs()
		for b.Loop() {
			do(tmpl.Clone(context.Background()), http.StatusOK)
		}
	})
}
