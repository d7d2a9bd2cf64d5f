//go:build !linux

package localfs

import (
	"errors"
	"os"
)

var errDirectRefused = errors.New("localfs: direct I/O not supported")

// setDirect is a no-op outside Linux: blobs are written through the page cache.
func setDirect(f *os.File, on bool) error {
	if on {
		return errDirectRefused
	}
	return nil
}
