package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"talus/internal/meta"
)

// bucketCacheMax bounds the cached rows; a full cache starts over.
const bucketCacheMax = 4096

// bucketCache keeps bucket rows as stored (the config still encoded), so
// that the bucket lookup every request and every object write makes costs
// a map read instead of a query. Each hit decodes a fresh meta.Bucket:
// callers may change what they get.
//
// It stays exact because this process's writer is the only one that
// changes buckets: a statement that writes the buckets table clears the
// cache when it runs and again once its transaction has ended, and a
// reader stores what it read only if no clearing happened since it began
// (gen), so a row read from a snapshot older than the latest bucket
// change is never kept.
type bucketCache struct {
	mu   sync.Mutex
	gen  uint64
	rows map[string]bucketRow
}

// bucketRow is one buckets row as scanned.
type bucketRow struct {
	name, region, owner, versioning string
	created                         int64
	objectLock                      bool
	config                          []byte
}

func newBucketCache() *bucketCache { return &bucketCache{rows: map[string]bucketRow{}} }

// lookup returns the cached row of name and the generation to pass to
// store after a miss. A nil cache (none to use) always misses; its store
// and clear do nothing.
func (c *bucketCache) lookup(name string) (bucketRow, bool, uint64) {
	if c == nil {
		return bucketRow{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.rows[name]
	return r, ok, c.gen
}

// store keeps r unless the cache was cleared since generation gen.
func (c *bucketCache) store(gen uint64, r bucketRow) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.rows) >= bucketCacheMax {
		clear(c.rows)
	}
	c.rows[r.name] = r
}

func (c *bucketCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.rows)
}

// writesBuckets reports whether statement q may change the buckets table.
func writesBuckets(q string) bool {
	q = strings.TrimSpace(q)
	return len(q) >= 6 && !strings.EqualFold(q[:6], "SELECT") && strings.Contains(q, "buckets")
}

// cachedBuckets is implemented by the read pool and the write
// transaction: the cache q may use, or nil (a transaction that changed a
// bucket reads its own rows).
type cachedBuckets interface {
	buckets() *bucketCache
}

func (r reader) buckets() *bucketCache { return r.bc }

func (t *wtx) buckets() *bucketCache {
	if t.bucketsChanged {
		return nil
	}
	return t.bc
}

func getBucket(ctx context.Context, q querier, name string) (meta.Bucket, error) {
	var c *bucketCache
	if cq, ok := q.(cachedBuckets); ok {
		c = cq.buckets()
	}
	r, ok, gen := c.lookup(name)
	if !ok {
		var err error
		r, err = scanBucketRow(q.QueryRowContext(ctx, `SELECT `+bucketCols+` FROM buckets WHERE name = ?`, name))
		if errors.Is(err, sql.ErrNoRows) {
			return meta.Bucket{}, meta.ErrNoSuchBucket
		}
		if err != nil {
			return meta.Bucket{}, err
		}
		c.store(gen, r)
	}
	return r.decode()
}

func scanBucketRow(r scanner) (bucketRow, error) {
	var b bucketRow
	err := r.Scan(&b.name, &b.created, &b.region, &b.owner, &b.versioning, &b.objectLock, &b.config)
	return b, err
}
