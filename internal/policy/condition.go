package policy

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type opBase uint8

const (
	opStringEquals opBase = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike // ArnEquals and ArnLike behave the same in AWS
	opNull
)

type opInfo struct {
	base    opBase
	negated bool
}

// operators maps lower-cased operator names (without ForAnyValue:,
// ForAllValues: and IfExists) to their base comparison.
var operators = map[string]opInfo{
	"stringequals":              {opStringEquals, false},
	"stringnotequals":           {opStringEquals, true},
	"stringequalsignorecase":    {opStringEqualsIgnoreCase, false},
	"stringnotequalsignorecase": {opStringEqualsIgnoreCase, true},
	"stringlike":                {opStringLike, false},
	"stringnotlike":             {opStringLike, true},
	"numericequals":             {opNumericEquals, false},
	"numericnotequals":          {opNumericEquals, true},
	"numericlessthan":           {opNumericLessThan, false},
	"numericlessthanequals":     {opNumericLessThanEquals, false},
	"numericgreaterthan":        {opNumericGreaterThan, false},
	"numericgreaterthanequals":  {opNumericGreaterThanEquals, false},
	"dateequals":                {opDateEquals, false},
	"datenotequals":             {opDateEquals, true},
	"datelessthan":              {opDateLessThan, false},
	"datelessthanequals":        {opDateLessThanEquals, false},
	"dategreaterthan":           {opDateGreaterThan, false},
	"dategreaterthanequals":     {opDateGreaterThanEquals, false},
	"bool":                      {opBool, false},
	"binaryequals":              {opBinaryEquals, false},
	"ipaddress":                 {opIPAddress, false},
	"notipaddress":              {opIPAddress, true},
	"arnequals":                 {opArnLike, false},
	"arnlike":                   {opArnLike, false},
	"arnnotequals":              {opArnLike, true},
	"arnnotlike":                {opArnLike, true},
	"null":                      {opNull, false},
}

type setQual uint8

const (
	setNone setQual = iota
	setAnyValue
	setAllValues
)

// condition is one (operator, key) pair of a Condition block.
type condition struct {
	op       string // as written
	base     opBase
	negated  bool
	ifExists bool
	set      setQual
	key      string // lower-cased
	values   []condValue
}

type condValue struct {
	pat    pattern // String*, Arn*, Bool
	num    float64
	t      time.Time
	prefix netip.Prefix
	bin    []byte
	null   bool // Null: "true" → key must be absent
}

// parseOperator splits an operator name into its parts. Names are matched
// case-insensitively.
func parseOperator(name string) (info opInfo, ifExists bool, set setQual, ok bool) {
	rest := name
	lower := strings.ToLower(rest)
	switch {
	case strings.HasPrefix(lower, "foranyvalue:"):
		set, lower = setAnyValue, lower[len("foranyvalue:"):]
	case strings.HasPrefix(lower, "forallvalues:"):
		set, lower = setAllValues, lower[len("forallvalues:"):]
	}
	if strings.HasSuffix(lower, "ifexists") {
		ifExists, lower = true, strings.TrimSuffix(lower, "ifexists")
	}
	info, ok = operators[lower]
	if ok && info.base == opNull && (ifExists || set != setNone) {
		ok = false
	}
	return info, ifExists, set, ok
}

// validConditionKeySyntax checks "prefix:name" with printable, non-space
// characters.
func validConditionKeySyntax(k string) bool {
	i := strings.IndexByte(k, ':')
	if i <= 0 || i == len(k)-1 {
		return false
	}
	for j := 0; j < i; j++ {
		c := k[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	for j := i + 1; j < len(k); j++ {
		if c := k[j]; c <= ' ' || c == 0x7f || c == '$' || c == '{' || c == '}' || c == ',' {
			return false
		}
	}
	return true
}

func (p *parser) validConditionKey(k string) bool {
	if p.kind == TrustPolicy {
		// Web identity keys are prefixed by the issuer (host/path:aud).
		i := strings.IndexByte(k, ':')
		if i > 0 && i < len(k)-1 && !strings.HasPrefix(strings.ToLower(k), "aws:") && !strings.ContainsAny(k, " ${},") {
			return true
		}
	}
	if !validConditionKeySyntax(k) {
		return false
	}
	lower := strings.ToLower(k)
	switch lower[:strings.IndexByte(lower, ':')] {
	case "aws":
		return globalConditionKeys.has(lower)
	case "s3":
		return s3ConditionKeys.has(lower)
	case "iam":
		return p.kind == IdentityPolicy
	case "sts":
		return p.kind != BucketPolicy
	}
	return false
}

// conditionValues accepts a string, number or boolean, or an array of them.
func conditionValues(v any) ([]string, bool) {
	one := func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			return strconv.FormatBool(t), true
		}
		return "", false
	}
	if arr, ok := v.([]any); ok {
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			s, ok := one(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := one(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

func (p *parser) conditions(st *Statement, v any) error {
	block, ok := v.(*jobject)
	if !ok {
		return errorf(ReasonInvalidCondition, "")
	}
	st.Condition = make(map[string]map[string][]string, len(block.keys))
	for i, opName := range block.keys {
		info, ifExists, set, ok := parseOperator(opName)
		if !ok {
			return errorf(ReasonUnknownOperator, opName)
		}
		kv, ok := block.vals[i].(*jobject)
		if !ok {
			return errorf(ReasonInvalidCondition, opName)
		}
		m := make(map[string][]string, len(kv.keys))
		st.Condition[opName] = m
		for j, key := range kv.keys {
			if !p.validConditionKey(key) {
				return errorf(ReasonInvalidConditionKey, key)
			}
			vals, ok := conditionValues(kv.vals[j])
			if !ok {
				return errorf(ReasonInvalidConditionValue, key)
			}
			m[key] = vals
			c := condition{
				op: opName, base: info.base, negated: info.negated,
				ifExists: ifExists, set: set, key: strings.ToLower(key),
			}
			for _, s := range vals {
				cv, ok := p.conditionValue(info.base, s)
				if !ok {
					return errorf(ReasonInvalidConditionValue, key+": "+s)
				}
				c.values = append(c.values, cv)
			}
			st.conds = append(st.conds, c)
		}
	}
	return nil
}

func (p *parser) conditionValue(base opBase, s string) (condValue, bool) {
	var cv condValue
	switch base {
	case opStringEquals, opStringEqualsIgnoreCase, opStringLike, opArnLike:
		cv.pat = compilePattern(s, p.vars)
	case opBool:
		cv.pat = compilePattern(s, p.vars)
		if !cv.pat.hasVars() && !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			return cv, false
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		f, ok := parseNumber(s)
		if !ok {
			return cv, false
		}
		cv.num = f
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(s)
		if !ok {
			return cv, false
		}
		cv.t = t
	case opBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return cv, false
		}
		cv.bin = b
	case opIPAddress:
		pfx, ok := parseIPPrefix(s)
		if !ok {
			return cv, false
		}
		cv.prefix = pfx
	case opNull:
		switch strings.ToLower(s) {
		case "true":
			cv.null = true
		case "false":
		default:
			return cv, false
		}
	}
	return cv, true
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseDate accepts ISO 8601 / RFC 3339 dates and epoch seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	if f, ok := parseNumber(s); ok && s[0] != '+' && f >= -1e15 && f <= 1e15 {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseIPPrefix accepts a CIDR or a bare address (a /32 or /128).
func parseIPPrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if pfx.Addr().Is4In6() && pfx.Bits() >= 96 {
			pfx = netip.PrefixFrom(pfx.Addr().Unmap(), pfx.Bits()-96)
		}
		return pfx.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// eval evaluates the condition against the request.
func (c *condition) eval(e *evalCtx) bool {
	vals := e.lookup(c.key)
	if c.base == opNull {
		absent := len(vals) == 0
		for i := range c.values {
			if c.values[i].null == absent {
				return true
			}
		}
		return false
	}
	if len(vals) == 0 {
		if c.ifExists {
			return true
		}
		switch c.set {
		case setAllValues:
			return true
		case setAnyValue:
			return false
		}
		return c.negated
	}
	switch c.set {
	case setAnyValue:
		for _, v := range vals {
			if c.matchAny(e, v) != c.negated {
				return true
			}
		}
		return false
	case setAllValues:
		for _, v := range vals {
			if c.matchAny(e, v) == c.negated {
				return false
			}
		}
		return true
	}
	// No set operator: the key matches if any of its values matches any
	// policy value; a negated operator is the complement.
	for _, v := range vals {
		if c.matchAny(e, v) {
			return !c.negated
		}
	}
	return c.negated
}

// matchAny reports whether the context value v matches any policy value
// under the (non-negated) base comparison.
func (c *condition) matchAny(e *evalCtx, v string) bool {
	switch c.base {
	case opStringEquals, opStringEqualsIgnoreCase, opBool:
		for i := range c.values {
			pv, ok := c.values[i].pat.expand(e, false)
			if !ok {
				continue
			}
			if c.base == opStringEquals {
				if pv == v {
					return true
				}
			} else if strings.EqualFold(pv, v) {
				return true
			}
		}
	case opStringLike:
		for i := range c.values {
			g, ok := c.values[i].pat.expand(e, true)
			if ok && globMatch(g, v, false) {
				return true
			}
		}
	case opArnLike:
		for i := range c.values {
			g, ok := c.values[i].pat.expand(e, true)
			if ok && arnMatch(g, v) {
				return true
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		f, ok := parseNumber(v)
		if !ok {
			return false
		}
		for i := range c.values {
			if cmpMatch(c.base-opNumericEquals, cmpFloat(f, c.values[i].num)) {
				return true
			}
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for i := range c.values {
			if cmpMatch(c.base-opDateEquals, t.Compare(c.values[i].t)) {
				return true
			}
		}
	case opBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false
		}
		for i := range c.values {
			if string(b) == string(c.values[i].bin) {
				return true
			}
		}
	case opIPAddress:
		a, ok := parseIP(v)
		if !ok {
			return false
		}
		for i := range c.values {
			if c.values[i].prefix.Contains(a) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpMatch applies a relational operator (0 =, 1 <, 2 <=, 3 >, 4 >=, in
// the order of the op constants) to a comparison result.
func cmpMatch(rel opBase, c int) bool {
	switch rel {
	case 0:
		return c == 0
	case 1:
		return c < 0
	case 2:
		return c <= 0
	case 3:
		return c > 0
	case 4:
		return c >= 0
	}
	return false
}
