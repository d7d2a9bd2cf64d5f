package worker

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A job's reported backlog shows in its status; a job that never reports
// one has 0 after a run that succeeded and -1 while none has.
func TestBacklogInStatus(t *testing.T) {
	p := New(Config{Leases: openStore(t), Owner: "gw"})
	defer p.Stop()
	p.Start(Job{Name: "quiet", Interval: time.Hour, Run: func(context.Context, *Run) error { return nil }})
	p.Start(Job{Name: "busy", Interval: time.Hour, Run: func(ctx context.Context, r *Run) error {
		r.Backlog(7)
		return nil
	}})
	p.Start(Job{Name: "failing", Interval: time.Hour, Run: func(context.Context, *Run) error { return errors.New("down") }})
	waitFor(t, 10*time.Second, "the jobs to run", func() bool {
		st := p.Status()
		return len(st) == 3 && st[0].Runs > 0 && st[1].Runs > 0 && st[2].Runs > 0 && !st[0].Running && !st[1].Running && !st[2].Running
	})
	st := p.Status()
	if st[0].Backlog != 0 || st[1].Backlog != 7 || st[2].Backlog != -1 {
		t.Fatalf("backlogs: quiet %d, busy %d, failing %d", st[0].Backlog, st[1].Backlog, st[2].Backlog)
	}
}
