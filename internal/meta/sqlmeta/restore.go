package sqlmeta

import (
	"context"
	"time"

	"talus/internal/meta"
)

// DueRestoresQuery reads the restores index by due time and each row's
// version by primary key (TestDueRestoresUsesIndex).
const DueRestoresQuery = `SELECT r.bucket, r.name, v.version_id, r.seq, r.due FROM restores r
	JOIN versions v ON v.seq = r.seq WHERE r.due <= ? ORDER BY r.due, r.seq LIMIT ?`

func (s *Base) DueRestores(ctx context.Context, now time.Time, limit int) ([]meta.DueRestore, error) {
	rows, err := s.r.QueryContext(ctx, DueRestoresQuery, now.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meta.DueRestore
	for rows.Next() {
		var d meta.DueRestore
		var due int64
		if err := rows.Scan(&d.Bucket, &d.Key, &d.VersionID, &d.Seq, &due); err != nil {
			return nil, err
		}
		d.Due = time.UnixMilli(due).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
