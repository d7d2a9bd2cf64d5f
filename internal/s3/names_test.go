package s3

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckBucketName(t *testing.T) {
	valid := []string{
		"abc", "my-bucket", "my.bucket.name", "a1b", "123", "1-2",
		strings.Repeat("a", 63), "docexamplebucket1", "log-delivery-march-2020",
		"xn-abc", "sthree", "a.b-c", "1.2.3", "1.2.3.4.5", "a-s3alias-b", "mrap",
	}
	for _, n := range valid {
		if err := CheckBucketName(n); err != nil {
			t.Errorf("CheckBucketName(%q) = %v, want nil", n, err)
		}
	}
	invalid := []string{
		"", "ab", strings.Repeat("a", 64), "My-Bucket", "my_bucket", "my bucket",
		"-abc", "abc-", ".abc", "abc.", "a..b", "192.168.5.4", "1.2.3.4", "999.0.0.01",
		"xn--abc", "sthree-abc", "sthree-configurator", "amzn-s3-demo-bucket",
		"abc-s3alias", "abc--ol-s3", "abc.mrap", "abc--x-s3", "abc--table-s3",
		"ab\x00", "abç",
	}
	for _, n := range invalid {
		err := CheckBucketName(n)
		if !errors.Is(err, ErrInvalidBucketName) {
			t.Errorf("CheckBucketName(%q) = %v, want ErrInvalidBucketName", n, err)
		}
	}
}

func TestCheckObjectKey(t *testing.T) {
	tests := []struct {
		key  string
		want error
	}{
		{"a", nil},
		{"dir/sub/file.txt", nil},
		{"ünïcødé/日本語", nil},
		{"/leading/and/trailing/", nil},
		{strings.Repeat("k", 1024), nil},
		{strings.Repeat("é", 512), nil}, // 1024 bytes
		{"", ErrInvalidKey},
		{strings.Repeat("k", 1025), ErrKeyTooLong},
		{strings.Repeat("é", 513), ErrKeyTooLong},
		{"bad\xffutf8", ErrInvalidKey},
	}
	for _, tt := range tests {
		err := CheckObjectKey(tt.key)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("CheckObjectKey(%.20q...) = %v, want %v", tt.key, err, tt.want)
		}
	}
}
