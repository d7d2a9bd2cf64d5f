package s3select

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"talus/internal/s3err"
)

// decodeValue reads one JSON value from d, keeping object keys in order.
func decodeValue(d *json.Decoder) (Value, error) {
	t, err := d.Token()
	if err != nil {
		return nullV, err
	}
	return valueFrom(d, t)
}

func valueFrom(d *json.Decoder, t json.Token) (Value, error) {
	v, err := valueIn(d, t)
	if err == io.EOF { // the input ended inside a value
		err = io.ErrUnexpectedEOF
	}
	return v, err
}

func valueIn(d *json.Decoder, t json.Token) (Value, error) {
	switch x := t.(type) {
	case nil:
		return nullV, nil
	case bool:
		return boolV(x), nil
	case string:
		return strV(x), nil
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return intV(n), nil
		}
		f, err := x.Float64()
		if err != nil {
			return nullV, err
		}
		return floatV(f), nil
	case json.Delim:
		switch x {
		case '{':
			o := &object{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nullV, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(d)
				if err != nil {
					return nullV, err
				}
				o.keys, o.vals = append(o.keys, k), append(o.vals, v)
			}
			if _, err := d.Token(); err != nil {
				return nullV, err
			}
			return Value{k: kObject, o: o}, nil
		case '[':
			var l []Value
			for d.More() {
				v, err := decodeValue(d)
				if err != nil {
					return nullV, err
				}
				l = append(l, v)
			}
			if _, err := d.Token(); err != nil {
				return nullV, err
			}
			if l == nil {
				l = []Value{}
			}
			return Value{k: kList, l: l}, nil
		}
	}
	return nullV, errors.New("unexpected JSON token")
}

func jsonError(err error) error {
	if _, ok := s3err.As(err); ok {
		return err
	}
	return s3err.Newf(s3err.JSONParsingError, "Encountered an error parsing the JSON file: %v. Check the file and try again.", err)
}

// jsonDocReader reads the values of a JSON DOCUMENT object one by one.
type jsonDocReader struct {
	d    *json.Decoder
	lim  *docLimit
	last int64
}

// docLimit stops the decoder reading far past the current value's start,
// so that one value (a record) cannot hold more than about MaxRecordSize
// of memory.
type docLimit struct {
	r          io.Reader
	read, mark int64
}

var errRecordTooBig = errors.New("record too big")

func (l *docLimit) Read(b []byte) (int, error) {
	if l.read-l.mark > MaxRecordSize+(256<<10) {
		return 0, errRecordTooBig
	}
	n, err := l.r.Read(b)
	l.read += int64(n)
	return n, err
}

func newJSONDocReader(r io.Reader) *jsonDocReader {
	lim := &docLimit{r: r}
	d := json.NewDecoder(lim)
	d.UseNumber()
	return &jsonDocReader{d: d, lim: lim}
}

func (j *jsonDocReader) next() (Value, error) {
	j.lim.mark = j.d.InputOffset()
	v, err := decodeValue(j.d)
	if errors.Is(err, errRecordTooBig) {
		return v, s3err.New(s3err.OverMaxRecordSize)
	}
	if err == io.EOF {
		return v, io.EOF
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return v, s3err.Newf(s3err.JSONParsingError, "The JSON document ends inside a value.")
		}
		return v, jsonError(err)
	}
	off := j.d.InputOffset()
	if off-j.last > MaxRecordSize {
		return v, s3err.New(s3err.OverMaxRecordSize)
	}
	j.last = off
	return v, nil
}

// jsonLinesReader reads one JSON value per line.
type jsonLinesReader struct{ lines *lineReader }

func (j *jsonLinesReader) next() (Value, error) {
	for {
		line, _, err := j.lines.next()
		if err != nil {
			return nullV, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		v, err := decodeValue(d)
		if err != nil {
			return v, jsonError(err)
		}
		if _, err := d.Token(); err != io.EOF {
			return v, s3err.Newf(s3err.JSONParsingError, "A line holds more than one JSON value.")
		}
		return v, nil
	}
}
