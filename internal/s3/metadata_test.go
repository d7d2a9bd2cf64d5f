package s3

import "testing"

func TestUserMetadataSize(t *testing.T) {
	tests := []struct {
		meta map[string]string
		want int
	}{
		{nil, 0},
		{map[string]string{}, 0},
		{map[string]string{"a": "b"}, 2},
		{map[string]string{"x-amz-meta-a": "b"}, 2},
		{map[string]string{"X-Amz-Meta-Color": "red"}, 8},
		{map[string]string{"color": "red", "size": ""}, 12},
		{map[string]string{"k": "日本"}, 7}, // bytes, not runes
		{map[string]string{"x-amz-meta-": "v"}, 1},
	}
	for _, tt := range tests {
		if got := UserMetadataSize(tt.meta); got != tt.want {
			t.Errorf("UserMetadataSize(%v) = %d, want %d", tt.meta, got, tt.want)
		}
	}
}

func TestStoredContentEncoding(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"gzip", "gzip"},
		{"deflate, gzip", "deflate, gzip"},
		{"deflate,gzip", "deflate,gzip"},
		{"aws-chunked", ""},
		{"AWS-Chunked", ""},
		{"aws-chunked,gzip", "gzip"},
		{"aws-chunked, deflate, gzip", "deflate, gzip"},
		{"deflate, aws-chunked, gzip", "deflate, gzip"},
		{"gzip, aws-chunked", "gzip"},
		{"x-aws-chunked-not", "x-aws-chunked-not"},
	} {
		if got := StoredContentEncoding(tc.in); got != tc.want {
			t.Errorf("StoredContentEncoding(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
