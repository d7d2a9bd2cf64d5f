package s3api

import (
	"context"
	"io"
	"net/http"
	"strings"

	"talus/internal/meta"
	"talus/internal/policy"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// maxPolicyBody is S3's bucket policy size limit.
const maxPolicyBody = 20 << 10

func (a *API) getBucketPolicy(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if b.Config.Policy == "" {
		return nil, s3err.Newf(s3err.NoSuchBucketPolicy, "The bucket policy does not exist").With("BucketName", req.bucket)
	}
	resp := newResponse(http.StatusOK)
	resp.header.Set("Content-Type", "application/json")
	resp.body = io.NopCloser(strings.NewReader(b.Config.Policy))
	resp.length = int64(len(b.Config.Policy))
	return resp, nil
}

func (a *API) putBucketPolicy(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	body, err := a.readSmallBody(req, maxPolicyBody)
	if err != nil {
		if e, ok := s3err.As(err); ok && e.Code == s3err.InvalidRequest {
			return nil, s3err.Newf(s3err.MalformedPolicy, "Policies must be less than 20 KB")
		}
		return nil, err
	}
	doc, err := policy.Parse(body, policy.BucketPolicy, req.bucket)
	if err != nil {
		return nil, s3err.Newf(s3err.MalformedPolicy, "%s", err.Error())
	}
	public := bucketPolicyIsPublic(doc)
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		if public && b.Config.PublicAccessBlock.BlockPublicPolicy {
			return s3err.New(s3err.AccessDenied)
		}
		b.Config.Policy = string(body)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (a *API) deleteBucketPolicy(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.Policy = ""; return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (a *API) getBucketPolicyStatus(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if b.Config.Policy == "" {
		return nil, s3err.Newf(s3err.NoSuchBucketPolicy, "The bucket policy does not exist").With("BucketName", req.bucket)
	}
	public := false
	if d := a.authz.bucketPolicy(b.Name, b.Config.Policy); d != nil {
		public = bucketPolicyIsPublic(d)
	}
	return xmlResponse(http.StatusOK, s3xml.PolicyStatus{NS: s3xml.NS, IsPublic: public}), nil
}
