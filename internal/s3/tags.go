package s3

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Tag limits S3 enforces.
const (
	MaxObjectTags  = 10
	MaxBucketTags  = 50
	MaxTagKeyLen   = 128 // UTF-16 code units
	MaxTagValueLen = 256
)

// TagError explains why a tag set was rejected (S3 code InvalidTag).
type TagError struct{ Msg string }

func (e *TagError) Error() string { return e.Msg }

// Tag is one key/value pair in submission order.
type Tag struct{ Key, Value string }

// ParseTaggingHeader parses x-amz-tagging ("k1=v1&k2=v2", URL-encoded).
func ParseTaggingHeader(v string) ([]Tag, error) {
	var tags []Tag
	if v == "" {
		return nil, nil
	}
	for _, pair := range strings.Split(v, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil {
			return nil, &TagError{"The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."}
		}
		tags = append(tags, Tag{dk, dv})
	}
	return tags, nil
}

// CheckTags validates a tag set against S3's rules and returns it as a map.
func CheckTags(tags []Tag, max int) (map[string]string, error) {
	if len(tags) > max {
		if max == MaxObjectTags {
			return nil, &TagError{"Object tags cannot be greater than 10"}
		}
		return nil, &TagError{"Bucket tag count cannot be greater than 50"}
	}
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "":
			return nil, &TagError{"The TagKey you have provided is invalid"}
		case utf16Len(t.Key) > MaxTagKeyLen:
			return nil, &TagError{"The TagKey you have provided is too long, max 128"}
		case utf16Len(t.Value) > MaxTagValueLen:
			return nil, &TagError{"The TagValue you have provided is too long, max 256"}
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return nil, &TagError{"Your TagKey cannot be prefixed with aws:"}
		case !tagChars(t.Key):
			return nil, &TagError{"The TagKey you have provided is invalid"}
		case !tagChars(t.Value):
			return nil, &TagError{"The TagValue you have provided is invalid"}
		}
		if _, dup := out[t.Key]; dup {
			return nil, &TagError{"Cannot provide multiple Tags with the same key"}
		}
		out[t.Key] = t.Value
	}
	return out, nil
}

// IsTagError reports whether err came from tag validation.
func IsTagError(err error) bool {
	var te *TagError
	return errors.As(err, &te)
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// tagChars: letters, numbers, spaces and _ . : / = + - @ (S3's tag pattern).
func tagChars(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsSpace(r) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return false
	}
	return true
}

// EncodeTags renders tags as the x-amz-tagging header form, sorted by key.
func EncodeTags(tags map[string]string) string {
	v := url.Values{}
	for k, val := range tags {
		v.Set(k, val)
	}
	return v.Encode()
}
