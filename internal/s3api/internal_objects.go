package s3api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/sigv4"
)

// Objects lets a server component (the metadata table writer) read and
// write ordinary objects as the account root, through the same handlers
// as a client request (default encryption, versioning, durability), with
// no HTTP and no signature. Bodies stream both ways.
type Objects struct{ a *API }

// Objects returns the in-process object client.
func (a *API) Objects() *Objects { return &Objects{a: a} }

// ErrNoSuchObject is what Get answers for a missing key or bucket (and
// AnnotationText for a missing version or annotation).
var ErrNoSuchObject = errors.New("s3api: no such object")

// principal is the root of the account owning bucket (of owner, a
// canonical ID, when the bucket is to be created).
func (o *Objects) principal(ctx context.Context, bucket, owner string) (iam.Principal, error) {
	if owner == "" {
		b, err := o.a.meta.GetBucket(ctx, bucket)
		if err != nil {
			return iam.Principal{}, err
		}
		owner = b.Owner
	}
	acct, err := o.a.cfg.Identities.AccountByCanonicalID(ctx, owner)
	if err != nil {
		return iam.Principal{}, err
	}
	return iam.Principal{Root: true, Account: acct.ID, CanonicalID: owner}, nil
}

func (o *Objects) do(ctx context.Context, method, bucket, key, query, owner string, body io.Reader, size int64, header http.Header) (*response, error) {
	u := &url.URL{Path: "/" + bucket + "/" + key, RawQuery: query}
	if key == "" {
		u.Path = "/" + bucket
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	r.ContentLength = size
	for k, v := range header {
		r.Header[k] = v
	}
	p, err := o.principal(ctx, bucket, owner)
	if err != nil {
		return nil, err
	}
	req := &request{Request: r, id: newRequestID(), hostID: newHostID(), principal: p,
		auth: &sigv4.Auth{Payload: sigv4.PayloadUnsigned}}
	if err := o.a.parse(req); err != nil {
		return nil, err
	}
	op := o.a.route(req)
	return op.h(o.a, ctx, req)
}

// EnsureBucket creates bucket for the account of owner (a canonical ID)
// unless it exists.
func (o *Objects) EnsureBucket(ctx context.Context, bucket, owner string) error {
	if _, err := o.a.meta.GetBucket(ctx, bucket); err == nil {
		return nil
	}
	_, err := o.do(ctx, http.MethodPut, bucket, "", "", owner, http.NoBody, 0, nil)
	var se *s3err.Error
	if errors.As(err, &se) && (se.Code == s3err.BucketAlreadyOwnedByYou || se.Code == s3err.BucketAlreadyExists) {
		return nil
	}
	return err
}

// Put stores size bytes from body as bucket/key, encrypted with SSE-KMS
// under kmsKeyARN when it is set (else as the bucket's default
// encryption says).
func (o *Objects) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, contentType, kmsKeyARN string) error {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if kmsKeyARN != "" {
		h.Set("x-amz-server-side-encryption", "aws:kms")
		h.Set("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyARN)
	}
	resp, err := o.do(ctx, http.MethodPut, bucket, key, "", "", body, size, h)
	if err == nil && resp.body != nil {
		resp.body.Close()
	}
	return err
}

// Get opens bucket/key; the caller closes the body.
func (o *Objects) Get(ctx context.Context, bucket, key string) (io.ReadCloser, int64, error) {
	resp, err := o.do(ctx, http.MethodGet, bucket, key, "", "", http.NoBody, 0, nil)
	var se *s3err.Error
	if errors.Is(err, meta.ErrNoSuchBucket) || errors.As(err, &se) && (se.Code == s3err.NoSuchKey || se.Code == s3err.NoSuchBucket) {
		return nil, 0, ErrNoSuchObject
	}
	if err != nil {
		return nil, 0, err
	}
	if resp.body == nil {
		return io.NopCloser(http.NoBody), 0, nil
	}
	return resp.body, resp.length, nil
}

// AnnotationText returns the payload of annotation name of a version of
// bucket/key (versionID "" for the current one), decrypted.
func (o *Objects) AnnotationText(ctx context.Context, bucket, key, versionID, name string) ([]byte, error) {
	q := url.Values{"annotation": {""}, "annotationName": {name}}
	if versionID != "" {
		q.Set("versionId", versionID)
	}
	resp, err := o.do(ctx, http.MethodGet, bucket, key, q.Encode(), "", http.NoBody, 0, nil)
	var se *s3err.Error
	if errors.As(err, &se) && (se.Code == s3err.NoSuchKey || se.Code == s3err.NoSuchVersion || se.Code == s3err.NoSuchAnnotation) {
		return nil, ErrNoSuchObject
	}
	if err != nil {
		return nil, err
	}
	if resp.body == nil {
		return nil, nil
	}
	defer resp.body.Close()
	return io.ReadAll(resp.body)
}

// Delete removes bucket/key (no error when it is missing).
func (o *Objects) Delete(ctx context.Context, bucket, key string) error {
	_, err := o.do(ctx, http.MethodDelete, bucket, key, "", "", http.NoBody, 0, nil)
	return err
}

// List returns up to max keys under prefix from start on, in order.
func (o *Objects) List(ctx context.Context, bucket, prefix, start string, max int) ([]string, error) {
	objs, err := o.a.meta.ScanLatest(ctx, bucket, prefix, start, max)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(objs))
	for i, v := range objs {
		keys[i] = v.Key
	}
	return keys, nil
}
