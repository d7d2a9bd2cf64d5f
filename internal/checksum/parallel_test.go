package checksum

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 9))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// writePieces writes data to w in pieces of random size up to max.
func writePieces(t *testing.T, w interface{ Write([]byte) (int, error) }, data []byte, max int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	for len(data) > 0 {
		k := min(len(data), 1+r.IntN(max))
		if n, err := w.Write(data[:k]); err != nil || n != k {
			t.Fatalf("Write = %d, %v", n, err)
		}
		data = data[k:]
	}
}

func TestParallelMatchesSerial(t *testing.T) {
	sizes := []int{0, 1, BlockSize - 1, BlockSize, BlockSize + 1, 2*BlockSize - 1, 3 * BlockSize, 4*BlockSize + 1, 5*BlockSize + 7}
	for i := 0; i < 4; i++ {
		sizes = append(sizes, rand.IntN(6*BlockSize))
	}
	data := randomBytes(6*BlockSize, 1)
	for i, size := range sizes {
		for _, alg := range Algorithms {
			serial := NewHasher(true, false, alg)
			serial.Write(data[:size])
			h := NewHasher(true, false, alg)
			p := h.Parallel()
			// Pieces both smaller and larger than a block.
			writePieces(t, p, data[:size], []int{4093, 3 << 20}[i%2], uint64(i))
			if p.Len() != int64(size) || h.Len() != int64(size) {
				t.Fatalf("size %d: Len = %d/%d", size, p.Len(), h.Len())
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(h.MD5(), serial.MD5()) || !bytes.Equal(h.Sum(alg), serial.Sum(alg)) {
				t.Fatalf("size %d %s: sums differ from the serial Hasher", size, alg)
			}
		}
	}
}

// failAfter fails once it has seen more than limit bytes.
type failAfter struct {
	limit, seen int
	err         error
	calls       atomic.Int32
}

func (f *failAfter) Write(b []byte) (int, error) {
	f.calls.Add(1)
	f.seen += len(b)
	if f.seen > f.limit {
		return 0, f.err
	}
	return len(b), nil
}

func TestParallelStageErrorStops(t *testing.T) {
	boom := errors.New("boom")
	f := &failAfter{limit: BlockSize, err: boom}
	h := NewHasher(true, false, CRC32)
	p := h.Parallel(f)
	data := randomBytes(BlockSize, 2)
	var err error
	// The failure surfaces from a later Write, well before the stream ends.
	for i := 0; i < 100 && err == nil; i++ {
		_, err = p.Write(data)
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(err, boom) {
		t.Fatalf("Write error = %v, want boom", err)
	}
	if got := p.Close(); !errors.Is(got, boom) {
		t.Fatalf("Close = %v, want boom", got)
	}
	if got := p.Close(); !errors.Is(got, boom) {
		t.Fatalf("second Close = %v, want boom", got)
	}
	if p.made != 0 || len(p.free) != 0 || p.cur != nil {
		t.Fatalf("buffers not freed: made %d, free %d", p.made, len(p.free))
	}
	if c := f.calls.Load(); c > 3 {
		t.Errorf("the failed stage was called %d times, want it stopped after the failure", c)
	}
	if _, err := p.Write(data); err == nil {
		t.Error("Write after Close succeeded")
	}
}

// slow blocks until released, to show Write waiting on a full ring.
type slow struct{ release chan struct{} }

func (s *slow) Write(b []byte) (int, error) { <-s.release; return len(b), nil }

func TestParallelBoundedRing(t *testing.T) {
	s := &slow{release: make(chan struct{})}
	p := NewParallel(s)
	data := randomBytes(BlockSize, 3)
	done := make(chan struct{})
	go func() {
		for i := 0; i < ringSize+2; i++ {
			p.Write(data)
		}
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("Write did not wait for a free buffer")
	case <-time.After(100 * time.Millisecond):
	}
	close(s.release)
	<-done
	if p.made > ringSize {
		t.Fatalf("%d buffers, want at most %d", p.made, ringSize)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParallelNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	data := randomBytes(2*BlockSize+5, 4)
	for i := 0; i < 50; i++ {
		h := NewHasher(true, false, CRC64NVME)
		p := h.Parallel(&failAfter{limit: BlockSize + i*1000, err: errors.New("x")})
		p.Write(data[:i*40000])
		if i%2 == 0 {
			p.Stop()
		} else {
			p.Close()
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after, %d before", n, before)
	}
}

func BenchmarkPutPipeline(b *testing.B) {
	data := randomBytes(16<<20, 5)
	for _, alg := range []Algorithm{"", CRC32, SHA256} {
		name := string(alg)
		if name == "" {
			name = "md5"
		}
		algs := []Algorithm{}
		if alg != "" {
			algs = append(algs, alg)
		}
		b.Run(name+"/serial", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				h := NewHasher(true, false, algs...)
				for off := 0; off < len(data); off += 32 << 10 {
					h.Write(data[off : off+32<<10])
				}
				h.MD5()
			}
		})
		b.Run(name+"/parallel", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				h := NewHasher(true, false, algs...)
				p := h.Parallel()
				for off := 0; off < len(data); off += 32 << 10 {
					p.Write(data[off : off+32<<10])
				}
				p.Close()
				h.MD5()
			}
		})
	}
}
