package s3

import (
	"net/url"
	"testing"
)

func TestURLEncodeKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain/key.txt", "plain/key.txt"},
		{"quux ab/thud", "quux%20ab/thud"},
		{"foo+1/", "foo%2B1/"},
		{"asdf+b", "asdf%2Bb"},
		{"/", "/"},
		{"a~b-c_d.e", "a~b-c_d.e"},
		{"100%", "100%25"},
		{"é", "%C3%A9"},
		{"ctrl\x01\n", "ctrl%01%0A"},
		{"q?x=y#z&*'()!,;:@$", "q%3Fx%3Dy%23z%26%2A%27%28%29%21%2C%3B%3A%40%24"},
		{"", ""},
	} {
		if got := URLEncodeKey(tc.in); got != tc.want {
			t.Errorf("URLEncodeKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
		// Both the decoders clients use give the key back.
		if d, err := url.PathUnescape(tc.want); err != nil || d != tc.in {
			t.Errorf("PathUnescape(%q) = %q, %v", tc.want, d, err)
		}
		if d, err := url.QueryUnescape(tc.want); err != nil || d != tc.in {
			t.Errorf("QueryUnescape(%q) = %q, %v", tc.want, d, err)
		}
	}
}
