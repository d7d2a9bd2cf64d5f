package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps one prepared statement per query text. Preparing is a
// large share of a small query's cost in SQLite, and the set of query
// texts is small and fixed.
type stmtCache struct {
	db preparer
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// preparer is a *sql.DB (read pool) or the writer's *sql.Conn.
type preparer interface {
	PrepareContext(ctx context.Context, q string) (*sql.Stmt, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func newStmtCache(db preparer) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// reader runs read queries on the read pool with cached statements.
type reader struct {
	c  *stmtCache
	bc *bucketCache
}

func (r reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := r.c.get(ctx, q)
	if err != nil {
		return r.c.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (r reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := r.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// wtx runs statements of the shared write transaction. The writer owns
// its connection, so the transaction is plain BEGIN/COMMIT statements and
// every statement stays prepared across transactions. (A database/sql Tx
// would re-prepare connection-bound statements on every use.)
type wtx struct {
	c *stmtCache
	// journaled: a write appended a journal record (WaitJournal is woken
	// after the commit).
	journaled bool
	// bc is the bucket cache; bucketsChanged: a statement wrote the
	// buckets table, so the cache was cleared and is cleared again when
	// the transaction ends (ended).
	bc             *bucketCache
	bucketsChanged bool
}

// ended clears the bucket cache once more after a transaction that
// changed buckets, committed or not: a reader may have cached a row from
// before the change while it was in flight.
func (t *wtx) ended() {
	if t.bucketsChanged {
		t.bc.clear()
	}
}

func (t *wtx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if writesBuckets(q) {
		t.bucketsChanged = true
		t.bc.clear()
	}
	st, err := t.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *wtx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := t.c.get(ctx, q)
	if err != nil {
		return t.c.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (t *wtx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := t.c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
