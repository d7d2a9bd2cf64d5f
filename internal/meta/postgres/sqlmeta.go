package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

var _ meta.ObjectLambda = (*Store)(nil)

// sqlBackend runs the shared SQL (sqlmeta) on this store's writes (with
// their retries) and its pool.
type sqlBackend struct{ s *Store }

func (b sqlBackend) Write(fn func(sqlmeta.Tx) error) error {
	return b.s.write(func(tx *wtx) error { return fn(tx) })
}

func (b sqlBackend) Reader() sqlmeta.Querier { return b.s.r }

func (sqlBackend) LockKey(ctx context.Context, tx sqlmeta.Tx, bucket, key string) error {
	return tx.(*wtx).lockKey(ctx, bucket, key)
}

func (b sqlBackend) Now() time.Time { return b.s.now() }

// LeaseNow is the database's clock, so gateways whose clocks differ agree
// on when a lease lapses.
func (sqlBackend) LeaseNow(ctx context.Context, tx sqlmeta.Tx) (time.Time, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint`).Scan(&n)
	return time.Unix(0, n), err
}

var dialect = sqlmeta.Dialect{
	Name: "postgres",
	User: "usr", // user is reserved
	Upsert: func(table string, cols, key []string) string {
		var set []string
		for _, c := range cols {
			if !slices.Contains(key, c) {
				set = append(set, c+" = excluded."+c)
			}
		}
		return insert(table, cols) + " ON CONFLICT (" + strings.Join(key, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	},
	InsertIgnore: func(table string, cols []string) string {
		return insert(table, cols) + " ON CONFLICT DO NOTHING"
	},
	IsUniqueViolation: isUniqueViolation,
	SeveralWriters:    true,
	// journal_head holds the last seq the sequencer gave (sequencer.go).
	JournalSeq: `SELECT seq FROM journal_head WHERE id = 1`,
}

func insert(table string, cols []string) string {
	return "INSERT INTO " + table + "(" + strings.Join(cols, ", ") + ") VALUES (" + sqlmeta.Marks(len(cols)) + ")"
}
