package localfs

import (
	"errors"
	"unsafe"

	"talus/internal/fsutil"
)

// directAlign is the alignment O_DIRECT writes need for buffer address,
// length and file offset (the page size; any device's logical block divides it).
const directAlign = 4096

// alignedBuf returns n bytes starting at a directAlign boundary.
func alignedBuf(n int) []byte {
	b := make([]byte, n+directAlign)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b))) & (directAlign - 1))
	return b[off : off+n : off+n]
}

// aligned reports whether p can be written with O_DIRECT.
func aligned(p []byte) bool {
	return len(p)%directAlign == 0 && uintptr(unsafe.Pointer(unsafe.SliceData(p)))%directAlign == 0
}

// tempBlob is a blob being written: an fsutil.TempFile (so the same
// crash-safe commit protocol: fdatasync, rename, fsync dir) whose whole
// aligned buffers are written with O_DIRECT where the file system allows.
//
// They go from the pooled buffer to the device without a copy into the page
// cache. On this VM class (see docs/performance.md) filling fresh page-cache
// pages costs more CPU than the network read and MD5 together, and the data
// would be written to the device by fdatasync anyway. The first unaligned
// write (the tail of the body) turns O_DIRECT off for the rest of the file;
// fdatasync flushes it.
type tempBlob struct {
	*fsutil.TempFile
	direct bool
}

// createTemp creates a new temp blob in dir named prefix plus random digits.
func createTemp(dir, prefix string) (*tempBlob, error) {
	tf, err := fsutil.CreateTemp(dir, prefix, filePerm)
	if err != nil {
		return nil, err
	}
	return &tempBlob{TempFile: tf, direct: directWrites && setDirect(tf.File(), true) == nil}, nil
}

// Write appends p.
func (t *tempBlob) Write(p []byte) (int, error) {
	f := t.File()
	if t.direct && !aligned(p) {
		if err := setDirect(f, false); err != nil {
			return 0, err
		}
		t.direct = false
	}
	n, err := f.Write(p)
	if err != nil && t.direct && n == 0 && errors.Is(err, errDirectRefused) {
		// The file system took the flag but refuses this write: go buffered.
		if setDirect(f, false) == nil {
			t.direct = false
			return f.Write(p)
		}
	}
	return n, err
}
