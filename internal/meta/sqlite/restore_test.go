package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/meta/sqlmeta"
)

// TestDueRestoresUsesIndex: the restore job's lookup reads the restores
// index by due time and versions by key, never scanning versions.
func TestDueRestoresUsesIndex(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := queryPlan(t, s, sqlmeta.DueRestoresQuery, 0, 100)
	if !strings.Contains(plan, "restores_due") || !strings.Contains(plan, "INTEGER PRIMARY KEY") || strings.Contains(plan, "SCAN v") {
		t.Fatalf("DueRestores plan:\n%s", plan)
	}
}
