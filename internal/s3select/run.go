package s3select

import (
	"compress/bzip2"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"talus/internal/s3err"
)

// Source is the object a scan reads: its size and its plaintext bytes.
type Source struct {
	Size int64
	// Open returns length bytes of the object from off.
	Open func(off, length int64) (io.ReadCloser, error)
}

// FlushSize is the Records payload size at which a Records event is sent.
const FlushSize = 256 << 10

// Intervals of the stream: a Records event holds rows at most flushEvery
// old, Progress events (when asked for) come every progressEvery, and a
// Cont event keeps the connection alive after contEvery with no event.
var (
	flushEvery    = 200 * time.Millisecond
	progressEvery = time.Second
	contEvery     = time.Second
)

// Scan is an opened query: the object is open and its header read.
type Scan struct {
	p       *Plan
	now     time.Time
	closers []io.Closer
	scanned *counter
	proc    *counter
	csv     *csvReader
	hdr     *header
	json    interface{ next() (Value, error) }
	pq      *parquetReader
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	atomic.AddInt64(&c.n, int64(n))
	return n, err
}

func (c *counter) count() int64 { return atomic.LoadInt64(&c.n) }

// readerAt reads a Source at random offsets (Parquet).
type readerAt struct {
	src Source
	n   *int64
}

func (r readerAt) ReadAt(b []byte, off int64) (int, error) {
	if off >= r.src.Size {
		return 0, io.EOF
	}
	n := int64(len(b))
	if off+n > r.src.Size {
		n = r.src.Size - off
	}
	rc, err := r.src.Open(off, n)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	got, err := io.ReadFull(rc, b[:n])
	atomic.AddInt64(r.n, int64(got))
	if err == nil && int64(got) < int64(len(b)) {
		err = io.EOF
	}
	return got, err
}

// Open opens the object for the plan: errors here (a missing header, a
// bad GZIP header, an unreadable Parquet footer) come before the response
// starts.
func (p *Plan) Open(ctx context.Context, src Source, now time.Time) (*Scan, error) {
	s := &Scan{p: p, now: now.UTC()}
	if p.req.ParquetIn {
		s.scanned = &counter{}
		pr, err := newParquetReader(readerAt{src: src, n: &s.scanned.n}, src.Size)
		if err != nil {
			return nil, err
		}
		s.pq = pr
		s.proc = s.scanned
		return s, nil
	}
	start, end := int64(0), src.Size-1
	if sr := p.req.ScanRange; sr != nil {
		switch {
		case sr.Start == nil && sr.End != nil:
			start = max(src.Size-*sr.End, 0)
		case sr.Start != nil:
			start = *sr.Start
			if sr.End != nil && *sr.End < end {
				end = *sr.End
			}
		}
	}
	if start >= src.Size {
		start, end = src.Size, src.Size-1 // nothing to read
	}
	from := max(start-1, 0)
	rc, err := src.Open(from, src.Size-from)
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, rc)
	s.scanned = &counter{r: rc}
	var r io.Reader = s.scanned
	switch p.req.Compression {
	case "GZIP":
		zr, err := gzip.NewReader(r)
		if err != nil {
			s.Close()
			return nil, s3err.Newf(s3err.InvalidCompressionFormat, "The object is not in GZIP format: %v.", err)
		}
		r = zr
	case "BZIP2":
		r = bzip2.NewReader(r)
	}
	s.proc = &counter{r: r}
	rd := byte('\n')
	if p.req.CSVIn != nil {
		rd = p.csvIn.rd
	}
	lines := newLineReader(s.proc, rd)
	if start > 0 {
		if err := lines.skipPartial(); err != nil && err != io.EOF {
			s.Close()
			return nil, err
		}
	}
	if end < src.Size-1 {
		lines.stopAfter = end - from
	}
	switch {
	case p.req.CSVIn != nil:
		s.csv = newCSVReader(lines, p.csvIn)
		if p.csvIn.header != "NONE" {
			if start > 0 { // the header is the object's first record
				if err := s.readHeaderAt(src); err != nil {
					s.Close()
					return nil, err
				}
			} else if err := s.readHeader(s.csv); err != nil {
				s.Close()
				return nil, err
			}
		}
	case p.lines:
		s.json = &jsonLinesReader{lines: lines}
	default:
		s.json = newJSONDocReader(s.proc)
	}
	return s, nil
}

func (s *Scan) readHeader(c *csvReader) error {
	f, err := c.next()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if s.p.csvIn.header == "USE" {
		names := make([]string, len(f))
		for i, n := range f {
			names[i] = string(n)
		}
		s.hdr = newHeader(names)
	}
	return nil
}

func (s *Scan) readHeaderAt(src Source) error {
	rc, err := src.Open(0, min(src.Size, MaxRecordSize+2))
	if err != nil {
		return err
	}
	defer rc.Close()
	return s.readHeader(newCSVReader(newLineReader(rc, s.p.csvIn.rd), s.p.csvIn))
}

// Close releases the object.
func (s *Scan) Close() {
	for _, c := range s.closers {
		c.Close()
	}
	if s.pq != nil {
		s.pq.close()
	}
}

// Run streams the result as event-stream messages to w, calling flush
// after each message that should reach the client now. An error found
// while scanning is sent as an error message and returned.
func (s *Scan) Run(ctx context.Context, w io.Writer, flush func()) error {
	defer s.Close()
	ew := newEventWriter(w)
	r := &runner{s: s, ew: ew, flush: flush, last: time.Now(), lastProgress: time.Now()}
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go r.ticker(ctx, stop, ticked)
	err := r.scan(ctx)
	close(stop)
	<-ticked
	if err == nil {
		err = r.tickErr
	}
	if err == nil {
		err = r.finish()
	}
	if err != nil {
		if werr := r.sendRecords(); werr != nil { // the rows found before it
			return err
		}
		e, ok := s3err.As(err)
		if !ok {
			e = s3err.Internal(err)
		}
		if werr := ew.fail(string(e.Code), e.Message); werr == nil {
			flush()
		}
		return err
	}
	return nil
}

type runner struct {
	// mu serializes the scan's rows with the ticker's time-driven events.
	mu           sync.Mutex
	tickErr      error
	s            *Scan
	ew           *eventWriter
	flush        func()
	buf          []byte
	bufSince     time.Time
	returned     int64
	emitted      int64
	last         time.Time // last event sent
	lastProgress time.Time
	vals         []Value
	names        []string
	aggs         []aggState
	rows         int
}

func (r *runner) stats() Stats {
	return Stats{BytesScanned: r.s.scanned.count(), BytesProcessed: r.s.proc.count(), BytesReturned: r.returned}
}

// ticker sends the time-driven events while the scan may be blocked
// reading the object.
func (r *runner) ticker(ctx context.Context, stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(min(flushEvery, contEvery, progressEvery) / 2)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			r.mu.Lock()
			if r.tickErr == nil {
				r.tickErr = r.tick(ctx)
			}
			r.mu.Unlock()
		}
	}
}

func (r *runner) sendRecords() error {
	if len(r.buf) == 0 {
		return nil
	}
	if err := r.ew.records(r.buf); err != nil {
		return err
	}
	r.returned += int64(len(r.buf))
	r.buf = r.buf[:0]
	r.last = time.Now()
	r.flush()
	return nil
}

// tick sends what is due by time: old rows, Progress, Cont.
func (r *runner) tick(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	if len(r.buf) > 0 && now.Sub(r.bufSince) >= flushEvery {
		if err := r.sendRecords(); err != nil {
			return err
		}
	}
	if r.s.p.req.RequestProgress && now.Sub(r.lastProgress) >= progressEvery {
		if err := r.ew.progress(r.stats()); err != nil {
			return err
		}
		r.lastProgress, r.last = now, now
		r.flush()
	}
	if now.Sub(r.last) >= contEvery {
		if err := r.ew.cont(); err != nil {
			return err
		}
		r.last = now
		r.flush()
	}
	return nil
}

func (r *runner) scan(ctx context.Context) error {
	q := r.s.p.q
	if q.Aggregates {
		r.aggs = make([]aggState, len(q.aggs))
	}
	e := &env{q: q, now: r.s.now, csv: r.s.csv != nil, hdr: r.s.hdr}
	for {
		if q.Limit >= 0 && r.emitted >= q.Limit && !q.Aggregates {
			return nil
		}
		r.rows++
		if r.rows&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		switch {
		case r.s.csv != nil:
			f, err := r.s.csv.next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			e.fields = f
			if err := r.locked(e); err != nil {
				return err
			}
		default:
			var v Value
			var err error
			if r.s.pq != nil {
				v, err = r.s.pq.next()
			} else {
				v, err = r.s.json.next()
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					return s3err.New(s3err.TruncatedInput)
				}
				return err
			}
			for _, fv := range fromValues(v, q.From) {
				e.val = fv
				if err := r.locked(e); err != nil {
					return err
				}
				if q.Limit >= 0 && r.emitted >= q.Limit && !q.Aggregates {
					return nil
				}
			}
		}
	}
}

// fromValues applies FROM S3Object's path to a record.
func fromValues(v Value, steps []pathStep) []Value {
	vals := []Value{v}
	for i, st := range steps {
		var next []Value
		for _, x := range vals {
			switch {
			case st.wildcard:
				if x.k == kList {
					next = append(next, x.l...)
				} else if i == 0 {
					next = append(next, x)
				}
			default:
				if y := navigate(x, []pathStep{st}); y.k != kMissing {
					next = append(next, y)
				}
			}
		}
		vals = next
	}
	return vals
}

// locked handles one record under the runner's lock.
func (r *runner) locked(e *env) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tickErr != nil {
		return r.tickErr
	}
	return r.record(e)
}

func (r *runner) record(e *env) error {
	q := r.s.p.q
	if q.Where != nil {
		v, err := e.eval(q.Where)
		if err != nil {
			return err
		}
		if !truth(v) {
			return nil
		}
	}
	if q.Aggregates {
		for i, a := range q.aggs {
			v := boolV(true) // COUNT(*)
			if a.arg != nil {
				var err error
				if v, err = e.eval(a.arg); err != nil {
					return err
				}
			}
			if err := r.aggs[i].add(a.name, v); err != nil {
				return err
			}
		}
		return nil
	}
	return r.output(e)
}

func (r *runner) output(e *env) error {
	q, o := r.s.p.q, &r.s.p.out
	before := len(r.buf)
	if len(r.buf) == 0 {
		r.bufSince = time.Now()
	}
	switch {
	case q.Star && o.csv && e.csv:
		r.buf = o.appendCSVRecord(r.buf, e.fields)
	case q.Star:
		rec := e.recordValue()
		if o.csv {
			r.vals = r.vals[:0]
			if rec.k == kObject {
				r.vals = append(r.vals, rec.o.vals...)
			} else {
				r.vals = append(r.vals, rec)
			}
			r.buf = o.appendRecord(r.buf, r.vals, nil)
		} else {
			if rec.k == kObject {
				r.buf = appendJSON(r.buf, rec)
			} else {
				r.buf = append(append(r.buf, `{"_1":`...), appendJSON(nil, rec)...)
				r.buf = append(r.buf, '}')
			}
			r.buf = append(r.buf, o.rd...)
		}
	default:
		r.vals, r.names = r.vals[:0], r.names[:0]
		for i, it := range q.Items {
			v, err := e.eval(it.e)
			if err != nil {
				return err
			}
			name := it.name
			if name == "" {
				name = "_" + itoa(i+1)
			}
			r.vals, r.names = append(r.vals, v), append(r.names, name)
		}
		r.buf = o.appendRecord(r.buf, r.vals, r.names)
	}
	if len(r.buf)-before > MaxRecordSize {
		return s3err.New(s3err.OverMaxRecordSize)
	}
	r.emitted++
	if len(r.buf) >= FlushSize {
		return r.sendRecords()
	}
	return nil
}

func (r *runner) finish() error {
	q := r.s.p.q
	if q.Aggregates {
		e := &env{q: q, now: r.s.now, aggs: r.aggs}
		if err := r.output(e); err != nil {
			return err
		}
	}
	if err := r.sendRecords(); err != nil {
		return err
	}
	st := r.stats()
	if r.s.p.req.RequestProgress {
		if err := r.ew.progress(st); err != nil {
			return err
		}
	}
	if err := r.ew.stats(st); err != nil {
		return err
	}
	if err := r.ew.end(); err != nil {
		return err
	}
	r.flush()
	return nil
}
