package s3

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

var (
	ErrInvalidBucketName = errors.New("s3: invalid bucket name")
	ErrInvalidKey        = errors.New("s3: invalid object key")
	ErrKeyTooLong        = errors.New("s3: object key too long")
)

// MaxKeyLength is S3's limit on an object key, in UTF-8 bytes.
const MaxKeyLength = 1024

var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// CheckBucketName applies S3's naming rules for general-purpose buckets.
// Errors wrap ErrInvalidBucketName with the rule that failed.
func CheckBucketName(name string) error {
	bad := func(why string) error { return wrapName(name, why) }
	if len(name) < 3 || len(name) > 63 {
		return bad("must be 3 to 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad("may contain only lowercase letters, digits, '.' and '-'")
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return bad("must start and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return bad("must not contain '..'")
	}
	if looksLikeIPv4(name) {
		return bad("must not be formatted as an IP address")
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return bad("reserved prefix " + p)
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return bad("reserved suffix " + s)
		}
	}
	return nil
}

func wrapName(name, why string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidBucketName, name, why)
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// looksLikeIPv4 matches four dot-separated digit groups. It is deliberately
// looser than an address parser (leading zeros, values > 255) because such
// names would still be mistaken for addresses by virtual-host routing.
func looksLikeIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

// CheckObjectKey enforces the limits S3 places on keys: non-empty, at most
// MaxKeyLength bytes, valid UTF-8.
func CheckObjectKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: %d bytes, limit %d", ErrKeyTooLong, len(key), MaxKeyLength)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidKey)
	}
	return nil
}
