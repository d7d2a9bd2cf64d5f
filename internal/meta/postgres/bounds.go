package postgres

import (
	"unicode/utf8"
)

// PostgreSQL text holds valid UTF-8 without NUL bytes, so the byte-string
// bounds the listings compute (key + "\x00", meta.PrefixEnd) cannot always
// be sent as they are. ceilText maps a bound to the smallest string that
// text can hold and that is >= it in byte order; as no stored name lies
// between the two, "name >= b" and "name < b" select the same rows with
// either. ok is false when no such string exists (b is above every valid
// string): no name is >= b.
func ceilText(b string) (string, bool) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRuneInString(b[i:])
		if r != 0 && (r != utf8.RuneError || size > 1) {
			i += size
			continue
		}
		// b[i:] starts with NUL or an invalid sequence: the smallest
		// character encoding above it, after the valid prefix b[:i].
		if c, ok := charAbove(b[i:]); ok {
			return b[:i] + c, true
		}
		// Nothing starting at i fits: move to the next prefix.
		return succText(b[:i])
	}
	return b, true
}

// charAbove returns the smallest encoded character (not NUL, not a
// surrogate) that sorts above s, which starts with no valid character.
func charAbove(s string) (string, bool) {
	// Encoding preserves order: binary search over code points.
	lo, hi := rune(1), rune(utf8.MaxRune)+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if string(validRune(mid)) > s {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo > utf8.MaxRune {
		return "", false
	}
	return string(validRune(lo)), true
}

// validRune skips the surrogate range, which UTF-8 cannot encode.
func validRune(r rune) rune {
	if r >= 0xD800 && r <= 0xDFFF {
		return 0xE000
	}
	return r
}

// succText returns the smallest valid string above every string that
// begins with the valid string p.
func succText(p string) (string, bool) {
	for len(p) > 0 {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		if r < utf8.MaxRune {
			return p + string(validRune(r+1)), true
		}
	}
	return "", false
}

// keyRange appends to q the conditions col >= lo (when lo is set) and
// col < hi (when hi is set), with both bounds made storable by ceilText.
// It returns false when nothing can match (lo is above every string).
func keyRange(q *string, args *[]any, col, lo, hi string) bool {
	if lo != "" {
		l, ok := ceilText(lo)
		if !ok {
			return false
		}
		*q += ` AND ` + col + ` >= ?`
		*args = append(*args, l)
	}
	if hi != "" {
		if h, ok := ceilText(hi); ok {
			*q += ` AND ` + col + ` < ?`
			*args = append(*args, h)
		}
	}
	return true
}

// keyAfter appends col > after (after need not be storable). It returns
// false when nothing can match.
func keyAfter(q *string, args *[]any, col, after string) bool {
	if c, ok := ceilText(after); !ok {
		return false
	} else if c != after {
		*q += ` AND ` + col + ` >= ?`
		*args = append(*args, c)
		return true
	}
	*q += ` AND ` + col + ` > ?`
	*args = append(*args, after)
	return true
}

// storable reports whether text can hold s as it is.
func storable(s string) bool {
	c, ok := ceilText(s)
	return ok && c == s
}
