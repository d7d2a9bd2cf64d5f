package localfs

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// mapChunk is how much of a range one mmap covers (more if one window
// asks for more). MAP_POPULATE enters the chunk's pages into the page table
// in one call instead of a fault per 64 KiB, and reads in what is not
// cached. Mapping costs per page, not per call, so larger chunks save
// little CPU; smaller ones bound the wait for the first byte of data that
// is not in the page cache.
var (
	mapChunk    int64 = 4 << 20
	mapPopulate       = true
)

var pageSize = int64(os.Getpagesize())

// Window implements blob.WindowReader: it lends the next n bytes of the
// range straight from a read-only shared mapping of the file, which saves
// the copy of read(2) for callers that only look at the bytes (decryption).
// Fewer than n bytes come back only at the end of the range, with
// io.ErrUnexpectedEOF (io.EOF if none are left), as io.ReadFull reports.
//
// Touching a mapped page past the end of the file raises SIGBUS, so the
// file's size is checked before every mapping and only bytes it has are
// mapped: a blob file shorter than the range reads as a short range. Blob
// files are immutable and replaced or deleted by rename and unlink, which
// leave a mapping intact; only truncating the file in place behind the
// server's back can still fault, and callers guard against that with
// debug.SetPanicOnFault.
func (r *reader) Window(n int) ([]byte, error) {
	pos := r.end - r.lr.N
	want := min(int64(n), r.lr.N)
	if pos < r.mapOff || pos+want > r.mapOff+int64(len(r.mapped)) || r.mapped == nil {
		if err := r.unmap(); err != nil {
			return nil, err
		}
		fi, err := r.f.Stat()
		if err != nil {
			return nil, err
		}
		want = max(min(want, fi.Size()-pos), 0)
		if want > 0 {
			off := pos &^ (pageSize - 1)
			end := min(max(pos+want, pos+mapChunk), r.end, fi.Size())
			if err := r.mmap(off, end-off); err != nil {
				return nil, err
			}
		}
	}
	var w []byte
	if want > 0 {
		w = r.mapped[pos-r.mapOff : pos-r.mapOff+want : pos-r.mapOff+want]
	}
	r.lr.N -= want
	r.reseek = r.reseek || want > 0
	switch {
	case want == int64(n):
		return w, nil
	case want == 0:
		return nil, io.EOF
	default:
		// A short file leaves the range unfinished; nothing more follows.
		r.lr.N = 0
		return w, io.ErrUnexpectedEOF
	}
}

func (r *reader) mmap(off, length int64) error {
	rc, err := r.f.SyscallConn()
	if err != nil {
		return err
	}
	flags := unix.MAP_SHARED
	if mapPopulate {
		flags |= unix.MAP_POPULATE
	}
	var b []byte
	var merr error
	if err := rc.Control(func(fd uintptr) {
		b, merr = unix.Mmap(int(fd), off, int(length), unix.PROT_READ, flags)
	}); err != nil {
		return err
	}
	if merr != nil {
		return merr
	}
	// No MADV_SEQUENTIAL: pages touched through a mapping with it are not
	// marked referenced, so hot objects would leave the page cache sooner;
	// MAP_POPULATE already reads the chunk in.
	r.mapped, r.mapOff = b, off
	return nil
}

func (r *reader) unmap() error {
	if r.mapped == nil {
		return nil
	}
	b := r.mapped
	r.mapped, r.mapOff = nil, 0
	return unix.Munmap(b)
}
