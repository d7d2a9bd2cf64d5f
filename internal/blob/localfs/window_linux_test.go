package localfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"talus/internal/blob"
	"talus/internal/crypt"

	"golang.org/x/sys/unix"
)

func openWindow(t *testing.T, s *Store, id string, off, length int64) blob.WindowReader {
	t.Helper()
	rc, err := s.Open(context.Background(), id, off, length)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := rc.(blob.WindowReader)
	if !ok {
		t.Fatal("localfs reader does not lend windows")
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestWindowLendsRange(t *testing.T) {
	defer func(c int64) { mapChunk = c }(mapChunk)
	mapChunk = 3 * pageSize // force remapping inside the range
	s, _ := openStore(t)
	id := blob.NewID()
	data := randBytes(10*int(pageSize) + 123)
	put(t, s, id, data)

	off := int64(777)
	w := openWindow(t, s, id, off, -1)
	want := data[off:]
	for _, n := range []int{1, 5000, int(pageSize), 4 * int(pageSize), 0, 3} {
		b, err := w.Window(n)
		if err != nil || !bytes.Equal(b, want[:n]) {
			t.Fatalf("Window(%d) = %d bytes, %v", n, len(b), err)
		}
		want = want[n:]
	}
	// Read continues where the windows stopped.
	p := make([]byte, 10)
	if _, err := io.ReadFull(w, p); err != nil || !bytes.Equal(p, want[:10]) {
		t.Fatalf("Read after Window: %v", err)
	}
	want = want[10:]
	b, err := w.Window(len(want) + 1)
	if err != io.ErrUnexpectedEOF || !bytes.Equal(b, want) {
		t.Fatalf("last Window = %d bytes, %v; want %d bytes, ErrUnexpectedEOF", len(b), err, len(want))
	}
	if b, err := w.Window(1); err != io.EOF || len(b) != 0 {
		t.Fatalf("Window at end = %d bytes, %v", len(b), err)
	}
	if n, err := w.Read(p); n != 0 || err != io.EOF {
		t.Fatalf("Read at end = %d, %v", n, err)
	}
}

// sealedBlob stores the crypt form of a random plaintext.
func sealedBlob(t *testing.T, s *Store, size int64) (id string, st *crypt.Stream, plain []byte) {
	t.Helper()
	st, err := crypt.NewStream(crypt.NewKey(), "object")
	if err != nil {
		t.Fatal(err)
	}
	plain = randBytes(int(size))
	id = blob.NewID()
	enc := st.Encrypt(bytes.NewReader(plain), size)
	defer enc.Close()
	if _, err := s.Put(context.Background(), id, enc); err != nil {
		t.Fatal(err)
	}
	return id, st, plain
}

func decryptBlob(t *testing.T, s *Store, st *crypt.Stream, id string, size, off, n int64) io.ReadCloser {
	t.Helper()
	_, coff, cn := crypt.CipherRange(size, off, n)
	return st.Decrypt(openWindow(t, s, id, coff, cn), size, off, n)
}

func TestWindowDecryptTamperedAndShort(t *testing.T) {
	s, _ := openStore(t)
	size := int64(5<<20 + 3)
	id, st, plain := sealedBlob(t, s, size)
	path := s.path(id)

	r := decryptBlob(t, s, st, id, size, 100, size-200)
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, plain[100:size-100]) {
		t.Fatalf("ranged decrypt: %d bytes, %v", len(got), err)
	}

	sealed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One flipped byte in the middle.
	bad := bytes.Clone(sealed)
	bad[3<<20] ^= 1
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	r = decryptBlob(t, s, st, id, size, 0, size)
	if _, err := io.ReadAll(r); !errors.Is(err, crypt.ErrAuth) {
		t.Fatalf("tampered: err = %v, want ErrAuth", err)
	}
	r.Close()
	// A file shorter than the metadata says: never mapped past its end.
	if err := os.WriteFile(path, sealed[:2<<20+5], 0o600); err != nil {
		t.Fatal(err)
	}
	r = decryptBlob(t, s, st, id, size, 0, size)
	if _, err := io.ReadAll(r); !errors.Is(err, crypt.ErrAuth) {
		t.Fatalf("short file: err = %v, want ErrAuth", err)
	}
	r.Close()
}

// A blob file truncated in place while mapped faults on the pages past its
// new end; the read must fail, not crash the process with SIGBUS.
func TestWindowDecryptFileTruncatedUnderMapping(t *testing.T) {
	defer func(c int64) { mapChunk = c }(mapChunk)
	mapChunk = 64 << 20 // one mapping of the whole blob, made before the truncation
	s, _ := openStore(t)
	size := int64(16 << 20)
	id, st, plain := sealedBlob(t, s, size)

	r := decryptBlob(t, s, st, id, size, 0, size)
	defer r.Close()
	first := make([]byte, 4096)
	if _, err := io.ReadFull(r, first); err != nil || !bytes.Equal(first, plain[:4096]) {
		t.Fatalf("first read: %v", err)
	}
	if err := os.Truncate(s.path(id), 3<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, crypt.ErrAuth) {
		t.Fatalf("truncated under the mapping: err = %v, want ErrAuth", err)
	}
}

// BenchmarkDecryptBlob16MiB opens a sealed 16 MiB blob through read(2)
// into a buffer, and through mapped windows of several shapes.
func BenchmarkDecryptBlob16MiB(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	size := int64(16 << 20)
	st, _ := crypt.NewStream(crypt.NewKey(), "object")
	id := blob.NewID()
	enc := st.Encrypt(bytes.NewReader(make([]byte, size)), size)
	if _, err := s.Put(context.Background(), id, enc); err != nil {
		b.Fatal(err)
	}
	enc.Close()
	run := func(name string, hide bool, chunk int64, populate bool) {
		b.Run(name, func(b *testing.B) {
			defer func(c int64, p bool) { mapChunk, mapPopulate = c, p }(mapChunk, mapPopulate)
			mapChunk, mapPopulate = chunk, populate
			b.SetBytes(size)
			var ru0, ru1 unix.Rusage
			unix.Getrusage(unix.RUSAGE_SELF, &ru0)
			for b.Loop() {
				rc, err := s.Open(context.Background(), id, 0, -1)
				if err != nil {
					b.Fatal(err)
				}
				if hide {
					rc = struct{ io.ReadCloser }{rc}
				}
				r := st.Decrypt(rc, size, 0, size)
				if _, err := io.Copy(io.Discard, r); err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
			// CPU time, not wall time: the pipeline overlaps reading with opening.
			unix.Getrusage(unix.RUSAGE_SELF, &ru1)
			cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		})
	}
	run("read", true, 0, false)
	run("map-1MiB-populate", false, 1<<20, true)
	run("map-4MiB-populate", false, 4<<20, true)
	run("map-4MiB", false, 4<<20, false)
	run("map-all-populate", false, 1<<30, true)
	run("map-all", false, 1<<30, false)
	run("map-16MiB-populate", false, 16<<20, true)
}
