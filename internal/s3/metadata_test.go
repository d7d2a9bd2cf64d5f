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
