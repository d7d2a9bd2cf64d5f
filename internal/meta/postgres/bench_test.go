package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"talus/internal/meta"
)

// benchStore opens a store on a fresh database.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s := openStore(b, freshDSN(b))
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
// durable before it returns (the shape of the SQLite store's benchmark).
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

// BenchmarkPutObjectSerial: one writer, so every PUT pays its own commit.
func BenchmarkPutObjectSerial(b *testing.B) {
	s := benchStore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.PutObject(context.Background(), smallObject(fmt.Sprintf("k/%09d", i)), meta.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetObject: reads of one of 1000 keys, 16 readers.
func BenchmarkGetObjectParallel(b *testing.B) {
	s := benchStore(b)
	for i := 0; i < 1000; i++ {
		if _, err := s.PutObject(context.Background(), smallObject(fmt.Sprintf("k/%09d", i)), meta.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.GetObject(context.Background(), "b", fmt.Sprintf("k/%09d", n.Add(1)%1000), ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
