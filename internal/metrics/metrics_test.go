package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestHandlerToken: with a token, only the matching bearer header is
// served; the extra registry is gathered with the process-wide one.
func TestHandlerToken(t *testing.T) {
	extra := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "talus_test_extra", Help: "test"})
	g.Set(42)
	extra.MustRegister(g)
	h := Handler("s3cret", extra)
	for auth, want := range map[string]int{"": 401, "Bearer wrong": 401, "s3cret": 401, "Bearer s3cret": 200} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, rec.Code, want)
		}
		if want == 200 && (!strings.Contains(rec.Body.String(), "talus_test_extra 42") || !strings.Contains(rec.Body.String(), "go_goroutines")) {
			t.Errorf("body lacks the extra or the runtime metrics:\n%s", rec.Body)
		}
		if want == 401 && strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Error("metrics served without the token")
		}
	}
}
