package sqlite

import (
	"context"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

// BucketUsage counts every bucket's stored versions and bytes. It reads
// the whole versions table: callers cache it (the metrics collector does).
func (s *Store) BucketUsage(ctx context.Context) ([]meta.BucketUsage, error) {
	q := `SELECT b.name, COUNT(v.seq), COALESCE(SUM(v.size), 0) FROM buckets b
		LEFT JOIN versions v ON v.bucket = b.name AND v.delete_marker = 0
		GROUP BY b.name ORDER BY b.name`
	return sqlmeta.QueryAll(ctx, s.r, q, nil, func(sc scanner) (meta.BucketUsage, error) {
		var u meta.BucketUsage
		err := sc.Scan(&u.Bucket, &u.Objects, &u.Bytes)
		return u, err
	})
}
