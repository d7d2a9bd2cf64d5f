//go:build unix

package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"

	"talus/internal/blob"
)

// Map implements blob.Mapper with a read-only shared mapping of the blob
// file. Blob files are never modified in place, so the mapped bytes stay
// those of the blob even if it is replaced or deleted meanwhile.
func (s *Store) Map(ctx context.Context, id string, off, length int64) ([]byte, func() error, error) {
	if !blob.ValidID(id) {
		return nil, nil, blob.ErrInvalidID
	}
	if off < 0 {
		return nil, nil, fmt.Errorf("localfs: negative offset %d", off)
	}
	if s.closed.Load() {
		return nil, nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, blob.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close() // the mapping outlives the descriptor
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	n := max(fi.Size()-off, 0)
	if length >= 0 && length < n {
		n = length
	}
	if n == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	page := int64(os.Getpagesize())
	start := off &^ (page - 1)
	m, err := unix.Mmap(int(f.Fd()), start, int(n+off-start), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	unix.Madvise(m, unix.MADV_SEQUENTIAL) // a hint; failure is harmless
	return m[off-start:], func() error { return unix.Munmap(m) }, nil
}
