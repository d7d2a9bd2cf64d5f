package s3api

import (
	"context"
	"net/http"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
)

func (a *API) getBucketTagging(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(b.Config.Tags) == 0 {
		return nil, s3err.New(s3err.NoSuchTagSet).With("BucketName", req.bucket)
	}
	return xmlResponse(http.StatusOK, taggingDoc(b.Config.Tags)), nil
}

func (a *API) putBucketTagging(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	tags, err := a.parseTagging(req, s3.MaxBucketTags)
	if err != nil {
		return nil, err
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.Tags = tags; return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (a *API) deleteBucketTagging(ctx context.Context, req *request) (*response, error) {
	return a.clearBucketConfig(ctx, req, func(c *meta.BucketConfig) { c.Tags = nil })
}
