package worker

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"talus/internal/meta"
)

// Run is one run of a job: its checkpoint and progress.
type Run struct {
	job    *job
	leases meta.Leases
	mu     sync.Mutex
	lease  meta.Lease
	lost   atomic.Bool
}

func (r *Run) currentLease() meta.Lease {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lease
}

func (r *Run) setLease(l meta.Lease) {
	r.mu.Lock()
	r.lease = l
	r.mu.Unlock()
}

// Checkpoint returns the job's stored checkpoint: what the last run that
// saved one (on any gateway) left, or nil. Jobs that are not shared have none.
func (r *Run) Checkpoint(ctx context.Context) ([]byte, error) {
	if !r.job.Shared {
		return nil, nil
	}
	return r.leases.LeaseCheckpoint(ctx, r.job.Name)
}

// SaveCheckpoint stores the job's checkpoint (nil clears it). It fails with
// meta.ErrLeaseLost, storing nothing, once another gateway has taken the
// job over; the run should then stop. Jobs that are not shared keep none.
func (r *Run) SaveCheckpoint(ctx context.Context, data []byte) error {
	if !r.job.Shared {
		return nil
	}
	return r.leases.SaveCheckpoint(ctx, r.currentLease(), data)
}

// Done adds n to the items done.
func (r *Run) Done(n int) {
	r.job.mu.Lock()
	r.job.st.Items += int64(n)
	r.job.st.TotalItems += int64(n)
	r.job.mu.Unlock()
}

// Error records a failure on one item that did not stop the run.
func (r *Run) Error(err error) {
	r.job.mu.Lock()
	r.job.st.Errors++
	r.job.st.TotalErrors++
	r.job.st.LastError = err.Error()
	r.job.mu.Unlock()
}

// Backlog records how many items the job knows are still to do (its
// metrics report it; -1, the default, means the job does not say).
func (r *Run) Backlog(n int64) {
	r.job.mu.Lock()
	r.job.st.Backlog = n
	r.job.reported = true
	r.job.mu.Unlock()
}

// At records where the run is (e.g. "bucket/key"), for progress reports.
func (r *Run) At(position string) {
	r.job.mu.Lock()
	r.job.st.Position = position
	r.job.mu.Unlock()
}

// Status is a job's progress, as Pool.Status reports it.
type Status struct {
	Name   string
	Shared bool
	// Holder: this gateway may run the job (it holds the lease, or the
	// job is not shared).
	Holder  bool
	Running bool
	Runs    int64
	// LastStart and LastEnd bound the current or last run (LastEnd is
	// zero while the first run is going).
	LastStart time.Time
	LastEnd   time.Time
	// Items and Errors count the current or last run's items done and
	// failed; the Total fields count every run of this process.
	Items       int64
	Errors      int64
	TotalItems  int64
	TotalErrors int64
	// LastError is the last item or run failure ("" if none).
	LastError string
	// Position is where the current or last run was.
	Position string
	// Backlog is the items still to do as the job last reported them. A
	// run that ends without error and without reporting one leaves 0: a
	// pass that finished has nothing of its own left queued until the
	// next. -1 until a run reports or finishes.
	Backlog int64
}

// Status returns every job's progress, in start order.
func (p *Pool) Status() []Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Status, 0, len(p.jobs))
	for _, j := range p.jobs {
		j.mu.Lock()
		st := j.st
		j.mu.Unlock()
		if !j.Shared {
			st.Holder = true
		}
		out = append(out, st)
	}
	return out
}

func (j *job) setHolder(h bool) {
	j.mu.Lock()
	j.st.Holder = h
	j.mu.Unlock()
}

func (j *job) begin() {
	j.mu.Lock()
	j.st.Running = true
	j.st.Runs++
	j.st.LastStart = time.Now()
	j.st.Items, j.st.Errors = 0, 0
	j.reported = false
	j.mu.Unlock()
}

// end records the run's result and reports whether it did any work.
func (j *job) end(err error) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.st.Running = false
	j.st.LastEnd = time.Now()
	if err != nil {
		j.st.LastError = err.Error()
	} else if !j.reported {
		j.st.Backlog = 0
	}
	return j.st.Items > 0
}
