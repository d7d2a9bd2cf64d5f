package s3api

import (
	"context"

	"talus/internal/meta"
)

// listBucketsIn is ListBuckets of owner's general purpose buckets limited
// to those of region (every region when ""), as ListBuckets'
// bucket-region parameter asks. Directory buckets are left out: S3 lists
// them only through ListDirectoryBuckets. No owner owns nothing.
func (a *API) listBucketsIn(ctx context.Context, owner, region, prefix, after string, limit int) ([]meta.Bucket, error) {
	return a.listBucketsWhere(ctx, owner, prefix, after, limit, func(b meta.Bucket) bool {
		return b.Config.Directory == nil && (region == "" || b.Region == region)
	})
}

// listBucketsWhere lists owner's buckets that keep accepts, in name
// order after after, at most limit of them.
func (a *API) listBucketsWhere(ctx context.Context, owner, prefix, after string, limit int, keep func(meta.Bucket) bool) ([]meta.Bucket, error) {
	if owner == "" {
		return nil, nil
	}
	var out []meta.Bucket
	for len(out) < limit {
		page, err := a.meta.ListBuckets(ctx, owner, prefix, after, limit)
		if err != nil {
			return nil, err
		}
		for _, b := range page {
			if keep(b) && len(out) < limit {
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
