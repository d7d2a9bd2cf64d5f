package s3

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Object annotation limits (PutObjectAnnotation, 2026-06).
const (
	MaxAnnotationNameLen  = 512     // bytes of UTF-8
	MaxAnnotationSize     = 1 << 20 // payload bytes
	MaxAnnotationsPerVer  = 1000
	MaxAnnotationResults  = 1000 // ListObjectAnnotations page size
	annotationNamePrefix1 = "aws"
	annotationNamePrefix2 = "s3"
)

// Errors of CheckAnnotationName; the API maps them to
// InvalidAnnotationName and AnnotationNameTooLong.
var (
	ErrAnnotationName        = errors.New("s3: invalid annotation name")
	ErrAnnotationNameTooLong = errors.New("s3: annotation name too long")
)

// CheckAnnotationName applies S3's naming rules: 1 to 512 bytes of valid
// UTF-8, not starting with "aws" or "s3" in any case (reserved prefixes).
func CheckAnnotationName(name string) error {
	switch {
	case name == "" || !utf8.ValidString(name):
		return ErrAnnotationName
	case len(name) > MaxAnnotationNameLen:
		return ErrAnnotationNameTooLong
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, annotationNamePrefix1) || strings.HasPrefix(lower, annotationNamePrefix2) {
		return ErrAnnotationName
	}
	return nil
}

// Annotation directives of CopyObject (x-amz-object-annotation-directive).
const (
	AnnotationDirectiveCopy    = "COPY"
	AnnotationDirectiveExclude = "EXCLUDE"
)
