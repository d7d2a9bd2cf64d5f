package s3api

import (
	"context"
	"net/http"
	"slices"

	"talus/internal/meta"
	"talus/internal/s3err"
)

// putBucketSetting stores a one-value bucket setting sent as the document
// root (Requester Pays' Payer, ABAC's and acceleration's Status): value
// reads it from doc once decoded, a value outside allowed is MalformedXML,
// check (if set) refuses the request, set stores it.
func (a *API) putBucketSetting(ctx context.Context, req *request, root string, doc any, value func() string, allowed []string,
	check func() error, set func(*meta.BucketConfig, string)) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := a.readXML(req, root, doc); err != nil {
		return nil, err
	}
	v := value()
	if !slices.Contains(allowed, v) {
		return nil, s3err.New(s3err.MalformedXML)
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, err
		}
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { set(&b.Config, v); return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}
