package meta

import "context"

// EachBucket calls fn for every bucket of every owner, in name order, a
// page of 100 at a time (background jobs' passes over the store).
func EachBucket(ctx context.Context, s Store, fn func(Bucket) error) error {
	after := ""
	for {
		buckets, err := s.ListBuckets(ctx, "", "", after, 100)
		if err != nil {
			return err
		}
		for _, b := range buckets {
			after = b.Name
			if err := fn(b); err != nil {
				return err
			}
		}
		if len(buckets) < 100 {
			return nil
		}
	}
}
