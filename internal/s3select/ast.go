package s3select

// Query is a parsed SELECT statement.
type Query struct {
	Star       bool         // SELECT *
	Items      []selectItem // the SELECT list when not *
	From       []pathStep   // steps after S3Object
	Alias      string       // table alias ("" if none)
	Where      expr         // nil if no WHERE
	Limit      int64        // -1 if no LIMIT
	Aggregates bool         // the SELECT list holds aggregates
	aggs       []*aggregate
}

type selectItem struct {
	e    expr
	name string // output name: the alias, or the column's own name
}

// pathStep is one step of a path: .name, ."Name", [n] or [*].
type pathStep struct {
	name     string
	quoted   bool
	index    int
	isIndex  bool
	wildcard bool
}

type expr interface{}

type (
	literal struct{ v Value }
	// ref is a column or path reference: a.b[0]."C".
	ref struct {
		steps []pathStep
		// col caches a CSV column's position once the header is known
		// (a plan runs once): 0 unknown, -1 none, else position+1.
		col int
	}
	unary struct {
		op string
		x  expr
	}
	binary struct {
		op   string
		l, r expr
	}
	isExpr struct {
		x    expr
		what string // NULL, MISSING, TRUE, FALSE
		not  bool
	}
	inExpr struct {
		x    expr
		list []expr
		not  bool
	}
	betweenExpr struct {
		x, lo, hi expr
		not       bool
	}
	likeExpr struct {
		x, pattern, escape expr
		not                bool
		compiled           *likeMatcher // set when pattern and escape are literals
	}
	castExpr struct {
		x  expr
		to string
	}
	caseExpr struct {
		operand expr // nil for a searched CASE
		whens   []expr
		thens   []expr
		els     expr
	}
	call struct {
		name string
		args []expr
	}
	// aggregate is COUNT/SUM/AVG/MIN/MAX; slot indexes its accumulator.
	aggregate struct {
		name string
		arg  expr // nil for COUNT(*)
		slot int
	}
)
