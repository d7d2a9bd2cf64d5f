package sqlmeta

import (
	"context"
	"sync"
	"time"
)

// JournalWaiter is what WaitJournal waits on: a store wakes it after a
// commit that appended records, and it polls for records another process
// wrote.
type JournalWaiter struct {
	mu sync.Mutex
	ch chan struct{} // closed (and replaced) by the next Wake
}

// Wake wakes the waiters, after a commit that appended records.
func (w *JournalWaiter) Wake() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
}

func (w *JournalWaiter) next() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

// Wait returns once seq reads a seq above after. It reads again at each
// Wake and every poll, and gives up when ctx ends or quit is closed
// (returning closed).
func (w *JournalWaiter) Wait(ctx context.Context, after int64, seq func(context.Context) (int64, error), poll time.Duration, quit <-chan struct{}, closed error) error {
	t := time.NewTimer(poll)
	defer t.Stop()
	for {
		ch := w.next() // before the read, so a commit after it still wakes us
		last, err := seq(ctx)
		if err != nil {
			return err
		}
		if last > after {
			return nil
		}
		select {
		case <-ch:
		case <-t.C:
			t.Reset(poll)
		case <-ctx.Done():
			return ctx.Err()
		case <-quit:
			return closed
		}
	}
}
