package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"talus/internal/meta"
)

// How seqs are assigned, gap-free in commit order across gateways, is
// told in sequencer.go.

// journalPoll is how often WaitJournal looks for records another gateway
// wrote (writes through this store wake it at once).
const journalPoll = 200 * time.Millisecond

// trimChunk bounds how many records one trim transaction removes, so
// retention never holds the writer long.
const trimChunk = 5000

// journal appends the record of a change to o inside tx: the one call
// each object mutation makes.
func (s *Store) journal(ctx context.Context, tx *wtx, typ, event string, o *meta.Object) error {
	if meta.IsBookkeeping(ctx) {
		return nil
	}
	return s.appendRecord(ctx, tx, meta.NewRecord(ctx, typ, event, o))
}

// appendRecord appends r inside tx, for a mutation whose record needs
// more than NewRecord fills in (an annotation's name).
func (s *Store) appendRecord(ctx context.Context, tx *wtx, r meta.Record) error {
	body, err := json.Marshal(&r)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO journal_pending(time, record) VALUES (?, ?)`, nanos(s.now()), body); err != nil {
		return err
	}
	tx.journaled = true
	return nil
}

// journalChan returns the channel closed at the next commit that appends records.
func (s *Store) journalChan() <-chan struct{} {
	s.jmu.Lock()
	defer s.jmu.Unlock()
	if s.jch == nil {
		s.jch = make(chan struct{})
	}
	return s.jch
}

// wakeJournal wakes WaitJournal callers after a commit that appended records.
func (s *Store) wakeJournal() {
	s.jmu.Lock()
	defer s.jmu.Unlock()
	if s.jch != nil {
		close(s.jch)
		s.jch = nil
	}
}

func (s *Store) ReadJournal(ctx context.Context, after int64, limit int) ([]meta.Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	// Read the trim point first: a trim that runs between the two reads
	// shows as a gap after after, which is caught below.
	var upto int64
	if err := s.r.QueryRowContext(ctx, `SELECT upto FROM journal_trim WHERE id = 1`).Scan(&upto); err != nil {
		return nil, err
	}
	if after < upto {
		return nil, fmt.Errorf("%w: records up to %d are gone, asked for those after %d", meta.ErrJournalTrimmed, upto, after)
	}
	out, err := queryAll(ctx, s.r, `SELECT seq, time, record FROM journal WHERE seq > ? ORDER BY seq LIMIT ?`, []any{after, limit}, scanRecord)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 && out[0].Seq != after+1 {
		return nil, fmt.Errorf("%w: the journal resumes at %d, asked for those after %d", meta.ErrJournalTrimmed, out[0].Seq, after)
	}
	return out, nil
}

func scanRecord(r scanner) (meta.Record, error) {
	var rec meta.Record
	var t int64
	var body []byte
	if err := r.Scan(&rec.Seq, &t, &body); err != nil {
		return rec, err
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		return rec, fmt.Errorf("postgres: decode journal record %d: %w", rec.Seq, err)
	}
	rec.Time = fromNanos(t)
	return rec, nil
}

const lastSeqQuery = `SELECT seq FROM journal_head WHERE id = 1`

func (s *Store) JournalSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, lastSeqQuery).Scan(&n)
	return n, err
}

func (s *Store) WaitJournal(ctx context.Context, after int64) error {
	t := time.NewTimer(journalPoll)
	defer t.Stop()
	for {
		ch := s.journalChan() // before the read, so a commit after it still wakes us
		last, err := s.JournalSeq(ctx)
		if err != nil {
			return err
		}
		if last > after {
			return nil
		}
		select {
		case <-ch:
		case <-t.C:
			t.Reset(journalPoll)
		case <-ctx.Done():
			return ctx.Err()
		case <-s.quit:
			return errClosed
		}
	}
}

func scanCursor(r scanner) (meta.JournalCursor, error) {
	var c meta.JournalCursor
	var updated int64
	err := r.Scan(&c.Name, &c.Seq, &updated)
	c.Updated = fromNanos(updated)
	return c, err
}

func (s *Store) GetJournalCursor(ctx context.Context, name string) (meta.JournalCursor, error) {
	c, err := scanCursor(s.r.QueryRowContext(ctx, `SELECT name, seq, updated FROM journal_cursors WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, meta.ErrNoSuchCursor
	}
	return c, err
}

func (s *Store) SetJournalCursor(ctx context.Context, name string, seq int64) error {
	if name == "" || seq < 0 {
		return fmt.Errorf("postgres: journal cursor %q at %d: name empty or position negative", name, seq)
	}
	return s.write(func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO journal_cursors(name, seq, updated) VALUES (?,?,?)
			ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, updated = excluded.updated`, name, seq, nanos(s.now()))
		return err
	})
}

func (s *Store) ListJournalCursors(ctx context.Context) ([]meta.JournalCursor, error) {
	return queryAll(ctx, s.r, `SELECT name, seq, updated FROM journal_cursors ORDER BY name`, nil, scanCursor)
}

func (s *Store) DeleteJournalCursor(ctx context.Context, name string) error {
	return s.write(func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM journal_cursors WHERE name = ?`, name)
		return err
	})
}

func (s *Store) TrimJournal(ctx context.Context, r meta.JournalRetention) (int64, error) {
	r = r.WithDefaults()
	var total int64
	target := int64(-1) // found by the first transaction, then removed chunk by chunk
	for {
		var n int64
		more := false
		err := s.write(func(tx *wtx) error {
			n, more = 0, false
			t := target
			if t < 0 {
				var err error
				if t, err = s.trimTarget(ctx, tx, r); err != nil {
					return err
				}
			}
			var upto int64
			// Gateways trimming at once take turns on the trim row.
			if err := tx.QueryRowContext(ctx, `SELECT upto FROM journal_trim WHERE id = 1 FOR UPDATE`).Scan(&upto); err != nil {
				return err
			}
			if t <= upto {
				return nil
			}
			end := min(t, upto+trimChunk)
			res, err := tx.ExecContext(ctx, `DELETE FROM journal WHERE seq > ? AND seq <= ?`, upto, end)
			if err != nil {
				return err
			}
			if n, err = res.RowsAffected(); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE journal_trim SET upto = ? WHERE id = 1`, end); err != nil {
				return err
			}
			target, more = t, end < t
			return nil
		})
		total += n
		if err != nil || !more {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// trimTarget is the highest seq retention r lets go: every record the
// cursors passed that is older than r.Age, and whatever exceeds r.MaxRecords.
func (s *Store) trimTarget(ctx context.Context, tx *wtx, r meta.JournalRetention) (int64, error) {
	var last int64
	if err := tx.QueryRowContext(ctx, lastSeqQuery).Scan(&last); err != nil {
		return 0, err
	}
	bound := last
	var minCursor sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM journal_cursors`).Scan(&minCursor); err != nil {
		return 0, err
	}
	if minCursor.Valid {
		bound = min(bound, minCursor.Int64)
	}
	// Records are appended in time order, so the first one young enough
	// to keep ends the old ones.
	var young int64
	cutoff := nanos(s.now().Add(-r.Age))
	err := tx.QueryRowContext(ctx, `SELECT seq FROM journal WHERE seq <= ? AND time >= ? ORDER BY seq LIMIT 1`, bound, cutoff).Scan(&young)
	switch {
	case err == nil:
		bound = young - 1
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	return max(bound, last-r.MaxRecords), nil
}
