package sqlite

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"talus/internal/meta"
)

// TestDatabaseFilesPrivate: the database and its WAL and shared-memory
// files are 0600 even under umask 000, and files an older version left
// readable by others are tightened.
func TestDatabaseFilesPrivate(t *testing.T) {
	old := unix.Umask(0)
	defer unix.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "meta.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket(t.Context(), meta.Bucket{Name: "modes", Owner: "root"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, fi.Mode(), err)
		}
	}
	s.Close()

	os.Chmod(path, 0o644)
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("an existing 0644 database stays %v", fi.Mode().Perm())
	}
}
