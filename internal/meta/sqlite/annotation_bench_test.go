package sqlite

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"talus/internal/meta"
)

// BenchmarkAnnotationPutGetParallel: 16 clients each putting a 4 KiB
// annotation on one object (durable before it returns) and reading it back.
func BenchmarkAnnotationPutGetParallel(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	if _, err := s.PutObject(ctx, smallObject("k"), meta.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	payload := make([]byte, 4096)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			// Names cycle below the per-version limit, so later puts replace.
			name := fmt.Sprintf("a%04d", n.Add(1)%meta.MaxAnnotations)
			a := &meta.Annotation{Name: name, Size: int64(len(payload)), ETag: `"e"`, Data: payload, ChecksumType: "FULL_OBJECT"}
			if _, err := s.PutAnnotation(ctx, "b", "k", "", a, nil); err != nil {
				b.Error(err)
				return
			}
			if _, _, err := s.GetAnnotation(ctx, "b", "k", "", name); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
