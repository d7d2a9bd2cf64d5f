package policy

import "testing"

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		fold bool
		want bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"*", "", false, true},
		{"*", "anything/at:all", false, true},
		{"a*", "a", false, true},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"*a*b*c*", "xxaxxbxxcxx", false, true},
		{"*a*b*c*", "xxaxxcxxbxx", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a?c", "aéc", false, true},
		{"??", "é", false, false},
		{"ABC", "abc", false, false},
		{"ABC", "abc", true, true},
		{"s3:get*", "S3:GetObject", true, true},
		{`a\*c`, "a*c", false, true},
		{`a\*c`, "abc", false, false},
		{`a\?`, "a?", false, true},
		{`a\\b`, `a\b`, false, true},
		{`a\`, `a\`, false, true},
		{"**", "x", false, true},
		{"*?", "", false, false},
		{"*?", "x", false, true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.p, tc.s, tc.fold); got != tc.want {
			t.Errorf("globMatch(%q, %q, %v) = %v, want %v", tc.p, tc.s, tc.fold, got, tc.want)
		}
	}
}

func TestGlobCanMatchPrefix(t *testing.T) {
	tests := []struct {
		p, prefix string
		want      bool
	}{
		{"mybucket/*", "mybucket/", true},
		{"mybucket", "mybucket/", false},
		{"mybucket*", "mybucket/", true},
		{"my*", "mybucket/", true},
		{"my?ucket/x", "mybucket/", true},
		{"other/*", "mybucket/", false},
		{"*", "mybucket/", true},
		{"mybucket/", "mybucket/", true},
		{`mybucket\*`, "mybucket/", false},
		{"mybucketx/*", "mybucket/", false},
	}
	for _, tc := range tests {
		if got := globCanMatchPrefix(tc.p, tc.prefix); got != tc.want {
			t.Errorf("globCanMatchPrefix(%q, %q) = %v, want %v", tc.p, tc.prefix, got, tc.want)
		}
	}
}

func TestArnMatch(t *testing.T) {
	tests := []struct {
		p, arn string
		want   bool
	}{
		{"*", "arn:aws:s3:::b", true},
		{"*", "", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k:with:colons", true},
		{"arn:aws:s3:::*", "arn:aws:s3:::b/k", true},
		{"arn:*:s3:::b", "arn:aws:s3:::b", true},
		{"arn:*:b", "arn:aws:s3:::b", false},
		{"arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:user/x", true},
		{"arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:role/x", false},
		{"arn:aws:s3:::b", "arn:aws:s3:::B", false},
		{"arn:aws:s3:::b", "not-an-arn", false},
	}
	for _, tc := range tests {
		if got := arnMatch(tc.p, tc.arn); got != tc.want {
			t.Errorf("arnMatch(%q, %q) = %v, want %v", tc.p, tc.arn, got, tc.want)
		}
	}
}
