package sqlmeta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"talus/internal/meta"
)

// The journal's reads, cursors and retention. Appending a record, and
// how seqs are given out, are each store's own.

// trimChunk bounds how many records one trim transaction removes, so
// retention never holds the writer long.
const trimChunk = 5000

func (s *Base) ReadJournal(ctx context.Context, after int64, limit int) ([]meta.Record, error) {
	if limit <= 0 {
		return nil, nil // SQLite reads a negative LIMIT as none
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
	out, err := QueryAll(ctx, s.r, `SELECT seq, time, record FROM journal WHERE seq > ? ORDER BY seq LIMIT ?`, []any{after, limit}, s.scanRecord)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 && out[0].Seq != after+1 {
		return nil, fmt.Errorf("%w: the journal resumes at %d, asked for those after %d", meta.ErrJournalTrimmed, out[0].Seq, after)
	}
	return out, nil
}

func (s *Base) scanRecord(r Scanner) (meta.Record, error) {
	var rec meta.Record
	var t int64
	var body []byte
	if err := r.Scan(&rec.Seq, &t, &body); err != nil {
		return rec, err
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		return rec, fmt.Errorf("%s: decode journal record %d: %w", s.d.Name, rec.Seq, err)
	}
	rec.Time = FromNanos(t)
	return rec, nil
}

func (s *Base) JournalSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, s.d.JournalSeq).Scan(&n)
	return n, err
}

func scanCursor(r Scanner) (meta.JournalCursor, error) {
	var c meta.JournalCursor
	var updated int64
	err := r.Scan(&c.Name, &c.Seq, &updated)
	c.Updated = FromNanos(updated)
	return c, err
}

func (s *Base) GetJournalCursor(ctx context.Context, name string) (meta.JournalCursor, error) {
	c, err := scanCursor(s.r.QueryRowContext(ctx, `SELECT name, seq, updated FROM journal_cursors WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, meta.ErrNoSuchCursor
	}
	return c, err
}

func (s *Base) SetJournalCursor(ctx context.Context, name string, seq int64) error {
	if name == "" || seq < 0 {
		return fmt.Errorf("%s: journal cursor %q at %d: name empty or position negative", s.d.Name, name, seq)
	}
	return s.write(func(tx Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO journal_cursors(name, seq, updated) VALUES (?,?,?)
			ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, updated = excluded.updated`, name, seq, Nanos(s.b.Now()))
		return err
	})
}

func (s *Base) ListJournalCursors(ctx context.Context) ([]meta.JournalCursor, error) {
	return QueryAll(ctx, s.r, `SELECT name, seq, updated FROM journal_cursors ORDER BY name`, nil, scanCursor)
}

func (s *Base) DeleteJournalCursor(ctx context.Context, name string) error {
	return s.write(func(tx Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM journal_cursors WHERE name = ?`, name)
		return err
	})
}

func (s *Base) TrimJournal(ctx context.Context, r meta.JournalRetention) (int64, error) {
	r = r.WithDefaults()
	var total int64
	target := int64(-1) // found by the first transaction, then removed chunk by chunk
	for {
		var n int64
		more := false
		err := s.write(func(tx Tx) error {
			n, more = 0, false
			t := target
			if t < 0 {
				var err error
				if t, err = s.trimTarget(ctx, tx, r); err != nil {
					return err
				}
			}
			var upto int64
			// Writers trimming at once take turns on the trim row.
			if err := tx.QueryRowContext(ctx, `SELECT upto FROM journal_trim WHERE id = 1`+s.d.forUpdate()).Scan(&upto); err != nil {
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
func (s *Base) trimTarget(ctx context.Context, tx Tx, r meta.JournalRetention) (int64, error) {
	var last int64
	if err := tx.QueryRowContext(ctx, s.d.JournalSeq).Scan(&last); err != nil {
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
	cutoff := Nanos(s.b.Now().Add(-r.Age))
	err := tx.QueryRowContext(ctx, `SELECT seq FROM journal WHERE seq <= ? AND time >= ? ORDER BY seq LIMIT 1`, bound, cutoff).Scan(&young)
	switch {
	case err == nil:
		bound = young - 1
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	return max(bound, last-r.MaxRecords), nil
}
