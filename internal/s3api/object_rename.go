package s3api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// errRenamed: the rename was done before under the same client token and
// parameters, so the retry answers success again.
var errRenamed = errors.New("rename already done")

// renameConditionHeaders are RenameObject's conditions, in the order they
// enter a request's fingerprint.
var renameConditionHeaders = []string{
	"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since",
	"x-amz-rename-source-if-match", "x-amz-rename-source-if-none-match",
	"x-amz-rename-source-if-modified-since", "x-amz-rename-source-if-unmodified-since",
}

// renameObject answers RenameObject: one metadata transaction gives the
// source object the request's key, copying no data. It runs in directory
// buckets and, as a Talus extension, in general purpose buckets that
// never had versioning (whose single "null" version per key makes a
// rename a plain move; with versions, S3 has no meaning for it).
func (a *API) renameObject(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	src, err := parseRenameSource(req.Header.Get("x-amz-rename-source"), req.bucket)
	if err != nil {
		return nil, err
	}
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if b.Versioning != meta.Unversioned {
		return nil, s3err.Newf(s3err.NotImplemented, "RenameObject is only for buckets that never had versioning.")
	}
	token := req.Header.Get("x-amz-client-token")
	if len(token) > 64 || strings.ContainsFunc(token, func(r rune) bool { return r < 33 || r > 126 }) {
		return nil, s3err.Newf(s3err.InvalidArgument, "x-amz-client-token must be at most 64 ASCII characters from ! to ~.").With("ArgumentName", "x-amz-client-token")
	}
	// The source leaves its key: reading and deleting it must be allowed too.
	for _, action := range []string{"s3:GetObject", "s3:DeleteObject"} {
		if err := a.allowed(ctx, req, action, arn(req.bucket, src, true), nil); err != nil {
			return nil, err
		}
	}
	srcCond, dstCond, err := renameConditions(req.Header)
	if err != nil {
		return nil, err
	}
	fingerprint := src
	for _, h := range renameConditionHeaders {
		fingerprint += "\n" + req.Header.Get(h)
	}
	freed, err := a.meta.RenameObject(ctx, req.bucket, src, req.key, meta.RenameOptions{
		Check: func(from, to *meta.Object) error {
			if token != "" && to != nil && to.Attrs.RenameToken == token {
				if to.Attrs.RenameRequest != fingerprint {
					return s3err.New(s3err.IdempotencyParameterMismatch)
				}
				return errRenamed
			}
			if from == nil {
				return nil // NoSuchKey
			}
			if s3.CheckRead(srcCond, from.ETag, from.Modified) != s3.OK {
				return s3err.New(s3err.PreconditionFailed).With("Condition", "x-amz-rename-source-"+strings.ToLower(failedCondition(srcCond)))
			}
			if to == nil {
				if dstCond.IfMatch != "" {
					return s3err.New(s3err.PreconditionFailed).With("Condition", "If-Match")
				}
				return nil
			}
			switch s3.CheckRead(dstCond, to.ETag, to.Modified) {
			case s3.PreconditionFailed:
				return s3err.New(s3err.PreconditionFailed).With("Condition", failedCondition(dstCond))
			case s3.NotModified: // a write's If-None-Match / If-Modified-Since fail with 412
				return s3err.New(s3err.PreconditionFailed).With("Condition", "If-None-Match")
			}
			return nil
		},
		Edit: func(at *meta.Attrs) {
			at.RenameToken, at.RenameRequest = token, ""
			if token != "" {
				at.RenameRequest = fingerprint
			}
		},
	})
	switch {
	case errors.Is(err, errRenamed):
	case errors.Is(err, meta.ErrNoSuchKey):
		return nil, s3err.New(s3err.NoSuchKey).With("Key", src)
	case errors.Is(err, meta.ErrRenameVersioned):
		return nil, s3err.Newf(s3err.NotImplemented, "RenameObject is only for buckets that never had versioning.")
	case err != nil:
		return nil, err
	}
	a.deleteBlobs(freed...)
	return newResponse(http.StatusOK), nil
}

// parseRenameSource reads x-amz-rename-source: the URL-encoded
// bucket/key of the source, which must be in bucket.
func parseRenameSource(v, bucket string) (string, error) {
	if v == "" {
		return "", s3err.Newf(s3err.InvalidArgument, "RenameObject needs x-amz-rename-source.").With("ArgumentName", "x-amz-rename-source")
	}
	dec, err := url.PathUnescape(v)
	if err != nil {
		return "", s3err.Newf(s3err.InvalidArgument, "x-amz-rename-source must be URL-encoded bucket/key.").With("ArgumentName", "x-amz-rename-source")
	}
	b, key, ok := strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	if !ok || b == "" || key == "" {
		return "", s3err.Newf(s3err.InvalidArgument, "x-amz-rename-source must be URL-encoded bucket/key.").With("ArgumentName", "x-amz-rename-source")
	}
	if b != bucket {
		return "", s3err.Newf(s3err.InvalidRequest, "RenameObject renames within one bucket; the source is in %s.", b)
	}
	if err := checkKey(key); err != nil {
		return "", err
	}
	return key, nil
}

// renameConditions reads the source's and the destination's conditions.
func renameConditions(h http.Header) (src, dst s3.Conditions, err error) {
	read := func(prefix string) (s3.Conditions, error) {
		c := s3.Conditions{IfMatch: h.Get(prefix + "If-Match"), IfNoneMatch: h.Get(prefix + "If-None-Match")}
		if v := h.Get(prefix + "If-Modified-Since"); v != "" {
			t, ok := httpDate(v)
			if !ok {
				return c, s3err.Newf(s3err.InvalidArgument, "%sIf-Modified-Since is not an HTTP date.", prefix)
			}
			c.IfModifiedSince = &t
		}
		if v := h.Get(prefix + "If-Unmodified-Since"); v != "" {
			t, ok := httpDate(v)
			if !ok {
				return c, s3err.Newf(s3err.InvalidArgument, "%sIf-Unmodified-Since is not an HTTP date.", prefix)
			}
			c.IfUnmodifiedSince = &t
		}
		return c, nil
	}
	if src, err = read("x-amz-rename-source-"); err != nil {
		return
	}
	dst, err = read("")
	return
}
