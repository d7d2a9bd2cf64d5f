package s3select

import (
	"strings"

	"talus/internal/s3err"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuotedIdent
	tString
	tNumber
	tOp
	tKeyword
)

type token struct {
	kind tokKind
	text string // keywords upper-cased
	pos  int
}

// keywords are the reserved words of the dialect the parser knows.
var keywords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "LIMIT": true, "AS": true,
	"AND": true, "OR": true, "NOT": true, "LIKE": true, "ESCAPE": true, "IN": true,
	"BETWEEN": true, "IS": true, "NULL": true, "MISSING": true, "TRUE": true, "FALSE": true,
	"CAST": true, "CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true,
	"GROUP": true, "ORDER": true, "BY": true, "HAVING": true, "JOIN": true, "UNION": true,
	"DISTINCT": true, "FOR": true, "LEADING": true, "TRAILING": true, "BOTH": true,
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-': // comment to end of line
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			w := s[i:j]
			if up := strings.ToUpper(w); keywords[up] {
				toks = append(toks, token{tKeyword, up, i})
			} else {
				toks = append(toks, token{tIdent, w, i})
			}
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					j = k
					for j < len(s) && s[j] >= '0' && s[j] <= '9' {
						j++
					}
				}
			}
			if strings.Count(s[i:j], ".") > 1 {
				return nil, s3err.Newf(s3err.LexerInvalidLiteral, "Invalid number literal %q at position %d.", s[i:j], i+1)
			}
			toks = append(toks, token{tNumber, s[i:j], i})
			i = j
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c { // doubled quote
						b.WriteByte(c)
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return nil, s3err.Newf(s3err.LexerInvalidLiteral, "Unterminated literal at position %d.", i+1)
			}
			k := tString
			if c == '"' {
				k = tQuotedIdent
			}
			toks = append(toks, token{k, b.String(), i})
			i = j
		default:
			op := ""
			for _, o := range []string{"<=", ">=", "<>", "!=", "||"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" && strings.IndexByte("=<>+-*/%(),.[]", c) >= 0 {
				op = string(c)
			}
			if op == "" {
				return nil, s3err.Newf(s3err.LexerInvalidChar, "The SQL expression contains an invalid character %q at position %d.", c, i+1)
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
