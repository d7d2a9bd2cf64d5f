package crypt

import (
	"bytes"
	"io"
	"testing"
)

// lender is a source that lends its bytes in place, as localfs's mapped
// readers do.
type lender struct {
	b      []byte
	closed bool
}

func (l *lender) Read(p []byte) (int, error) {
	if len(l.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, l.b)
	l.b = l.b[n:]
	return n, nil
}

func (l *lender) Window(n int) ([]byte, error) {
	if len(l.b) == 0 && n > 0 {
		return nil, io.EOF
	}
	if n > len(l.b) {
		w := l.b
		l.b = nil
		return w, io.ErrUnexpectedEOF
	}
	w := l.b[:n:n]
	l.b = l.b[n:]
	return w, nil
}

func (l *lender) Close() error { l.closed = true; return nil }

func openLent(s *Stream, sealed []byte, size, off, n int64) ([]byte, error) {
	_, coff, _ := CipherRange(size, off, n)
	coff = min(coff, int64(len(sealed)))
	// A private copy: opening must never write to lent bytes.
	src := bytes.Clone(sealed[coff:])
	l := &lender{b: src}
	r := s.Decrypt(l, size, off, n)
	out, err := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(src, sealed[coff:]) {
		panic("lent bytes were written to")
	}
	if !l.closed {
		panic("source not closed")
	}
	return out, err
}

func TestLentSourceRanges(t *testing.T) {
	s := mustStream(t, NewKey(), "object")
	for _, size := range sizes {
		plain := randBytes(size)
		sealed := seal(t, s, plain, size)
		for _, r := range [][2]int64{{0, size}, {1, size - 1}, {size / 2, size - size/2}, {SegmentSize - 3, 7}, {size - 1, 1}} {
			off, n := r[0], r[1]
			if off < 0 || n < 0 || off+n > size {
				continue
			}
			got, err := openLent(s, sealed, size, off, n)
			if err != nil {
				t.Fatalf("size %d [%d,+%d): %v", size, off, n, err)
			}
			if !bytes.Equal(got, plain[off:off+n]) {
				t.Fatalf("size %d [%d,+%d): wrong bytes", size, off, n)
			}
		}
	}
}

func TestLentSourceTamperDetection(t *testing.T) {
	s := mustStream(t, NewKey(), "object")
	size := int64(40*SegmentSize + 7) // more than two batches: the async pipeline
	plain := randBytes(size)
	sealed := seal(t, s, plain, size)
	for _, pos := range []int{0, SegmentSize + Overhead, 20 * (SegmentSize + Overhead), len(sealed) - 1} {
		bad := bytes.Clone(sealed)
		bad[pos] ^= 1
		got, err := openLent(s, bad, size, 0, size)
		mustFail(t, "flip", got, err)
	}
	for _, cut := range []int{0, 1, 16 * (SegmentSize + Overhead), len(sealed) - 1} {
		got, err := openLent(s, sealed[:cut], size, 0, size)
		mustFail(t, "truncate", got, err)
	}
}
