package s3api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"talus/internal/meta"
)

type countingMetrics struct{ n atomic.Int64 }

func (c *countingMetrics) Observe(string, string, RequestSample) { c.n.Add(1) }
func (c *countingMetrics) Forget(string, string)                 {}

func metricsRequest(b *meta.Bucket, key string) *request {
	r := httptest.NewRequest(http.MethodGet, "/"+b.Name+"/"+key, nil)
	return &request{Request: r, bucket: b.Name, key: key, loaded: b, op: "GetObject",
		objectTags: map[string]string{"tier": "hot"}, firstByte: time.Now(), sentBytes: 10}
}

func TestObserveMetricsSelects(t *testing.T) {
	m := &countingMetrics{}
	a := &API{cfg: Config{RequestMetrics: m}}
	b := &meta.Bucket{Name: "b", Config: meta.BucketConfig{Metrics: []meta.MetricsConfig{
		{ID: "all"}, {ID: "logs", Prefix: "logs/"}, {ID: "hot", Tags: map[string]string{"tier": "hot"}},
		{ID: "cold", Tags: map[string]string{"tier": "cold"}}, {ID: "ap", AccessPointArn: "arn:aws:s3:us-east-1:123456789012:accesspoint/x"},
	}}}
	a.observeMetrics(metricsRequest(b, "logs/1"), 200, time.Now())
	if got := m.n.Load(); got != 3 { // all, logs, hot
		t.Fatalf("%d observations, want 3", got)
	}
	other := metricsRequest(b, "x")
	other.bucket = "elsewhere" // the loaded bucket is another (a copy's source)
	a.observeMetrics(other, 200, time.Now())
	if got := m.n.Load(); got != 3 {
		t.Fatalf("observed a request on another bucket's configurations")
	}
}

// The cost a request pays for its bucket's metrics configurations: none
// without any, and a filter match per configuration with them.
func BenchmarkObserveMetrics(b *testing.B) {
	for _, n := range []int{0, 1, 10, 1000} {
		bk := &meta.Bucket{Name: "b"}
		for i := range n {
			bk.Config.Metrics = append(bk.Config.Metrics, meta.MetricsConfig{ID: fmt.Sprint(i), Prefix: fmt.Sprintf("p%d/", i%10)})
		}
		a := &API{cfg: Config{RequestMetrics: &countingMetrics{}}}
		req := metricsRequest(bk, "p3/key")
		b.Run(fmt.Sprint(n, "configs"), func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				a.observeMetrics(req, 200, start)
			}
		})
	}
}
