package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"talus/internal/meta"
)

// A cached bucket is decoded afresh for every caller: changing what one
// caller got does not change what the next one gets.
func TestBucketCacheHandsOutCopies(t *testing.T) {
	s := benchStore(t)
	ctx := context.Background()
	if err := s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error {
		b.Config.Tags = map[string]string{"k": "v"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b1, err := s.GetBucket(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	b1.Config.Tags["k"] = "changed"
	b1.Versioning = meta.Enabled
	b2, err := s.GetBucket(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if b2.Config.Tags["k"] != "v" || b2.Versioning == meta.Enabled {
		t.Fatalf("second GetBucket saw the first caller's changes: %+v", b2)
	}
}

// Readers racing bucket changes never leave a stale row cached: once the
// writes are done, every lookup (outside and inside a write transaction)
// sees the last one, and a deleted bucket is gone.
func TestBucketCacheFollowsChanges(t *testing.T) {
	s := benchStore(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.GetBucket(ctx, "b"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	const n = 300
	for i := range n {
		if err := s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error {
			b.Config.Tags = map[string]string{"n": fmt.Sprint(i)}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		b, err := s.GetBucket(ctx, "b")
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Config.Tags["n"]; got != fmt.Sprint(i) {
			t.Fatalf("after update %d GetBucket saw %q", i, got)
		}
	}
	close(stop)
	wg.Wait()
	// A write transaction looks the bucket up too (PutObject).
	if _, err := s.PutObject(ctx, smallObject("k"), meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteObject(ctx, "b", "k", "", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetBucket(ctx, "b"); err != meta.ErrNoSuchBucket {
		t.Fatalf("GetBucket after DeleteBucket: %v", err)
	}
	if _, err := s.PutObject(ctx, smallObject("k2"), meta.PutOptions{}); err != meta.ErrNoSuchBucket {
		t.Fatalf("PutObject after DeleteBucket: %v", err)
	}
}
