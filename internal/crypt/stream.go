package crypt

import (
	"errors"
	"io"
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
	e := &encrypter{s: s, src: src, plain: make([]byte, SegmentSize)}
	return newPipe(e.fill, sizeHint < 0 || sizeHint > batchSegments*SegmentSize, nil, batchSegments*sealedSegment)
}

type encrypter struct {
	s       *Stream
	src     io.Reader
	plain   []byte
	index   int64
	peek    [1]byte
	hasPeek bool
}

// fill seals up to one batch of segments into dst. A segment is known to
// be the last when one byte past it cannot be read.
func (e *encrypter) fill(dst []byte) ([]byte, bool, error) {
	for range batchSegments {
		start := 0
		if e.hasPeek {
			e.plain[0], start, e.hasPeek = e.peek[0], 1, false
		}
		n, err := io.ReadFull(e.src, e.plain[start:])
		n += start
		last := false
		switch {
		case err == nil:
			// A full segment: it is the last one if nothing follows.
			m, perr := io.ReadFull(e.src, e.peek[:])
			switch {
			case m == 1:
				e.hasPeek = true
			case perr == io.EOF:
				last = true
			default:
				return dst, false, perr
			}
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			last = true
		default:
			return dst, false, err
		}
		var serr error
		if dst, serr = e.s.sealSegment(dst, e.plain[:n], e.index, last); serr != nil {
			return dst, false, serr
		}
		e.index++
		if last {
			return dst, true, nil
		}
	}
	return dst, false, nil
}

// Decrypt returns a reader of plaintext bytes [off, off+n) of a stream
// whose plaintext is size bytes long. r must read the stored bytes from
// the offset CipherRange returns (to its end or further); Decrypt owns r
// and closes it on Close. Any damaged, missing or misplaced stored byte
// makes Read fail with ErrAuth before a byte of its segment is returned.
func (s *Stream) Decrypt(r io.ReadCloser, size, off, n int64) io.ReadCloser {
	first, _, _ := CipherRange(size, off, n)
	d := &decrypter{s: s, src: r, size: size, index: first, segs: Segments(size),
		skip: off - first*SegmentSize, remain: n, sealed: make([]byte, sealedSegment)}
	if n <= 0 {
		d.remain = 0
		if size != 0 {
			return newPipe(func(dst []byte) ([]byte, bool, error) { return dst, true, nil }, false, r, 0)
		}
	}
	return newPipe(d.fill, n > 2*batchSegments*SegmentSize, r, batchSegments*SegmentSize+SegmentSize)
}

type decrypter struct {
	s            *Stream
	src          io.Reader
	size         int64
	index, segs  int64
	skip, remain int64
	sealed       []byte
}

func (d *decrypter) fill(dst []byte) ([]byte, bool, error) {
	for range batchSegments {
		last := d.index == d.segs-1
		plen := int64(SegmentSize)
		if last {
			plen = d.size - d.index*SegmentSize
		}
		if d.index >= d.segs || plen < 0 {
			return dst, false, ErrAuth
		}
		buf := d.sealed[:plen+Overhead]
		if _, err := io.ReadFull(d.src, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = ErrAuth
			}
			return dst, false, err
		}
		start := len(dst)
		out, err := d.s.openSegment(dst, buf, d.index, last)
		if err != nil {
			return dst, false, err
		}
		seg := out[start:]
		seg = seg[d.skip:]
		d.skip = 0
		if int64(len(seg)) > d.remain {
			seg = seg[:d.remain]
		}
		d.remain -= int64(len(seg))
		dst = append(out[:start], seg...)
		d.index++
		if d.remain == 0 {
			return dst, true, nil
		}
	}
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
	once      sync.Once
	closed    bool
}

func newPipe(fill func([]byte) ([]byte, bool, error), async bool, closer io.Closer, batch int) *pipe {
	p := &pipe{fill: fill, closer: closer, async: async}
	if !async {
		return p
	}
	p.full = make(chan []byte, 1)
	p.free = make(chan []byte, 2)
	p.stop = make(chan struct{})
	p.done = make(chan struct{})
	p.free <- make([]byte, 0, batch)
	p.free <- make([]byte, 0, batch)
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
	})
	return err
}
