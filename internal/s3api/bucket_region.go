package s3api

import (
	"context"

	"talus/internal/meta"
)

// listBucketsIn is ListBuckets of owner's buckets limited to those of
// region (every region when ""), as ListBuckets' bucket-region parameter
// asks. No owner owns nothing.
func (a *API) listBucketsIn(ctx context.Context, owner, region, prefix, after string, limit int) ([]meta.Bucket, error) {
	if owner == "" {
		return nil, nil
	}
	if region == "" {
		return a.meta.ListBuckets(ctx, owner, prefix, after, limit)
	}
	var out []meta.Bucket
	for len(out) < limit {
		page, err := a.meta.ListBuckets(ctx, owner, prefix, after, limit)
		if err != nil {
			return nil, err
		}
		for _, b := range page {
			if b.Region == region && len(out) < limit {
				out = append(out, b)
			}
		}
		if len(page) < limit {
			break
		}
		after = page[len(page)-1].Name
	}
	return out, nil
}
