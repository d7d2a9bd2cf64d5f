package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/meta"
)

// queryPlan returns SQLite's plan for q, one detail line per step.
func queryPlan(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.rdb.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}

// TestScanLatestUsesLiveIndex proves that listing latest versions reads
// only the partial covering index of latest, live rows — never the table
// and never older versions — so thousands of versions of one key do not
// slow ListObjects down.
func TestScanLatestUsesLiveIndex(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, prefix := range []string{"", "photos/"} {
		q, args := scanLatestQuery("b", prefix, "", 1000)
		plan := queryPlan(t, s, q, args...)
		if !strings.Contains(plan, "USING COVERING INDEX versions_live") || strings.Contains(plan, "TEMP B-TREE") {
			t.Fatalf("prefix %q: plan does not stay in versions_live:\n%s", prefix, plan)
		}
	}
}

// TestScanLatestIgnoresOldVersions checks the same end to end: a key with
// many versions lists once, as its newest version.
func TestScanLatestIgnoresOldVersions(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o"})
	s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error { b.Versioning = meta.Enabled; return nil })
	for i := 0; i < 500; i++ {
		if _, err := s.PutObject(ctx, &meta.Object{Bucket: "b", Key: "hot", ETag: fmt.Sprint(i)}, meta.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s.PutObject(ctx, &meta.Object{Bucket: "b", Key: "other", ETag: "x"}, meta.PutOptions{})
	page, err := s.ScanLatest(ctx, "b", "", "", 10)
	if err != nil || len(page) != 2 || page[0].Key != "hot" || page[0].ETag != "499" {
		t.Fatalf("ScanLatest = %+v, %v", page, err)
	}
}

// BenchmarkListLatestManyVersions lists a bucket whose one hot key has
// 5,000 versions next to 1,000 other keys.
func BenchmarkListLatestManyVersions(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "meta.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o"})
	s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error { b.Versioning = meta.Enabled; return nil })
	put := func(key string) {
		if _, err := s.PutObject(ctx, &meta.Object{Bucket: "b", Key: key, ETag: "e"}, meta.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	// Concurrent writers share commits, which keeps setup short.
	done := make(chan struct{})
	for w := 0; w < 50; w++ {
		go func(w int) {
			for i := 0; i < 100; i++ {
				put("hot")
			}
			for i := 0; i < 20; i++ {
				put(fmt.Sprintf("k%02d-%03d", w, i))
			}
			done <- struct{}{}
		}(w)
	}
	for w := 0; w < 50; w++ {
		<-done
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := meta.ListObjects(ctx, s, "b", meta.ListOptions{MaxKeys: 1000})
		if err != nil || len(res.Entries) != 1000 {
			b.Fatalf("listed %d, %v", len(res.Entries), err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "keys/s")
}

// TestScanVersionsSeeksToCursor proves that a version scan resumed from a
// cursor seeks in versions_by_age to the cursor's key (a range on name)
// rather than reading the bucket from its first key on every page.
func TestScanVersionsSeeksToCursor(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []meta.VersionCursor{{Key: "k", Seq: 7}, {Key: "k"}} {
		q, args := scanVersionsQuery("b", "", c, 1000)
		plan := queryPlan(t, s, q, args...)
		if !strings.Contains(plan, "versions_by_age (bucket=? AND name>?)") || strings.Contains(plan, "TEMP B-TREE") {
			t.Fatalf("cursor %+v: plan does not seek:\n%s", c, plan)
		}
	}
}
