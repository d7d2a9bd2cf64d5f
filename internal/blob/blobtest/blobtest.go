// Package blobtest is the conformance suite every blob.Store implementation
// runs. It uses only the blob.Store contract and the io.ReadCloser returned
// by Open; a reader's io.WriterTo, if any, is exercised only through io.Copy.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"talus/internal/blob"
)

// big is larger than common copy buffers (1 MiB) and not a multiple of them,
// so every store sees a partial final chunk.
const big = 1<<20 + 3

// Run runs the suite. Each subtest gets a fresh, empty store from newStore,
// possibly concurrently with other subtests, and closes it when it ends.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"ReaderShapes", testReaderShapes},
		{"Ranges", testRanges},
		{"CopyMatchesRead", testCopyMatchesRead},
		{"OpenMissing", testOpenMissing},
		{"InvalidIDs", testInvalidIDs},
		{"Overwrite", testOverwrite},
		{"FailingReader", testFailingReader},
		{"CancelledContext", testCancelledContext},
		{"Delete", testDelete},
		{"Walk", testWalk},
		{"WalkStops", testWalkStops},
		{"DeleteDuringWalk", testDeleteDuringWalk},
		{"ConcurrentDistinctIDs", testConcurrentDistinct},
		{"ConcurrentSameID", testConcurrentSameID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func mustPut(t *testing.T, s blob.Store, id string, data []byte) {
	t.Helper()
	n, err := s.Put(t.Context(), id, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%s, %d bytes): %v", id, len(data), err)
	}
	if n != int64(len(data)) {
		t.Fatalf("Put(%s) = %d, want %d", id, n, len(data))
	}
}

// read returns the bytes of the range using only Read, hiding any WriterTo.
func read(s blob.Store, ctx context.Context, id string, off, length int64) ([]byte, error) {
	rc, err := s.Open(ctx, id, off, length)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(struct{ io.Reader }{rc})
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	return b, err
}

func mustRead(t *testing.T, s blob.Store, id string, off, length int64) []byte {
	t.Helper()
	b, err := read(s, t.Context(), id, off, length)
	if err != nil {
		t.Fatalf("Open/read(%s, %d, %d): %v", id, off, length, err)
	}
	return b
}

func assertNotFound(t *testing.T, s blob.Store, id string) {
	t.Helper()
	rc, err := s.Open(t.Context(), id, 0, -1)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open(%s) = %v, want ErrNotFound", id, err)
	}
}

// walkAll returns every id Walk reports, failing on duplicates.
func walkAll(t *testing.T, s blob.Store) map[string]time.Time {
	t.Helper()
	got := map[string]time.Time{}
	err := s.Walk(t.Context(), time.Hour, func(id string, stored time.Time) error {
		if _, dup := got[id]; dup {
			t.Errorf("Walk reported %s twice", id)
		}
		got[id] = stored
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return got
}

func ids(m map[string]time.Time) []string {
	var out []string
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func equal(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes, want %d (contents differ)", what, len(got), len(want))
	}
}

func testRoundTrip(t *testing.T, s blob.Store) {
	for _, n := range []int{0, 1, 1 << 20, big} {
		id, data := blob.NewID(), randBytes(n)
		mustPut(t, s, id, data)
		equal(t, fmt.Sprintf("read %d bytes", n), mustRead(t, s, id, 0, -1), data)
	}
}

// testReaderShapes feeds Put readers that return short reads, data together
// with io.EOF, and empty reads, as network bodies do.
func testReaderShapes(t *testing.T, s blob.Store) {
	data := randBytes(big)
	shapes := map[string]func(io.Reader) io.Reader{
		"OneByte": func(r io.Reader) io.Reader { return iotest.OneByteReader(io.LimitReader(r, 3000)) },
		"Half":    iotest.HalfReader,
		"DataErr": iotest.DataErrReader,
		"Chunked": func(r io.Reader) io.Reader { return &chunkReader{r: r} },
	}
	for name, shape := range shapes {
		want := data
		if name == "OneByte" {
			want = data[:3000] // one byte per Read is slow under -race
		}
		id := blob.NewID()
		n, err := s.Put(t.Context(), id, shape(bytes.NewReader(data)))
		if err != nil {
			t.Fatalf("%s: Put: %v", name, err)
		}
		if n != int64(len(want)) {
			t.Fatalf("%s: Put = %d, want %d", name, n, len(want))
		}
		equal(t, name, mustRead(t, s, id, 0, -1), want)
	}
}

// chunkReader returns odd-sized chunks with an empty read between them.
type chunkReader struct {
	r     io.Reader
	calls int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	c.calls++
	if c.calls%2 == 0 {
		return 0, nil
	}
	return c.r.Read(p[:min(len(p), 4093)])
}

func testRanges(t *testing.T, s blob.Store) {
	id, data := blob.NewID(), randBytes(big)
	mustPut(t, s, id, data)
	n := int64(len(data))
	for _, r := range []struct{ off, length int64 }{
		{0, -1},
		{0, n},
		{0, 0},
		{0, 1},
		{0, 100},
		{n/2 - 7, 4096},
		{1<<20 - 5, 7}, // straddles 1 MiB
		{n - 1, 1},
		{n - 10, 10},
		{n - 10, -1},
		{12345, -1},
	} {
		want := data[r.off:]
		if r.length >= 0 {
			want = want[:r.length]
		}
		what := fmt.Sprintf("range off=%d len=%d", r.off, r.length)
		equal(t, what, mustRead(t, s, id, r.off, r.length), want)

		// iotest.TestReader checks Read's edge cases (EOF handling, small
		// buffers) on the same range.
		rc, err := s.Open(t.Context(), id, r.off, r.length)
		if err != nil {
			t.Fatal(err)
		}
		if err := iotest.TestReader(struct{ io.Reader }{rc}, want); err != nil {
			t.Errorf("%s: %v", what, err)
		}
		rc.Close()
	}
}

type writerOnly struct{ io.Writer }

// testCopyMatchesRead checks io.Copy from a reader, which uses its WriterTo
// when it has one, into writers with and without ReadFrom.
func testCopyMatchesRead(t *testing.T, s blob.Store) {
	id, data := blob.NewID(), randBytes(big)
	mustPut(t, s, id, data)
	for _, r := range []struct{ off, length int64 }{{0, -1}, {1000, 1 << 19}, {int64(len(data)) - 77, 50}} {
		want := mustRead(t, s, id, r.off, r.length)
		for _, wrap := range []bool{false, true} {
			rc, err := s.Open(t.Context(), id, r.off, r.length)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			var w io.Writer = &buf
			if wrap {
				w = writerOnly{&buf}
			}
			n, err := io.Copy(w, rc)
			rc.Close()
			if err != nil {
				t.Fatalf("io.Copy: %v", err)
			}
			if n != int64(len(want)) {
				t.Fatalf("io.Copy off=%d len=%d = %d, want %d", r.off, r.length, n, len(want))
			}
			equal(t, fmt.Sprintf("io.Copy off=%d len=%d wrapped=%v", r.off, r.length, wrap), buf.Bytes(), want)
		}
	}
}

func testOpenMissing(t *testing.T, s blob.Store) {
	assertNotFound(t, s, blob.NewID())
	rc, err := s.Open(t.Context(), blob.NewID(), 10, 5)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("ranged Open of missing blob = %v, want ErrNotFound", err)
	}
}

func testInvalidIDs(t *testing.T, s blob.Store) {
	good := blob.NewID()
	bad := []string{
		"",
		"../etc/passwd",
		strings.Repeat("../", 10) + "ab", // 32 chars
		"ab/cd/" + good[:26],             // 32 chars
		strings.ToUpper(good),
		good[:31],
		good + "0",
		good[:31] + "g",
		good[:31] + "\x00",
		good[:31] + "/",
		strings.Repeat(".", 32),
	}
	for _, id := range bad {
		if n, err := s.Put(t.Context(), id, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidID) || n != 0 {
			t.Errorf("Put(%q) = %d, %v; want 0, ErrInvalidID", id, n, err)
		}
		rc, err := s.Open(t.Context(), id, 0, -1)
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, blob.ErrInvalidID) {
			t.Errorf("Open(%q) = %v, want ErrInvalidID", id, err)
		}
		if err := s.Delete(t.Context(), id); !errors.Is(err, blob.ErrInvalidID) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidID", id, err)
		}
	}
	if got := walkAll(t, s); len(got) != 0 {
		t.Fatalf("Walk after rejected Puts lists %v", ids(got))
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	id := blob.NewID()
	long, short := randBytes(big), randBytes(10)
	mustPut(t, s, id, long)
	mustPut(t, s, id, short) // must not leave a tail of the longer value
	equal(t, "after overwrite", mustRead(t, s, id, 0, -1), short)
	mustPut(t, s, id, nil)
	equal(t, "after overwrite with empty", mustRead(t, s, id, 0, -1), nil)
	if got := ids(walkAll(t, s)); !slices.Equal(got, []string{id}) {
		t.Fatalf("Walk = %v, want [%s]", got, id)
	}
}

var errBoom = errors.New("blobtest: reader failed")

func testFailingReader(t *testing.T, s blob.Store) {
	failing := func() io.Reader {
		// More than 1 MiB first, so a store has already written part of it.
		return io.MultiReader(bytes.NewReader(randBytes(big)), iotest.ErrReader(errBoom))
	}

	fresh := blob.NewID()
	if _, err := s.Put(t.Context(), fresh, failing()); !errors.Is(err, errBoom) {
		t.Fatalf("Put with failing reader = %v, want the reader's error", err)
	}
	assertNotFound(t, s, fresh)

	// A failed overwrite leaves the old value in place.
	existing, old := blob.NewID(), randBytes(1000)
	mustPut(t, s, existing, old)
	if _, err := s.Put(t.Context(), existing, failing()); !errors.Is(err, errBoom) {
		t.Fatalf("overwrite with failing reader = %v, want the reader's error", err)
	}
	equal(t, "after failed overwrite", mustRead(t, s, existing, 0, -1), old)

	if got := ids(walkAll(t, s)); !slices.Equal(got, []string{existing}) {
		t.Fatalf("Walk = %v, want only [%s]", got, existing)
	}
}

// cancelAfter cancels its context once n bytes have been read, then keeps
// returning data, so only the store's own ctx checks can stop the Put.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	m, err := c.r.Read(p[:min(len(p), 64<<10)])
	c.n -= m
	return m, err
}

func testCancelledContext(t *testing.T, s blob.Store) {
	// Cancelled before Put starts.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	id := blob.NewID()
	if _, err := s.Put(ctx, id, strings.NewReader("data")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with cancelled ctx = %v, want context.Canceled", err)
	}
	assertNotFound(t, s, id)

	// Cancelled mid-stream, over an existing value.
	old := randBytes(100)
	mustPut(t, s, id, old)
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	r := &cancelAfter{r: bytes.NewReader(randBytes(3 << 20)), n: 3 << 19, cancel: cancel}
	if _, err := s.Put(ctx, id, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put cancelled mid-stream = %v, want context.Canceled", err)
	}
	equal(t, "after cancelled overwrite", mustRead(t, s, id, 0, -1), old)

	other := blob.NewID()
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	r = &cancelAfter{r: bytes.NewReader(randBytes(3 << 20)), n: 3 << 19, cancel: cancel}
	if _, err := s.Put(ctx, other, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put cancelled mid-stream = %v, want context.Canceled", err)
	}
	assertNotFound(t, s, other)

	if got := ids(walkAll(t, s)); !slices.Equal(got, []string{id}) {
		t.Fatalf("Walk = %v, want only [%s]", got, id)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	if err := s.Delete(t.Context(), blob.NewID()); err != nil {
		t.Fatalf("Delete of missing blob = %v, want nil", err)
	}
	id, keep := blob.NewID(), blob.NewID()
	mustPut(t, s, id, []byte("doomed"))
	mustPut(t, s, keep, []byte("kept"))
	if err := s.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	assertNotFound(t, s, id)
	if err := s.Delete(t.Context(), id); err != nil {
		t.Fatalf("second Delete = %v, want nil", err)
	}
	equal(t, "other blob", mustRead(t, s, keep, 0, -1), []byte("kept"))

	// The id is reusable after Delete.
	mustPut(t, s, id, []byte("reborn"))
	equal(t, "re-put", mustRead(t, s, id, 0, -1), []byte("reborn"))
}

func testWalk(t *testing.T, s blob.Store) {
	if got := walkAll(t, s); len(got) != 0 {
		t.Fatalf("Walk of empty store lists %v", ids(got))
	}
	start := time.Now()
	var want []string
	for i := range 20 {
		id := blob.NewID()
		mustPut(t, s, id, randBytes(i))
		want = append(want, id)
	}
	end := time.Now()
	if err := s.Delete(t.Context(), want[3]); err != nil {
		t.Fatal(err)
	}
	want = slices.Delete(want, 3, 4)
	slices.Sort(want)

	got := walkAll(t, s)
	if g := ids(got); !slices.Equal(g, want) {
		t.Fatalf("Walk = %v\nwant %v", g, want)
	}
	// Generous slack: file system timestamps are coarse.
	for id, stored := range got {
		if stored.Before(start.Add(-time.Minute)) || stored.After(end.Add(time.Minute)) {
			t.Errorf("Walk time for %s = %v, want within [%v, %v]", id, stored, start, end)
		}
	}
}

func testWalkStops(t *testing.T, s blob.Store) {
	for range 5 {
		mustPut(t, s, blob.NewID(), []byte("x"))
	}
	errStop := errors.New("stop")
	calls := 0
	err := s.Walk(t.Context(), time.Hour, func(string, time.Time) error {
		calls++
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Walk = %v, want fn's error", err)
	}
	if calls != 1 {
		t.Fatalf("fn called %d times after returning an error, want 1", calls)
	}
}

// testDeleteDuringWalk: the orphan sweeper may delete from inside fn.
func testDeleteDuringWalk(t *testing.T, s blob.Store) {
	for range 10 {
		mustPut(t, s, blob.NewID(), []byte("x"))
	}
	deleted := 0
	err := s.Walk(t.Context(), time.Hour, func(id string, _ time.Time) error {
		deleted++
		return s.Delete(t.Context(), id)
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	if deleted != 10 {
		t.Fatalf("Walk visited %d blobs, want 10", deleted)
	}
	if got := walkAll(t, s); len(got) != 0 {
		t.Fatalf("after deleting everything Walk lists %v", ids(got))
	}
}

func testConcurrentDistinct(t *testing.T, s blob.Store) {
	const n = 32
	ids := make([]string, n)
	data := make([][]byte, n)
	for i := range n {
		ids[i], data[i] = blob.NewID(), randBytes(64<<10+i)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := s.Put(t.Context(), ids[i], bytes.NewReader(data[i])); err != nil {
				t.Errorf("Put %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := range n {
		equal(t, fmt.Sprintf("blob %d", i), mustRead(t, s, ids[i], 0, -1), data[i])
	}
	if got := walkAll(t, s); len(got) != n {
		t.Fatalf("Walk lists %d blobs, want %d", len(got), n)
	}
}

// testConcurrentSameID races Puts of distinct values to one id while readers
// check that every read sees exactly one complete value and never a missing
// blob.
func testConcurrentSameID(t *testing.T, s blob.Store) {
	const (
		writers = 32
		readers = 4
		base    = 1<<20 + 1 // more than one 1 MiB chunk per value
	)
	// Value i is base+i bytes, all equal to byte('A'+i), so a read
	// identifies its value by length and any mix shows up as a stray byte.
	value := func(i int) []byte { return bytes.Repeat([]byte{byte('A' + i)}, base+i) }
	check := func(b []byte) error {
		i := len(b) - base
		if i < 0 || i >= writers {
			return fmt.Errorf("read %d bytes, not a value's length", len(b))
		}
		for j, c := range b {
			if c != byte('A'+i) {
				return fmt.Errorf("value %d has a stray byte %q at %d", i, c, j)
			}
		}
		return nil
	}

	id := blob.NewID()
	mustPut(t, s, id, value(0))

	done := make(chan struct{})
	var rwg sync.WaitGroup
	for range readers {
		rwg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				b, err := read(s, t.Context(), id, 0, -1)
				if err != nil {
					t.Errorf("read during overwrites: %v", err)
					return
				}
				if err := check(b); err != nil {
					t.Errorf("read during overwrites: %v", err)
					return
				}
			}
		})
	}
	var wwg sync.WaitGroup
	for i := range writers {
		wwg.Go(func() {
			if _, err := s.Put(t.Context(), id, bytes.NewReader(value(i))); err != nil {
				t.Errorf("Put value %d: %v", i, err)
			}
		})
	}
	wwg.Wait()
	close(done)
	rwg.Wait()

	if err := check(mustRead(t, s, id, 0, -1)); err != nil {
		t.Fatalf("final value: %v", err)
	}
	if got := ids(walkAll(t, s)); !slices.Equal(got, []string{id}) {
		t.Fatalf("Walk = %v, want [%s]", got, id)
	}
}
