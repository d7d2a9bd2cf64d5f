package lifecycle

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"talus/internal/blob/localfs"
	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

// BenchmarkPass measures one lifecycle pass over a versioned bucket of
// TALUS_LC_BENCH_VERSIONS versions (default 20,000; the suite runs every
// benchmark once): four versions per key, one key in a thousand with
// noncurrent versions due. It reports the pass's time per version and the
// peak heap in use, which must not grow with the bucket.
func BenchmarkPass(b *testing.B) {
	n := 20000
	if v := os.Getenv("TALUS_LC_BENCH_VERSIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "meta.db")
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	prefill(b, path, n, now)
	s, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bs, err := localfs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	defer bs.Close()
	w := New(Config{Meta: s, Blobs: bs, Day: day, Now: func() time.Time { return now }})
	b.ResetTimer()
	var peak atomic.Uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		r := &fakeRun{}
		start := time.Now()
		if err := w.pass(ctx, r); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		close(stop)
		<-sampled
		b.ReportMetric(float64(el.Nanoseconds())/float64(n), "ns/version")
		b.ReportMetric(float64(r.done), "actions")
		b.Logf("%d versions: pass %v, %d actions, peak heap %.1f MiB", n, el, r.done, float64(peak.Load())/(1<<20))
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// prefill writes the bucket straight into the database file, in large
// transactions, after the store has created the schema and the bucket.
func prefill(b *testing.B, path string, n int, now time.Time) {
	s, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	err = s.CreateBucket(ctx, meta.Bucket{Name: "big", Owner: "o", Created: now, Versioning: meta.Enabled,
		Config: meta.BucketConfig{Lifecycle: &meta.Lifecycle{Rules: []meta.LifecycleRule{{ID: "r", Status: "Enabled",
			Expiration:                  &meta.LifecycleExpiration{Days: 365},
			NoncurrentVersionExpiration: &meta.NoncurrentVersionExpiration{NoncurrentDays: 30}}}}}})
	s.Close()
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const perKey = 4
	var tx *sql.Tx
	var st *sql.Stmt
	for i := 0; i < n; i++ {
		if i%100000 == 0 {
			if tx != nil {
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			if tx, err = db.Begin(); err != nil {
				b.Fatal(err)
			}
			if st, err = tx.Prepare(`INSERT INTO versions(bucket, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner, attrs)
				VALUES ('big', ?, ?, ?, 0, 10, '"e"', ?, 'STANDARD', 'o', '{}')`); err != nil {
				b.Fatal(err)
			}
		}
		k, v := i/perKey, i%perKey
		// Versions a day apart ending yesterday; one key in a thousand
		// has versions a year old, whose noncurrent ones are due.
		age := time.Duration(perKey-v) * day
		if k%1000 == 0 {
			age += 365 * day
		}
		latest := v == perKey-1 || i == n-1
		if _, err := st.Exec(fmt.Sprintf("key/%08d", k), fmt.Sprintf("%032x", i), latest, now.Add(-age).UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
