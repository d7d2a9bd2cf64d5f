package s3

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestCheckCustomerKey(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	sum := md5.Sum(key)
	k64, m64 := base64.StdEncoding.EncodeToString(key), base64.StdEncoding.EncodeToString(sum[:])
	short := base64.StdEncoding.EncodeToString(key[:16])
	shortSum := md5.Sum(key[:16])
	for _, tc := range []struct {
		name, alg, key, md5 string
		want                error
	}{
		{"valid", "AES256", k64, m64, nil},
		{"only algorithm", "AES256", "", "", ErrSSECMissingKey},
		{"no md5", "AES256", k64, "", ErrSSECMissingKeyMD5},
		{"no algorithm", "", k64, m64, ErrSSECMissingAlgorithm},
		{"bad algorithm", "AES128", k64, m64, ErrSSECAlgorithm},
		{"lower-case algorithm", "aes256", k64, m64, ErrSSECAlgorithm},
		{"short key", "AES256", short, base64.StdEncoding.EncodeToString(shortSum[:]), ErrSSECKey},
		{"key not base64", "AES256", "!!!", m64, ErrSSECKey},
		{"md5 mismatch", "AES256", k64, base64.StdEncoding.EncodeToString(shortSum[:]), ErrSSECKeyMD5},
		{"md5 not base64", "AES256", k64, "???", ErrSSECKeyMD5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckCustomerKey(tc.alg, tc.key, tc.md5); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSSEValues(t *testing.T) {
	for v, want := range map[string]bool{"AES256": true, "aws:kms": true, "aws:kms:dsse": true, "aes256": false, "bogus": false, "": false, "aws:fsx": false} {
		if ValidSSEMethod(v) != want {
			t.Errorf("ValidSSEMethod(%q) = %v", v, !want)
		}
	}
	for v, want := range map[string]bool{
		base64.StdEncoding.EncodeToString([]byte(`{"a":"b"}`)): true,
		base64.StdEncoding.EncodeToString([]byte(`{}`)):        true,
		base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)):   false,
		base64.StdEncoding.EncodeToString([]byte(`["a"]`)):     false,
		base64.StdEncoding.EncodeToString([]byte(`null`)):      false,
		`{"a":"b"}`: false,
	} {
		if ValidEncryptionContext(v) != want {
			t.Errorf("ValidEncryptionContext(%q) = %v", v, !want)
		}
	}
}
