package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

// Store implements meta.Store on PostgreSQL.
type Store struct {
	// Base holds the methods whose SQL both stores share.
	sqlmeta.Base
	pool *pgxpool.Pool
	db   *sql.DB // database/sql over the pool
	r    reader
	now  func() time.Time
	quit chan struct{}
	once sync.Once
	// jw is woken by the commits in this process that append journal
	// records.
	jw       sqlmeta.JournalWaiter
	seq      sequencer
	inflight atomic.Int64 // writes in progress
	// listener is the dedicated LISTEN connection (Subscribe).
	lmu      sync.Mutex
	listener *listener
}

var _ meta.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string), migrates its schema and returns the store. Several
// gateways may Open the same database at once: migrations run under an
// advisory lock.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	// Every session reads and writes at READ COMMITTED with explicit row and
	// advisory locks, whatever the server's default.
	cfg.ConnConfig.RuntimeParams["default_transaction_isolation"] = "read committed"
	cfg.ConnConfig.RuntimeParams["application_name"] = "talus"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	db.SetMaxOpenConns(int(cfg.MaxConns))
	db.SetMaxIdleConns(int(cfg.MaxConns))
	s := &Store{pool: pool, db: db, r: reader{db}, now: time.Now, quit: make(chan struct{})}
	s.Base = sqlmeta.New(sqlBackend{s}, dialect)
	s.seq.cond = sync.NewCond(&s.seq.mu)
	s.seq.stopped = make(chan struct{})
	go s.sweepPending()
	return s, nil
}

// Close closes the pool and the listening connection.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		close(s.quit)
		<-s.seq.stopped
		s.lmu.Lock()
		if s.listener != nil {
			s.listener.close()
			s.listener = nil
		}
		s.lmu.Unlock()
		err = s.db.Close()
		s.pool.Close()
	})
	return err
}

var errClosed = errors.New("postgres: store closed")

// maxAttempts bounds how often a write is retried after a serialization
// failure or a deadlock, both of which roll the transaction back whole.
const maxAttempts = 20

// write runs fn in its own READ COMMITTED transaction and commits it,
// retrying the whole transaction on a serialization failure or deadlock.
// fn must be safe to run again. The transaction does not end with ctx:
// once it started, the caller learns whether it committed.
func (s *Store) write(fn func(tx *wtx) error) error {
	select {
	case <-s.quit:
		return errClosed
	default:
	}
	ctx := context.Background()
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(rand.IntN(1<<min(attempt, 8))+1) * time.Millisecond)
		}
		var tx *wtx
		s.inflight.Add(1)
		tx, err = s.tryWrite(ctx, fn)
		s.inflight.Add(-1)
		if err == nil {
			switch {
			case tx.numbered:
				s.jw.Wake()
			case tx.journaled:
				// The write is committed whatever happens now; its record
				// is numbered by this run or, failing that, a later one.
				s.sequence()
			}
			return nil
		}
		if !retryable(err) {
			return mapErr(err)
		}
	}
	return mapErr(err)
}

func (s *Store) tryWrite(ctx context.Context, fn func(tx *wtx) error) (*wtx, error) {
	sqltx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	tx := &wtx{tx: sqltx}
	if err := fn(tx); err != nil {
		sqltx.Rollback()
		return nil, err
	}
	// A journaled write with no other write of this store in flight numbers
	// its record itself, before it commits (see sequencer.go).
	if tx.journaled && s.inflight.Load() == 1 {
		if _, err := tx.ExecContext(ctx, `SELECT talus_sequence(?)`, runChunk); err != nil {
			sqltx.Rollback()
			return nil, err
		}
		tx.numbered = true
	}
	if err := sqltx.Commit(); err != nil {
		return nil, err
	}
	return tx, nil
}

// retryable: the transaction was rolled back by the server to resolve a
// conflict with a concurrent one, and may simply run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
	}
	return false
}

// mapErr turns the server's "disk full" into meta.ErrNoSpace.
func mapErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "53100" { // disk_full
		return fmt.Errorf("%w: %w", meta.ErrNoSpace, err)
	}
	return err
}

// isUniqueViolation reports a duplicate key.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// The store's SQL is written with ? placeholders (shared in style with the
// SQLite store); rebind turns them into PostgreSQL's $n once per text.
var rebound sync.Map

func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	inStr := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}

type querier = sqlmeta.Querier

// reader runs queries outside a transaction, on the pool.
type reader struct{ db *sql.DB }

func (r reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.db.QueryRowContext(ctx, rebind(q), args...)
}

func (r reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.db.QueryContext(ctx, rebind(q), args...)
}

// wtx is one write transaction.
type wtx struct {
	tx *sql.Tx
	// journaled: the transaction appended journal records; numbered: it
	// also gave them their seqs (WaitJournal is woken after the commit).
	journaled, numbered bool
	// locked holds the keys whose advisory lock the transaction took.
	locked map[string]bool
}

func (t *wtx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, rebind(q), args...)
}

func (t *wtx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, rebind(q), args...)
}

func (t *wtx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, rebind(q), args...)
}

// lockKey serializes the transactions that change one object key (across
// every gateway): a transaction-scoped advisory lock on a hash of bucket
// and key, taken before the key's rows are read. A hash collision only
// makes two keys wait for each other.
func (t *wtx) lockKey(ctx context.Context, bucket, key string) error {
	k := bucket + "\x00" + key
	if t.locked[k] {
		return nil
	}
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, "k/"+bucket+"/"+key); err != nil {
		return err
	}
	if t.locked == nil {
		t.locked = map[string]bool{}
	}
	t.locked[k] = true
	return nil
}

// nullable stores "" as NULL, keeping partial indexes small.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
