package s3select

import (
	"strconv"
	"strings"

	"talus/internal/s3err"
)

// MaxExpressionLength is AWS's limit on the SQL text (256 KB).
const MaxExpressionLength = 256 << 10

// Parse parses an S3 Select SQL expression.
func Parse(sql string) (*Query, error) {
	if len(sql) > MaxExpressionLength {
		return nil, s3err.New(s3err.ExpressionTooLong)
	}
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.query()
}

type parser struct {
	toks    []token
	i       int
	aggs    int
	aggList []*aggregate
	inAgg   bool
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isKw(k string) bool { t := p.peek(); return t.kind == tKeyword && t.text == k }
func (p *parser) isOp(o string) bool { t := p.peek(); return t.kind == tOp && t.text == o }

func (p *parser) acceptKw(k string) bool {
	if p.isKw(k) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptOp(o string) bool {
	if p.isOp(o) {
		p.i++
		return true
	}
	return false
}

func (p *parser) unexpected() error {
	t := p.peek()
	switch t.kind {
	case tEOF:
		return s3err.Newf(s3err.ParseExpectedExpression, "Did not find the expected SQL expression at position %d.", t.pos+1)
	case tKeyword:
		return s3err.Newf(s3err.ParseUnexpectedKeyword, "The SQL expression contains an unexpected keyword %s at position %d.", t.text, t.pos+1)
	case tOp:
		return s3err.Newf(s3err.ParseUnexpectedOperator, "The SQL expression contains an unexpected operator %q at position %d.", t.text, t.pos+1)
	}
	return s3err.Newf(s3err.ParseUnexpectedToken, "The SQL expression contains an unexpected token %q at position %d.", t.text, t.pos+1)
}

func (p *parser) expectKw(k string) error {
	if !p.acceptKw(k) {
		t := p.peek()
		return s3err.Newf(s3err.ParseExpectedKeyword, "Did not find the expected keyword %s at position %d.", k, t.pos+1)
	}
	return nil
}

func (p *parser) expectOp(o string) error {
	if !p.acceptOp(o) {
		t := p.peek()
		code := s3err.ParseExpectedTokenType
		switch o {
		case ")":
			code = s3err.ParseExpectedRightParenBuiltin
		case "(":
			code = s3err.ParseExpectedLeftParenBuiltinFunction
		case ",":
			code = s3err.ParseExpectedArgumentDelimiter
		}
		return s3err.Newf(code, "Did not find the expected %q at position %d.", o, t.pos+1)
	}
	return nil
}

func (p *parser) query() (*Query, error) {
	if !p.acceptKw("SELECT") {
		return nil, p.unexpected()
	}
	q := &Query{Limit: -1}
	if p.isKw("DISTINCT") {
		return nil, s3err.Newf(s3err.UnsupportedSQLOperation, "DISTINCT is not supported.")
	}
	if p.acceptOp("*") {
		q.Star = true
	} else {
		if p.isKw("FROM") {
			return nil, s3err.New(s3err.ParseEmptySelect)
		}
		for {
			if p.isOp("*") {
				return nil, s3err.New(s3err.ParseAsteriskIsNotAloneInSelectList)
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			it := selectItem{e: e}
			if p.acceptKw("AS") {
				t := p.next()
				if t.kind != tIdent && t.kind != tQuotedIdent {
					return nil, s3err.Newf(s3err.ParseExpectedIdentForAlias, "Did not find the expected identifier for the alias at position %d.", t.pos+1)
				}
				it.name = t.text
			} else if t := p.peek(); t.kind == tIdent || t.kind == tQuotedIdent {
				p.i++
				it.name = t.text
			} else if r, ok := e.(*ref); ok && len(r.steps) > 0 && !r.steps[len(r.steps)-1].isIndex && !r.steps[len(r.steps)-1].wildcard {
				it.name = r.steps[len(r.steps)-1].name
			}
			q.Items = append(q.Items, it)
			if !p.acceptOp(",") {
				break
			}
			if p.isOp("*") {
				return nil, s3err.New(s3err.ParseAsteriskIsNotAloneInSelectList)
			}
		}
	}
	q.Aggregates = p.aggs > 0
	q.aggs = p.aggList
	if q.Aggregates {
		for _, it := range q.Items {
			if !onlyAggregates(it.e) {
				return nil, s3err.Newf(s3err.UnsupportedSQLStructure, "A SELECT list with aggregate functions may hold only aggregates and literals.")
			}
		}
	}
	if !p.acceptKw("FROM") {
		if p.peek().kind == tEOF {
			return nil, s3err.New(s3err.ParseSelectMissingFrom)
		}
		return nil, p.unexpected()
	}
	t := p.next()
	if t.kind != tIdent || !strings.EqualFold(t.text, "S3Object") {
		return nil, s3err.Newf(s3err.InvalidDataSource, "The FROM clause must name S3Object, found %q.", t.text)
	}
	steps, err := p.pathSteps()
	if err != nil {
		return nil, err
	}
	q.From = steps
	if p.acceptKw("AS") {
		t := p.next()
		if t.kind != tIdent && t.kind != tQuotedIdent {
			return nil, s3err.Newf(s3err.ParseExpectedIdentForAlias, "Did not find the expected identifier for the alias at position %d.", t.pos+1)
		}
		q.Alias = t.text
	} else if t := p.peek(); t.kind == tIdent || t.kind == tQuotedIdent {
		p.i++
		q.Alias = t.text
	}
	if p.acceptKw("WHERE") {
		before := p.aggs
		w, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.aggs != before {
			return nil, s3err.Newf(s3err.UnsupportedSQLStructure, "Aggregate functions are not allowed in WHERE.")
		}
		q.Where = w
	}
	if p.acceptKw("LIMIT") {
		t := p.next()
		n, err := strconv.ParseInt(t.text, 10, 64)
		if t.kind != tNumber || err != nil || n < 0 {
			return nil, s3err.Newf(s3err.ParseExpectedNumber, "LIMIT needs a non-negative integer at position %d.", t.pos+1)
		}
		q.Limit = n
	}
	for _, k := range []string{"GROUP", "ORDER", "HAVING", "JOIN", "UNION"} {
		if p.isKw(k) {
			return nil, s3err.Newf(s3err.UnsupportedSQLOperation, "%s is not supported.", k)
		}
	}
	if p.peek().kind != tEOF {
		return nil, p.unexpected()
	}
	return q, nil
}

func onlyAggregates(e expr) bool {
	switch x := e.(type) {
	case *aggregate, *literal:
		return true
	case *ref:
		return false
	case *unary:
		return onlyAggregates(x.x)
	case *binary:
		return onlyAggregates(x.l) && onlyAggregates(x.r)
	case *castExpr:
		return onlyAggregates(x.x)
	case *call:
		for _, a := range x.args {
			if !onlyAggregates(a) {
				return false
			}
		}
		return true
	}
	return false
}

// pathSteps reads .name, ."name", [n] and [*] steps.
func (p *parser) pathSteps() ([]pathStep, error) {
	var steps []pathStep
	for {
		switch {
		case p.acceptOp("."):
			t := p.next()
			switch {
			case t.kind == tIdent || t.kind == tKeyword:
				steps = append(steps, pathStep{name: t.text})
			case t.kind == tQuotedIdent:
				steps = append(steps, pathStep{name: t.text, quoted: true})
			case t.kind == tOp && t.text == "*":
				steps = append(steps, pathStep{wildcard: true})
			default:
				p.i--
				return nil, p.unexpected()
			}
		case p.acceptOp("["):
			t := p.next()
			switch {
			case t.kind == tOp && t.text == "*":
				steps = append(steps, pathStep{wildcard: true})
			case t.kind == tNumber:
				n, err := strconv.Atoi(t.text)
				if err != nil || n < 0 {
					return nil, s3err.Newf(s3err.ParseExpectedNumber, "Invalid index %q.", t.text)
				}
				steps = append(steps, pathStep{index: n, isIndex: true})
			case t.kind == tString || t.kind == tQuotedIdent:
				steps = append(steps, pathStep{name: t.text, quoted: true})
			default:
				p.i--
				return nil, p.unexpected()
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
		default:
			return steps, nil
		}
	}
}

func (p *parser) expr() (expr, error) { return p.or() }

func (p *parser) or() (expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.acceptKw("OR") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &binary{op: "OR", l: l, r: r}
	}
	return l, nil
}

func (p *parser) and() (expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.acceptKw("AND") {
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &binary{op: "AND", l: l, r: r}
	}
	return l, nil
}

func (p *parser) not() (expr, error) {
	if p.acceptKw("NOT") {
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &unary{op: "NOT", x: x}, nil
	}
	return p.predicate()
}

func (p *parser) predicate() (expr, error) {
	l, err := p.concat()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind == tOp {
			switch t.text {
			case "=", "<>", "!=", "<", ">", "<=", ">=":
				p.i++
				r, err := p.concat()
				if err != nil {
					return nil, err
				}
				op := t.text
				if op == "!=" {
					op = "<>"
				}
				l = &binary{op: op, l: l, r: r}
				continue
			}
			return l, nil
		}
		if t.kind != tKeyword {
			return l, nil
		}
		switch t.text {
		case "IS":
			p.i++
			not := p.acceptKw("NOT")
			w := p.next()
			if w.kind != tKeyword || (w.text != "NULL" && w.text != "MISSING" && w.text != "TRUE" && w.text != "FALSE") {
				p.i--
				return nil, p.unexpected()
			}
			l = &isExpr{x: l, what: w.text, not: not}
			continue
		case "NOT", "IN", "LIKE", "BETWEEN":
		default:
			return l, nil
		}
		not := p.acceptKw("NOT")
		switch {
		case p.acceptKw("IN"):
			if err := p.expectOp("("); err != nil {
				return nil, err
			}
			var list []expr
			for {
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				list = append(list, e)
				if !p.acceptOp(",") {
					break
				}
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			l = &inExpr{x: l, list: list, not: not}
		case p.acceptKw("LIKE"):
			pat, err := p.concat()
			if err != nil {
				return nil, err
			}
			le := &likeExpr{x: l, pattern: pat, not: not}
			if p.acceptKw("ESCAPE") {
				if le.escape, err = p.concat(); err != nil {
					return nil, err
				}
			}
			if err := le.precompile(); err != nil {
				return nil, err
			}
			l = le
		case p.acceptKw("BETWEEN"):
			lo, err := p.concat()
			if err != nil {
				return nil, err
			}
			if err := p.expectKw("AND"); err != nil {
				return nil, err
			}
			hi, err := p.concat()
			if err != nil {
				return nil, err
			}
			l = &betweenExpr{x: l, lo: lo, hi: hi, not: not}
		default:
			return nil, p.unexpected()
		}
	}
}

func (p *parser) concat() (expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	for p.acceptOp("||") {
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		l = &binary{op: "||", l: l, r: r}
	}
	return l, nil
}

func (p *parser) additive() (expr, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.next().text
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &binary{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *parser) multiplicative() (expr, error) {
	l, err := p.unaryExpr()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		op := p.next().text
		r, err := p.unaryExpr()
		if err != nil {
			return nil, err
		}
		l = &binary{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *parser) unaryExpr() (expr, error) {
	if p.isOp("-") || p.isOp("+") {
		op := p.next().text
		x, err := p.unaryExpr()
		if err != nil {
			return nil, err
		}
		if lit, ok := x.(*literal); ok && op == "-" {
			switch lit.v.k {
			case kInt:
				return &literal{intV(-lit.v.i)}, nil
			case kFloat:
				return &literal{floatV(-lit.v.f)}, nil
			}
		}
		if op == "+" {
			return x, nil
		}
		return &unary{op: "-", x: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		if !strings.ContainsAny(t.text, ".eE") {
			if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
				return &literal{intV(n)}, nil
			}
		}
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, s3err.Newf(s3err.LexerInvalidLiteral, "Invalid number %q.", t.text)
		}
		return &literal{floatV(f)}, nil
	case tString:
		return &literal{strV(t.text)}, nil
	case tKeyword:
		switch t.text {
		case "NULL":
			return &literal{nullV}, nil
		case "MISSING":
			return &literal{missingV}, nil
		case "TRUE":
			return &literal{boolV(true)}, nil
		case "FALSE":
			return &literal{boolV(false)}, nil
		case "CAST":
			return p.cast()
		case "CASE":
			return p.caseExpr()
		}
		p.i--
		return nil, p.unexpected()
	case tOp:
		if t.text == "(" {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return e, nil
		}
		p.i--
		return nil, p.unexpected()
	case tIdent:
		if p.isOp("(") {
			return p.function(strings.ToUpper(t.text), t)
		}
		if strings.EqualFold(t.text, "TIMESTAMP") && p.peek().kind == tString {
			s := p.next().text
			ts, ok := parseTimestamp(s)
			if !ok {
				return nil, s3err.Newf(s3err.ValueParseFailure, "Invalid timestamp literal %q.", s)
			}
			return &literal{timeV(ts)}, nil
		}
		steps, err := p.pathSteps()
		if err != nil {
			return nil, err
		}
		return &ref{steps: append([]pathStep{{name: t.text}}, steps...)}, nil
	case tQuotedIdent:
		steps, err := p.pathSteps()
		if err != nil {
			return nil, err
		}
		return &ref{steps: append([]pathStep{{name: t.text, quoted: true}}, steps...)}, nil
	}
	p.i--
	return nil, p.unexpected()
}

var typeNames = map[string]string{
	"BOOL": "BOOL", "BOOLEAN": "BOOL", "INT": "INT", "INTEGER": "INT", "BIGINT": "INT",
	"SMALLINT": "INT", "FLOAT": "FLOAT", "DOUBLE": "FLOAT", "REAL": "FLOAT",
	"DECIMAL": "DECIMAL", "NUMERIC": "DECIMAL", "STRING": "STRING", "VARCHAR": "STRING",
	"CHAR": "STRING", "TIMESTAMP": "TIMESTAMP",
}

func (p *parser) cast() (expr, error) {
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("AS"); err != nil {
		return nil, err
	}
	t := p.next()
	to, ok := typeNames[strings.ToUpper(t.text)]
	if !ok || (t.kind != tIdent && t.kind != tKeyword) {
		return nil, s3err.Newf(s3err.ParseExpectedTypeName, "Did not find the expected type name at position %d.", t.pos+1)
	}
	if p.acceptOp("(") { // DECIMAL(p, s), VARCHAR(n): precision is ignored
		for !p.acceptOp(")") {
			if p.peek().kind == tEOF {
				return nil, p.expectOp(")")
			}
			p.i++
		}
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	return &castExpr{x: x, to: to}, nil
}

func (p *parser) caseExpr() (expr, error) {
	c := &caseExpr{}
	if p.isKw("END") || p.isKw("ELSE") {
		return nil, s3err.New(s3err.ParseExpectedWhenClause)
	}
	if !p.isKw("WHEN") {
		op, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.operand = op
	}
	for p.acceptKw("WHEN") {
		w, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("THEN"); err != nil {
			return nil, err
		}
		th, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.whens, c.thens = append(c.whens, w), append(c.thens, th)
	}
	if len(c.whens) == 0 {
		return nil, s3err.New(s3err.ParseExpectedWhenClause)
	}
	if p.acceptKw("ELSE") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.els = e
	}
	if err := p.expectKw("END"); err != nil {
		return nil, err
	}
	return c, nil
}

var dateParts = map[string]bool{
	"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true,
	"TIMEZONE_HOUR": true, "TIMEZONE_MINUTE": true,
}

func (p *parser) datePart() (string, error) {
	t := p.next()
	part := strings.ToUpper(t.text)
	if (t.kind != tIdent && t.kind != tKeyword) || !dateParts[part] {
		return "", s3err.Newf(s3err.ParseExpectedDatePart, "Did not find the expected date part at position %d.", t.pos+1)
	}
	return part, nil
}

// function parses a call; name is upper-cased and '(' is next.
func (p *parser) function(name string, at token) (expr, error) {
	p.i++ // (
	switch name {
	case "COUNT", "SUM", "AVG", "MIN", "MAX":
		if p.inAgg {
			return nil, s3err.Newf(s3err.UnsupportedSQLStructure, "Aggregate functions cannot be nested.")
		}
		a := &aggregate{name: name, slot: p.aggs}
		p.aggs++
		p.aggList = append(p.aggList, a)
		if p.acceptOp("*") {
			if name != "COUNT" {
				return nil, s3err.New(s3err.ParseUnsupportedCallWithStar)
			}
		} else {
			p.inAgg = true
			x, err := p.expr()
			p.inAgg = false
			if err != nil {
				return nil, err
			}
			a.arg = x
		}
		return a, p.expectOp(")")
	case "EXTRACT":
		part, err := p.datePart()
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("FROM"); err != nil {
			return nil, err
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &call{name: name, args: []expr{&literal{strV(part)}, x}}, p.expectOp(")")
	case "DATE_ADD", "DATE_DIFF":
		part, err := p.datePart()
		if err != nil {
			return nil, err
		}
		args := []expr{&literal{strV(part)}}
		for range 2 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, x)
		}
		return &call{name: name, args: args}, p.expectOp(")")
	case "SUBSTRING":
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		args := []expr{x}
		if p.acceptKw("FROM") {
			from, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, from)
			if p.acceptKw("FOR") {
				n, err := p.expr()
				if err != nil {
					return nil, err
				}
				args = append(args, n)
			}
			return &call{name: name, args: args}, p.expectOp(")")
		}
		for p.acceptOp(",") {
			a, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
		}
		if len(args) < 2 || len(args) > 3 {
			return nil, s3err.Newf(s3err.EvaluatorInvalidArguments, "SUBSTRING takes 2 or 3 arguments.")
		}
		return &call{name: name, args: args}, p.expectOp(")")
	case "TRIM":
		mode := "BOTH"
		for _, m := range []string{"LEADING", "TRAILING", "BOTH"} {
			if p.acceptKw(m) {
				mode = m
			}
		}
		var chars expr = &literal{strV(" ")}
		if !p.acceptKw("FROM") {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !p.acceptKw("FROM") {
				return &call{name: name, args: []expr{&literal{strV(mode)}, chars, x}}, p.expectOp(")")
			}
			chars = x
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &call{name: name, args: []expr{&literal{strV(mode)}, chars, x}}, p.expectOp(")")
	}
	arity, ok := functions[name]
	if !ok {
		return nil, s3err.Newf(s3err.UnsupportedFunction, "Function %s is not supported.", name)
	}
	var args []expr
	if !p.isOp(")") {
		for {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, x)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	if len(args) < arity[0] || (arity[1] >= 0 && len(args) > arity[1]) {
		return nil, s3err.Newf(s3err.EvaluatorInvalidArguments, "Incorrect number of arguments for %s at position %d.", name, at.pos+1)
	}
	return &call{name: name, args: args}, nil
}

// functions are the plain functions and their argument counts (min, max;
// -1: any).
var functions = map[string][2]int{
	"UPPER": {1, 1}, "LOWER": {1, 1}, "CHAR_LENGTH": {1, 1}, "CHARACTER_LENGTH": {1, 1},
	"COALESCE": {1, -1}, "NULLIF": {2, 2}, "UTCNOW": {0, 0}, "TO_STRING": {2, 2},
	"TO_TIMESTAMP": {1, 1}, "ABS": {1, 1},
}
