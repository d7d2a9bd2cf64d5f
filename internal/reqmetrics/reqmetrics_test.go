package reqmetrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"talus/internal/s3api"
)

func TestObserveAndForget(t *testing.T) {
	c := New()
	c.Observe("b", "all", s3api.RequestSample{Operation: "GetObject", Class: "GetRequests", Status: 200, BytesDownloaded: 10, FirstByte: time.Millisecond, Total: 2 * time.Millisecond})
	c.Observe("b", "all", s3api.RequestSample{Operation: "PutObject", Class: "PutRequests", Status: 403, BytesUploaded: 5})
	c.Observe("b", "logs", s3api.RequestSample{Class: "GetRequests", Status: 503})
	want := `
# HELP talus_s3_request_metrics_requests_total Requests selected by a bucket's request metrics configuration, by CloudWatch metric (AllRequests, GetRequests, ..., 4xxErrors, 5xxErrors).
# TYPE talus_s3_request_metrics_requests_total counter
talus_s3_request_metrics_requests_total{bucket="b",configuration_id="all",metric="4xxErrors"} 1
talus_s3_request_metrics_requests_total{bucket="b",configuration_id="all",metric="AllRequests"} 2
talus_s3_request_metrics_requests_total{bucket="b",configuration_id="all",metric="GetRequests"} 1
talus_s3_request_metrics_requests_total{bucket="b",configuration_id="all",metric="PutRequests"} 1
talus_s3_request_metrics_requests_total{bucket="b",configuration_id="logs",metric="5xxErrors"} 1
talus_s3_request_metrics_requests_total{bucket="b",configuration_id="logs",metric="AllRequests"} 1
talus_s3_request_metrics_requests_total{bucket="b",configuration_id="logs",metric="GetRequests"} 1
# HELP talus_s3_request_metrics_bytes_total Body bytes of the requests a bucket's request metrics configuration selects (BytesDownloaded, BytesUploaded).
# TYPE talus_s3_request_metrics_bytes_total counter
talus_s3_request_metrics_bytes_total{bucket="b",configuration_id="all",metric="BytesDownloaded"} 10
talus_s3_request_metrics_bytes_total{bucket="b",configuration_id="all",metric="BytesUploaded"} 5
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "talus_s3_request_metrics_requests_total", "talus_s3_request_metrics_bytes_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(c, "talus_s3_request_metrics_latency_seconds"); n != 4 {
		t.Fatalf("%d latency series, want 4", n)
	}
	c.Forget("b", "all")
	if n := testutil.CollectAndCount(c, "talus_s3_request_metrics_requests_total"); n != 3 {
		t.Fatalf("%d request series after Forget, want 3", n)
	}
}
