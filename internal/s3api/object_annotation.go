package s3api

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"talus/internal/checksum"
	"talus/internal/crypt"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// Object annotations: named UTF-8 payloads (1 B to 1 MiB, at most 1,000)
// attached to one object version. A payload is sealed under a key of its
// own, wrapped under its version's data key, so annotations are encrypted
// exactly as their object is and a copy only re-wraps keys. Objects with
// customer keys (SSE-C) cannot have annotations, as in S3.

// annotationStream is the crypt stream identity of an annotation payload.
const annotationStream = "annotation"

// annotationChecksumOps take every checksum algorithm S3 lists for
// annotations; annotationChecksumRules are the refusals they skip.
var (
	annotationChecksumOps   = map[string]bool{"PutObjectAnnotation": true, "GetObjectAnnotation": true}
	annotationChecksumRules = map[string]bool{
		"x-amz-sdk-checksum-algorithm": true, "x-amz-checksum-algorithm": true, "x-amz-trailer": true,
		"x-amz-checksum-md5": true, "x-amz-checksum-sha512": true, "x-amz-checksum-xxhash64": true,
		"x-amz-checksum-xxhash3": true, "x-amz-checksum-xxhash128": true,
	}
)

// annotationSub tells GetObjectAnnotation (annotationName given) from
// ListObjectAnnotations, which share method, path and sub-resource.
func annotationSub(k routeKey, req *request) string {
	if k.sub == "annotation" && k.method == "GET" && !req.query.Has("annotationName") {
		return "annotation-list"
	}
	return k.sub
}

// annotationAAD binds a wrapped annotation key to the annotation's name.
func annotationAAD(name string) []byte { return []byte("annotation " + name) }

func requestAnnotationName(req *request) (string, error) {
	name := req.query.Get("annotationName")
	switch err := s3.CheckAnnotationName(name); {
	case errors.Is(err, s3.ErrAnnotationNameTooLong):
		return "", s3err.New(s3err.AnnotationNameTooLong)
	case err != nil:
		return "", s3err.New(s3err.InvalidAnnotationName)
	}
	return name, nil
}

// annotationError maps store errors of the annotation operations.
func annotationError(req *request, o *meta.Object, err error) error {
	switch {
	case errors.Is(err, errDeleteMarker):
		return deleteMarkerError(req, o)
	case errors.Is(err, meta.ErrNoSuchKey):
		return s3err.New(s3err.NoSuchKey).With("Key", req.key)
	case errors.Is(err, meta.ErrNoSuchVersion):
		if v := req.query.Get("versionId"); v != meta.NullVersion && !meta.ValidVersionID(v) {
			return s3err.Newf(s3err.InvalidArgument, "Invalid version id specified").With("ArgumentName", "versionId").With("ArgumentValue", v)
		}
		return s3err.New(s3err.NoSuchVersion).With("Key", req.key).With("VersionId", req.query.Get("versionId"))
	case errors.Is(err, meta.ErrNoSuchAnnotation):
		return s3err.New(s3err.NoSuchAnnotation).With("AnnotationName", req.query.Get("annotationName"))
	case errors.Is(err, meta.ErrAnnotationLimit):
		return s3err.New(s3err.AnnotationLimitExceeded)
	}
	return err
}

// annotationWrite is a Put or Delete of one annotation: its name, the
// version it targets, and the check the store re-applies inside its
// transaction (the version must still be the one whose key sealed the
// payload, and x-amz-object-if-match must still hold).
type annotationWrite struct {
	name   string
	o      *meta.Object
	check  func(*meta.Object) error
	marker *meta.Object // a delete marker the check found, for the error
}

// annotationTarget validates the name, loads the version and checks
// x-amz-object-if-match against it.
func (a *API) annotationTarget(ctx context.Context, req *request) (*annotationWrite, error) {
	name, err := requestAnnotationName(req)
	if err != nil {
		return nil, err
	}
	o, err := a.lookupVersion(ctx, req)
	if err != nil {
		return nil, err
	}
	ifMatch := req.Header.Get("x-amz-object-if-match")
	cond := func(cur *meta.Object) error {
		if ifMatch != "" && s3.CheckWrite(ifMatch, "", true, cur.ETag) != s3.OK {
			return s3err.New(s3err.PreconditionFailed).With("Condition", "x-amz-object-if-match")
		}
		return nil
	}
	if err := cond(o); err != nil {
		return nil, err
	}
	w := &annotationWrite{name: name, o: o}
	w.check = func(cur *meta.Object) error {
		switch {
		case cur.DeleteMarker:
			w.marker = cur
			return errDeleteMarker
		case cur.Seq != o.Seq:
			// The version was replaced (a new null version) since the lookup.
			return s3err.New(s3err.ConditionalRequestConflict)
		}
		return cond(cur)
	}
	return w, nil
}

// failed maps a store error of the write.
func (w *annotationWrite) failed(req *request, err error) error {
	return annotationError(req, w.marker, err)
}

// setAnnotatedVersion names the annotated version as S3 does.
func setAnnotatedVersion(h http.Header, req *request, vid string) {
	if vid != "" && (vid != meta.NullVersion || req.versioning != meta.Unversioned) {
		h.Set("x-amz-object-version-id", vid)
	}
}

func (a *API) putObjectAnnotation(ctx context.Context, req *request) (*response, error) {
	w, err := a.annotationTarget(ctx, req)
	if err != nil {
		return nil, err
	}
	name, o := w.name, w.o
	if isCustomer(o.Attrs.Enc) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Annotations are not supported on objects encrypted with customer-provided keys (SSE-C).")
	}
	p, err := a.openPayloadIn(req, true, checksum.AnnotationAlgorithms)
	if err != nil {
		return nil, err
	}
	switch {
	case p.size < 0:
		return nil, s3err.New(s3err.MissingContentLength)
	case p.size == 0:
		return nil, s3err.Newf(s3err.InvalidRequest, "The annotation payload must be at least 1 byte.")
	case p.size > s3.MaxAnnotationSize:
		return nil, s3err.New(s3err.EntityTooLarge).With("ProposedSize", itoa64(p.size)).With("MaxSizeAllowed", itoa(s3.MaxAnnotationSize))
	}
	data := make([]byte, p.size)
	if _, err := io.ReadFull(p, data); err != nil {
		return nil, bodyError(err)
	}
	// Drain to EOF so trailers and the final chunk signature are checked.
	if _, err := io.Copy(io.Discard, p); err != nil {
		return nil, bodyError(err)
	}
	if err := p.verify(); err != nil {
		return nil, bodyError(err)
	}
	if !utf8.Valid(data) {
		return nil, s3err.New(s3err.UnsupportedMediaType)
	}
	ann := &meta.Annotation{Name: name, Size: p.size, ETag: etagOf(p.hasher.MD5()), Data: data}
	alg, sum := p.checksumValue()
	if alg != "" {
		ann.Checksums, ann.ChecksumType = map[string]string{string(alg): sum}, "FULL_OBJECT"
	}
	if o.Attrs.Enc != nil {
		objKey, err := a.dataKey(ctx, o.Attrs.Enc, headerGetter(req), sseCustomerPrefix)
		if err != nil {
			return nil, err
		}
		if ann.WrappedKey, ann.Data, err = sealAnnotation(objKey, name, data); err != nil {
			return nil, s3err.Internal(err)
		}
	}
	o, err = a.meta.PutAnnotation(ctx, req.bucket, req.key, o.VersionID, ann, w.check)
	if err != nil {
		return nil, w.failed(req, err)
	}
	resp := xmlResponse(http.StatusOK, s3xml.PutObjectAnnotationOutput{NS: s3xml.NS, Key: req.key, AnnotationName: name})
	resp.header.Set("ETag", ann.ETag)
	if alg != "" {
		resp.header.Set(alg.HeaderName(), sum)
		resp.header.Set("x-amz-checksum-type", ann.ChecksumType)
	}
	setAnnotatedVersion(resp.header, req, o.VersionID)
	setAnnotationSSE(resp.header, o.Attrs.Enc)
	return resp, nil
}

// sealAnnotation seals data under a fresh key wrapped under objKey.
func sealAnnotation(objKey []byte, name string, data []byte) (wrapped, sealed []byte, err error) {
	key := crypt.NewKey()
	if wrapped, err = crypt.WrapKey(objKey, key, annotationAAD(name)); err != nil {
		return nil, nil, err
	}
	s, err := crypt.NewStream(key, annotationStream)
	if err != nil {
		return nil, nil, err
	}
	sealed, err = s.Seal(data)
	return wrapped, sealed, err
}

// setAnnotationSSE names the encryption annotations share with their object.
func setAnnotationSSE(h http.Header, enc *meta.Encryption) {
	if enc != nil && !isCustomer(enc) {
		h.Set("x-amz-server-side-encryption", enc.Algorithm)
	}
}

func (a *API) getObjectAnnotation(ctx context.Context, req *request) (*response, error) {
	name, err := requestAnnotationName(req)
	if err != nil {
		return nil, err
	}
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	o, ann, err := a.meta.GetAnnotation(ctx, req.bucket, req.key, req.query.Get("versionId"), name)
	if err == nil || errors.Is(err, meta.ErrNoSuchAnnotation) {
		if o.DeleteMarker {
			err = errDeleteMarker
		}
	}
	if err != nil {
		return nil, annotationError(req, o, err)
	}
	data := ann.Data
	if ann.WrappedKey != nil {
		objKey, err := a.dataKey(ctx, o.Attrs.Enc, headerGetter(req), sseCustomerPrefix)
		if err != nil {
			return nil, err
		}
		if data, err = openAnnotation(objKey, ann); err != nil {
			return nil, s3err.Internal(err)
		}
	}
	resp := newResponse(http.StatusOK)
	resp.body, resp.length = io.NopCloser(bytes.NewReader(data)), int64(len(data))
	h := resp.header
	h.Set("Last-Modified", ann.Modified.UTC().Format(http.TimeFormat))
	h.Set("ETag", ann.ETag)
	if req.Header.Get("x-amz-checksum-mode") == "ENABLED" {
		for alg, v := range ann.Checksums {
			h.Set(checksum.Algorithm(alg).HeaderName(), v)
		}
		if ann.ChecksumType != "" {
			h.Set("x-amz-checksum-type", ann.ChecksumType)
		}
	}
	setAnnotatedVersion(h, req, o.VersionID)
	setAnnotationSSE(h, o.Attrs.Enc)
	return resp, nil
}

// openAnnotation returns the plaintext of a sealed annotation.
func openAnnotation(objKey []byte, ann *meta.Annotation) ([]byte, error) {
	key, err := crypt.UnwrapKey(objKey, ann.WrappedKey, annotationAAD(ann.Name))
	if err != nil {
		return nil, err
	}
	s, err := crypt.NewStream(key, annotationStream)
	if err != nil {
		return nil, err
	}
	return s.Open(ann.Data, ann.Size, 0, ann.Size)
}

func (a *API) listObjectAnnotations(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	q := req.query
	max := s3.MaxAnnotationResults
	if v := q.Get("max-annotation-results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s3.MaxAnnotationResults {
			return nil, s3err.Newf(s3err.InvalidArgument, "max-annotation-results must be an integer between 1 and 1000.").
				With("ArgumentName", "max-annotation-results").With("ArgumentValue", v)
		}
		max = n
	}
	prefix := q.Get("annotation-prefix")
	if !utf8.ValidString(prefix) || len(prefix) > s3.MaxAnnotationNameLen {
		return nil, s3err.Newf(s3err.InvalidPrefix, "The annotation prefix is not valid.")
	}
	token := q.Get("continuation-token")
	after := ""
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw) == 0 {
			return nil, s3err.Newf(s3err.InvalidArgument, "The continuation token provided is incorrect").
				With("ArgumentName", "continuation-token").With("ArgumentValue", token)
		}
		after = string(raw)
	}
	o, list, err := a.meta.ListAnnotations(ctx, req.bucket, req.key, q.Get("versionId"), meta.AnnotationListOptions{Prefix: prefix, After: after, Limit: max + 1})
	if err == nil && o.DeleteMarker {
		err = errDeleteMarker
	}
	if err != nil {
		return nil, annotationError(req, o, err)
	}
	doc := s3xml.ListObjectAnnotationsOutput{NS: s3xml.NS, Bucket: req.bucket, Key: req.key, AnnotationPrefix: prefix,
		MaxAnnotationResults: max, ContinuationToken: token, Annotations: []s3xml.AnnotationEntry{}}
	if len(list) > max {
		list = list[:max]
		doc.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(list[max-1].Name))
	}
	for _, ann := range list {
		e := s3xml.AnnotationEntry{AnnotationName: ann.Name, LastModified: s3xml.Time(ann.Modified), ETag: ann.ETag, Size: ann.Size}
		for alg := range ann.Checksums {
			e.ChecksumAlgorithm = append(e.ChecksumAlgorithm, alg)
		}
		doc.Annotations = append(doc.Annotations, e)
	}
	doc.AnnotationCount = len(doc.Annotations)
	resp := xmlResponse(http.StatusOK, doc)
	setAnnotatedVersion(resp.header, req, o.VersionID)
	return resp, nil
}

func (a *API) deleteObjectAnnotation(ctx context.Context, req *request) (*response, error) {
	w, err := a.annotationTarget(ctx, req)
	if err != nil {
		return nil, err
	}
	o, err := a.meta.DeleteAnnotation(ctx, req.bucket, req.key, w.o.VersionID, w.name, w.check)
	if err != nil {
		return nil, w.failed(req, err)
	}
	resp := newResponse(http.StatusNoContent)
	setAnnotatedVersion(resp.header, req, o.VersionID)
	return resp, nil
}

// annotationCopy prepares what CopyObject's x-amz-object-annotation-directive
// asks: EXCLUDE copies none; COPY (the default) carries every annotation of
// the source version src (data key srcKey) onto the copy sealed by dst,
// re-wrapping each annotation's key; the store copies the payloads in the
// copy's transaction and fails it if they changed meanwhile.
func (a *API) annotationCopy(ctx context.Context, req *request, src *meta.Object, srcKey []byte, dst *sealing) (*meta.AnnotationCopy, error) {
	if headerGetter(req)("x-amz-object-annotation-directive") == s3.AnnotationDirectiveExclude {
		return nil, nil
	}
	_, list, err := a.meta.ListAnnotations(ctx, src.Bucket, src.Key, src.VersionID, meta.AnnotationListOptions{Limit: meta.MaxAnnotations})
	if err != nil {
		return nil, annotationsChanged(err)
	}
	c := &meta.AnnotationCopy{Seq: src.Seq}
	if len(list) == 0 {
		return c, nil
	}
	// Copying annotations reads them at the source and writes them here.
	if err := a.allowed(ctx, req, "s3:GetObjectAnnotation", arn(src.Bucket, src.Key, true), nil); err != nil {
		return nil, err
	}
	if err := a.allowed(ctx, req, "s3:PutObjectAnnotation", arn(req.bucket, req.key, true), nil); err != nil {
		return nil, err
	}
	if isCustomer(dst.record()) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Annotations are not supported on objects encrypted with customer-provided keys (SSE-C); copy with x-amz-object-annotation-directive EXCLUDE.")
	}
	for _, ann := range list {
		it := meta.AnnotationCopyItem{Name: ann.Name, ETag: ann.ETag, Modified: ann.Modified}
		if (ann.WrappedKey != nil) != (dst != nil) {
			// Only keys are re-wrapped; plaintext cannot become sealed in place.
			return nil, s3err.Newf(s3err.InvalidRequest, "The annotations of an unencrypted object cannot be copied to an encrypted one (or back); copy with x-amz-object-annotation-directive EXCLUDE.")
		}
		if ann.WrappedKey != nil {
			key, err := crypt.UnwrapKey(srcKey, ann.WrappedKey, annotationAAD(ann.Name))
			if err != nil {
				return nil, s3err.Internal(err)
			}
			if it.WrappedKey, err = crypt.WrapKey(dst.key, key, annotationAAD(ann.Name)); err != nil {
				return nil, s3err.Internal(err)
			}
		}
		c.Items = append(c.Items, it)
	}
	return c, nil
}

// annotationsChanged maps a copy whose source annotations (or version)
// changed under it to S3's retryable conflict.
func annotationsChanged(err error) error {
	if errors.Is(err, meta.ErrAnnotationsChanged) || errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
		return s3err.Newf(s3err.ConditionalRequestConflict, "The annotations of the copy source changed during the copy. Please try again.").WithCause(err)
	}
	return err
}
