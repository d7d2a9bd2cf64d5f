package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"talus/internal/meta"
	"talus/internal/metrics"
	"talus/internal/space"
)

// usageTTL bounds how often a scrape recounts the buckets (a full scan of
// the versions table).
const usageTTL = 30 * time.Second

var (
	bucketObjectsDesc  = prometheus.NewDesc("talus_bucket_objects", "Object versions stored in the bucket (delete markers excluded).", []string{"bucket"}, nil)
	bucketBytesDesc    = prometheus.NewDesc("talus_bucket_bytes", "Bytes of the object versions stored in the bucket.", []string{"bucket"}, nil)
	diskFreeDesc       = prometheus.NewDesc("talus_disk_free_bytes", "Free bytes on the file system of a storage tier.", []string{"tier"}, nil)
	diskTotalDesc      = prometheus.NewDesc("talus_disk_total_bytes", "Size of the file system of a storage tier.", []string{"tier"}, nil)
	workerRunningDesc  = prometheus.NewDesc("talus_worker_running", "1 while the background job runs.", []string{"job"}, nil)
	workerRunsDesc     = prometheus.NewDesc("talus_worker_runs_total", "Runs of the background job started by this process.", []string{"job"}, nil)
	workerItemsDesc    = prometheus.NewDesc("talus_worker_items_total", "Items the background job processed in this process.", []string{"job"}, nil)
	workerErrorsDesc   = prometheus.NewDesc("talus_worker_errors_total", "Items or runs of the background job that failed in this process.", []string{"job"}, nil)
	workerLagDesc      = prometheus.NewDesc("talus_worker_lag_seconds", "Seconds since the background job last finished a run (since it started, before the first end).", []string{"job"}, nil)
	workerBacklogDesc  = prometheus.NewDesc("talus_worker_backlog_items", "Items the background job last reported still to do (only jobs that report one).", []string{"job"}, nil)
	workerRunItemsDesc = prometheus.NewDesc("talus_worker_run_items", "Items the current or last run of the background job has done.", []string{"job"}, nil)
	uptimeDesc         = prometheus.NewDesc("talus_uptime_seconds", "Seconds since the server started.", nil, nil)
	buildDesc          = prometheus.NewDesc("talus_build_info", "The running build.", []string{"version"}, nil)
)

// collector reports what belongs to one server: its buckets, its disk and
// its workers. It is registered in the server's own registry, gathered
// with metrics.Registry at /metrics.
type collector struct {
	s       *Server
	started time.Time

	mu     sync.Mutex
	usage  []meta.BucketUsage
	usedAt time.Time
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	prometheus.DescribeByCollect(c, ch)
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(uptimeDesc, prometheus.GaugeValue, time.Since(c.started).Seconds())
	ch <- prometheus.MustNewConstMetric(buildDesc, prometheus.GaugeValue, 1, c.s.cfg.Version)
	for _, u := range c.bucketUsage() {
		ch <- prometheus.MustNewConstMetric(bucketObjectsDesc, prometheus.GaugeValue, float64(u.Objects), u.Bucket)
		ch <- prometheus.MustNewConstMetric(bucketBytesDesc, prometheus.GaugeValue, float64(u.Bytes), u.Bucket)
	}
	statfs := c.s.cfg.Statfs
	if statfs == nil {
		statfs = space.Statfs
	}
	if u, err := statfs(c.s.cfg.DataDir); err == nil {
		ch <- prometheus.MustNewConstMetric(diskFreeDesc, prometheus.GaugeValue, float64(u.Free), "STANDARD")
		ch <- prometheus.MustNewConstMetric(diskTotalDesc, prometheus.GaugeValue, float64(u.Total), "STANDARD")
	}
	now := time.Now()
	for _, st := range c.s.workers.Status() {
		running := 0.0
		if st.Running {
			running = 1
		}
		last := st.LastEnd
		if last.IsZero() {
			last = st.LastStart
		}
		lag := 0.0
		if !last.IsZero() {
			lag = now.Sub(last).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(workerRunningDesc, prometheus.GaugeValue, running, st.Name)
		ch <- prometheus.MustNewConstMetric(workerRunsDesc, prometheus.CounterValue, float64(st.Runs), st.Name)
		ch <- prometheus.MustNewConstMetric(workerItemsDesc, prometheus.CounterValue, float64(st.TotalItems), st.Name)
		ch <- prometheus.MustNewConstMetric(workerErrorsDesc, prometheus.CounterValue, float64(st.TotalErrors), st.Name)
		ch <- prometheus.MustNewConstMetric(workerLagDesc, prometheus.GaugeValue, lag, st.Name)
		ch <- prometheus.MustNewConstMetric(workerRunItemsDesc, prometheus.GaugeValue, float64(st.Items), st.Name)
		if st.Backlog >= 0 {
			ch <- prometheus.MustNewConstMetric(workerBacklogDesc, prometheus.GaugeValue, float64(st.Backlog), st.Name)
		}
	}
}

// bucketUsage returns the per-bucket counts, recounted at most every usageTTL.
func (c *collector) bucketUsage() []meta.BucketUsage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.usage == nil || time.Since(c.usedAt) >= usageTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if u, err := c.s.meta.BucketUsage(ctx); err == nil {
			c.usage, c.usedAt = u, time.Now()
		} else {
			c.s.log.Warn("metrics: bucket usage", "err", err)
		}
	}
	return c.usage
}

// metricsHandler serves this server's metrics and the process-wide ones;
// nil when metrics are off.
func (s *Server) metricsHandler() http.Handler {
	if s.cfg.Metrics == "" || s.cfg.Metrics == "off" {
		return nil
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{s: s, started: time.Now()}, s.reqMetrics)
	reg.MustRegister(deliveryCollector{s})
	token := ""
	if s.cfg.Metrics == "token" {
		token = s.cfg.MetricsToken
	}
	return metrics.Handler(token, reg)
}
