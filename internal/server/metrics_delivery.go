package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

var (
	notifyDeliveredDesc = prometheus.NewDesc("talus_notify_events_delivered_total", "Events a notification target accepted (resends included).", []string{"target", "type"}, nil)
	notifyFailuresDesc  = prometheus.NewDesc("talus_notify_send_failures_total", "Failed sends to a notification target (each retried).", []string{"target", "type"}, nil)
	notifyDroppedDesc   = prometheus.NewDesc("talus_notify_records_dropped_total", "Journal records skipped unsent (backlog bound or journal retention).", []string{"target", "type"}, nil)
	notifyBacklogDesc   = prometheus.NewDesc("talus_notify_backlog_records", "Journal records a notification target has not read yet.", []string{"target", "type"}, nil)

	replReplicatedDesc  = prometheus.NewDesc("talus_replication_replicated_total", "Object versions replicated by this process (delete markers apart).", nil, nil)
	replMarkersDesc     = prometheus.NewDesc("talus_replication_delete_markers_total", "Delete markers replicated by this process.", nil, nil)
	replFailuresDesc    = prometheus.NewDesc("talus_replication_failures_total", "Replication attempts that failed (each retried).", nil, nil)
	replBytesDesc       = prometheus.NewDesc("talus_replication_bytes_total", "Object bytes written to replication destinations by this process.", nil, nil)
	replPendingDesc     = prometheus.NewDesc("talus_replication_pending_records", "Journal records replication has not handled yet.", nil, nil)
	replLagDesc         = prometheus.NewDesc("talus_replication_lag_seconds", "Age of the oldest journal record replication has not handled (0 when caught up).", nil, nil)
	replDestPendingDesc = prometheus.NewDesc("talus_replication_destination_pending_records", "Journal records a destination's replication lane has not handled yet.", []string{"destination"}, nil)
	replDestLagDesc     = prometheus.NewDesc("talus_replication_destination_lag_seconds", "Age of the oldest journal record a destination's lane has not handled.", []string{"destination"}, nil)
)

// deliveryCollector reports the notification targets' and replication's
// counters, read from their Stats at each scrape.
type deliveryCollector struct{ s *Server }

func (c deliveryCollector) Describe(ch chan<- *prometheus.Desc) {
	prometheus.DescribeByCollect(c, ch)
}

func (c deliveryCollector) Collect(ch chan<- prometheus.Metric) {
	if n := c.s.notify; n != nil {
		for _, t := range n.Stats() {
			ch <- prometheus.MustNewConstMetric(notifyDeliveredDesc, prometheus.CounterValue, float64(t.Delivered), t.ARN, t.Type)
			ch <- prometheus.MustNewConstMetric(notifyFailuresDesc, prometheus.CounterValue, float64(t.Failures), t.ARN, t.Type)
			ch <- prometheus.MustNewConstMetric(notifyDroppedDesc, prometheus.CounterValue, float64(t.Dropped), t.ARN, t.Type)
			ch <- prometheus.MustNewConstMetric(notifyBacklogDesc, prometheus.GaugeValue, float64(t.Backlog), t.ARN, t.Type)
		}
	}
	if r := c.s.repl; r != nil {
		st := r.Stats()
		ch <- prometheus.MustNewConstMetric(replReplicatedDesc, prometheus.CounterValue, float64(st.Replicated))
		ch <- prometheus.MustNewConstMetric(replMarkersDesc, prometheus.CounterValue, float64(st.DeleteMarkers))
		ch <- prometheus.MustNewConstMetric(replFailuresDesc, prometheus.CounterValue, float64(st.Failed))
		ch <- prometheus.MustNewConstMetric(replBytesDesc, prometheus.CounterValue, float64(st.Bytes))
		ch <- prometheus.MustNewConstMetric(replPendingDesc, prometheus.GaugeValue, float64(st.Pending))
		ch <- prometheus.MustNewConstMetric(replLagDesc, prometheus.GaugeValue, st.Lag.Seconds())
		for _, d := range st.Destinations {
			ch <- prometheus.MustNewConstMetric(replDestPendingDesc, prometheus.GaugeValue, float64(d.Pending), d.ARN)
			ch <- prometheus.MustNewConstMetric(replDestLagDesc, prometheus.GaugeValue, d.Lag.Seconds(), d.ARN)
		}
	}
}
