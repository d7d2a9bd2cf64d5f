package metrics

import (
	"crypto/subtle"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds the process-wide collectors. Collectors that belong to
// one server (its stores, its workers) go in a registry of that server's,
// gathered together with this one by Handler.
var Registry = prometheus.NewRegistry()

var reg = promauto.With(Registry)

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// HTTP requests, by API (s3, iam, kms, internal), operation and status.
var (
	Requests = reg.NewCounterVec(prometheus.CounterOpts{
		Name: "talus_http_requests_total",
		Help: "HTTP requests served, by API, operation and status code.",
	}, []string{"api", "operation", "status"})
	RequestDuration = reg.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "talus_http_request_duration_seconds",
		Help:    "Time from request received to response written, by API and operation.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"api", "operation"})
	BytesIn = reg.NewCounterVec(prometheus.CounterOpts{
		Name: "talus_http_received_bytes_total",
		Help: "Request body bytes read, by API and operation.",
	}, []string{"api", "operation"})
	BytesOut = reg.NewCounterVec(prometheus.CounterOpts{
		Name: "talus_http_sent_bytes_total",
		Help: "Response body bytes written, by API and operation.",
	}, []string{"api", "operation"})
)

// Metadata group commit: how many writes share one transaction and how long it takes.
var (
	CommitBatchSize = reg.NewHistogram(prometheus.HistogramOpts{
		Name:    "talus_meta_commit_batch_size",
		Help:    "Writes committed together in one metadata transaction.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	CommitDuration = reg.NewHistogram(prometheus.HistogramOpts{
		Name:    "talus_meta_commit_duration_seconds",
		Help:    "Duration of one metadata group-commit transaction, fsync included.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12),
	})
)

// Handler serves the text exposition of Registry and extra. A non-empty
// token must come as "Authorization: Bearer TOKEN"; anything else is 401.
func Handler(token string, extra ...prometheus.Gatherer) http.Handler {
	h := promhttp.HandlerFor(append(prometheus.Gatherers{Registry}, extra...), promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="talus metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
