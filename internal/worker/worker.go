package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"talus/internal/meta"
)

// Job is a named background job.
type Job struct {
	// Name identifies the job in logs, in Status and, for a shared job,
	// as the lease and checkpoint name in the metadata store.
	Name string
	// Interval is the pause between the end of one run and the start of
	// the next. 0 means continuous: the next run starts at once, or after
	// idlePause if the run failed or did no work.
	Interval time.Duration
	// Delay is the pause before the first run.
	Delay time.Duration
	// Shared jobs run on one gateway at a time, under a lease.
	Shared bool
	// Run does one run. ctx ends when the pool stops or, for a shared job,
	// when the lease is lost; Run should then return promptly.
	Run func(ctx context.Context, r *Run) error
}

// idlePause is how long a continuous job waits after a run that failed or
// did nothing.
const idlePause = time.Second

// Config sets up a Pool.
type Config struct {
	// Leases coordinates shared jobs; required if any job is shared.
	Leases meta.Leases
	// Owner names this gateway in lease rows (default: a random ID).
	Owner string
	// LeaseTTL is how long a lease lasts without renewal (default 30s); it
	// is renewed every third of that, so a gateway that dies hands its
	// shared jobs over after at most LeaseTTL.
	LeaseTTL time.Duration
	Logger   *slog.Logger
}

// Pool runs jobs until Stop.
type Pool struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	jobs   []*job
}

// New returns a pool; add jobs with Start.
func New(cfg Config) *Pool {
	if cfg.Owner == "" {
		var b [8]byte
		rand.Read(b[:])
		cfg.Owner = hex.EncodeToString(b[:])
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Pool{cfg: cfg, ctx: ctx, cancel: cancel}
}

// Owner returns the name this pool uses in lease rows.
func (p *Pool) Owner() string { return p.cfg.Owner }

type job struct {
	Job
	trigger chan struct{}
	mu      sync.Mutex
	st      Status
	// reported: the current run reported a backlog.
	reported bool
}

// Start runs j in its own goroutine until Stop; after Stop it does nothing.
func (p *Pool) Start(j Job) {
	if p.ctx.Err() != nil {
		return
	}
	if j.Shared && p.cfg.Leases == nil {
		panic("worker: shared job " + j.Name + " needs Config.Leases")
	}
	jb := &job{Job: j, trigger: make(chan struct{}, 1), st: Status{Name: j.Name, Shared: j.Shared, Backlog: -1}}
	p.mu.Lock()
	p.jobs = append(p.jobs, jb)
	p.mu.Unlock()
	p.wg.Add(1)
	go p.loop(jb)
}

// Trigger asks the job to run now (if this gateway may run it).
func (p *Pool) Trigger(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, j := range p.jobs {
		if j.Name == name {
			select {
			case j.trigger <- struct{}{}:
			default:
			}
		}
	}
}

// Stop cancels running jobs, waits for them and releases held leases, so
// another gateway can take the shared jobs over at once.
func (p *Pool) Stop() {
	p.cancel()
	p.wg.Wait()
}

func (p *Pool) loop(j *job) {
	defer p.wg.Done()
	var lease *meta.Lease
	defer func() {
		if lease != nil {
			if err := p.cfg.Leases.ReleaseLease(context.Background(), *lease); err != nil {
				p.cfg.Logger.Warn("lease release failed", "job", j.Name, "err", err)
			}
			j.setHolder(false)
		}
	}()
	renewEvery := p.cfg.LeaseTTL / 3
	next := time.Now().Add(j.Delay)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if j.Shared {
			lease = p.hold(j, lease)
		}
		now := time.Now()
		if (!j.Shared || lease != nil) && !now.Before(next) {
			var worked bool
			var err error
			lease, worked, err = p.runOnce(j, lease)
			if p.ctx.Err() != nil {
				return
			}
			next = time.Now().Add(j.Interval)
			if j.Interval == 0 && (err != nil || !worked) {
				next = time.Now().Add(idlePause)
			}
			continue
		}
		wait := next.Sub(now)
		if j.Shared && (lease == nil || wait > renewEvery) {
			wait = min(max(wait, 0), renewEvery)
		}
		timer.Reset(wait)
		select {
		case <-p.ctx.Done():
			return
		case <-timer.C:
		case <-j.trigger:
			next = time.Now()
		}
	}
}

// hold acquires or renews the job's lease; nil when another gateway holds it.
func (p *Pool) hold(j *job, l *meta.Lease) *meta.Lease {
	var nl meta.Lease
	var err error
	if l != nil {
		nl, err = p.cfg.Leases.RenewLease(p.ctx, *l, p.cfg.LeaseTTL)
		if err != nil && !errors.Is(err, meta.ErrLeaseLost) && time.Now().Before(l.Expires) {
			p.cfg.Logger.Warn("lease renewal failed", "job", j.Name, "err", err)
			return l // try again next time; the lease is still ours
		}
	}
	if l == nil || err != nil {
		nl, err = p.cfg.Leases.AcquireLease(p.ctx, j.Name, p.cfg.Owner, p.cfg.LeaseTTL)
	}
	if err != nil {
		if !errors.Is(err, meta.ErrLeaseHeld) && p.ctx.Err() == nil {
			p.cfg.Logger.Warn("lease acquire failed", "job", j.Name, "err", err)
		}
		j.setHolder(false)
		return nil
	}
	if l == nil || l.Token != nl.Token {
		p.cfg.Logger.Debug("lease acquired", "job", j.Name, "owner", nl.Owner, "token", nl.Token)
	}
	j.setHolder(true)
	return &nl
}

// runOnce runs the job, renewing its lease meanwhile; the run's context
// ends if the lease is lost. It returns the lease (nil if lost).
func (p *Pool) runOnce(j *job, l *meta.Lease) (*meta.Lease, bool, error) {
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	r := &Run{job: j, leases: p.cfg.Leases}
	if l != nil {
		r.lease = *l
	}
	j.begin()
	var renewer sync.WaitGroup
	if j.Shared {
		renewer.Add(1)
		go func() {
			defer renewer.Done()
			t := time.NewTicker(p.cfg.LeaseTTL / 3)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				cur := r.currentLease()
				nl, err := p.cfg.Leases.RenewLease(ctx, cur, p.cfg.LeaseTTL)
				switch {
				case err == nil:
					r.setLease(nl)
				case errors.Is(err, meta.ErrLeaseLost) || !time.Now().Before(cur.Expires):
					if ctx.Err() == nil {
						p.cfg.Logger.Warn("lease lost during run; stopping it", "job", j.Name, "err", err)
						r.lost.Store(true)
						cancel()
					}
					return
				}
			}
		}()
	}
	err := p.safeRun(ctx, j, r)
	cancel()
	renewer.Wait()
	worked := j.end(err)
	if err != nil && !errors.Is(err, context.Canceled) {
		p.cfg.Logger.Warn("background job failed", "job", j.Name, "err", err)
	}
	if !j.Shared || r.lost.Load() {
		if j.Shared {
			j.setHolder(false)
		}
		return nil, worked, err
	}
	nl := r.currentLease()
	return &nl, worked, err
}

// safeRun keeps a panicking job from taking the server down.
func (p *Pool) safeRun(ctx context.Context, j *job, r *Run) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("worker: job %s panicked: %v", j.Name, v)
		}
	}()
	return j.Run(ctx, r)
}

// PassFunc does one pass of a periodic job and says how many items it did.
type PassFunc func(ctx context.Context) (int, error)

// Periodic is the job that runs pass after delay and then every interval,
// reporting each pass's count as the run's progress.
func Periodic(name string, shared bool, delay, interval time.Duration, pass PassFunc) Job {
	return Job{Name: name, Shared: shared, Delay: delay, Interval: interval,
		Run: func(ctx context.Context, r *Run) error {
			n, err := pass(ctx)
			r.Done(n)
			return err
		}}
}
