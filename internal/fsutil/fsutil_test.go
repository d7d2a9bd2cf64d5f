package fsutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// entries returns the names in dir, failing the test on error.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteFileAtomicCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")

	if err := WriteFileAtomic(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); string(got) != "one" {
		t.Fatalf("got %q, want %q", got, "one")
	}
	if err := WriteFileAtomic(p, []byte("two!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); string(got) != "two!" {
		t.Fatalf("got %q, want %q", got, "two!")
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "state.json" {
		t.Fatalf("dir holds %q, want only state.json (temp files leaked)", names)
	}
}

func TestWriteFileAtomicEmptyData(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty")
	if err := WriteFileAtomic(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 0 {
		t.Fatalf("size %d, want 0", fi.Size())
	}
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope", "f")
	if err := WriteFileAtomic(p, []byte("x"), 0o644); err == nil {
		t.Fatal("want error writing into a missing directory")
	}
}

func TestWriteFileAtomicRenameFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	// A non-empty directory at the target makes the rename fail.
	target := filepath.Join(dir, "target")
	if err := os.MkdirAll(filepath.Join(target, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(target, []byte("x"), 0o644); err == nil {
		t.Fatal("want error renaming over a non-empty directory")
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "target" {
		t.Fatalf("dir holds %q, want only target (temp leaked)", names)
	}
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("SyncDir(missing) = %v, want ErrNotExist", err)
	}
}

func TestSyncData(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := SyncData(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := SyncData(f); err == nil {
		t.Fatal("SyncData on a closed file: want error")
	}
}

func TestTempFileCommitAcrossDirs(t *testing.T) {
	root := t.TempDir()
	tmpDir := filepath.Join(root, "tmp")
	dstDir := filepath.Join(root, "dst")
	for _, d := range []string{tmpDir, dstDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	tf, err := CreateTemp(tmpDir, "x.", 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(tf.Name()) != tmpDir {
		t.Fatalf("temp %s not in %s", tf.Name(), tmpDir)
	}
	want := bytes.Repeat([]byte("abc"), 1000)
	for i := 0; i < len(want); i += 100 {
		if _, err := tf.Write(want[i : i+100]); err != nil {
			t.Fatal(err)
		}
	}
	// Not visible before Commit.
	final := filepath.Join(dstDir, "blob")
	if _, err := os.Stat(final); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("final path exists before Commit: %v", err)
	}
	if err := tf.Commit(final); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, final); !bytes.Equal(got, want) {
		t.Fatal("committed contents differ")
	}
	if names := entries(t, tmpDir); len(names) != 0 {
		t.Fatalf("tmp dir holds %q after Commit", names)
	}
	if err := tf.Abort(); err != nil {
		t.Fatalf("Abort after Commit = %v, want nil", err)
	}
	if _, err := os.Stat(final); err != nil {
		t.Fatalf("Abort after Commit removed the file: %v", err)
	}
	if err := tf.Commit(final); !errors.Is(err, ErrDone) {
		t.Fatalf("second Commit = %v, want ErrDone", err)
	}
}

func TestTempFileAbort(t *testing.T) {
	dir := t.TempDir()
	tf, err := CreateTemp(dir, "", 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tf.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	if err := tf.Abort(); err != nil {
		t.Fatal(err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("dir holds %q after Abort", names)
	}
	if err := tf.Abort(); err != nil {
		t.Fatalf("second Abort = %v, want nil", err)
	}
	if err := tf.Commit(filepath.Join(dir, "f")); !errors.Is(err, ErrDone) {
		t.Fatalf("Commit after Abort = %v, want ErrDone", err)
	}
	if _, err := tf.Write([]byte("x")); err == nil {
		t.Fatal("Write after Abort: want error")
	}
}

func TestTempFileCommitFailureRemovesTemp(t *testing.T) {
	dir := t.TempDir()
	tf, err := CreateTemp(dir, "", 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.Commit(filepath.Join(dir, "missing", "f")); err == nil {
		t.Fatal("Commit into a missing directory: want error")
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("dir holds %q after failed Commit", names)
	}
}

func TestCreateTempUniqueNames(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	for range 100 {
		tf, err := CreateTemp(dir, "p-", 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer tf.Abort()
		if seen[tf.Name()] {
			t.Fatalf("duplicate temp name %s", tf.Name())
		}
		seen[tf.Name()] = true
		if base := filepath.Base(tf.Name()); len(base) <= 2 || base[:2] != "p-" {
			t.Fatalf("temp name %s lacks prefix", base)
		}
	}
}

func TestCreateTempMissingDir(t *testing.T) {
	if _, err := CreateTemp(filepath.Join(t.TempDir(), "missing"), "", 0o600); err == nil {
		t.Fatal("want error")
	}
}
