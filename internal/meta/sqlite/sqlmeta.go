package sqlite

import (
	"context"
	"strings"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

var _ meta.ObjectLambda = (*Store)(nil)

// sqlBackend runs the shared SQL (sqlmeta) on this store's writer and reader.
type sqlBackend struct{ s *Store }

func (b sqlBackend) Write(fn func(sqlmeta.Tx) error) error {
	return b.s.write(func(tx *wtx) error { return fn(tx) })
}

func (b sqlBackend) Reader() sqlmeta.Querier { return b.s.r }

// LockKey has nothing to do: the one writer goroutine runs writes in turn.
func (sqlBackend) LockKey(context.Context, sqlmeta.Tx, string, string) error { return nil }

func (b sqlBackend) Now() time.Time { return b.s.now() }

// LeaseNow is this process's clock: no other process writes the database
// while it holds it open.
func (b sqlBackend) LeaseNow(context.Context, sqlmeta.Tx) (time.Time, error) { return b.s.now(), nil }

var dialect = sqlmeta.Dialect{
	Name: "sqlite",
	User: "user",
	Upsert: func(table string, cols, _ []string) string {
		return "INSERT OR REPLACE INTO " + table + "(" + strings.Join(cols, ", ") + ") VALUES (" + sqlmeta.Marks(len(cols)) + ")"
	},
	InsertIgnore: func(table string, cols []string) string {
		return "INSERT OR IGNORE INTO " + table + "(" + strings.Join(cols, ", ") + ") VALUES (" + sqlmeta.Marks(len(cols)) + ")"
	},
	// The journal's seq is an AUTOINCREMENT rowid (see journal.go).
	JournalSeq: `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'journal'), 0)`,
}
