// Package sqlmeta holds the metadata SQL the SQLite and PostgreSQL stores
// share: the tables whose statements read the same in both dialects. A
// store embeds a Base built from its Backend (how it writes and reads) and
// its Dialect (the few spellings that differ); Base's methods then become
// the store's. See docs/metadata-sql.md.
package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Querier runs reads: a store's reader or a write transaction.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Tx is a write transaction. Statements use ? placeholders; the store
// rewrites them if its driver wants others.
type Tx interface {
	Querier
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Backend is what a store supplies for its transactions.
type Backend interface {
	// Write runs fn in a write transaction and commits it; fn's error
	// rolls fn's changes back. fn may run more than once.
	Write(fn func(Tx) error) error
	// Reader runs queries outside a write transaction.
	Reader() Querier
	// LockKey serializes, inside tx, the writers of one object key
	// (a store with a single writer has nothing to do).
	LockKey(ctx context.Context, tx Tx, bucket, key string) error
	// Now is the store's clock: journal and cursor times.
	Now() time.Time
	// LeaseNow is the clock lease expiry is measured on, read inside tx
	// (where gateways share the database, the database's).
	LeaseNow(ctx context.Context, tx Tx) (time.Time, error)
}

// Dialect is how a store spells what SQLite and PostgreSQL spell apart.
type Dialect struct {
	// Name prefixes the store's own error messages ("sqlite").
	Name string
	// User is the name of the IAM tables' user column (user is a
	// reserved word in PostgreSQL).
	User string
	// Upsert inserts a row into table, replacing the row whose key
	// columns (a unique key) it repeats.
	Upsert func(table string, cols, key []string) string
	// InsertIgnore inserts a row into table unless its key is taken.
	InsertIgnore func(table string, cols []string) string
	// IsUniqueViolation reports a duplicate key, which a store with
	// several writers may meet after checking the key was free; nil for
	// a store whose checks cannot race.
	IsUniqueViolation func(error) bool
	// SeveralWriters: writers in other processes share the database, so
	// a row read to be changed is locked (FOR UPDATE), a lease's row
	// first inserted free so that there is one to lock.
	SeveralWriters bool
	// JournalSeq reads the last journal seq handed out (0 for none).
	JournalSeq string
}

func (d Dialect) forUpdate() string {
	if d.SeveralWriters {
		return " FOR UPDATE"
	}
	return ""
}

func (d Dialect) unique(err error) bool {
	return d.IsUniqueViolation != nil && d.IsUniqueViolation(err)
}

// Base implements the shared part of meta.Store over a Backend.
type Base struct {
	write func(fn func(Tx) error) error
	r     Querier
	b     Backend
	d     Dialect
}

// New returns the shared methods for a store.
func New(b Backend, d Dialect) Base {
	return Base{write: b.Write, r: b.Reader(), b: b, d: d}
}

// Scanner is a row or rows, ready to scan.
type Scanner interface{ Scan(dest ...any) error }

// QueryAll runs q and scans every row with scan.
func QueryAll[T any](ctx context.Context, qr Querier, q string, args []any, scan func(Scanner) (T, error)) ([]T, error) {
	rows, err := qr.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Exists reports whether query finds a row.
func Exists(ctx context.Context, q Querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// MustExist returns missing unless query finds a row.
func MustExist(ctx context.Context, q Querier, missing error, query string, args ...any) error {
	ok, err := Exists(ctx, q, query, args...)
	if err == nil && !ok {
		return missing
	}
	return err
}

// CmpErr returns err if set, else otherwise.
func CmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// Affected returns none when an exec changed no row.
func Affected(res sql.Result, err, none error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return none
	}
	return nil
}

// Nanos is how times are stored: Unix nanoseconds.
func Nanos(t time.Time) int64 { return t.UnixNano() }

// FromNanos reads a stored time.
func FromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// Marks returns n ? placeholders for a VALUES list: "?,?,?".
func Marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
