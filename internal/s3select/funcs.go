package s3select

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"talus/internal/s3err"
)

func (e *env) call(n *call) (Value, error) {
	args := make([]Value, len(n.args))
	for i, a := range n.args {
		v, err := e.eval(a)
		if err != nil {
			return v, err
		}
		args[i] = v
	}
	switch n.name {
	case "COALESCE":
		for _, a := range args {
			if !a.absent() {
				return a, nil
			}
		}
		return nullV, nil
	case "NULLIF":
		if c, ok := compare(args[0], args[1]); ok && c == 0 {
			return nullV, nil
		}
		return args[0], nil
	case "UTCNOW":
		return timeV(e.now), nil
	}
	for _, a := range args {
		if a.absent() {
			return nullV, nil
		}
	}
	switch n.name {
	case "UPPER", "LOWER", "CHAR_LENGTH", "CHARACTER_LENGTH":
		if args[0].k != kString {
			return nullV, argType(n.name)
		}
		switch n.name {
		case "UPPER":
			return strV(strings.ToUpper(args[0].s)), nil
		case "LOWER":
			return strV(strings.ToLower(args[0].s)), nil
		}
		return intV(int64(utf8.RuneCountInString(args[0].s))), nil
	case "ABS":
		v, ok := args[0].number()
		if !ok {
			return nullV, argType(n.name)
		}
		if v.k == kInt {
			if v.i < 0 {
				return intV(-v.i), nil
			}
			return v, nil
		}
		return floatV(math.Abs(v.f)), nil
	case "SUBSTRING":
		return substring(args)
	case "TRIM":
		if args[2].k != kString || args[1].k != kString {
			return nullV, argType(n.name)
		}
		s, cut := args[2].s, args[1].s
		switch args[0].s {
		case "LEADING":
			s = strings.TrimLeft(s, cut)
		case "TRAILING":
			s = strings.TrimRight(s, cut)
		default:
			s = strings.Trim(s, cut)
		}
		return strV(s), nil
	case "TO_TIMESTAMP":
		if args[0].k == kTime {
			return args[0], nil
		}
		t, ok := parseTimestamp(args[0].text())
		if !ok {
			return nullV, s3err.Newf(s3err.ValueParseFailure, "Cannot read %q as a timestamp.", args[0].text())
		}
		return timeV(t), nil
	case "TO_STRING":
		t, ok := args[0].timestamp()
		if !ok || args[1].k != kString {
			return nullV, argType(n.name)
		}
		s, err := formatPattern(t, args[1].s)
		if err != nil {
			return nullV, err
		}
		return strV(s), nil
	case "EXTRACT":
		t, ok := args[1].timestamp()
		if !ok {
			return nullV, argType(n.name)
		}
		return intV(extract(args[0].s, t)), nil
	case "DATE_ADD":
		q, ok := args[1].number()
		t, ok2 := args[2].timestamp()
		if !ok || !ok2 || q.k != kInt {
			return nullV, argType(n.name)
		}
		return timeV(dateAdd(args[0].s, q.i, t)), nil
	case "DATE_DIFF":
		a, ok := args[1].timestamp()
		b, ok2 := args[2].timestamp()
		if !ok || !ok2 {
			return nullV, argType(n.name)
		}
		return intV(dateDiff(args[0].s, a, b)), nil
	}
	return nullV, s3err.Newf(s3err.UnsupportedFunction, "Function %s is not supported.", n.name)
}

func argType(name string) error {
	return s3err.Newf(s3err.IncorrectSQLFunctionArgumentType, "Incorrect type of arguments in call to %s.", name)
}

// substring is SQL's SUBSTRING(s, start [, length]), 1-based, counting
// characters.
func substring(args []Value) (Value, error) {
	if args[0].k != kString {
		return nullV, argType("SUBSTRING")
	}
	r := []rune(args[0].s)
	st, ok := args[1].number()
	if !ok {
		return nullV, argType("SUBSTRING")
	}
	start := int64(st.float())
	end := int64(len(r)) + 1
	if len(args) == 3 {
		ln, ok := args[2].number()
		if !ok || ln.float() < 0 {
			return nullV, argType("SUBSTRING")
		}
		end = start + int64(ln.float())
	}
	if start < 1 {
		start = 1
	}
	if end > int64(len(r))+1 {
		end = int64(len(r)) + 1
	}
	if start >= end {
		return strV(""), nil
	}
	return strV(string(r[start-1 : end-1])), nil
}

func cast(v Value, to string) (Value, error) {
	if v.absent() {
		return nullV, nil
	}
	fail := func() (Value, error) {
		return nullV, s3err.Newf(s3err.CastFailed, "Cannot cast %q to %s.", v.text(), to)
	}
	switch to {
	case "STRING":
		return strV(v.text()), nil
	case "INT":
		switch v.k {
		case kBool:
			if v.b {
				return intV(1), nil
			}
			return intV(0), nil
		case kTime:
			return fail()
		}
		n, ok := v.number()
		if !ok {
			return fail()
		}
		if n.k == kFloat {
			if n.f >= 9.3e18 || n.f <= -9.3e18 || math.IsNaN(n.f) {
				return nullV, s3err.New(s3err.IntegerOverflow)
			}
			return intV(int64(n.f)), nil
		}
		return n, nil
	case "FLOAT", "DECIMAL":
		if v.k == kBool {
			if v.b {
				return floatV(1), nil
			}
			return floatV(0), nil
		}
		n, ok := v.number()
		if !ok || v.k == kTime {
			return fail()
		}
		return floatV(n.float()), nil
	case "BOOL":
		switch v.k {
		case kBool:
			return v, nil
		case kInt:
			return boolV(v.i != 0), nil
		case kFloat:
			return boolV(v.f != 0), nil
		case kString:
			switch strings.ToLower(strings.TrimSpace(v.s)) {
			case "true":
				return boolV(true), nil
			case "false":
				return boolV(false), nil
			}
		}
		return fail()
	case "TIMESTAMP":
		t, ok := v.timestamp()
		if !ok {
			return fail()
		}
		return timeV(t), nil
	}
	return fail()
}

// likeMatcher matches a LIKE pattern.
type likeMatcher struct{ re *regexp.Regexp }

func compileLike(pattern, escape string) (*likeMatcher, error) {
	if utf8.RuneCountInString(escape) > 1 {
		return nil, s3err.Newf(s3err.LikeInvalidInputs, "The ESCAPE value must be one character.")
	}
	esc, _ := utf8.DecodeRuneInString(escape)
	var b strings.Builder
	b.WriteString(`(?s)^`)
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case escape != "" && c == esc:
			if i+1 >= len(rs) {
				return nil, s3err.Newf(s3err.LikeInvalidInputs, "The LIKE pattern ends with its escape character.")
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case c == '%':
			b.WriteString(`.*`)
		case c == '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, s3err.Newf(s3err.LikeInvalidInputs, "Invalid LIKE pattern.")
	}
	return &likeMatcher{re: re}, nil
}

func (l *likeExpr) precompile() error {
	pat, ok := l.pattern.(*literal)
	if !ok || pat.v.k != kString {
		return nil
	}
	esc := ""
	if l.escape != nil {
		el, ok := l.escape.(*literal)
		if !ok {
			return nil
		}
		if el.v.k != kString {
			return s3err.Newf(s3err.LikeInvalidInputs, "The ESCAPE value must be a string.")
		}
		esc = el.v.s
	}
	m, err := compileLike(pat.v.s, esc)
	l.compiled = m
	return err
}

func (e *env) like(n *likeExpr) (Value, error) {
	v, err := e.eval(n.x)
	if err != nil || v.absent() {
		return nullV, err
	}
	m := n.compiled
	if m == nil {
		pv, err := e.eval(n.pattern)
		if err != nil || pv.absent() {
			return nullV, err
		}
		esc := ""
		if n.escape != nil {
			ev, err := e.eval(n.escape)
			if err != nil {
				return nullV, err
			}
			esc = ev.text()
		}
		if m, err = compileLike(pv.text(), esc); err != nil {
			return nullV, err
		}
	}
	if v.k != kString {
		v = strV(v.text())
	}
	return boolV(m.re.MatchString(v.s) != n.not), nil
}

// timestampLayouts are the ISO 8601 forms S3 Select reads, most precise first.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02T",
	"2006-01-02",
	"2006-01T",
	"2006T",
}

func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func formatTimestamp(t time.Time) string { return t.Format(time.RFC3339Nano) }

func extract(part string, t time.Time) int64 {
	switch part {
	case "YEAR":
		return int64(t.Year())
	case "MONTH":
		return int64(t.Month())
	case "DAY":
		return int64(t.Day())
	case "HOUR":
		return int64(t.Hour())
	case "MINUTE":
		return int64(t.Minute())
	case "SECOND":
		return int64(t.Second())
	case "TIMEZONE_HOUR":
		_, off := t.Zone()
		return int64(off / 3600)
	case "TIMEZONE_MINUTE":
		_, off := t.Zone()
		return int64(off % 3600 / 60)
	}
	return 0
}

func dateAdd(part string, n int64, t time.Time) time.Time {
	switch part {
	case "YEAR":
		return t.AddDate(int(n), 0, 0)
	case "MONTH":
		return t.AddDate(0, int(n), 0)
	case "DAY":
		return t.AddDate(0, 0, int(n))
	case "HOUR":
		return t.Add(time.Duration(n) * time.Hour)
	case "MINUTE":
		return t.Add(time.Duration(n) * time.Minute)
	case "SECOND":
		return t.Add(time.Duration(n) * time.Second)
	}
	return t
}

// dateDiff counts whole parts from a to b.
func dateDiff(part string, a, b time.Time) int64 {
	switch part {
	case "YEAR", "MONTH":
		months := int64(b.Year()-a.Year())*12 + int64(b.Month()-a.Month())
		// a partial month does not count
		if months > 0 && b.Before(a.AddDate(0, int(months), 0)) {
			months--
		} else if months < 0 && b.After(a.AddDate(0, int(months), 0)) {
			months++
		}
		if part == "YEAR" {
			return months / 12
		}
		return months
	case "DAY":
		return int64(b.Sub(a) / (24 * time.Hour))
	case "HOUR":
		return int64(b.Sub(a) / time.Hour)
	case "MINUTE":
		return int64(b.Sub(a) / time.Minute)
	case "SECOND":
		return int64(b.Sub(a) / time.Second)
	}
	return 0
}

// formatPattern is TO_STRING's format: y yy yyyy M MM MMM MMMM d dd a h hh
// H HH m mm s ss S.. (fraction) n (nanoseconds) X XX XXX x xx xxx, and
// 'quoted text'.
func formatPattern(t time.Time, p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", s3err.Newf(s3err.IncorrectSQLFunctionArgumentType, "Unterminated quote in the TO_STRING format.")
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == c {
			j++
		}
		n := j - i
		i = j
		pad := func(v, w int) { b.WriteString(padInt(v, w)) }
		switch c {
		case 'y':
			switch n {
			case 2:
				pad(t.Year()%100, 2)
			default:
				pad(t.Year(), n)
			}
		case 'M':
			switch {
			case n <= 2:
				pad(int(t.Month()), n)
			case n == 3:
				b.WriteString(t.Month().String()[:3])
			case n == 4:
				b.WriteString(t.Month().String())
			default:
				b.WriteString(t.Month().String()[:1])
			}
		case 'd':
			pad(t.Day(), n)
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, n)
		case 'H':
			pad(t.Hour(), n)
		case 'm':
			pad(t.Minute(), n)
		case 's':
			pad(t.Second(), n)
		case 'S':
			frac := padInt(t.Nanosecond(), 9)
			for len(frac) < n {
				frac += "0"
			}
			b.WriteString(frac[:n])
		case 'n':
			b.WriteString(strconv.Itoa(t.Nanosecond()))
		case 'X', 'x':
			_, off := t.Zone()
			if c == 'X' && off == 0 {
				b.WriteByte('Z')
				continue
			}
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			b.WriteByte(sign)
			pad(off/3600, 2)
			if n >= 2 {
				if n >= 3 {
					b.WriteByte(':')
				}
				pad(off%3600/60, 2)
			} else if off%3600 != 0 {
				pad(off%3600/60, 2)
			}
		default:
			return "", s3err.Newf(s3err.IncorrectSQLFunctionArgumentType, "Invalid TO_STRING format symbol %q.", c)
		}
	}
	return b.String(), nil
}

func padInt(v, w int) string {
	s := strconv.Itoa(v)
	for len(s) < w {
		s = "0" + s
	}
	return s
}
