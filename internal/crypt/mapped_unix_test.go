//go:build unix

package crypt

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// A mapped file truncated under the reader makes the read fail with
// ErrAuth instead of crashing the process.
func TestDecryptMappedFault(t *testing.T) {
	s := mustStream(t, NewKey(), "object")
	size := int64(4 * batchSegments * SegmentSize)
	sealed := seal(t, s, randBytes(size), size)
	path := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(path, sealed, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := unix.Mmap(int(f.Fd()), 0, len(sealed), unix.PROT_READ, unix.MAP_SHARED)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	r := s.DecryptMapped(m, func() error { return unix.Munmap(m) }, size, 0, size)
	got, err := io.ReadAll(r)
	r.Close()
	mustFail(t, "read of a truncated mapping", got, err)
}
