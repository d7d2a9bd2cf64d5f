package notify

import "sync"

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
