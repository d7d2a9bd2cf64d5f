package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"talus/internal/meta"
)

func benchStore(b testing.TB) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "meta.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.CreateBucket(context.Background(), meta.Bucket{Name: "b", Owner: "o"}); err != nil {
		b.Fatal(err)
	}
	return s
}

func smallObject(key string) *meta.Object {
	return &meta.Object{Bucket: "b", Key: key, ETag: `"0123456789abcdef0123456789abcdef"`, Size: 4096, StorageClass: "STANDARD", Owner: "o",
		Inline: make([]byte, 4096), Attrs: meta.Attrs{ContentType: "application/octet-stream", UserMeta: map[string]string{"a": "b"},
			Checksums: map[string]string{"CRC32": "AAAAAA=="}, ChecksumType: "FULL_OBJECT"}}
}

// BenchmarkPutObjectParallel: 16 writers of 4 KiB inline objects, each
// durable (fsync) before it returns; group commit shares the fsyncs.
func BenchmarkPutObjectParallel(b *testing.B) {
	s := benchStore(b)
	var n atomic.Int64
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.PutObject(context.Background(), smallObject(fmt.Sprintf("k/%09d", n.Add(1))), meta.PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPutObjectSerial: one writer, so every PUT pays its own fsync.
func BenchmarkPutObjectSerial(b *testing.B) {
	s := benchStore(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.PutObject(context.Background(), smallObject(fmt.Sprintf("k/%09d", i)), meta.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// fill writes n keys spread over 100 "directories" using concurrent writers.
func fill(b *testing.B, s *Store, n int) {
	b.Helper()
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				o := smallObject(fmt.Sprintf("dir%02d/obj%08d", i%100, i))
				o.Inline = nil
				if _, err := s.PutObject(context.Background(), o, meta.PutOptions{}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

var filled struct {
	once sync.Once
	s    *Store
	dir  string
}

// TestMain removes the shared benchmark fixture after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if filled.s != nil {
		filled.s.Close()
		os.RemoveAll(filled.dir)
	}
	os.Exit(code)
}

// store100k is a shared store of 100,000 keys for the read benchmarks.
func store100k(b *testing.B) *Store {
	filled.once.Do(func() {
		// Shared by several benchmarks, so not b.TempDir (removed after the first).
		dir, err := os.MkdirTemp("", "talus-bench-")
		if err != nil {
			b.Fatal(err)
		}
		s, err := Open(filepath.Join(dir, "meta.db"))
		if err != nil {
			b.Fatal(err)
		}
		s.CreateBucket(context.Background(), meta.Bucket{Name: "b", Owner: "o"})
		fill(b, s, 100000)
		filled.s, filled.dir = s, dir
	})
	if filled.s == nil {
		b.Skip("fixture failed")
	}
	return filled.s
}

func BenchmarkGetObjectParallel(b *testing.B) {
	s := store100k(b)
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(7919) % 100000
			if _, err := s.GetObject(context.Background(), "b", fmt.Sprintf("dir%02d/obj%08d", i%100, i), ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkListFlat100k pages through 100,000 keys, 1,000 per page.
func BenchmarkListFlat100k(b *testing.B) {
	s := store100k(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		after, total := "", 0
		for {
			res, err := meta.ListObjects(context.Background(), s, "b", meta.ListOptions{After: after, MaxKeys: 1000})
			if err != nil {
				b.Fatal(err)
			}
			total += len(res.Entries)
			if !res.Truncated {
				break
			}
			after = res.Next
		}
		if total != 100000 {
			b.Fatalf("listed %d", total)
		}
	}
	b.ReportMetric(float64(b.N)*100000/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkListDelimiter100k folds 100,000 keys into their 100 prefixes:
// one index seek per prefix instead of a scan of every key.
func BenchmarkListDelimiter100k(b *testing.B) {
	s := store100k(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := meta.ListObjects(context.Background(), s, "b", meta.ListOptions{Delimiter: "/", MaxKeys: 1000})
		if err != nil || len(res.Entries) != 100 {
			b.Fatalf("listed %d, %v", len(res.Entries), err)
		}
	}
}
