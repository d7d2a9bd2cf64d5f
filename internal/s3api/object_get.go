package s3api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"talus/internal/blob"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// responseOverrides maps response-* query parameters to the header each sets.
var responseOverrides = [][2]string{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// lookupObject loads the version a GET, HEAD or DELETE names.
func (a *API) lookupObject(ctx context.Context, req *request) (*meta.Object, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	vid := req.query.Get("versionId")
	if _, ok := req.query["versionId"]; ok && vid == "" {
		return nil, s3err.Newf(s3err.InvalidArgument, "Version id cannot be the empty string").With("ArgumentName", "versionId")
	}
	o, err := a.meta.GetObject(ctx, req.bucket, req.key, vid)
	switch {
	case errors.Is(err, meta.ErrNoSuchKey):
		return nil, s3err.New(s3err.NoSuchKey).With("Key", req.key)
	case errors.Is(err, meta.ErrNoSuchVersion):
		if vid != meta.NullVersion && !meta.ValidVersionID(vid) {
			return nil, s3err.Newf(s3err.InvalidArgument, "Invalid version id specified").With("ArgumentName", "versionId").With("ArgumentValue", vid)
		}
		return nil, s3err.New(s3err.NoSuchVersion).With("Key", req.key).With("VersionId", vid)
	case err != nil:
		return nil, err
	}
	req.objectTags = o.Attrs.Tags
	return o, nil
}

func (a *API) getObject(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	if m := req.Header.Get("x-amz-checksum-mode"); m != "" && !strings.EqualFold(m, "ENABLED") {
		return nil, s3err.Newf(s3err.InvalidRequest, "Value for x-amz-checksum-mode header is invalid.")
	}
	for _, ov := range responseOverrides {
		if _, ok := req.query[ov[0]]; ok && req.auth.Anonymous {
			return nil, s3err.Newf(s3err.InvalidRequest, "Request specific response headers cannot be used for anonymous GET requests.")
		}
	}
	resp, err := onceMore(func() (*response, error) { return a.getObjectOnce(ctx, req) })
	return resp, a.hideMissing(ctx, req, err)
}

// readAttempts bounds onceMore: a blob missing this many times running is
// not a race with overwrites but a missing blob.
const readAttempts = 5

// onceMore runs a read again if its blob vanished between the lookup and
// the open, which a concurrent overwrite freeing it causes; a fresh lookup
// then finds the new version. Overwrites in quick succession (slower
// commits on PostgreSQL under load) can free the next version too, so it
// tries a few times.
func onceMore(read func() (*response, error)) (*response, error) {
	resp, err := read()
	for i := 1; i < readAttempts && errors.Is(err, blob.ErrNotFound); i++ {
		resp, err = read()
	}
	return resp, err
}

// readConditions is the request's If-Match, If-None-Match,
// If-Modified-Since and If-Unmodified-Since, for a read of an object.
func readConditions(req *request) s3.Conditions {
	cond := s3.Conditions{IfMatch: req.Header.Get("If-Match"), IfNoneMatch: req.Header.Get("If-None-Match")}
	if t, ok := httpDate(req.Header.Get("If-Modified-Since")); ok {
		cond.IfModifiedSince = &t
	}
	if t, ok := httpDate(req.Header.Get("If-Unmodified-Since")); ok {
		cond.IfUnmodifiedSince = &t
	}
	return cond
}

func (a *API) getObjectOnce(ctx context.Context, req *request) (*response, error) {
	o, err := a.lookupObject(ctx, req)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		return nil, deleteMarkerError(req, o)
	}
	get := headerGetter(req)
	if _, err := checkCustomerAccess(o.Attrs.Enc, get, sseCustomerPrefix); err != nil {
		return nil, err
	}

	cond := readConditions(req)
	switch s3.CheckRead(cond, o.ETag, o.Modified) {
	case s3.NotModified:
		resp := newResponse(http.StatusNotModified)
		resp.header.Set("ETag", o.ETag)
		resp.header.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
		return resp, nil
	case s3.PreconditionFailed:
		return nil, s3err.New(s3err.PreconditionFailed).With("Condition", failedCondition(cond))
	}

	resp := newResponse(http.StatusOK)
	setObjectHeaders(resp.header, req, o)
	setSSEHeaders(resp.header, o.Attrs.Enc, false /* context */)
	a.setRestoreHeaders(resp.header, o)
	if o.IsLatest {
		a.setExpiration(ctx, resp.header, req, o)
	}
	rng, partSums, err := readRange(req, o)
	if err != nil {
		return nil, err
	}
	if rng.Partial {
		resp.status = http.StatusPartialContent
		resp.header.Set("Content-Range", rng.ContentRange(o.Size))
	}
	if _, ok := req.query["partNumber"]; ok && len(o.Parts) > 0 {
		resp.header.Set("x-amz-mp-parts-count", itoa(len(o.Parts)))
	}
	if strings.EqualFold(req.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		sums, ctype := servedChecksums(o, rng, partSums)
		for alg, v := range sums {
			resp.header.Set("x-amz-checksum-"+strings.ToLower(alg), v)
		}
		if ctype != "" && len(sums) > 0 {
			resp.header.Set("x-amz-checksum-type", ctype)
		}
	}
	for _, ov := range responseOverrides {
		if v, ok := req.query[ov[0]]; ok {
			resp.header.Set(ov[1], v[0])
		}
	}
	resp.length = rng.Length
	if req.Method == http.MethodHead {
		resp.body = io.NopCloser(bytes.NewReader(nil))
		return resp, nil
	}
	if err := a.checkReadable(o); err != nil {
		return nil, err
	}
	key, err := a.dataKey(ctx, o.Attrs.Enc, get, sseCustomerPrefix)
	if err != nil {
		return nil, err
	}
	body, err := a.openData(ctx, o, key, rng.Start, rng.Length)
	if err != nil {
		return nil, err
	}
	a.touch(o)
	resp.body = body
	return resp, nil
}

// readRange picks the bytes a GET or HEAD returns: a Range, a part
// (partNumber), or everything. For a part of a composite-checksum object
// it also returns the part's checksums.
func readRange(req *request, o *meta.Object) (s3.Range, map[string]string, error) {
	spec := req.Header.Get("Range")
	if _, ok := req.query["partNumber"]; !ok {
		rng, err := s3.ParseRange(spec, o.Size)
		if err != nil {
			return rng, nil, s3err.New(s3err.InvalidRange).With("RangeRequested", spec).With("ActualObjectSize", itoa64(o.Size))
		}
		return rng, nil, nil
	}
	if spec != "" {
		return s3.Range{}, nil, s3err.Newf(s3err.InvalidRequest, "Cannot specify both Range header and partNumber query parameter")
	}
	n, err := partNumber(req)
	if err != nil {
		return s3.Range{}, nil, err
	}
	if len(o.Parts) == 0 {
		if n != 1 {
			return s3.Range{}, nil, s3err.New(s3err.InvalidPartNumber).With("PartNumberRequested", itoa(n)).With("ActualPartCount", "1")
		}
		return s3.Range{Start: 0, Length: o.Size, Partial: o.Size > 0}, nil, nil
	}
	if n > len(o.Parts) {
		return s3.Range{}, nil, s3err.New(s3err.InvalidPartNumber).With("PartNumberRequested", itoa(n)).With("ActualPartCount", itoa(len(o.Parts)))
	}
	var off int64
	for _, p := range o.Parts[:n-1] {
		off += p.Size
	}
	p := o.Parts[n-1]
	var sums map[string]string
	if o.Attrs.ChecksumType == "COMPOSITE" {
		sums = p.Checksums
	}
	return s3.Range{Start: off, Length: p.Size, Partial: true}, sums, nil
}

// servedChecksums picks the checksums that describe the bytes a GET or
// HEAD serves, as S3 does: the object's own for the whole object, a
// part's for a part of a COMPOSITE object, and the FULL_OBJECT value for
// any range or part that spans the whole object (partNumber=1 of a
// single-part upload or of a plain object, bytes=0-). A range or part
// that covers less of a FULL_OBJECT object has no checksum S3 could
// send, so none is sent.
func servedChecksums(o *meta.Object, rng s3.Range, partSums map[string]string) (map[string]string, string) {
	switch {
	case partSums != nil:
		return partSums, "COMPOSITE"
	case !rng.Partial:
		return o.Attrs.Checksums, o.Attrs.ChecksumType
	case o.Attrs.ChecksumType == "FULL_OBJECT" && rng.Start == 0 && rng.Length == o.Size:
		return o.Attrs.Checksums, o.Attrs.ChecksumType
	}
	return nil, ""
}

// setObjectHeaders writes the stored headers of an object version.
func setObjectHeaders(h http.Header, req *request, o *meta.Object) {
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	at := o.Attrs
	h.Set("Content-Type", at.ContentType)
	for _, kv := range [][2]string{
		{"Content-Encoding", at.ContentEncoding},
		{"Content-Disposition", at.ContentDisposition},
		{"Content-Language", at.ContentLanguage},
		{"Cache-Control", at.CacheControl},
		{"Expires", at.Expires},
		{"x-amz-website-redirect-location", at.WebsiteRedirect},
	} {
		if kv[1] != "" {
			h.Set(kv[0], kv[1])
		}
	}
	for k, v := range at.UserMeta {
		h["X-Amz-Meta-"+k] = []string{v}
	}
	if n := len(at.Tags); n > 0 {
		h.Set("x-amz-tagging-count", itoa(n))
	}
	if o.StorageClass != "" && o.StorageClass != "STANDARD" {
		h.Set("x-amz-storage-class", o.StorageClass)
	}
	setVersionID(h, req, o.VersionID)
	setLockHeaders(h, o)
	if at.ReplicationStatus != "" {
		h.Set("x-amz-replication-status", at.ReplicationStatus)
	}
}

// deleteMarkerError is S3's answer to a request that reaches a delete
// marker: 404 NoSuchKey for the latest version, 405 when the request named
// the marker's version ID. The marker's headers travel with the error.
func deleteMarkerError(req *request, o *meta.Object) error {
	var e *s3err.Error
	if req.query.Get("versionId") != "" {
		e = s3err.New(s3err.MethodNotAllowed).With("Method", req.Method).With("ResourceType", "DeleteMarker")
	} else {
		e = s3err.New(s3err.NoSuchKey).With("Key", req.key)
	}
	return &markerError{err: e, versionID: o.VersionID, modified: o.Modified}
}

// markerError is a 404/405 about a delete marker, carrying its headers.
type markerError struct {
	err       *s3err.Error
	versionID string
	modified  time.Time
}

func (m *markerError) Error() string { return m.err.Error() }
func (m *markerError) Unwrap() error { return m.err }

func failedCondition(c s3.Conditions) string {
	if c.IfMatch != "" {
		return "If-Match"
	}
	return "If-Unmodified-Since"
}

func httpDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

func etagOf(md5sum []byte) string { return s3.ETagFromMD5(md5sum) }

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
