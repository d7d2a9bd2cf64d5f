package s3api

import (
	"context"
	"strings"

	"talus/internal/s3"
	"talus/internal/s3err"
)

// What S3 enforces, Talus enforces: a request header or parameter that
// selects a feature Talus lacks is refused, never silently ignored. This
// file is the one table of those refusals; docs/compatibility-headers.md
// lists every header and parameter of the implemented operations and why
// each is honoured, a no-op or refused here.

// unsupportedRule refuses one header (or the query parameter of the same
// name, the form a presigned URL uses) on some operations. check returns
// nil for a value Talus honours, S3's validation error for a value S3
// rejects, or NotImplemented.
type unsupportedRule struct {
	name  string
	ops   []string // nil: every operation
	check func(name, v string) error
}

var (
	objectCreateOps = []string{"PutObject", "CopyObject", "CreateMultipartUpload", "PostObject"}
	copyOps         = []string{"CopyObject", "UploadPartCopy"}
	listObjectOps   = []string{"ListObjects", "ListObjectsV2", "ListObjectVersions"}
)

// Checksum algorithms S3 offers that Talus does not compute.
var unsupportedChecksums = map[string]bool{"MD5": true, "SHA512": true, "XXHASH64": true, "XXHASH3": true, "XXHASH128": true}

var unsupportedRules = []unsupportedRule{
	// Both annotation directives are honoured; other values are S3's error.
	{"x-amz-object-annotation-directive", []string{"CopyObject"}, enumRule(
		"Unknown annotation directive.", []string{s3.AnnotationDirectiveCopy, s3.AnnotationDirectiveExclude}, nil)},
	// Appends exist only in directory buckets.
	{"x-amz-write-offset-bytes", []string{"PutObject"}, refuse},
	// Event holds are not built; OFF asks for none.
	{"x-amz-object-lock-event-hold", objectCreateOps, enumRule(
		"Unknown event hold status.", []string{"OFF"}, []string{"ON"})},
	{"x-amz-object-lock-event-hold-duration-days", objectCreateOps, refuse},
	{"x-amz-object-lock-event-hold-duration-years", objectCreateOps, refuse},
	// Conditional deletes are not built (the last two are for directory buckets).
	{"If-Match", []string{"DeleteObject"}, refuse},
	{"x-amz-if-match-last-modified-time", []string{"DeleteObject"}, refuse},
	{"x-amz-if-match-size", []string{"DeleteObject"}, refuse},
	{"x-amz-if-match-initiated-time", []string{"AbortMultipartUpload"}, refuse},
	// Account-regional bucket namespaces are not built.
	{"x-amz-bucket-namespace", []string{"CreateBucket"}, enumRule(
		"Invalid bucket namespace.", []string{"global"}, []string{"account-regional"})},
	// RestoreStatus is the only optional attribute (restoreStatus).
	{"x-amz-optional-object-attributes", listObjectOps, func(name, v string) error {
		for _, a := range strings.Split(v, ",") {
			if strings.TrimSpace(a) != "RestoreStatus" {
				return s3err.Newf(s3err.InvalidArgument, "Invalid attribute name specified.").With("ArgumentName", name).With("ArgumentValue", v)
			}
		}
		return nil
	}},
	// These classes are not for general purpose buckets.
	{"x-amz-storage-class", objectCreateOps, func(name, v string) error {
		switch v {
		case "OUTPOSTS", "EXPRESS_ONEZONE", "SNOW", "FSX_OPENZFS", "FSX_ONTAP":
			return s3err.New(s3err.InvalidStorageClass).With("StorageClassRequested", v)
		}
		return nil
	}},
	{"x-amz-sdk-checksum-algorithm", nil, checksumAlgorithmRule},
	{"x-amz-checksum-algorithm", nil, checksumAlgorithmRule},
	{"x-amz-trailer", nil, func(name, v string) error {
		if alg, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(v)), "x-amz-checksum-"); ok && unsupportedChecksums[strings.ToUpper(alg)] {
			return notImplementedHeader("x-amz-checksum-" + alg)
		}
		return nil
	}},
	{"x-amz-checksum-md5", nil, refuse},
	{"x-amz-checksum-sha512", nil, refuse},
	{"x-amz-checksum-xxhash64", nil, refuse},
	{"x-amz-checksum-xxhash3", nil, refuse},
	{"x-amz-checksum-xxhash128", nil, refuse},
}

func refuse(name, _ string) error { return notImplementedHeader(name) }

// enumRule honours the values in ok, refuses those in lacking with
// NotImplemented and rejects any other value as S3 does.
func enumRule(msg string, ok, lacking []string) func(name, v string) error {
	return func(name, v string) error {
		for _, o := range ok {
			if v == o {
				return nil
			}
		}
		for _, l := range lacking {
			if v == l {
				return notImplementedHeader(name)
			}
		}
		return s3err.Newf(s3err.InvalidArgument, "%s", msg).With("ArgumentName", name).With("ArgumentValue", v)
	}
}

func checksumAlgorithmRule(name, v string) error {
	if unsupportedChecksums[strings.ToUpper(v)] {
		return notImplementedHeader(name)
	}
	return nil // others are validated where the checksum is computed
}

// unsupported applies the rules and the encryption refusals to operation
// op. get reads a header or form field.
func unsupported(op string, get func(string) string, secure bool) error {
	if err := checkEncryption(op, get, secure); err != nil {
		return err
	}
	for _, r := range unsupportedRules {
		if !appliesTo(r.ops, op) || (annotationChecksumOps[op] && annotationChecksumRules[r.name]) {
			continue
		}
		if v := get(r.name); v != "" {
			if err := r.check(r.name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// implemented holds the names of the operations Talus serves.
var implemented = func() map[string]bool {
	m := map[string]bool{"ListObjectsV2": true}
	for _, op := range operations {
		m[op.name] = true
	}
	return m
}()

func appliesTo(ops []string, op string) bool {
	if ops == nil {
		return true
	}
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// refuseUnsupported is the gate every routed request passes after
// authorization and before its handler. A NotImplemented answer comes only
// after the bucket is known to exist, as S3 answers NoSuchBucket first.
func (a *API) refuseUnsupported(ctx context.Context, req *request, op string) error {
	if !implemented[op] {
		return nil // the operation itself is refused
	}
	get := func(name string) string {
		if req.directory && name == "x-amz-storage-class" {
			return "" // EXPRESS_ONEZONE, checked by checkDirectory
		}
		if v := headerValue(req.Header, name); v != "" {
			return v
		}
		return req.query.Get(strings.ToLower(name))
	}
	err := unsupported(op, get, a.secure(req))
	if err == nil {
		err = a.refuseBlockedSSEC(ctx, req, op, req.key, get)
	}
	if op == "CreateBucket" {
		return err
	}
	return a.bucketFirst(ctx, req, err)
}

// bucketFirst returns NoSuchBucket instead of a NotImplemented err when the
// request's bucket does not exist.
func (a *API) bucketFirst(ctx context.Context, req *request, err error) error {
	if e, ok := s3err.As(err); ok && e.Code == s3err.NotImplemented && req.bucket != "" {
		if _, berr := a.bucket(ctx, req); berr != nil {
			return berr
		}
	}
	return err
}
