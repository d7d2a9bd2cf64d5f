package reqmetrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"talus/internal/s3api"
)

// Collector counts the requests of buckets' metrics configurations.
type Collector struct {
	requests *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

var labels = []string{"bucket", "configuration_id", "metric"}

// New returns an empty collector.
func New() *Collector {
	return &Collector{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talus_s3_request_metrics_requests_total",
			Help: "Requests selected by a bucket's request metrics configuration, by CloudWatch metric (AllRequests, GetRequests, ..., 4xxErrors, 5xxErrors).",
		}, labels),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talus_s3_request_metrics_bytes_total",
			Help: "Body bytes of the requests a bucket's request metrics configuration selects (BytesDownloaded, BytesUploaded).",
		}, labels),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "talus_s3_request_metrics_latency_seconds",
			Help:    "Latency of the requests a bucket's request metrics configuration selects (FirstByteLatency, TotalRequestLatency).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, labels),
	}
}

// Observe counts one request for the configuration configID of bucket.
func (c *Collector) Observe(bucket, configID string, s s3api.RequestSample) {
	c.requests.WithLabelValues(bucket, configID, "AllRequests").Inc()
	if s.Class != "" {
		c.requests.WithLabelValues(bucket, configID, s.Class).Inc()
	}
	switch {
	case s.Status >= 500:
		c.requests.WithLabelValues(bucket, configID, "5xxErrors").Inc()
	case s.Status >= 400:
		c.requests.WithLabelValues(bucket, configID, "4xxErrors").Inc()
	}
	if s.BytesDownloaded > 0 {
		c.bytes.WithLabelValues(bucket, configID, "BytesDownloaded").Add(float64(s.BytesDownloaded))
	}
	if s.BytesUploaded > 0 {
		c.bytes.WithLabelValues(bucket, configID, "BytesUploaded").Add(float64(s.BytesUploaded))
	}
	c.latency.WithLabelValues(bucket, configID, "FirstByteLatency").Observe(s.FirstByte.Seconds())
	c.latency.WithLabelValues(bucket, configID, "TotalRequestLatency").Observe(s.Total.Seconds())
}

// Forget drops the series of a deleted configuration.
func (c *Collector) Forget(bucket, configID string) {
	l := prometheus.Labels{"bucket": bucket, "configuration_id": configID}
	c.requests.DeletePartialMatch(l)
	c.bytes.DeletePartialMatch(l)
	c.latency.DeletePartialMatch(l)
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	c.requests.Describe(ch)
	c.bytes.Describe(ch)
	c.latency.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.requests.Collect(ch)
	c.bytes.Collect(ch)
	c.latency.Collect(ch)
}

var _ s3api.RequestMetrics = (*Collector)(nil)
