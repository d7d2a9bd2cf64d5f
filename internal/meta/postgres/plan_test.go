package postgres

import (
	"context"
	"strings"
	"testing"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

// queryPlan returns PostgreSQL's plan for q (written with ? placeholders).
func queryPlan(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.db.Query("EXPLAIN "+rebind(q), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// seedVersions writes n keys with three versions each straight in SQL (the
// planner needs a table of some size to prefer an index), and vacuums it
// as autovacuum would, so the visibility map allows index-only scans.
func seedVersions(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o", Versioning: meta.Enabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO versions(bucket, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner, attrs)
		SELECT 'b', 'k/' || lpad(i::text, 7, '0'), lpad(v::text, 32, '0'), v = 3, false, 1, '"e"', 0, 'STANDARD', 'o', '{}'
		FROM generate_series(1, $1) i, generate_series(1, 3) v`, n); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM ANALYZE versions`); err != nil {
		t.Fatal(err)
	}
}

// TestListingUsesIndexSeeks: a listing page is an index range scan that
// starts at the page's first key and stops after LIMIT rows: latest
// versions through the partial index of latest live rows, versions
// through (bucket, name, seq DESC). No sort, no sequential scan.
func TestListingUsesIndexSeeks(t *testing.T) {
	s := openStore(t, freshDSN(t))
	defer s.Close()
	seedVersions(t, s, 30000)

	q, args, _ := scanLatestQuery("b", "k/", "k/0015000\x00", 1001)
	plan := queryPlan(t, s, q, args...)
	if !strings.Contains(plan, "Index Only Scan using versions_live") || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort") {
		t.Fatalf("ScanLatest plan is not an index-only seek on versions_live:\n%s", plan)
	}
	if !strings.Contains(plan, "Index Cond") || !strings.Contains(plan, "name >=") {
		t.Fatalf("ScanLatest does not seek to its start key:\n%s", plan)
	}

	q, args, _ = scanVersionsQuery("b", "", meta.VersionCursor{Key: "k/0015000", Seq: 40000}, 1001)
	plan = queryPlan(t, s, q, args...)
	if !strings.Contains(plan, "using versions_by_age") || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort") {
		t.Fatalf("ScanVersions plan is not a seek on versions_by_age:\n%s", plan)
	}

	plan = queryPlan(t, s, sqlmeta.DueRestoresQuery, int64(1), 100)
	if strings.Contains(plan, "Seq Scan on versions") {
		t.Fatalf("DueRestores scans versions:\n%s", plan)
	}
}
