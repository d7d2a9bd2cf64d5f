package crypt

import (
	"errors"
	"io"
	"runtime/debug"
	"sync"
)

// batchSegments is how many segments one pipeline step seals or opens;
// a pipeline holds two batches (about 2 MiB) at most.
const batchSegments = 16

// Encrypt returns a reader of the stored form of src's bytes. sizeHint is
// the plaintext size if known (-1 otherwise); streams longer than one
// batch are sealed on a second goroutine while the caller writes the
// previous batch. A read error of src is returned by Read. Close releases
// the pipeline; it does not close src.
func (s *Stream) Encrypt(src io.Reader, sizeHint int64) io.ReadCloser {
	k := int64(batchSegments)
	if sizeHint >= 0 {
		k = min(k, Segments(sizeHint))
	}
	// One byte more than k segments: when it arrives, the batch's last
	// segment is not the stream's last.
	e := &encrypter{s: s, src: src, plain: make([]byte, k*SegmentSize+1)}
	return newPipe(e.fill, sizeHint < 0 || sizeHint > batchSegments*SegmentSize, nil, batchSegments*sealedSegment)
}

type encrypter struct {
	s       *Stream
	src     io.Reader
	plain   []byte // k segments plus one byte
	index   int64
	peek    byte
	hasPeek bool
}

// fill reads up to one batch of plaintext and seals it into dst. A
// segment is the last when nothing follows it.
func (e *encrypter) fill(dst []byte) ([]byte, bool, error) {
	start := 0
	if e.hasPeek {
		e.plain[0], start, e.hasPeek = e.peek, 1, false
	}
	n, err := io.ReadFull(e.src, e.plain[start:])
	n += start
	more := err == nil
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return dst, false, err
	}
	data := e.plain[:n]
	if more {
		e.peek, e.hasPeek = data[n-1], true
		data = data[:n-1] // exactly k full segments
	}
	for off := 0; ; off += SegmentSize {
		end := min(off+SegmentSize, len(data))
		last := !more && end == len(data)
		var serr error
		if dst, serr = e.s.sealSegment(dst, data[off:end], e.index, last); serr != nil {
			return dst, false, serr
		}
		e.index++
		if end == len(data) {
			return dst, last, nil
		}
	}
}

// Decrypt returns a reader of plaintext bytes [off, off+n) of a stream
// whose plaintext is size bytes long. r must read the stored bytes from
// the offset CipherRange returns (to its end or further); Decrypt owns r
// and closes it on Close. Any damaged, missing or misplaced stored byte
// makes Read fail with ErrAuth before a byte of its segment is returned.
func (s *Stream) Decrypt(r io.ReadCloser, size, off, n int64) io.ReadCloser {
	if n <= 0 {
		n = 0
		if size != 0 {
			return newPipe(func(dst []byte) ([]byte, bool, error) { return dst, true, nil }, false, r, 0)
		}
	}
	first, _, _ := CipherRange(size, off, n)
	last := first
	if n > 0 {
		last = (off + n - 1) / SegmentSize
	}
	k := min(int64(batchSegments), last-first+1)
	d := &decrypter{s: s, src: r, size: size, index: first, last: last, segs: Segments(size),
		skip: off - first*SegmentSize, remain: n}
	// A source that lends its bytes needs no buffer to read them into.
	_, lends := r.(windowReader)
	if n <= 2*batchSegments*SegmentSize {
		if !lends {
			d.sealed = make([]byte, k*sealedSegment)
		}
		return newPipe(d.fill, false, r, 0)
	}
	// Long reads take their buffers from a pool and give them back on
	// Close, once the pipeline's goroutine has stopped.
	bufs := []*[]byte{getBuffer(), getBuffer()}
	if !lends {
		bufs = append(bufs, getBuffer())
		d.sealed = (*bufs[2])[:batchSegments*sealedSegment]
	}
	p := newPipeBuffers(d.fill, r, (*bufs[0])[:0], (*bufs[1])[:0])
	p.release = func() {
		for _, b := range bufs {
			bufferPool.Put(b)
		}
	}
	return p
}

// bufferPool holds batch buffers of long reads.
var bufferPool = sync.Pool{New: func() any {
	b := make([]byte, batchSegments*sealedSegment)
	return &b
}}

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

type decrypter struct {
	s            *Stream
	src          io.Reader
	size         int64
	index, last  int64 // next segment to open, last one needed
	segs         int64
	skip, remain int64
	sealed       []byte
	scratch      []byte
	lent         bool // the last read borrowed mapped bytes (windowReader)
}

// windowReader is blob.WindowReader: a source that lends its bytes in
// place, which saves copying them into sealed.
type windowReader interface {
	Window(n int) ([]byte, error)
}

// read returns the next n sealed bytes, borrowed from the source if it
// lends them.
func (d *decrypter) read(n int) ([]byte, error) {
	if w, ok := d.src.(windowReader); ok {
		d.lent = true
		return w.Window(n)
	}
	buf := d.sealed[:n]
	_, err := io.ReadFull(d.src, buf)
	return buf, err
}

// catchFault turns a memory fault while opening borrowed (mapped) bytes
// into ErrAuth: a stored file cut short under the mapping must fail the
// read, not crash the process. Deferred by fill when bytes are borrowed;
// old is the goroutine's previous SetPanicOnFault setting.
func catchFault(err *error, old bool) {
	debug.SetPanicOnFault(old)
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		*err = ErrAuth
		return
	}
	panic(r)
}

// plainLen is the plaintext length of segment i.
func (d *decrypter) plainLen(i int64) int64 {
	if i == d.segs-1 {
		return d.size - i*SegmentSize
	}
	return SegmentSize
}

// fill reads the sealed bytes of up to one batch of segments in one go
// and opens them into dst, trimmed to the requested range.
func (d *decrypter) fill(dst []byte) (_ []byte, _ bool, err error) {
	if d.index > d.last || d.index >= d.segs {
		return dst, false, ErrAuth
	}
	count := min(int64(batchSegments), d.last-d.index+1)
	total := int64(0)
	for i := d.index; i < d.index+count; i++ {
		total += d.plainLen(i) + Overhead
	}
	buf, err := d.read(int(total))
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = ErrAuth
		}
		return dst, false, err
	}
	if d.lent {
		defer catchFault(&err, debug.SetPanicOnFault(true))
	}
	for i := d.index; i < d.index+count; i++ {
		clen := d.plainLen(i) + Overhead
		seg := buf[:clen]
		buf = buf[clen:]
		final := i == d.segs-1
		var err error
		if d.skip > 0 {
			// Only the first segment of a range starts inside it.
			var out []byte
			if out, err = d.s.openSegment(d.scratch[:0], seg, i, final); err != nil {
				return dst, false, err
			}
			d.scratch = out[:0]
			out = out[d.skip:]
			d.skip = 0
			out = out[:min(int64(len(out)), d.remain)]
			dst = append(dst, out...)
			d.remain -= int64(len(out))
		} else {
			start := len(dst)
			out, err := d.s.openSegment(dst, seg, i, final)
			if err != nil {
				return dst, false, err
			}
			dst = out
			if got := int64(len(dst) - start); got > d.remain {
				dst = dst[:start+int(d.remain)]
			}
			d.remain -= int64(len(dst) - start)
		}
		if d.remain == 0 {
			d.index = i + 1
			return dst, true, nil
		}
	}
	d.index += count
	return dst, false, nil
}

// pipe turns a fill function into a reader. In async mode fill runs on
// its own goroutine, one batch ahead of the reader.
type pipe struct {
	fill   func(dst []byte) ([]byte, bool, error)
	closer io.Closer
	async  bool

	// sync mode
	buf      []byte
	finished bool

	// async mode
	full chan []byte
	free chan []byte
	stop chan struct{}
	done chan struct{}

	cur, held []byte
	err       error
	release   func() // returns pooled buffers once the goroutine has stopped
	once      sync.Once
	closed    bool
}

func newPipe(fill func([]byte) ([]byte, bool, error), async bool, closer io.Closer, batch int) *pipe {
	if !async {
		return &pipe{fill: fill, closer: closer}
	}
	return newPipeBuffers(fill, closer, make([]byte, 0, batch), make([]byte, 0, batch))
}

// newPipeBuffers starts an async pipe over the two given batch buffers.
func newPipeBuffers(fill func([]byte) ([]byte, bool, error), closer io.Closer, a, b []byte) *pipe {
	p := &pipe{fill: fill, closer: closer, async: true}
	p.full = make(chan []byte, 1)
	p.free = make(chan []byte, 2)
	p.stop = make(chan struct{})
	p.done = make(chan struct{})
	p.free <- a
	p.free <- b
	go p.run()
	return p
}

func (p *pipe) run() {
	defer close(p.done)
	defer close(p.full)
	for {
		var b []byte
		select {
		case b = <-p.free:
		case <-p.stop:
			return
		}
		out, last, err := p.fill(b[:0])
		if len(out) > 0 {
			select {
			case p.full <- out:
			case <-p.stop:
				return
			}
		}
		if err != nil {
			p.err = err
			return
		}
		if last {
			return
		}
	}
}

var errClosed = errors.New("crypt: read after close")

func (p *pipe) Read(b []byte) (int, error) {
	if p.closed {
		return 0, errClosed
	}
	for len(p.cur) == 0 {
		if !p.async {
			if p.finished || p.err != nil {
				if p.err != nil {
					return 0, p.err
				}
				return 0, io.EOF
			}
			p.cur, p.finished, p.err = p.fill(p.buf[:0])
			p.buf = p.cur[:0]
			continue
		}
		if p.held != nil {
			p.free <- p.held
			p.held = nil
		}
		out, ok := <-p.full
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.cur, p.held = out, out[:0]
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// WriteTo hands whole batches to w.
func (p *pipe) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(p.cur) == 0 {
			if _, err := p.Read(nil); err != nil {
				if err == io.EOF {
					return total, nil
				}
				return total, err
			}
		}
		n, err := w.Write(p.cur)
		total += int64(n)
		p.cur = p.cur[n:]
		if err != nil {
			return total, err
		}
	}
}

// Close stops the pipeline and closes the underlying reader, if owned.
func (p *pipe) Close() error {
	var err error
	p.once.Do(func() {
		p.closed = true
		if p.async {
			close(p.stop)
			if p.closer != nil {
				<-p.done // the goroutine reads from closer's reader
			}
		}
		if p.closer != nil {
			err = p.closer.Close()
		}
		if p.release != nil && (!p.async || p.closer != nil) {
			p.cur, p.held = nil, nil
			p.release()
		}
	})
	return err
}
