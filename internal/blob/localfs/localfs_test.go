package localfs

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"errors"
	"hash"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"talus/internal/blob"
	"talus/internal/blob/blobtest"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func openStore(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func put(t testing.TB, s *Store, id string, data []byte) {
	t.Helper()
	if _, err := s.Put(context.Background(), id, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

func listDir(t *testing.T, dir string) []string {
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

func TestOpenCreatesOnlyTmp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "store")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := listDir(t, dir); !slices.Equal(got, []string{"tmp"}) {
		t.Fatalf("fresh store holds %q, want [tmp]", got)
	}
	// Reopening an existing store works and sees its blobs.
	id := blob.NewID()
	put(t, s, id, []byte("x"))
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	rc, err := s2.Open(t.Context(), id, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
}

func TestLayout(t *testing.T) {
	s, dir := openStore(t)
	id := "abcd" + blob.NewID()[4:]
	data := []byte("hello layout")
	put(t, s, id, data)

	got, err := os.ReadFile(filepath.Join(dir, "ab", "cd", id))
	if err != nil {
		t.Fatalf("blob not at <dir>/ab/cd/<id>: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("file holds %q, want %q", got, data)
	}
	if got := listDir(t, filepath.Join(dir, "tmp")); len(got) != 0 {
		t.Fatalf("tmp holds %q after Put", got)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"ab", "tmp"}) {
		t.Fatalf("root holds %q, want [ab tmp]", got)
	}
	fi, err := os.Stat(filepath.Join(dir, "ab", "cd", id))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("blob mode %v is readable by others", fi.Mode())
	}
}

func TestFailedPutsLeaveNoTemps(t *testing.T) {
	s, dir := openStore(t)
	errBoom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader(randBytes(3<<20)), &errReader{errBoom})
	if _, err := s.Put(t.Context(), blob.NewID(), r); !errors.Is(err, errBoom) {
		t.Fatalf("Put = %v, want boom", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Put(ctx, blob.NewID(), bytes.NewReader(randBytes(10))); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v, want Canceled", err)
	}
	if got := listDir(t, filepath.Join(dir, "tmp")); len(got) != 0 {
		t.Fatalf("tmp holds %q after failed Puts", got)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"tmp"}) {
		t.Fatalf("failed Puts created %q", got)
	}
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

// zeroReader never makes progress; Put must give up rather than spin.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestPutNoProgress(t *testing.T) {
	s, _ := openStore(t)
	if _, err := s.Put(t.Context(), blob.NewID(), zeroReader{}); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("Put = %v, want io.ErrNoProgress", err)
	}
}

// cancellingReader cancels its context on the given Read call and counts
// the calls made after that.
type cancellingReader struct {
	calls, cancelAt, after int
	cancel                 context.CancelFunc
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	r.calls++
	if r.calls == r.cancelAt {
		r.cancel()
	} else if r.calls > r.cancelAt {
		r.after++
	}
	if r.calls > 10*r.cancelAt {
		return 0, io.EOF // bound the stream in case Put ignores ctx
	}
	return min(len(p), 4096), nil
}

// TestPutStopsReadingOnCancel checks that Put notices cancellation between
// reads instead of draining the body (a 4 KiB reader needs 256 reads per
// 1 MiB buffer).
func TestPutStopsReadingOnCancel(t *testing.T) {
	s, _ := openStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r := &cancellingReader{cancelAt: 300, cancel: cancel}
	if _, err := s.Put(ctx, blob.NewID(), r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v, want Canceled", err)
	}
	if r.after != 0 {
		t.Fatalf("Put made %d reads after ctx was cancelled, want 0", r.after)
	}
}

func TestWalkSweepsStaleTemps(t *testing.T) {
	s, dir := openStore(t)
	tmp := filepath.Join(dir, "tmp")
	stale, fresh := filepath.Join(tmp, "stale"), filepath.Join(tmp, "fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	// A directory in tmp/ is not ours to remove.
	if err := os.Mkdir(filepath.Join(tmp, "junkdir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(tmp, "junkdir"), old, old); err != nil {
		t.Fatal(err)
	}
	id := blob.NewID()
	put(t, s, id, []byte("x"))

	walk := func(stale time.Duration) []string {
		var ids []string
		err := s.Walk(t.Context(), stale, func(id string, _ time.Time) error {
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}

	// staleTemp <= 0 disables the sweep.
	if got := walk(0); !slices.Equal(got, []string{id}) {
		t.Fatalf("Walk = %v, want [%s]", got, id)
	}
	if got := listDir(t, tmp); !slices.Equal(got, []string{"fresh", "junkdir", "stale"}) {
		t.Fatalf("staleTemp=0 changed tmp: %q", got)
	}

	if got := walk(time.Hour); !slices.Equal(got, []string{id}) {
		t.Fatalf("Walk = %v, want [%s] (temps must not be listed)", got, id)
	}
	if got := listDir(t, tmp); !slices.Equal(got, []string{"fresh", "junkdir"}) {
		t.Fatalf("after sweep tmp holds %q, want [fresh junkdir]", got)
	}
}

func TestWalkIgnoresJunk(t *testing.T) {
	s, dir := openStore(t)
	id := "abcd" + blob.NewID()[4:]
	put(t, s, id, []byte("real"))

	misplaced := "ffff" + blob.NewID()[4:]
	dirNamed := "abcd" + blob.NewID()[4:]
	// Files the layout does not explain; Walk must neither list nor delete them.
	junk := []string{
		"README",
		"zz/cd/zzcd" + id[4:],
		"AB/cd/" + id,
		"ab/cd/notanid",
		"ab/cd/" + id + ".tmp",
		"ab/cd/ABCD" + id[4:],
		"ab/cd/" + misplaced,       // valid id in the wrong leaf
		"ab/cd/" + dirNamed + "/x", // a directory named like a blob
		"ab/cdx/" + id,
		"ab/README",
	}
	for _, p := range junk {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := s.Walk(t.Context(), time.Hour, func(id string, _ time.Time) error {
		got = append(got, id)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{id}) {
		t.Fatalf("Walk = %v, want only [%s]", got, id)
	}
	// Walk never deletes what it does not understand.
	for _, p := range junk {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			t.Errorf("junk %s disappeared: %v", p, err)
		}
	}
}

func TestWalkCancelled(t *testing.T) {
	s, _ := openStore(t)
	put(t, s, blob.NewID(), []byte("x"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Walk(ctx, time.Hour, func(string, time.Time) error {
		t.Error("fn called with a cancelled ctx")
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk = %v, want Canceled", err)
	}
}

func readAll(t *testing.T, s *Store, id string, off, length int64) []byte {
	t.Helper()
	rc, err := s.Open(t.Context(), id, off, length)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenClampsRange(t *testing.T) {
	s, _ := openStore(t)
	id, data := blob.NewID(), randBytes(100)
	put(t, s, id, data)

	if got := readAll(t, s, id, 90, 50); !bytes.Equal(got, data[90:]) {
		t.Fatalf("length past end: got %d bytes, want 10", len(got))
	}
	for _, off := range []int64{100, 101, 1 << 40} {
		if got := readAll(t, s, id, off, -1); len(got) != 0 {
			t.Fatalf("offset %d past end: got %d bytes, want 0", off, len(got))
		}
		if got := readAll(t, s, id, off, 10); len(got) != 0 {
			t.Fatalf("offset %d past end: got %d bytes, want 0", off, len(got))
		}
	}
	if _, err := s.Open(t.Context(), id, -1, 10); err == nil {
		t.Fatal("negative offset: want error")
	}
}

func TestReaderSurvivesReplaceAndDelete(t *testing.T) {
	s, _ := openStore(t)
	id, old := blob.NewID(), randBytes(1<<20)
	put(t, s, id, old)
	rc, err := s.Open(t.Context(), id, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	put(t, s, id, []byte("new"))
	if err := s.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, old) {
		t.Fatal("open reader changed when the blob was replaced")
	}
}

func TestClosedStore(t *testing.T) {
	s, _ := openStore(t)
	id := blob.NewID()
	put(t, s, id, []byte("x"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), blob.NewID(), bytes.NewReader(nil)); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Open(t.Context(), id, 0, -1); !errors.Is(err, ErrClosed) {
		t.Errorf("Open after Close = %v, want ErrClosed", err)
	}
	if err := s.Delete(t.Context(), id); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close = %v, want ErrClosed", err)
	}
	if err := s.Walk(t.Context(), 0, func(string, time.Time) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Walk after Close = %v, want ErrClosed", err)
	}
}

// TestWriterToTCP sends a ranged blob over a loopback TCP connection via the
// reader's WriteTo, the path on which net.TCPConn uses sendfile.
func TestWriterToTCP(t *testing.T) {
	s, _ := openStore(t)
	id, data := blob.NewID(), randBytes(4<<20+7)
	put(t, s, id, data)
	const off, length = 12345, 3<<20 + 1
	want := data[off : off+length]

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			t.Error(err)
			received <- nil
			return
		}
		defer c.Close()
		b, err := io.ReadAll(c)
		if err != nil {
			t.Error(err)
		}
		received <- b
	}()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(t.Context(), id, off, length)
	if err != nil {
		t.Fatal(err)
	}
	wt, ok := rc.(io.WriterTo)
	if !ok {
		t.Fatal("localfs reader does not implement io.WriterTo")
	}
	n, err := wt.WriteTo(conn)
	rc.Close()
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != length {
		t.Fatalf("WriteTo = %d, want %d", n, length)
	}
	conn.Close()
	if got := <-received; !bytes.Equal(got, want) {
		t.Fatalf("peer received %d bytes, want %d (contents differ)", len(got), len(want))
	}
}

// TestServeHTTP is the production shape: io.Copy into an http.ResponseWriter.
func TestServeHTTP(t *testing.T) {
	s, _ := openStore(t)
	id, data := blob.NewID(), randBytes(2<<20+5)
	put(t, s, id, data)
	const off = 1000
	want := data[off:]

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, err := s.Open(r.Context(), id, off, -1)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Length", strconv.Itoa(len(want)))
		if _, err := io.Copy(w, rc); err != nil {
			t.Errorf("io.Copy to ResponseWriter: %v", err)
		}
	}))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (contents differ)", len(got), len(want))
	}
}

const benchSize = 16 << 20

func BenchmarkPut16MiB(b *testing.B) {
	s, _ := openStore(b)
	data := randBytes(benchSize)
	ctx := context.Background()
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		id := blob.NewID()
		if _, err := s.Put(ctx, id, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Delete(ctx, id); err != nil { // keep disk use flat
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func BenchmarkOpenRead16MiB(b *testing.B) {
	s, _ := openStore(b)
	id := blob.NewID()
	put(b, s, id, randBytes(benchSize))
	ctx := context.Background()
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		rc, err := s.Open(ctx, id, 0, -1)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, rc); err != nil || n != benchSize {
			b.Fatalf("copied %d, %v", n, err)
		}
		rc.Close()
	}
}

// hashingReader is a request body as the S3 API reads it: every byte is
// MD5-hashed on the way in.
type hashingReader struct {
	r io.Reader
	h hash.Hash
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

// BenchmarkPutHashed16MiB is Put as PUT Object uses it: the body is
// MD5-hashed while it is read, and blobs are kept, so each one lands in
// fresh page-cache pages as in the server (deleting them, as
// BenchmarkPut16MiB does, recycles warm pages). The sub-benchmarks switch
// the write fast paths off to show what each buys.
func BenchmarkPutHashed16MiB(b *testing.B) {
	for _, c := range []struct {
		name             string
		pipeline, direct bool
	}{
		{"serial-buffered", false, false},
		{"pipelined-buffered", true, false},
		{"serial-direct", false, true},
		{"pipelined-direct", true, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			defer func(p, d bool) { pipelineWrites, directWrites = p, d }(pipelineWrites, directWrites)
			pipelineWrites, directWrites = c.pipeline, c.direct
			s, _ := openStore(b)
			data := randBytes(benchSize)
			ctx := context.Background()
			b.SetBytes(benchSize)
			b.ReportAllocs()
			for b.Loop() {
				r := &hashingReader{r: bytes.NewReader(data), h: md5.New()}
				if _, err := s.Put(ctx, blob.NewID(), r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
