package sqlite

import (
	"context"
	"encoding/json"
	"time"

	"talus/internal/meta"
)

// The journal's seq is an AUTOINCREMENT rowid assigned by the one writer
// goroutine, so seqs follow commit order. A write rolled back (its
// savepoint or the whole transaction) takes its seq and the
// sqlite_sequence bump with it, so committed seqs have no gaps, and
// AUTOINCREMENT never reuses a seq once retention empties the table.

// journalPoll is how often WaitJournal looks for records another process wrote.
const journalPoll = time.Second

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
	if _, err := tx.ExecContext(ctx, `INSERT INTO journal(time, record) VALUES (?, ?)`, nanos(s.now()), body); err != nil {
		return err
	}
	tx.journaled = true
	return nil
}

func (s *Store) WaitJournal(ctx context.Context, after int64) error {
	return s.jw.Wait(ctx, after, s.JournalSeq, journalPoll, s.quit, errClosed)
}
