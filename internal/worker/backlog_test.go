package worker

import (
	"context"
	"testing"
	"time"
)

// A job's reported backlog shows in its status; a job that never reports
// one says -1.
func TestBacklogInStatus(t *testing.T) {
	p := New(Config{Leases: openStore(t), Owner: "gw"})
	defer p.Stop()
	p.Start(Job{Name: "quiet", Interval: time.Hour, Run: func(context.Context, *Run) error { return nil }})
	p.Start(Job{Name: "busy", Interval: time.Hour, Run: func(ctx context.Context, r *Run) error {
		r.Backlog(7)
		return nil
	}})
	waitFor(t, 2*time.Second, "both jobs to run", func() bool {
		st := p.Status()
		return len(st) == 2 && st[0].Runs > 0 && st[1].Runs > 0 && !st[1].Running
	})
	st := p.Status()
	if st[0].Backlog != -1 || st[1].Backlog != 7 {
		t.Fatalf("backlogs: quiet %d, busy %d", st[0].Backlog, st[1].Backlog)
	}
}
