package worker

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"talus/internal/meta/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func counting(n *atomic.Int64) func(context.Context, *Run) error {
	return func(ctx context.Context, r *Run) error {
		n.Add(1)
		r.Done(1)
		return nil
	}
}

// Two gateways over one store: only one runs the shared job; when it stops
// (releasing the lease) the other takes over.
func TestSharedJobRunsOnOneGateway(t *testing.T) {
	store := openStore(t)
	var a, b atomic.Int64
	pa := New(Config{Leases: store, Owner: "gw-a", LeaseTTL: 300 * time.Millisecond})
	pa.Start(Job{Name: "j", Interval: 10 * time.Millisecond, Shared: true, Run: counting(&a)})
	waitFor(t, 2*time.Second, "gateway a to run", func() bool { return a.Load() > 0 })
	pb := New(Config{Leases: store, Owner: "gw-b", LeaseTTL: 300 * time.Millisecond})
	pb.Start(Job{Name: "j", Interval: 10 * time.Millisecond, Shared: true, Run: counting(&b)})
	defer pb.Stop()
	before := a.Load()
	time.Sleep(700 * time.Millisecond) // more than two lease lifetimes
	if b.Load() != 0 {
		t.Fatalf("gateway b ran %d times while a held the lease", b.Load())
	}
	if a.Load() <= before {
		t.Fatalf("gateway a stopped running while holding the lease")
	}
	if st := pb.Status(); len(st) != 1 || st[0].Holder || st[0].Runs != 0 {
		t.Fatalf("b status = %+v", st)
	}
	if st := pa.Status(); !st[0].Holder || st[0].Runs == 0 || st[0].TotalItems != st[0].Runs {
		t.Fatalf("a status = %+v", st)
	}
	pa.Stop()
	stopped := a.Load()
	waitFor(t, 2*time.Second, "gateway b to take over", func() bool { return b.Load() > 0 })
	if a.Load() != stopped {
		t.Fatal("gateway a ran after Stop")
	}
}

// A gateway that died holding the lease (no release) is taken over once
// the lease expires, not before.
func TestTakeoverAfterExpiry(t *testing.T) {
	store := openStore(t)
	const ttl = 600 * time.Millisecond
	dead, err := store.AcquireLease(context.Background(), "j", "gw-dead", ttl)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	var token atomic.Int64
	p := New(Config{Leases: store, Owner: "gw-b", LeaseTTL: ttl})
	p.Start(Job{Name: "j", Interval: 10 * time.Millisecond, Shared: true, Run: func(ctx context.Context, r *Run) error {
		if n.Add(1) == 1 {
			token.Store(r.currentLease().Token)
			if time.Now().Before(dead.Expires) {
				t.Errorf("ran before the dead gateway's lease expired")
			}
		}
		return nil
	}})
	defer p.Stop()
	waitFor(t, 15*time.Second, "takeover", func() bool { return n.Load() > 0 })
	if token.Load() <= dead.Token {
		t.Fatalf("token after takeover %d, dead holder's %d", token.Load(), dead.Token)
	}
	// The dead holder is fenced off.
	if err := store.SaveCheckpoint(context.Background(), dead, []byte("x")); err == nil {
		t.Fatal("stale holder saved a checkpoint")
	}
}

// A checkpoint saved by one run is what the next run sees, also in a new
// pool (a restarted gateway).
func TestCheckpointResumes(t *testing.T) {
	store := openStore(t)
	seen := make(chan string, 10)
	job := Job{Name: "cp", Interval: time.Hour, Shared: true, Run: func(ctx context.Context, r *Run) error {
		cp, err := r.Checkpoint(ctx)
		if err != nil {
			return err
		}
		seen <- string(cp)
		r.At("k" + string(cp))
		return r.SaveCheckpoint(ctx, append(cp, 'x'))
	}}
	p := New(Config{Leases: store, Owner: "gw-a"})
	p.Start(job)
	if got := <-seen; got != "" {
		t.Fatalf("first run saw %q", got)
	}
	p.Trigger("cp")
	if got := <-seen; got != "x" {
		t.Fatalf("second run saw %q", got)
	}
	waitFor(t, time.Second, "second run to end", func() bool { return !p.Status()[0].Running && p.Status()[0].Runs == 2 })
	if st := p.Status()[0]; st.Position != "kx" {
		t.Fatalf("position = %q", st.Position)
	}
	p.Stop()
	p = New(Config{Leases: store, Owner: "gw-b"})
	p.Start(job)
	defer p.Stop()
	if got := <-seen; got != "xx" {
		t.Fatalf("run after restart saw %q", got)
	}
}

// Stop cancels a long run promptly; an unshared job needs no store.
func TestStopCancelsRun(t *testing.T) {
	p := New(Config{})
	started := make(chan struct{})
	p.Start(Job{Name: "long", Run: func(ctx context.Context, r *Run) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}})
	<-started
	done := make(chan struct{})
	go func() { p.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Stop did not return")
	}
}

// A panicking job is recorded as a failure and runs again.
func TestPanicIsAFailure(t *testing.T) {
	p := New(Config{})
	var n atomic.Int64
	p.Start(Job{Name: "p", Interval: 5 * time.Millisecond, Run: func(ctx context.Context, r *Run) error {
		n.Add(1)
		panic("boom")
	}})
	defer p.Stop()
	waitFor(t, 2*time.Second, "second run", func() bool { return n.Load() >= 2 })
	if st := p.Status()[0]; st.LastError == "" {
		t.Fatalf("status = %+v", st)
	}
}

// A run whose lease passes to another gateway is cancelled, and its
// checkpoint writes are refused.
func TestLostLeaseCancelsRun(t *testing.T) {
	store := openStore(t)
	const ttl = 300 * time.Millisecond
	leaseCh := make(chan *Run, 1)
	ended := make(chan error, 1)
	p := New(Config{Leases: store, Owner: "gw-a", LeaseTTL: ttl})
	p.Start(Job{Name: "j", Interval: time.Hour, Shared: true, Run: func(ctx context.Context, r *Run) error {
		leaseCh <- r
		<-ctx.Done()
		ended <- r.SaveCheckpoint(context.Background(), []byte("late"))
		return ctx.Err()
	}})
	defer p.Stop()
	r := <-leaseCh
	// Another gateway takes the job over (as after a long stall of this one).
	if err := store.ReleaseLease(context.Background(), r.currentLease()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AcquireLease(context.Background(), "j", "gw-b", time.Minute); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		if err == nil {
			t.Fatal("checkpoint saved after the lease was lost")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("run not cancelled after the lease was lost")
	}
	if cp, _ := store.LeaseCheckpoint(context.Background(), "j"); cp != nil {
		t.Fatalf("checkpoint = %q", cp)
	}
}

// A continuous job (Interval 0) runs again at once while it finds work,
// and pauses when a run did nothing.
func TestContinuousJob(t *testing.T) {
	p := New(Config{})
	defer p.Stop()
	var busy, idle atomic.Int64
	p.Start(Job{Name: "busy", Run: counting(&busy)})
	p.Start(Job{Name: "idle", Run: func(ctx context.Context, r *Run) error { idle.Add(1); return nil }})
	waitFor(t, 2*time.Second, "busy runs", func() bool { return busy.Load() >= 20 })
	if n := idle.Load(); n > 2 {
		t.Fatalf("idle job ran %d times without pausing", n)
	}
}
