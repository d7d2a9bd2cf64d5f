package postgres

import (
	"context"
	"encoding/json"
	"time"

	"talus/internal/meta"
)

// How seqs are assigned, gap-free in commit order across gateways, is
// told in sequencer.go.

// journalPoll is how often WaitJournal looks for records another gateway
// wrote (writes through this store wake it at once).
const journalPoll = 200 * time.Millisecond

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

func (s *Store) WaitJournal(ctx context.Context, after int64) error {
	return s.jw.Wait(ctx, after, s.JournalSeq, journalPoll, s.quit, errClosed)
}
