package s3

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// ErrInvalidRange means the range is well formed but cannot be satisfied
// (S3 answers 416 InvalidRange).
var ErrInvalidRange = errors.New("s3: requested range not satisfiable")

// Range is the byte span of an object to return. Partial reports whether the
// response is a 206 with Content-Range; when false the span is the whole
// object and the response is a plain 200.
type Range struct {
	Start, Length int64
	Partial       bool
}

// ParseRange interprets a Range header value against an object of size
// bytes, following S3 rather than RFC 9110: anything S3 does not understand
// (bad syntax, several ranges, start > end) yields the whole object and no
// error, and only a well-formed range starting at or past the end yields
// ErrInvalidRange.
func ParseRange(spec string, size int64) (Range, error) {
	whole := Range{Start: 0, Length: size}
	spec = strings.TrimSpace(spec)
	rest, ok := strings.CutPrefix(spec, "bytes=")
	if !ok || strings.Contains(rest, ",") {
		return whole, nil
	}
	first, last, ok := strings.Cut(rest, "-")
	if !ok {
		return whole, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)

	if first == "" {
		// Suffix range: the last n bytes.
		n, ok := parseDigits(last)
		if !ok {
			return whole, nil
		}
		if n == 0 || size == 0 {
			return Range{}, ErrInvalidRange
		}
		if n > size {
			n = size
		}
		return Range{Start: size - n, Length: n, Partial: true}, nil
	}

	start, ok := parseDigits(first)
	if !ok {
		return whole, nil
	}
	end := int64(math.MaxInt64)
	if last != "" {
		if end, ok = parseDigits(last); !ok || start > end {
			return whole, nil
		}
	}
	if start >= size {
		return Range{}, ErrInvalidRange
	}
	end = min(end, size-1)
	return Range{Start: start, Length: end - start + 1, Partial: true}, nil
}

// parseDigits accepts only ASCII digits (no sign, no spaces) and saturates
// at MaxInt64, so absurdly large positions behave as "past the end" rather
// than as syntax errors.
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			n = math.MaxInt64
			continue // keep validating the remaining characters
		}
		n = n*10 + d
	}
	return n, true
}

// ContentRange renders the Content-Range header value for a partial
// response, e.g. "bytes 0-99/1000".
func (r Range) ContentRange(size int64) string {
	b := make([]byte, 0, 64)
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, r.Start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, r.Start+r.Length-1, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, size, 10)
	return string(b)
}
