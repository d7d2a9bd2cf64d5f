package notify

import (
	"fmt"
	"io"
	"sync"
)

// counters are one target's delivery counters.
type counters struct {
	mu        sync.Mutex
	delivered int64
	failures  int64
	dropped   int64
	backlog   int64
	lastError string
}

// TargetStats is a snapshot of one target's counters.
type TargetStats struct {
	ARN, Type string
	// Delivered counts events the target accepted (resends included);
	// Failures failed sends (each retried); Dropped journal records skipped
	// unsent (backlog bound or retention); Backlog the records not yet read.
	Delivered, Failures, Dropped, Backlog int64
	LastError                             string
}

func (c *counters) sent(n int) {
	c.mu.Lock()
	c.delivered += int64(n)
	c.mu.Unlock()
}

func (c *counters) failed(err error) {
	c.mu.Lock()
	c.failures++
	c.lastError = err.Error()
	c.mu.Unlock()
}

func (c *counters) lost(n int64) {
	c.mu.Lock()
	c.dropped += n
	c.mu.Unlock()
}

func (c *counters) setLag(n int64) {
	c.mu.Lock()
	c.backlog = n
	c.mu.Unlock()
}

func (c *counters) snapshot(arn, typ string) TargetStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return TargetStats{ARN: arn, Type: typ, Delivered: c.delivered, Failures: c.failures, Dropped: c.dropped, Backlog: c.backlog, LastError: c.lastError}
}

// WritePrometheus writes the counters in Prometheus' text exposition
// format, for a metrics endpoint to serve.
func (s *Service) WritePrometheus(w io.Writer) {
	st := s.Stats()
	metric := func(name, typ, help string, v func(TargetStats) int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, t := range st {
			fmt.Fprintf(w, "%s{target=%q,type=%q} %d\n", name, t.ARN, t.Type, v(t))
		}
	}
	metric("talus_notify_events_delivered_total", "counter", "Events a notification target accepted.", func(t TargetStats) int64 { return t.Delivered })
	metric("talus_notify_send_failures_total", "counter", "Failed sends to a notification target (each retried).", func(t TargetStats) int64 { return t.Failures })
	metric("talus_notify_records_dropped_total", "counter", "Journal records skipped unsent (backlog bound or journal retention).", func(t TargetStats) int64 { return t.Dropped })
	metric("talus_notify_backlog_records", "gauge", "Journal records a notification target has not read yet.", func(t TargetStats) int64 { return t.Backlog })
}

// backlog is the records the targets have not read yet, summed: the
// delivery job's backlog.
func (s *Service) backlog() int64 {
	var n int64
	for _, t := range s.targets {
		t.stats.mu.Lock()
		n += t.stats.backlog
		t.stats.mu.Unlock()
	}
	return n
}
