package meta

import (
	"testing"
	"time"
)

func TestVersionIDs(t *testing.T) {
	now := time.Now()
	a, b := NewVersionID(now), NewVersionID(now.Add(time.Millisecond))
	if !ValidVersionID(a) || !ValidVersionID(b) || a == b || a >= b {
		t.Fatalf("ids %q %q: valid and later-sorts-later expected", a, b)
	}
	for _, bad := range []string{"", NullVersion, a[:31], a + "0", "0123456789ABCDEF0123456789abcdef", "g123456789abcdef0123456789abcdef"} {
		if ValidVersionID(bad) {
			t.Errorf("ValidVersionID(%q) = true", bad)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for in, want := range map[string]string{"a/": "a0", "ab": "ac", "a\xff": "b", "\xff\xff": "", "": ""} {
		if got := PrefixEnd(in); got != want {
			t.Errorf("PrefixEnd(%q) = %q, want %q", in, got, want)
		}
	}
}
