package s3select

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"talus/internal/s3err"
)

// MaxRecordSize is the longest record S3 Select reads or writes (1 MiB).
const MaxRecordSize = 1 << 20

// lineReader reads records ended by one delimiter byte, counting the
// offset of each record's first byte; at most MaxRecordSize per record.
type lineReader struct {
	br   *bufio.Reader
	rd   byte
	off  int64  // offset of the next unread byte
	long []byte // a record longer than the buffer
	// stopAfter: records starting after this offset are not read (-1: all).
	stopAfter int64
}

func newLineReader(r io.Reader, rd byte) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10), rd: rd, stopAfter: -1}
}

// next returns the next record without its delimiter and the offset where
// it starts; io.EOF at the end. The slice is valid until the next call.
func (l *lineReader) next() ([]byte, int64, error) {
	start := l.off
	if l.stopAfter >= 0 && start > l.stopAfter {
		return nil, start, io.EOF
	}
	line, err := l.br.ReadSlice(l.rd)
	if errors.Is(err, bufio.ErrBufferFull) {
		l.long = append(l.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = l.br.ReadSlice(l.rd)
			l.long = append(l.long, line...)
			if len(l.long) > MaxRecordSize+1 {
				return nil, start, s3err.New(s3err.OverMaxRecordSize)
			}
		}
		line = l.long
	}
	l.off += int64(len(line))
	if err != nil && err != io.EOF {
		return nil, start, err
	}
	if len(line) == 0 && err == io.EOF {
		return nil, start, io.EOF
	}
	if n := len(line); n > 0 && line[n-1] == l.rd {
		line = line[:n-1]
	}
	if len(line) > MaxRecordSize {
		return nil, start, s3err.New(s3err.OverMaxRecordSize)
	}
	return line, start, nil
}

// skipPartial positions a reader opened one byte before a scan range's
// start on the first record that starts inside the range.
func (l *lineReader) skipPartial() error {
	b, err := l.br.ReadByte()
	if err != nil {
		return err
	}
	l.off++
	if b == l.rd {
		return nil
	}
	for {
		line, err := l.br.ReadSlice(l.rd)
		l.off += int64(len(line))
		if err == nil || err == io.EOF {
			return err
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// csvReader splits CSV records into fields.
type csvReader struct {
	lines  *lineReader
	o      csvOptions
	fields [][]byte
	buf    []byte // unquoted field bytes
	ends   []int
	multi  []byte // a record whose quoted field spans record delimiters
	// processed counts the input bytes consumed.
}

func newCSVReader(l *lineReader, o csvOptions) *csvReader { return &csvReader{lines: l, o: o} }

// next reads one record's fields (valid until the next call).
func (c *csvReader) next() ([][]byte, error) {
	for {
		line, _, err := c.lines.next()
		if err != nil {
			return nil, err
		}
		if c.o.crlf && len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			continue
		}
		if c.o.comment != 0 && line[0] == c.o.comment {
			continue
		}
		if c.o.quote == 0 || bytes.IndexByte(line, c.o.quote) < 0 {
			c.fields = c.fields[:0]
			for {
				i := bytes.IndexByte(line, c.o.fd)
				if i < 0 {
					c.fields = append(c.fields, line)
					return c.fields, nil
				}
				c.fields = append(c.fields, line[:i])
				line = line[i+1:]
			}
		}
		open, err := c.split(line)
		if err != nil {
			return nil, err
		}
		if !open {
			return c.fields, nil
		}
		if !c.o.allowQuoted {
			return c.fields, nil // the record delimiter ends the record, quoted or not
		}
		c.multi = append(c.multi[:0], line...)
		for open {
			more, _, err := c.lines.next()
			if err == io.EOF {
				return nil, s3err.Newf(s3err.CSVParsingError, "A quoted field is not closed at the end of the object.")
			}
			if err != nil {
				return nil, err
			}
			c.multi = append(c.multi, c.o.rd)
			c.multi = append(c.multi, more...)
			if len(c.multi) > MaxRecordSize {
				return nil, s3err.New(s3err.OverMaxRecordSize)
			}
			rec := c.multi
			if c.o.crlf && len(rec) > 0 && rec[len(rec)-1] == '\r' {
				rec = rec[:len(rec)-1]
			}
			if open, err = c.split(rec); err != nil {
				return nil, err
			}
		}
		return c.fields, nil
	}
}

// split parses a record holding quotes; open reports a quoted field still
// open at its end.
func (c *csvReader) split(line []byte) (open bool, err error) {
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	q, esc, fd := c.o.quote, c.o.esc, c.o.fd
	i := 0
	for {
		// one field
		if i < len(line) && line[i] == q {
			i++
			closed := false
			for i < len(line) {
				ch := line[i]
				if ch == esc && esc != q && i+1 < len(line) && line[i+1] == q {
					c.buf = append(c.buf, q)
					i += 2
					continue
				}
				if ch == q {
					if esc == q && i+1 < len(line) && line[i+1] == q {
						c.buf = append(c.buf, q)
						i += 2
						continue
					}
					closed = true
					i++
					break
				}
				c.buf = append(c.buf, ch)
				i++
			}
			if !closed {
				open = true
				c.ends = append(c.ends, len(c.buf))
				break
			}
			if i < len(line) && line[i] != fd {
				return false, s3err.Newf(s3err.CSVParsingError, "Unexpected character %q after a closing quote at offset %d of the record.", line[i], i)
			}
		} else {
			for i < len(line) && line[i] != fd {
				c.buf = append(c.buf, line[i])
				i++
			}
		}
		c.ends = append(c.ends, len(c.buf))
		if i >= len(line) {
			break
		}
		i++ // delimiter
		if i == len(line) {
			c.ends = append(c.ends, len(c.buf))
			break
		}
	}
	c.fields = c.fields[:0]
	prev := 0
	for _, e := range c.ends {
		c.fields = append(c.fields, c.buf[prev:e])
		prev = e
	}
	return open, nil
}
