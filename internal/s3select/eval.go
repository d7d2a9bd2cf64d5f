package s3select

import (
	"math"
	"strings"
	"time"
	"unsafe"

	"talus/internal/s3err"
)

// header maps CSV column names to positions.
type header struct {
	names []string
	exact map[string]int
	fold  map[string]int
}

func newHeader(names []string) *header {
	h := &header{names: names, exact: map[string]int{}, fold: map[string]int{}}
	for i, n := range names {
		if _, ok := h.exact[n]; !ok {
			h.exact[n] = i
		}
		if _, ok := h.fold[strings.ToLower(n)]; !ok {
			h.fold[strings.ToLower(n)] = i
		}
	}
	return h
}

// env is one record being evaluated: a CSV row (fields) or a JSON or
// Parquet value.
type env struct {
	q      *Query
	csv    bool
	fields [][]byte
	hdr    *header
	val    Value
	now    time.Time
	aggs   []aggState // final values once aggregation ended
}

// column returns CSV column name (or _N).
func (e *env) column(s pathStep) Value {
	if e.hdr != nil && !s.isIndex {
		idx, ok := -1, false
		if s.quoted {
			idx, ok = e.hdr.exact[s.name]
		} else {
			idx, ok = e.hdr.exact[s.name]
			if !ok {
				idx, ok = e.hdr.fold[strings.ToLower(s.name)]
			}
		}
		if ok {
			if idx < len(e.fields) {
				return fieldV(e.fields[idx])
			}
			return missingV
		}
	}
	if n, ok := positional(s.name); ok && !s.quoted {
		if n <= len(e.fields) {
			return fieldV(e.fields[n-1])
		}
		return missingV
	}
	return missingV
}

// columnIndex is the position column s names (-1: by neither header
// nor position).
func (e *env) columnIndex(s pathStep) int {
	if e.hdr != nil && !s.isIndex {
		if idx, ok := e.hdr.exact[s.name]; ok {
			return idx
		}
		if !s.quoted {
			if idx, ok := e.hdr.fold[strings.ToLower(s.name)]; ok {
				return idx
			}
		}
	}
	if n, ok := positional(s.name); ok && !s.quoted {
		return n - 1
	}
	return -1
}

// fieldV is a CSV field as a string value without copying it: the value
// lives only while its row is evaluated (aggregates keep a copy, keep).
func fieldV(f []byte) Value {
	if len(f) == 0 {
		return strV("")
	}
	return strV(unsafe.String(&f[0], len(f)))
}

// keep copies a value that outlives its row.
func keep(v Value) Value {
	if v.k == kString {
		v.s = strings.Clone(v.s)
	}
	return v
}

// positional reads _N.
func positional(name string) (int, bool) {
	if len(name) < 2 || name[0] != '_' {
		return 0, false
	}
	n := 0
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 1<<20 {
			return 0, false
		}
	}
	return n, n > 0
}

// recordValue is the whole record as a value (an object for CSV).
func (e *env) recordValue() Value {
	if !e.csv {
		return e.val
	}
	o := &object{}
	for i, f := range e.fields {
		o.keys = append(o.keys, csvName(e.hdr, i))
		o.vals = append(o.vals, strV(string(f)))
	}
	return Value{k: kObject, o: o}
}

func csvName(h *header, i int) string {
	if h != nil && i < len(h.names) {
		return h.names[i]
	}
	return "_" + itoa(i+1)
}

func (e *env) resolve(r *ref) Value {
	if e.csv && r.col > 0 {
		if r.col <= len(e.fields) {
			return fieldV(e.fields[r.col-1])
		}
		return missingV
	}
	steps := r.steps
	if len(steps) > 0 && !steps[0].quoted && e.q.Alias != "" && strings.EqualFold(steps[0].name, e.q.Alias) {
		steps = steps[1:]
	} else if len(steps) > 0 && steps[0].quoted && steps[0].name == e.q.Alias && e.q.Alias != "" {
		steps = steps[1:]
	}
	if len(steps) == 0 {
		return e.recordValue()
	}
	if e.csv {
		if len(steps) > 1 {
			return missingV
		}
		if r.col == 0 {
			r.col = e.columnIndex(steps[0]) + 1
		}
		return e.column(steps[0])
	}
	return navigate(e.val, steps)
}

func navigate(v Value, steps []pathStep) Value {
	for _, s := range steps {
		switch {
		case s.wildcard:
			if v.k != kList {
				return missingV
			}
		case s.isIndex:
			if v.k != kList || s.index >= len(v.l) {
				return missingV
			}
			v = v.l[s.index]
		default:
			if v.k != kObject {
				return missingV
			}
			v, _ = v.o.get(s.name, s.quoted)
		}
	}
	return v
}

// truth reports whether a WHERE value selects the record.
func truth(v Value) bool { return v.k == kBool && v.b }

func (e *env) eval(x expr) (Value, error) {
	switch n := x.(type) {
	case *literal:
		return n.v, nil
	case *ref:
		return e.resolve(n), nil
	case *unary:
		v, err := e.eval(n.x)
		if err != nil {
			return v, err
		}
		if n.op == "NOT" {
			if v.k != kBool {
				return nullV, nil
			}
			return boolV(!v.b), nil
		}
		if v.absent() {
			return nullV, nil
		}
		num, ok := v.number()
		if !ok {
			return nullV, s3err.Newf(s3err.InvalidDataType, "Unary minus needs a number.")
		}
		if num.k == kInt {
			return intV(-num.i), nil
		}
		return floatV(-num.f), nil
	case *binary:
		return e.binary(n)
	case *isExpr:
		v, err := e.eval(n.x)
		if err != nil {
			return v, err
		}
		var r bool
		switch n.what {
		case "NULL":
			r = v.absent()
		case "MISSING":
			r = v.k == kMissing
		case "TRUE":
			r = v.k == kBool && v.b
		case "FALSE":
			r = v.k == kBool && !v.b
		}
		return boolV(r != n.not), nil
	case *inExpr:
		v, err := e.eval(n.x)
		if err != nil || v.absent() {
			return nullV, err
		}
		found := false
		for _, it := range n.list {
			w, err := e.eval(it)
			if err != nil {
				return w, err
			}
			if c, ok := compare(v, w); ok && c == 0 {
				found = true
				break
			}
		}
		return boolV(found != n.not), nil
	case *betweenExpr:
		v, err := e.eval(n.x)
		if err != nil {
			return v, err
		}
		lo, err := e.eval(n.lo)
		if err != nil {
			return lo, err
		}
		hi, err := e.eval(n.hi)
		if err != nil {
			return hi, err
		}
		if v.absent() || lo.absent() || hi.absent() {
			return nullV, nil
		}
		c1, ok1 := compare(v, lo)
		c2, ok2 := compare(v, hi)
		if !ok1 || !ok2 {
			return nullV, nil
		}
		return boolV((c1 >= 0 && c2 <= 0) != n.not), nil
	case *likeExpr:
		return e.like(n)
	case *castExpr:
		v, err := e.eval(n.x)
		if err != nil {
			return v, err
		}
		return cast(v, n.to)
	case *caseExpr:
		var op Value
		if n.operand != nil {
			var err error
			if op, err = e.eval(n.operand); err != nil {
				return op, err
			}
		}
		for i, w := range n.whens {
			wv, err := e.eval(w)
			if err != nil {
				return wv, err
			}
			hit := truth(wv)
			if n.operand != nil {
				c, ok := compare(op, wv)
				hit = ok && c == 0 && !op.absent()
			}
			if hit {
				return e.eval(n.thens[i])
			}
		}
		if n.els != nil {
			return e.eval(n.els)
		}
		return nullV, nil
	case *call:
		return e.call(n)
	case *aggregate:
		if e.aggs == nil {
			return nullV, s3err.Newf(s3err.UnsupportedSQLStructure, "Aggregate functions are allowed only in the SELECT list.")
		}
		return e.aggs[n.slot].result(n.name), nil
	}
	return nullV, s3err.New(s3err.UnsupportedSQLStructure)
}

func (e *env) binary(n *binary) (Value, error) {
	l, err := e.eval(n.l)
	if err != nil {
		return l, err
	}
	switch n.op {
	case "AND":
		if l.k == kBool && !l.b {
			return boolV(false), nil
		}
		r, err := e.eval(n.r)
		if err != nil {
			return r, err
		}
		if r.k == kBool && !r.b {
			return boolV(false), nil
		}
		if l.k == kBool && r.k == kBool {
			return boolV(true), nil
		}
		return nullV, nil
	case "OR":
		if l.k == kBool && l.b {
			return boolV(true), nil
		}
		r, err := e.eval(n.r)
		if err != nil {
			return r, err
		}
		if r.k == kBool && r.b {
			return boolV(true), nil
		}
		if l.k == kBool && r.k == kBool {
			return boolV(false), nil
		}
		return nullV, nil
	}
	r, err := e.eval(n.r)
	if err != nil {
		return r, err
	}
	if l.absent() || r.absent() {
		if l.k == kMissing || r.k == kMissing {
			return missingV, nil
		}
		return nullV, nil
	}
	switch n.op {
	case "=", "<>", "<", ">", "<=", ">=":
		c, ok := compare(l, r)
		if !ok {
			return nullV, nil
		}
		var b bool
		switch n.op {
		case "=":
			b = c == 0
		case "<>":
			b = c != 0
		case "<":
			b = c < 0
		case ">":
			b = c > 0
		case "<=":
			b = c <= 0
		case ">=":
			b = c >= 0
		}
		return boolV(b), nil
	case "||":
		return strV(l.text() + r.text()), nil
	}
	return arith(n.op, l, r)
}

func arith(op string, l, r Value) (Value, error) {
	a, ok1 := l.number()
	b, ok2 := r.number()
	if !ok1 || !ok2 {
		return nullV, s3err.Newf(s3err.InvalidDataType, "Arithmetic operator %s needs numbers, got %q and %q.", op, l.text(), r.text())
	}
	if a.k == kInt && b.k == kInt {
		x, y := a.i, b.i
		switch op {
		case "+":
			s := x + y
			if (s > x) != (y > 0) {
				return nullV, s3err.New(s3err.IntegerOverflow)
			}
			return intV(s), nil
		case "-":
			s := x - y
			if (s < x) != (y > 0) {
				return nullV, s3err.New(s3err.IntegerOverflow)
			}
			return intV(s), nil
		case "*":
			if x != 0 && y != 0 {
				p := x * y
				if p/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
					return nullV, s3err.New(s3err.IntegerOverflow)
				}
				return intV(p), nil
			}
			return intV(0), nil
		case "/":
			if y == 0 {
				return nullV, s3err.New(s3err.DivisionByZero)
			}
			return intV(x / y), nil
		case "%":
			if y == 0 {
				return nullV, s3err.New(s3err.DivisionByZero)
			}
			return intV(x % y), nil
		}
	}
	x, y := a.float(), b.float()
	switch op {
	case "+":
		return floatV(x + y), nil
	case "-":
		return floatV(x - y), nil
	case "*":
		return floatV(x * y), nil
	case "/":
		if y == 0 {
			return nullV, s3err.New(s3err.DivisionByZero)
		}
		return floatV(x / y), nil
	case "%":
		if y == 0 {
			return nullV, s3err.New(s3err.DivisionByZero)
		}
		return floatV(math.Mod(x, y)), nil
	}
	return nullV, s3err.New(s3err.UnsupportedSQLOperation)
}

// aggState accumulates one aggregate.
type aggState struct {
	count int64
	sum   Value
	min   Value
	max   Value
	seen  bool
}

func (a *aggState) add(name string, v Value) error {
	if name == "COUNT" {
		if !v.absent() {
			a.count++
		}
		return nil
	}
	if v.absent() {
		return nil
	}
	switch name {
	case "SUM", "AVG":
		n, ok := v.number()
		if !ok {
			return s3err.Newf(s3err.InvalidDataType, "%s needs numbers, got %q.", name, v.text())
		}
		if !a.seen {
			a.sum = n
		} else {
			s, err := arith("+", a.sum, n)
			if err != nil {
				return err
			}
			a.sum = s
		}
	case "MIN", "MAX":
		if n, ok := v.number(); ok {
			v = n
		}
		if !a.seen {
			a.min, a.max = keep(v), keep(v)
		} else {
			if c, ok := compare(v, a.min); ok && c < 0 {
				a.min = keep(v)
			}
			if c, ok := compare(v, a.max); ok && c > 0 {
				a.max = keep(v)
			}
		}
	}
	a.seen = true
	a.count++
	return nil
}

func (a *aggState) result(name string) Value {
	switch name {
	case "COUNT":
		return intV(a.count)
	case "SUM":
		if !a.seen {
			return nullV
		}
		return a.sum
	case "AVG":
		if !a.seen {
			return nullV
		}
		return floatV(a.sum.float() / float64(a.count))
	case "MIN":
		if !a.seen {
			return nullV
		}
		return a.min
	case "MAX":
		if !a.seen {
			return nullV
		}
		return a.max
	}
	return nullV
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
