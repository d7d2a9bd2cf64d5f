package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// The journal's seqs are gap-free in commit order across every gateway on
// the database: when a reader sees seq n, it sees every seq below n.
//
// A write appends its record to journal_pending in its own transaction,
// so a change that commits has its record and one that rolls back has
// none; those transactions commit concurrently (and share WAL flushes).
// The sequencer then moves what has committed into journal, numbering it
// after the last seq in journal_head's one row, in one transaction that
// holds that row locked to its commit. Sequencer runs of every gateway
// therefore take turns, each commits before the next numbers anything,
// and their seqs become visible in order. A write returns once a run that
// started after its commit has ended, so its record is readable (read
// after write), and the concurrent writes of a gateway share that run.
//
// The order within a run is the order records were inserted. Two writes
// of one key take the key's lock in turn, so the later one inserts after
// the earlier one committed: a key's records keep their order.
//
// A record whose writer died between its commit and the run is numbered
// by the next run of any gateway (sweepPending looks every journalPoll).
//
// A write with no other write of its store in flight runs the sequencer
// inside its own transaction instead, just before it commits: one commit
// (one WAL flush) instead of two when writes come one at a time. Its run
// numbers the records of other gateways that committed before, then its
// own, and holds the head row through its commit, so the order holds.
//
// Numbering inside every write transaction would be as correct, but it
// makes journaled writes commit one at a time, each holding the head row
// through its own WAL flush: measured in docs/scale-out-sql.md.

// sequencer coordinates this store's runs: generation counts runs started
// and done, so a caller waits for a run that started after it committed.
type sequencer struct {
	mu      sync.Mutex
	cond    *sync.Cond
	started uint64
	done    uint64
	running bool
	stopped chan struct{} // closed when sweepPending returns
}

// runChunk bounds the records one run numbers.
const runChunk = 10000

// sequence returns after a sequencer run that started after the call.
func (s *Store) sequence() {
	q := &s.seq
	q.mu.Lock()
	target := q.started + 1
	for q.done < target {
		if q.running {
			q.cond.Wait()
			continue
		}
		q.running = true
		q.started++
		gen := q.started
		q.mu.Unlock()
		s.runSequencer()
		q.mu.Lock()
		q.running = false
		q.done = gen
		q.cond.Broadcast()
	}
	q.mu.Unlock()
}

// runSequencer numbers every committed pending record, then wakes this
// process's journal waiters.
func (s *Store) runSequencer() {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		n, err := s.sequenceOnce(context.Background())
		if err == nil && n < runChunk {
			break
		}
		if err != nil {
			if !retryable(err) {
				slog.Warn("postgres: journal sequencer", "err", err)
				break
			}
			time.Sleep(time.Duration(attempt+1) * time.Millisecond)
		}
	}
	s.jw.Wake()
}

// sequenceOnce is one run: one statement, committed on its own.
func (s *Store) sequenceOnce(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT talus_sequence($1)`, runChunk).Scan(&n)
	return n, err
}

// sweepPending numbers records left pending by a gateway that stopped
// between a commit and its sequencer run.
func (s *Store) sweepPending() {
	defer close(s.seq.stopped)
	t := time.NewTicker(journalPoll)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
		var any bool
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM journal_pending ORDER BY id LIMIT 1)`).Scan(&any)
		cancel()
		if err == nil && any {
			s.sequence()
		}
	}
}
