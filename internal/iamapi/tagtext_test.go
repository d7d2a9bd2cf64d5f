package iamapi

import (
	"regexp"
	"strings"
	"testing"
)

// TestTagTextMatchesPattern: tagText accepts exactly what STS's tag
// patterns accept.
func TestTagTextMatchesPattern(t *testing.T) {
	key := regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
	value := regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$`)
	cases := []string{
		"", "a", "Project", "cost-center", "a b", "x=y+z@w", "path/to:it.", "é", "日本語", "٣", "Ⅻ",
		"\u2028", "\u00a0", "\t", "\n", "a\n", "tab\there", "a,b", "a;b", "a*b", "a#", "€", "😀",
		"\xff", "a\xffb", "\xc3", "\u00e9\u0301", "_", "-", strings.Repeat("k", 127), strings.Repeat("k", 128),
		strings.Repeat("k", 129), strings.Repeat("é", 128), strings.Repeat("é", 129), strings.Repeat("v", 256),
		strings.Repeat("v", 257), strings.Repeat("日", 256), strings.Repeat("日", 257),
	}
	for _, s := range cases {
		if got, want := tagText(s, 1, 128), key.MatchString(s); got != want {
			t.Errorf("key %q: tagText %v, pattern %v", s, got, want)
		}
		if got, want := tagText(s, 0, 256), value.MatchString(s); got != want {
			t.Errorf("value %q: tagText %v, pattern %v", s, got, want)
		}
	}
}
