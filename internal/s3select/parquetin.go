package s3select

import (
	"errors"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"talus/internal/s3err"
)

// parquetReader reads a Parquet object's rows as objects of their leaf
// columns (nested columns are named by their dotted path).
type parquetReader struct {
	f      *parquet.File
	names  []string
	conv   []func(parquet.Value) Value
	groups []parquet.RowGroup
	g      int
	rows   parquet.Rows
	buf    []parquet.Row
	n, i   int
	obj    *object
}

func parquetError(err error) error {
	if _, ok := s3err.As(err); ok {
		return err
	}
	return s3err.Newf(s3err.ParquetParsingError, "Encountered an error parsing the Parquet file: %v.", err)
}

func newParquetReader(r io.ReaderAt, size int64) (*parquetReader, error) {
	f, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, parquetError(err)
	}
	p := &parquetReader{f: f, groups: f.RowGroups(), buf: make([]parquet.Row, 64)}
	for _, path := range f.Schema().Columns() {
		name := path[0]
		for _, s := range path[1:] {
			name += "." + s
		}
		p.names = append(p.names, name)
		leaf, _ := f.Schema().Lookup(path...)
		p.conv = append(p.conv, converter(leaf.Node))
	}
	return p, nil
}

func converter(n parquet.Node) func(parquet.Value) Value {
	var lt *format.LogicalType
	if n != nil {
		lt = n.Type().LogicalType()
	}
	if lt != nil {
		switch t := lt.Value.(type) {
		case *format.TimestampType:
			unit := time.Millisecond
			if t.Unit.Value != nil {
				unit = t.Unit.Value.Duration()
			}
			return func(v parquet.Value) Value {
				return timeV(time.Unix(0, 0).UTC().Add(time.Duration(v.Int64()) * unit))
			}
		case *format.DateType:
			return func(v parquet.Value) Value {
				return timeV(time.Unix(int64(v.Int32())*86400, 0).UTC())
			}
		}
	}
	return func(v parquet.Value) Value {
		switch v.Kind() {
		case parquet.Boolean:
			return boolV(v.Boolean())
		case parquet.Int32:
			return intV(int64(v.Int32()))
		case parquet.Int64:
			return intV(v.Int64())
		case parquet.Float:
			return floatV(float64(v.Float()))
		case parquet.Double:
			return floatV(v.Double())
		case parquet.ByteArray, parquet.FixedLenByteArray:
			return strV(string(v.ByteArray()))
		}
		return strV(v.String())
	}
}

func (p *parquetReader) next() (Value, error) {
	for p.i >= p.n {
		if p.rows == nil {
			if p.g >= len(p.groups) {
				return nullV, io.EOF
			}
			p.rows = p.groups[p.g].Rows()
			p.g++
		}
		n, err := p.rows.ReadRows(p.buf)
		p.n, p.i = n, 0
		if errors.Is(err, io.EOF) {
			p.rows.Close()
			p.rows = nil
		} else if err != nil {
			return nullV, parquetError(err)
		}
	}
	row := p.buf[p.i]
	p.i++
	// The object is reused: a record is finished with before the next is read.
	if p.obj == nil {
		p.obj = &object{keys: p.names, vals: make([]Value, len(p.names))}
	}
	o := p.obj
	for i := range o.vals {
		o.vals[i] = nullV
	}
	for _, v := range row {
		c := v.Column()
		if c < 0 || c >= len(o.vals) || v.IsNull() {
			continue
		}
		o.vals[c] = p.conv[c](v)
	}
	return Value{k: kObject, o: o}, nil
}

func (p *parquetReader) close() {
	if p.rows != nil {
		p.rows.Close()
	}
}
