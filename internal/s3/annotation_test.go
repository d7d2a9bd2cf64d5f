package s3

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAnnotationName(t *testing.T) {
	for _, c := range []struct {
		name string
		want error
	}{
		{"summary", nil},
		{"a", nil},
		{"résumé/ü", nil},
		{"my-aws-notes", nil},
		{strings.Repeat("n", 512), nil},
		{strings.Repeat("é", 256), nil},
		{"", ErrAnnotationName},
		{"aws", ErrAnnotationName},
		{"AWS-tag", ErrAnnotationName},
		{"s3x", ErrAnnotationName},
		{"S3", ErrAnnotationName},
		{"\xff\xfe", ErrAnnotationName},
		{strings.Repeat("n", 513), ErrAnnotationNameTooLong},
		{strings.Repeat("é", 257), ErrAnnotationNameTooLong},
	} {
		if err := CheckAnnotationName(c.name); !errors.Is(err, c.want) {
			t.Errorf("CheckAnnotationName(%.20q) = %v, want %v", c.name, err, c.want)
		}
	}
}
