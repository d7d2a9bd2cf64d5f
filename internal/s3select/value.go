package s3select

import (
	"math"
	"strconv"
	"strings"
	"time"
)

type kind uint8

const (
	kMissing kind = iota
	kNull
	kBool
	kInt
	kFloat
	kString
	kTime
	kList
	kObject
)

// Value is one SQL value: MISSING, NULL, a scalar, a list or an object
// (a JSON object or a Parquet row, keys kept in their order).
type Value struct {
	k kind
	b bool
	i int64
	f float64
	s string
	t time.Time
	l []Value
	o *object
}

type object struct {
	keys []string
	vals []Value
}

func (o *object) get(name string, exact bool) (Value, bool) {
	for i, k := range o.keys {
		if k == name {
			return o.vals[i], true
		}
	}
	if !exact {
		for i, k := range o.keys {
			if strings.EqualFold(k, name) {
				return o.vals[i], true
			}
		}
	}
	return missingV, false
}

var (
	missingV = Value{k: kMissing}
	nullV    = Value{k: kNull}
)

func boolV(b bool) Value      { return Value{k: kBool, b: b} }
func intV(i int64) Value      { return Value{k: kInt, i: i} }
func floatV(f float64) Value  { return Value{k: kFloat, f: f} }
func strV(s string) Value     { return Value{k: kString, s: s} }
func timeV(t time.Time) Value { return Value{k: kTime, t: t} }

func (v Value) absent() bool { return v.k == kMissing || v.k == kNull }

// number returns v as a number, reading strings (CSV fields are strings)
// as numbers when they spell one.
func (v Value) number() (Value, bool) {
	switch v.k {
	case kInt, kFloat:
		return v, true
	case kString:
		s := strings.TrimSpace(v.s)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return intV(n), true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXnN") {
			return floatV(f), true
		}
	}
	return v, false
}

func (v Value) float() float64 {
	if v.k == kInt {
		return float64(v.i)
	}
	return v.f
}

// compare orders a and b: -1, 0, 1, or ok=false when they do not compare.
func compare(a, b Value) (int, bool) {
	if a.k == kString && b.k == kString {
		return strings.Compare(a.s, b.s), true
	}
	if a.k == kBool && b.k == kBool {
		switch {
		case a.b == b.b:
			return 0, true
		case !a.b:
			return -1, true
		}
		return 1, true
	}
	if a.k == kTime || b.k == kTime {
		at, ok1 := a.timestamp()
		bt, ok2 := b.timestamp()
		if !ok1 || !ok2 {
			return 0, false
		}
		return at.Compare(bt), true
	}
	an, ok1 := a.number()
	bn, ok2 := b.number()
	if !ok1 || !ok2 {
		return 0, false
	}
	if an.k == kInt && bn.k == kInt {
		switch {
		case an.i < bn.i:
			return -1, true
		case an.i > bn.i:
			return 1, true
		}
		return 0, true
	}
	x, y := an.float(), bn.float()
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

func (v Value) timestamp() (time.Time, bool) {
	switch v.k {
	case kTime:
		return v.t, true
	case kString:
		return parseTimestamp(v.s)
	}
	return time.Time{}, false
}

// text is v as CSV output writes it.
func (v Value) text() string {
	switch v.k {
	case kMissing, kNull:
		return ""
	case kBool:
		return strconv.FormatBool(v.b)
	case kInt:
		return strconv.FormatInt(v.i, 10)
	case kFloat:
		return formatFloat(v.f)
	case kString:
		return v.s
	case kTime:
		return formatTimestamp(v.t)
	}
	var b []byte
	return string(appendJSON(b, v))
}

func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// appendJSON appends v as JSON.
func appendJSON(b []byte, v Value) []byte {
	switch v.k {
	case kMissing, kNull:
		return append(b, "null"...)
	case kBool:
		return strconv.AppendBool(b, v.b)
	case kInt:
		return strconv.AppendInt(b, v.i, 10)
	case kFloat:
		if math.IsInf(v.f, 0) || math.IsNaN(v.f) {
			return append(b, "null"...)
		}
		return append(b, formatFloat(v.f)...)
	case kString:
		return appendJSONString(b, v.s)
	case kTime:
		return appendJSONString(b, formatTimestamp(v.t))
	case kList:
		b = append(b, '[')
		for i, e := range v.l {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case kObject:
		b = append(b, '{')
		n := 0
		for i, k := range v.o.keys {
			if v.o.vals[i].k == kMissing {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, v.o.vals[i])
		}
		return append(b, '}')
	}
	return b
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
