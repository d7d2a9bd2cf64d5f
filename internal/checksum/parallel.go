package checksum

import (
	"io"
	"sync"
	"sync/atomic"
)

const (
	// BlockSize is the size of the buffers a Parallel hands to its stages.
	BlockSize = 1 << 20
	// ringSize bounds a Parallel's buffers, hence its memory.
	ringSize = 3
)

var blockPool = sync.Pool{New: func() any { b := make([]byte, BlockSize); return &b }}

// Parallel is a pipeline that feeds a stream of bytes, in order, to stages
// each running in its own goroutine, so digests that would run one after
// the other on the writer's core run side by side. Write copies into
// pooled BlockSize buffers, at most ringSize of them: when every buffer is
// still being hashed, Write waits. A stage whose Write fails stops the
// pipeline: later Writes and Close return the first error. Close must
// always be called; it waits for the stages and frees the buffers.
// Parallel is not safe for concurrent use.
type Parallel struct {
	stages []chan *block
	wg     sync.WaitGroup
	free   chan *[]byte
	made   int
	cur    *[]byte
	fill   int
	n      int64
	count  *int64 // also advanced by Write (a Hasher's Len); may be nil

	stop   atomic.Bool // stages skip their work from now on
	mu     sync.Mutex
	err    error
	closed bool
}

// block is a filled buffer shared by the stages; the last to finish with
// it returns it to the ring.
type block struct {
	buf  *[]byte
	n    int
	refs atomic.Int32
}

// NewParallel starts one goroutine per stage.
func NewParallel(stages ...io.Writer) *Parallel {
	p := &Parallel{free: make(chan *[]byte, ringSize)}
	for _, w := range stages {
		in := make(chan *block, ringSize)
		p.stages = append(p.stages, in)
		p.wg.Add(1)
		go p.run(w, in)
	}
	return p
}

// Parallel returns a pipeline in which each of h's digests is a stage of
// its own, followed by extra stages. Len counts the bytes written to it;
// the sums are h's once the pipeline's Close has returned.
func (h *Hasher) Parallel(extra ...io.Writer) *Parallel {
	stages := make([]io.Writer, 0, len(h.all)+len(extra))
	for _, x := range h.all {
		stages = append(stages, x)
	}
	p := NewParallel(append(stages, extra...)...)
	p.count = &h.n
	return p
}

func (p *Parallel) run(w io.Writer, in <-chan *block) {
	defer p.wg.Done()
	for b := range in {
		if !p.stop.Load() {
			if _, err := w.Write((*b.buf)[:b.n]); err != nil {
				p.fail(err)
			}
		}
		if b.refs.Add(-1) == 0 {
			p.free <- b.buf
		}
	}
}

func (p *Parallel) fail(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
	p.stop.Store(true)
}

// Err returns the first stage error so far.
func (p *Parallel) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Write queues b for every stage. It fails only once a stage has failed.
func (p *Parallel) Write(b []byte) (int, error) {
	if err := p.Err(); err != nil {
		return 0, err
	}
	if p.closed {
		return 0, errClosed
	}
	n := len(b)
	for len(b) > 0 {
		if p.cur == nil {
			p.cur = p.buffer()
			p.fill = 0
		}
		k := copy((*p.cur)[p.fill:], b)
		p.fill += k
		b = b[k:]
		if p.fill == BlockSize {
			p.dispatch()
		}
	}
	p.n += int64(n)
	if p.count != nil {
		*p.count += int64(n)
	}
	return n, nil
}

// buffer returns a free buffer, waiting for one when the ring is full.
func (p *Parallel) buffer() *[]byte {
	select {
	case b := <-p.free:
		return b
	default:
	}
	if p.made < ringSize {
		p.made++
		return blockPool.Get().(*[]byte)
	}
	return <-p.free
}

func (p *Parallel) dispatch() {
	if p.cur == nil || p.fill == 0 {
		return
	}
	b := &block{buf: p.cur, n: p.fill}
	p.cur, p.fill = nil, 0
	if len(p.stages) == 0 {
		p.free <- b.buf
		return
	}
	b.refs.Store(int32(len(p.stages)))
	for _, in := range p.stages {
		in <- b // never blocks: a channel holds ringSize blocks
	}
}

// Flush hands the bytes written so far to the stages without waiting for
// a full buffer, so a stage can catch up with the writer.
func (p *Parallel) Flush() {
	if !p.closed {
		p.dispatch()
	}
}

// Len is the number of bytes written.
func (p *Parallel) Len() int64 { return p.n }

// Close hands the last bytes to the stages, waits for them and frees the
// buffers. It returns the first stage error; calling it again returns the
// same.
func (p *Parallel) Close() error {
	if !p.closed {
		p.dispatch()
		p.closed = true
		for _, in := range p.stages {
			close(in)
		}
		p.wg.Wait()
		if p.cur != nil {
			p.free <- p.cur
			p.cur = nil
		}
		for ; p.made > 0; p.made-- {
			blockPool.Put(<-p.free)
		}
	}
	return p.Err()
}

// Stop is Close for a stream being abandoned: the stages skip what they
// have not started.
func (p *Parallel) Stop() {
	p.stop.Store(true)
	p.Close()
}

type closedError struct{}

func (closedError) Error() string { return "checksum: write to a closed pipeline" }

var errClosed error = closedError{}
