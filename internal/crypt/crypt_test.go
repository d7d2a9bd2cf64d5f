package crypt

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

var sizes = []int64{0, 1, 15, 16, 17, SegmentSize - 1, SegmentSize, SegmentSize + 1, 2*SegmentSize - 1, 2 * SegmentSize,
	2*SegmentSize + 1, batchSegments * SegmentSize, batchSegments*SegmentSize + 1, 2*batchSegments*SegmentSize + 12345, 5<<20 + 3}

func randBytes(n int64) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func mustStream(t testing.TB, key []byte, id string) *Stream {
	t.Helper()
	s, err := NewStream(key, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// seal encrypts through the streaming path.
func seal(t testing.TB, s *Stream, plain []byte, hint int64) []byte {
	t.Helper()
	r := s.Encrypt(bytes.NewReader(plain), hint)
	defer r.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func open(s *Stream, sealed []byte, size, off, n int64) ([]byte, error) {
	_, coff, _ := CipherRange(size, off, n)
	if coff > int64(len(sealed)) {
		coff = int64(len(sealed))
	}
	r := s.Decrypt(io.NopCloser(bytes.NewReader(sealed[coff:])), size, off, n)
	defer r.Close()
	return io.ReadAll(r)
}

func TestRoundTripSizes(t *testing.T) {
	key := NewKey()
	s := mustStream(t, key, "object")
	for _, size := range sizes {
		plain := randBytes(size)
		for _, hint := range []int64{size, -1} {
			sealed := seal(t, s, plain, hint)
			if int64(len(sealed)) != SealedSize(size) {
				t.Fatalf("size %d: sealed %d bytes, want %d", size, len(sealed), SealedSize(size))
			}
			mem, err := s.Seal(plain)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(mem, sealed) {
				t.Fatalf("size %d: Seal and Encrypt differ", size)
			}
			got, err := open(s, sealed, size, 0, size)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("size %d: round trip failed: %v", size, err)
			}
			got, err = s.Open(sealed, size, 0, size)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("size %d: Open failed: %v", size, err)
			}
		}
	}
}

func TestRanges(t *testing.T) {
	s := mustStream(t, NewKey(), "object")
	size := int64(3*SegmentSize + 100)
	plain := randBytes(size)
	sealed := seal(t, s, plain, size)
	points := []int64{0, 1, SegmentSize - 1, SegmentSize, SegmentSize + 1, 2*SegmentSize - 1, 2 * SegmentSize, 3 * SegmentSize, size - 1}
	for _, off := range points {
		for _, end := range points {
			if end < off {
				continue
			}
			n := end - off + 1
			got, err := open(s, sealed, size, off, n)
			if err != nil || !bytes.Equal(got, plain[off:off+n]) {
				t.Fatalf("range %d+%d: %v", off, n, err)
			}
			got, err = s.Open(sealed, size, off, n)
			if err != nil || !bytes.Equal(got, plain[off:off+n]) {
				t.Fatalf("Open range %d+%d: %v", off, n, err)
			}
		}
	}
}

func TestCipherRangeReadsOnlyNeededSegments(t *testing.T) {
	size := int64(10 * SegmentSize)
	first, off, n := CipherRange(size, 3*SegmentSize+5, 10)
	if first != 3 || off != 3*(SegmentSize+Overhead) || n != SegmentSize+Overhead {
		t.Fatalf("got %d %d %d", first, off, n)
	}
}

func mustFail(t *testing.T, what string, got []byte, err error) {
	t.Helper()
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("%s: err = %v (got %d bytes), want ErrAuth", what, err, len(got))
	}
}

func TestTamperDetection(t *testing.T) {
	key := NewKey()
	s := mustStream(t, key, "part 1")
	size := int64(3*SegmentSize + 7)
	plain := randBytes(size)
	sealed := seal(t, s, plain, size)

	for _, pos := range []int{0, 17, SegmentSize + Overhead - 1, SegmentSize + Overhead, len(sealed) - 1} {
		bad := bytes.Clone(sealed)
		bad[pos] ^= 1
		got, err := open(s, bad, size, 0, size)
		mustFail(t, "flip", got, err)
		_, err = s.Open(bad, size, 0, size)
		mustFail(t, "flip Open", nil, err)
	}
	// Truncated at every kind of place.
	for _, cut := range []int{0, 1, SegmentSize, SegmentSize + Overhead, len(sealed) - 1} {
		got, err := open(s, sealed[:cut], size, 0, size)
		mustFail(t, "truncate", got, err)
	}
	// Reordered segments.
	seg := SegmentSize + Overhead
	re := bytes.Clone(sealed)
	copy(re[:seg], sealed[seg:2*seg])
	copy(re[seg:2*seg], sealed[:seg])
	got, err := open(s, re, size, 0, size)
	mustFail(t, "reorder", got, err)
	// Dropping whole trailing segments and claiming a shorter size: the
	// new last segment was not sealed as last.
	got, err = open(s, sealed[:2*seg], 2*SegmentSize, 0, 2*SegmentSize)
	mustFail(t, "drop tail", got, err)
	// Another stream of the same key (a different part), or another key.
	other := mustStream(t, key, "part 2")
	got, err = open(other, sealed, size, 0, size)
	mustFail(t, "swap parts", got, err)
	got, err = open(mustStream(t, NewKey(), "part 1"), sealed, size, 0, size)
	mustFail(t, "other key", got, err)
	// Empty stream, truncated to nothing.
	empty := seal(t, s, nil, 0)
	got, err = open(s, empty[:0], 0, 0, 0)
	mustFail(t, "empty truncated", got, err)
}

func TestWrapKey(t *testing.T) {
	ck, dk := NewKey(), NewKey()
	w, err := WrapKey(ck, dk, []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapKey(ck, w, []byte("aad"))
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatal("unwrap failed", err)
	}
	if _, err := UnwrapKey(NewKey(), w, []byte("aad")); !errors.Is(err, ErrAuth) {
		t.Fatal("wrong key accepted")
	}
	if _, err := UnwrapKey(ck, w, []byte("other")); !errors.Is(err, ErrAuth) {
		t.Fatal("wrong aad accepted")
	}
	salt := NewSalt()
	tag := KeyTag(salt, ck)
	if !KeyMatches(salt, tag, ck) || KeyMatches(salt, tag, dk) {
		t.Fatal("KeyMatches wrong")
	}
}

func FuzzOpen(f *testing.F) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, _ := NewStream(key, "object")
	for _, n := range []int{0, 5, SegmentSize + 3} {
		sealed, _ := s.Seal(bytes.Repeat([]byte{1}, n))
		f.Add(sealed, int64(n), int64(0), int64(n))
	}
	f.Fuzz(func(t *testing.T, sealed []byte, size, off, n int64) {
		if size < 0 || size > 4*SegmentSize || off < 0 || n < 0 || off+n > size {
			return
		}
		want := bytes.Repeat([]byte{1}, int(size))
		if got, err := s.Open(sealed, size, off, n); err == nil && !bytes.Equal(got, want[off:off+n]) {
			t.Fatal("wrong bytes without error")
		}
		if got, err := open(s, sealed, size, off, n); err == nil && !bytes.Equal(got, want[off:off+n]) {
			t.Fatal("stream: wrong bytes without error")
		}
	})
}

func benchStream(b *testing.B, size int64) {
	s := mustStream(b, NewKey(), "object")
	plain := randBytes(size)
	sealed := seal(b, s, plain, size)
	b.Run("encrypt", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			r := s.Encrypt(bytes.NewReader(plain), size)
			io.Copy(io.Discard, r)
			r.Close()
		}
	})
	b.Run("decrypt", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			r := s.Decrypt(io.NopCloser(bytes.NewReader(sealed)), size, 0, size)
			io.Copy(io.Discard, r)
			r.Close()
		}
	})
}

func BenchmarkStream16MiB(b *testing.B) { benchStream(b, 16<<20) }
func BenchmarkStream64KiB(b *testing.B) { benchStream(b, 64<<10) }
