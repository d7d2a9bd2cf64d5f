package e2e

import (
	"net/http"
	"strings"
	"testing"

	"talus/internal/testserver"
)

// TestConsoleOriginCORS: the API lets the console's own origin (the API's
// host name on the console port) call it without a bucket CORS rule,
// preflights included, while any other origin still meets the bucket's
// rules (none here: 403).
func TestConsoleOriginCORS(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConsole())
	c := srv.Client()
	mustCreateBucket(t, c, "console-cors")
	consolePort := srv.Server().ConsoleAddr().String()[strings.LastIndexByte(srv.Server().ConsoleAddr().String(), ':'):]
	console := "http://127.0.0.1" + consolePort
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/console-cors/k", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PUT")
		req.Header.Set("Access-Control-Request-Headers", "authorization,x-amz-date,x-amz-content-sha256")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	r := preflight(console)
	if r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != console ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "PUT") ||
		r.Header.Get("Access-Control-Allow-Headers") != "authorization,x-amz-date,x-amz-content-sha256" {
		t.Fatalf("console preflight: %d %v", r.StatusCode, r.Header)
	}
	for _, other := range []string{"http://evil.example" + consolePort, "http://127.0.0.1:1", "http://localhost" + consolePort} {
		if r := preflight(other); r.StatusCode != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight from %s: %d %v", other, r.StatusCode, r.Header)
		}
	}
	// An actual (unsigned, so denied) request from the console origin still
	// carries the CORS headers, so the app can read the error.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/console-cors", nil)
	req.Header.Set("Origin", console)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != console || resp.Header.Get("Access-Control-Expose-Headers") != "*" {
		t.Fatalf("console GET: %d %v", resp.StatusCode, resp.Header)
	}
}
