package s3api

import (
	"context"

	"talus/internal/meta"
)

// listBucketsIn is ListBuckets limited to the buckets of region (every
// region when ""), as ListBuckets' bucket-region parameter asks.
func (a *API) listBucketsIn(ctx context.Context, region, prefix, after string, limit int) ([]meta.Bucket, error) {
	if region == "" {
		return a.meta.ListBuckets(ctx, "", prefix, after, limit)
	}
	var out []meta.Bucket
	for len(out) < limit {
		page, err := a.meta.ListBuckets(ctx, "", prefix, after, limit)
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
