package meta

import (
	"context"
	"errors"
	"time"
)

// Annotation errors every Store returns (possibly wrapped).
var (
	ErrNoSuchAnnotation = errors.New("meta: no such annotation")
	// ErrAnnotationLimit: the version already has MaxAnnotations and the
	// put would add one more.
	ErrAnnotationLimit = errors.New("meta: annotation limit reached")
	// ErrAnnotationsChanged: a copy's source annotations changed between
	// the caller listing them and the copy committing.
	ErrAnnotationsChanged = errors.New("meta: source annotations changed")
)

// MaxAnnotations is how many annotations one version may carry (S3's limit).
const MaxAnnotations = 1000

// Annotation is one named payload attached to an object version. It is
// not versioned itself and goes away with its version.
type Annotation struct {
	Name     string
	Size     int64  // payload bytes (plaintext)
	ETag     string // quoted MD5 of the plaintext payload
	Modified time.Time
	// Checksums maps an algorithm name to its base64 value.
	Checksums    map[string]string
	ChecksumType string
	// WrappedKey is the annotation's own data key wrapped under its
	// version's data key; nil when Data is plaintext.
	WrappedKey []byte
	// Data is the payload as stored (sealed when WrappedKey is set). List
	// does not load it.
	Data []byte
}

// AnnotationListOptions page through a version's annotations in byte
// order of their names.
type AnnotationListOptions struct {
	Prefix string
	After  string // resume after this name
	Limit  int
}

// AnnotationCopy makes PutObject copy the annotations of the version
// with Seq onto the new version in the same transaction. Items are those
// annotations as the caller listed them, each with the key wrapping the
// new version needs; if the source no longer has exactly these (same
// names, ETags and times) the put fails with ErrAnnotationsChanged.
type AnnotationCopy struct {
	Seq   int64
	Items []AnnotationCopyItem
}

// AnnotationCopyItem is one annotation to copy.
type AnnotationCopyItem struct {
	Name       string
	ETag       string
	Modified   time.Time
	WrappedKey []byte
}

// Annotations is the part of a metadata store that keeps object
// annotations. Every Store implements it. versionID "" means the latest
// version. The version is returned (delete markers included, which carry
// no annotations) so the caller can answer for it.
type Annotations interface {
	// PutAnnotation stores a on the version, replacing one of the same
	// name. check, when set, runs inside the transaction with the version
	// and may veto the put. ErrNoSuchKey, ErrNoSuchVersion,
	// ErrAnnotationLimit.
	PutAnnotation(ctx context.Context, bucket, key, versionID string, a *Annotation, check func(*Object) error) (*Object, error)
	// GetAnnotation returns the version and the annotation with its Data;
	// ErrNoSuchAnnotation when the version has none of that name.
	GetAnnotation(ctx context.Context, bucket, key, versionID, name string) (*Object, *Annotation, error)
	// ListAnnotations returns up to opts.Limit annotations without Data
	// whose names start with opts.Prefix and sort after opts.After.
	ListAnnotations(ctx context.Context, bucket, key, versionID string, opts AnnotationListOptions) (*Object, []Annotation, error)
	// DeleteAnnotation removes the named annotation; removing one that
	// does not exist succeeds. check is as for PutAnnotation.
	DeleteAnnotation(ctx context.Context, bucket, key, versionID, name string, check func(*Object) error) (*Object, error)
}
