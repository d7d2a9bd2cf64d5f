package console

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "http://console.example:9001"+path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(b)
}

// TestHandlerServesTheBuiltApp: the embedded build is whole (the page's
// script and style are there), config.json tells the app the API, and
// the page may only talk to itself and the API.
func TestHandlerServesTheBuiltApp(t *testing.T) {
	h := Handler(Config{APIPort: "9000", Region: "eu-west-3"})
	resp, page := get(t, h, http.MethodGet, "/")
	if resp.StatusCode != 200 || !strings.Contains(page, `id="app"`) {
		t.Fatalf("GET /: %d %q", resp.StatusCode, page)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' http://console.example:9000") || !strings.Contains(csp, "default-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}
	for _, ref := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		r, body := get(t, h, http.MethodGet, "/"+ref[1])
		if r.StatusCode != 200 || len(body) < 100 {
			t.Errorf("the page's %s: %d, %d bytes", ref[1], r.StatusCode, len(body))
		}
	}
	_, conf := get(t, h, http.MethodGet, "/config.json")
	if conf != `{"apiPort":"9000","region":"eu-west-3"}` {
		t.Fatalf("config.json = %s", conf)
	}
	if r, _ := get(t, h, http.MethodPost, "/"); r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /: %d", r.StatusCode)
	}
	if r, _ := get(t, h, http.MethodGet, "/metrics"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("metrics off: GET /metrics = %d", r.StatusCode)
	}
	behind := Handler(Config{Endpoint: "https://s3.example.com/", APIPort: "9000"})
	if r, _ := get(t, behind, http.MethodGet, "/"); !strings.Contains(r.Header.Get("Content-Security-Policy"), "connect-src 'self' https://s3.example.com;") {
		t.Fatalf("CSP behind a proxy: %q", r.Header.Get("Content-Security-Policy"))
	}
}
