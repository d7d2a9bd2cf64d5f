package policy

import (
	"strings"
	"unicode/utf8"
)

// Glob patterns used internally are "escaped": '*' and '?' are wildcards,
// and a backslash makes the next byte literal. Text taken from a policy has
// its backslashes doubled; values substituted for policy variables (and the
// ${*}, ${?}, ${$} escapes) have '*', '?' and '\' escaped so they only ever
// match themselves. (Colons are not escaped: a substituted ARN splits into
// ARN segments like one written out.)

// escapeLiteral escapes s so that every byte of it matches literally.
func escapeLiteral(s string) string {
	if !strings.ContainsAny(s, `*?\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeGlob keeps '*' and '?' as wildcards and makes backslashes literal.
func escapeGlob(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.ReplaceAll(s, `\`, `\\`)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// globMatch reports whether the escaped pattern p matches all of s. '*'
// matches any sequence of characters (including none), '?' exactly one
// character. With fold, ASCII letters compare case-insensitively.
func globMatch(p, s string, fold bool) bool {
	px, sx := 0, 0
	starPx, starSx := -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			c := p[px]
			switch c {
			case '*':
				starPx, starSx = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			case '\\':
				lit, adv := byte('\\'), 1
				if px+1 < len(p) {
					lit, adv = p[px+1], 2
				}
				if sx < len(s) && byteEq(lit, s[sx], fold) {
					px += adv
					sx++
					continue
				}
			default:
				if sx < len(s) && byteEq(c, s[sx], fold) {
					px++
					sx++
					continue
				}
			}
		}
		// Mismatch: let the last '*' swallow one more character.
		if starPx >= 0 && starSx < len(s) {
			_, n := utf8.DecodeRuneInString(s[starSx:])
			starSx += n
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

func byteEq(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	return fold && lowerASCII(a) == lowerASCII(b)
}

// globCanMatchPrefix reports whether some string that starts with prefix
// could match the escaped pattern p (that is, p does not rule out prefix).
func globCanMatchPrefix(p, prefix string) bool {
	// NFA simulation over pattern positions 0..len(p).
	cur := make([]bool, len(p)+1)
	next := make([]bool, len(p)+1)
	add := func(set []bool, i int) {
		for i <= len(p) && !set[i] {
			set[i] = true
			if i < len(p) && p[i] == '*' {
				i++
				continue
			}
			return
		}
	}
	add(cur, 0)
	for si := 0; si < len(prefix); {
		r, n := utf8.DecodeRuneInString(prefix[si:])
		clear(next)
		alive := false
		for i := 0; i < len(p); i++ {
			if !cur[i] {
				continue
			}
			switch c := p[i]; c {
			case '*':
				add(next, i)
				alive = true
			case '?':
				add(next, i+1)
				alive = true
			case '\\':
				lit, adv := byte('\\'), 1
				if i+1 < len(p) {
					lit, adv = p[i+1], 2
				}
				if n == 1 && byte(r) == lit {
					add(next, i+adv)
					alive = true
				}
			default:
				if strings.HasPrefix(p[i:], prefix[si:si+n]) {
					add(next, i+n)
					alive = true
				}
			}
		}
		if !alive {
			return false
		}
		cur, next = next, cur
		si += n
	}
	return true
}

// splitARN splits an escaped ARN pattern (or an ARN) into its six parts:
// arn, partition, service, region, account, resource. Escaped colons do not
// split. ok is false when there are fewer than six parts.
func splitARN(s string) (parts [6]string, ok bool) {
	n, start := 0, 0
	for i := 0; i < len(s) && n < 5; i++ {
		switch s[i] {
		case '\\':
			i++
		case ':':
			parts[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return parts, false
	}
	parts[5] = s[start:]
	return parts, true
}

// arnMatch matches an escaped ARN pattern against an ARN, segment by
// segment (a wildcard never spans a colon between the first six parts; the
// sixth, the resource, may contain colons). The pattern "*" matches
// anything; otherwise a pattern or value that is not an ARN never matches.
func arnMatch(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	pp, ok1 := splitARN(pattern)
	ap, ok2 := splitARN(arn)
	if !ok1 || !ok2 {
		return false
	}
	for i := range pp {
		if !globMatch(pp[i], ap[i], false) {
			return false
		}
	}
	return true
}

// pattern is a policy string that may contain policy variables.
type pattern struct {
	raw   string    // as written in the policy
	glob  string    // escaped glob, when there are no variables
	parts []varPart // non-nil when the string contains variables
}

type varPart struct {
	lit        string // literal text (unescaped) when key == ""
	key        string // lower-cased context key
	def        string
	hasDefault bool
}

// compilePattern prepares s; variables are recognised only when vars is
// true (Version 2012-10-17).
func compilePattern(s string, vars bool) pattern {
	p := pattern{raw: s}
	if !vars || !strings.Contains(s, "${") {
		p.glob = escapeGlob(s)
		return p
	}
	var parts []varPart
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, varPart{lit: lit.String()})
			lit.Reset()
		}
	}
	hasVar := false
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "${") {
			end := strings.IndexByte(s[i+2:], '}')
			if end >= 0 {
				body := s[i+2 : i+2+end]
				if vp, ok := parseVariable(body); ok {
					flush()
					parts = append(parts, vp)
					hasVar = true
					i += 2 + end + 1
					continue
				}
			}
		}
		lit.WriteByte(s[i])
		i++
	}
	flush()
	if !hasVar {
		p.glob = escapeGlob(s)
		return p
	}
	p.parts = parts
	return p
}

// parseVariable parses the inside of ${...}.
func parseVariable(body string) (varPart, bool) {
	switch body {
	case "*", "?", "$":
		// Escapes produce the literal character; mark with a special key.
		return varPart{key: "\x00" + body}, true
	}
	name, def, hasDef := body, "", false
	if i := strings.IndexByte(body, ','); i >= 0 {
		name = body[:i]
		d := strings.TrimSpace(body[i+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return varPart{}, false
		}
		def, hasDef = d[1:len(d)-1], true
	}
	name = strings.TrimSpace(name)
	if !validConditionKeySyntax(name) {
		return varPart{}, false
	}
	return varPart{key: strings.ToLower(name), def: def, hasDefault: hasDef}, true
}

// hasVars reports whether the pattern needs substitution.
func (p *pattern) hasVars() bool { return p.parts != nil }

// expand substitutes variables. With glob, the result is an escaped glob
// (substituted text is literal); otherwise it is plain text. ok is false
// when a variable cannot be resolved.
func (p *pattern) expand(e *evalCtx, glob bool) (string, bool) {
	if p.parts == nil {
		if glob {
			return p.glob, true
		}
		return p.raw, true
	}
	var b strings.Builder
	for i := range p.parts {
		vp := &p.parts[i]
		var val string
		switch {
		case vp.key == "":
			if glob {
				b.WriteString(escapeGlob(vp.lit))
			} else {
				b.WriteString(vp.lit)
			}
			continue
		case vp.key[0] == 0:
			val = vp.key[1:]
		default:
			vals := e.lookup(vp.key)
			switch {
			case len(vals) == 1:
				val = vals[0]
			case vp.hasDefault:
				val = vp.def
			default:
				return "", false
			}
		}
		if glob {
			b.WriteString(escapeLiteral(val))
		} else {
			b.WriteString(val)
		}
	}
	return b.String(), true
}

// staticGlob returns an escaped glob usable for validation: variables are
// replaced by '*'.
func (p pattern) staticGlob() string {
	if p.parts == nil {
		return p.glob
	}
	var b strings.Builder
	for _, vp := range p.parts {
		switch {
		case vp.key == "":
			b.WriteString(escapeGlob(vp.lit))
		case vp.key[0] == 0:
			b.WriteString(escapeLiteral(vp.key[1:]))
		default:
			b.WriteByte('*')
		}
	}
	return b.String()
}
