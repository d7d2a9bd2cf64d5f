package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

// --- buckets ---

func (s *Store) CreateBucket(ctx context.Context, b meta.Bucket) error {
	return s.write(func(tx *wtx) error {
		config, err := json.Marshal(&b.Config)
		if err != nil {
			return err
		}
		// Two gateways creating one name: the unique key decides.
		res, err := tx.ExecContext(ctx, `INSERT INTO buckets(`+bucketCols+`) VALUES (?,?,?,?,?,?,?) ON CONFLICT (name) DO NOTHING`,
			b.Name, nanos(b.Created), b.Region, b.Owner, b.Versioning, b.ObjectLock, config)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return meta.ErrBucketExists
		}
		return nil
	})
}

const bucketCols = `name, created, region, owner, versioning, object_lock, config`

type scanner = sqlmeta.Scanner

func scanBucket(r scanner) (meta.Bucket, error) {
	var b meta.Bucket
	var created int64
	var config []byte
	if err := r.Scan(&b.Name, &created, &b.Region, &b.Owner, &b.Versioning, &b.ObjectLock, &config); err != nil {
		return b, err
	}
	b.Created = fromNanos(created)
	if len(config) > 0 {
		if err := json.Unmarshal(config, &b.Config); err != nil {
			return b, fmt.Errorf("postgres: decode config of bucket %s: %w", b.Name, err)
		}
	}
	return b, nil
}

// getBucket reads a bucket row. Inside a write transaction it takes a key
// share lock on the row, so the bucket cannot be deleted before the write
// commits (DeleteBucket locks the row for update), while writes to its
// objects and configuration changes go on in parallel.
func getBucket(ctx context.Context, q querier, name string) (meta.Bucket, error) {
	query := `SELECT ` + bucketCols + ` FROM buckets WHERE name = ?`
	if _, ok := q.(*wtx); ok {
		query += ` FOR KEY SHARE`
	}
	b, err := scanBucket(q.QueryRowContext(ctx, query, name))
	if errors.Is(err, sql.ErrNoRows) {
		return b, meta.ErrNoSuchBucket
	}
	return b, err
}

func (s *Store) GetBucket(ctx context.Context, name string) (meta.Bucket, error) {
	return getBucket(ctx, s.r, name)
}

func (s *Store) ListBuckets(ctx context.Context, owner, prefix, after string, limit int) ([]meta.Bucket, error) {
	q := `SELECT ` + bucketCols + ` FROM buckets WHERE true`
	var args []any
	if !keyAfter(&q, &args, "name", after) {
		return nil, nil
	}
	if prefix != "" && !keyRange(&q, &args, "name", prefix, meta.PrefixEnd(prefix)) {
		return nil, nil
	}
	if owner != "" {
		q += ` AND owner = ?`
		args = append(args, owner)
	}
	q += ` ORDER BY name LIMIT ?`
	return sqlmeta.QueryAll(ctx, s.r, q, append(args, limit), scanBucket)
}

func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	return s.write(func(tx *wtx) error {
		// The update lock waits for every write holding the row (getBucket);
		// writes that come later find the bucket gone.
		if _, err := scanBucket(tx.QueryRowContext(ctx, `SELECT `+bucketCols+` FROM buckets WHERE name = ? FOR UPDATE`, name)); errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNoSuchBucket
		} else if err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM versions WHERE bucket = ? LIMIT 1`, name).Scan(&one)
		if err == nil {
			return meta.ErrBucketNotEmpty
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Uploads in progress go with the bucket; their part blobs become
		// orphans that the sweeper removes.
		if _, err := tx.ExecContext(ctx, `DELETE FROM upload_parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)`, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM uploads WHERE bucket = ?`, name); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM buckets WHERE name = ?`, name)
		return err
	})
}

func (s *Store) UpdateBucket(ctx context.Context, name string, fn func(*meta.Bucket) error) error {
	return s.write(func(tx *wtx) error {
		b, err := scanBucket(tx.QueryRowContext(ctx, `SELECT `+bucketCols+` FROM buckets WHERE name = ? FOR NO KEY UPDATE`, name))
		if errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNoSuchBucket
		}
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		config, err := json.Marshal(&b.Config)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE buckets SET region = ?, owner = ?, versioning = ?, object_lock = ?, config = ? WHERE name = ?`,
			b.Region, b.Owner, b.Versioning, b.ObjectLock, config, name)
		return err
	})
}

// --- objects ---

const versionCols = `seq, bucket, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner, blob_id, inline, attrs, upload_id`

func scanVersion(r scanner) (*meta.Object, error) {
	var o meta.Object
	var modified int64
	var blobID, uploadID sql.NullString
	var attrs []byte
	err := r.Scan(&o.Seq, &o.Bucket, &o.Key, &o.VersionID, &o.IsLatest, &o.DeleteMarker, &o.Size, &o.ETag,
		&modified, &o.StorageClass, &o.Owner, &blobID, &o.Inline, &attrs, &uploadID)
	if err != nil {
		return nil, err
	}
	o.Modified = fromNanos(modified)
	o.BlobID = blobID.String
	o.UploadID = uploadID.String
	if len(attrs) > 0 {
		if err := json.Unmarshal(attrs, &o.Attrs); err != nil {
			return nil, fmt.Errorf("postgres: decode attrs of %s/%s: %w", o.Bucket, o.Key, err)
		}
	}
	return &o, nil
}

// loadParts fills o.Parts from the parts table.
func loadParts(ctx context.Context, q querier, o *meta.Object) error {
	rows, err := q.QueryContext(ctx, `SELECT number, size, etag, blob_id, checksums FROM version_parts WHERE seq = ? ORDER BY number`, o.Seq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p meta.Part
		var ck []byte
		if err := rows.Scan(&p.Number, &p.Size, &p.ETag, &p.BlobID, &ck); err != nil {
			return err
		}
		if len(ck) > 0 {
			if err := json.Unmarshal(ck, &p.Checksums); err != nil {
				return err
			}
		}
		o.Parts = append(o.Parts, p)
	}
	return rows.Err()
}

// getVersion returns the latest version (versionID "") or a specific one, or nil.
func getVersion(ctx context.Context, q querier, bucket, key, versionID string) (*meta.Object, error) {
	var row *sql.Row
	if versionID == "" {
		row = q.QueryRowContext(ctx, `SELECT `+versionCols+` FROM versions WHERE bucket = ? AND name = ? AND is_latest`, bucket, key)
	} else {
		row = q.QueryRowContext(ctx, `SELECT `+versionCols+` FROM versions WHERE bucket = ? AND name = ? AND version_id = ?`, bucket, key, versionID)
	}
	o, err := scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := loadParts(ctx, q, o); err != nil {
		return nil, err
	}
	return o, nil
}

// mustGetVersion is getVersion with S3's errors for what is missing:
// the bucket, the key, or the version.
func mustGetVersion(ctx context.Context, tx *wtx, bucket, key, versionID string) (*meta.Object, error) {
	o, err := getVersion(ctx, tx, bucket, key, versionID)
	if err != nil || o != nil {
		return o, err
	}
	if _, err := getBucket(ctx, tx, bucket); err != nil {
		return nil, err
	}
	if versionID != "" {
		return nil, meta.ErrNoSuchVersion
	}
	return nil, meta.ErrNoSuchKey
}

func (s *Store) GetObject(ctx context.Context, bucket, key, versionID string) (*meta.Object, error) {
	return existingVersion(ctx, s.r, bucket, key, versionID)
}

// existingVersion is getVersion with a missing version an error:
// ErrNoSuchBucket, ErrNoSuchVersion or ErrNoSuchKey.
func existingVersion(ctx context.Context, q querier, bucket, key, versionID string) (*meta.Object, error) {
	o, err := getVersion(ctx, q, bucket, key, versionID)
	if err != nil {
		return nil, err
	}
	if o == nil {
		if _, err := getBucket(ctx, q, bucket); err != nil {
			return nil, err
		}
		if versionID != "" {
			return nil, meta.ErrNoSuchVersion
		}
		return nil, meta.ErrNoSuchKey
	}
	return o, nil
}

// removeVersion deletes a version row and its parts, returning the freed blobs.
func removeVersion(ctx context.Context, tx *wtx, o *meta.Object) ([]string, error) {
	var freed []string
	if o.BlobID != "" {
		freed = append(freed, o.BlobID)
	}
	for _, p := range o.Parts {
		freed = append(freed, p.BlobID)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM version_parts WHERE seq = ?`, o.Seq); err != nil {
		return nil, err
	}
	if err := removeAnnotations(ctx, tx, o); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE seq = ?`, o.Seq); err != nil {
		return nil, err
	}
	return freed, nil
}

func insertVersion(ctx context.Context, tx *wtx, o *meta.Object) error {
	attrs, err := json.Marshal(&o.Attrs)
	if err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO versions(bucket, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner, blob_id, inline, attrs, upload_id)
		VALUES (?,?,?,true,?,?,?,?,?,?,?,?,?,?) RETURNING seq`,
		o.Bucket, o.Key, o.VersionID, o.DeleteMarker, o.Size, o.ETag, nanos(o.Modified), o.StorageClass, o.Owner,
		nullable(o.BlobID), o.Inline, attrs, nullable(o.UploadID)).Scan(&o.Seq)
	if err != nil {
		return err
	}
	o.IsLatest = true
	for _, p := range o.Parts {
		var ck []byte
		if len(p.Checksums) > 0 {
			if ck, err = json.Marshal(p.Checksums); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO version_parts(seq, number, size, etag, blob_id, checksums) VALUES (?,?,?,?,?,?)`,
			o.Seq, p.Number, p.Size, p.ETag, p.BlobID, ck); err != nil {
			return err
		}
	}
	return nil
}

// addLatest makes o the latest version of its key, with version ID vid
// if set (a replica's) or a fresh one. Outside Enabled versioning o takes
// the null version's place.
func addLatest(ctx context.Context, tx *wtx, versioning string, o *meta.Object, now time.Time, vid string) ([]string, error) {
	var freed []string
	if versioning == meta.Enabled {
		o.VersionID = vid
		if vid == "" {
			o.VersionID = meta.NewVersionID(now)
		}
	} else {
		o.VersionID = meta.NullVersion
		old, err := getVersion(ctx, tx, o.Bucket, o.Key, meta.NullVersion)
		if err != nil {
			return nil, err
		}
		if old != nil {
			if freed, err = removeVersion(ctx, tx, old); err != nil {
				return nil, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE versions SET is_latest = false WHERE bucket = ? AND name = ? AND is_latest`, o.Bucket, o.Key); err != nil {
		return nil, err
	}
	return freed, insertVersion(ctx, tx, o)
}

func (s *Store) PutObject(ctx context.Context, o *meta.Object, opts meta.PutOptions) (meta.PutResult, error) {
	var res meta.PutResult
	err := s.write(func(tx *wtx) error {
		if err := tx.lockKey(ctx, o.Bucket, o.Key); err != nil {
			return err
		}
		b, err := getBucket(ctx, tx, o.Bucket)
		if err != nil {
			return err
		}
		if opts.Check != nil {
			cur, err := getVersion(ctx, tx, o.Bucket, o.Key, "")
			if err != nil {
				return err
			}
			if cur != nil && cur.DeleteMarker {
				cur = nil
			}
			if err := opts.Check(cur); err != nil {
				return err
			}
		}
		if o.Modified.IsZero() {
			o.Modified = s.now().UTC()
		}
		if opts.Annotations != nil {
			// The source may be the null version this put replaces.
			if err := holdAnnotations(ctx, tx, opts.Annotations); err != nil {
				return err
			}
		}
		if opts.VersionID != "" && b.Versioning == meta.Enabled {
			if have, err := getVersion(ctx, tx, o.Bucket, o.Key, opts.VersionID); err != nil {
				return err
			} else if have != nil {
				res = meta.PutResult{VersionID: have.VersionID, Existed: true}
				return nil
			}
		}
		freed, err := addLatest(ctx, tx, b.Versioning, o, s.now(), opts.VersionID)
		if err != nil {
			return err
		}
		if err := s.journal(ctx, tx, meta.RecordCreate, meta.CreateEvent(meta.ChangeFrom(ctx).Operation), o); err != nil {
			return err
		}
		if opts.Annotations != nil {
			if err := copyAnnotations(ctx, tx, opts.Annotations, o, s.now()); err != nil {
				return err
			}
		}
		res = meta.PutResult{VersionID: o.VersionID, Freed: freed}
		return nil
	})
	if err != nil {
		return meta.PutResult{}, err
	}
	return res, nil
}

func (s *Store) DeleteObject(ctx context.Context, bucket, key, versionID string, opts meta.DeleteOptions) (meta.DeleteResult, error) {
	var res meta.DeleteResult
	err := s.write(func(tx *wtx) error {
		res = meta.DeleteResult{}
		if err := tx.lockKey(ctx, bucket, key); err != nil {
			return err
		}
		b, err := getBucket(ctx, tx, bucket)
		if err != nil {
			return err
		}
		if versionID == "" && opts.IfLatest != nil {
			cur, err := getVersion(ctx, tx, bucket, key, "")
			if err != nil {
				return err
			}
			if err := opts.IfLatest(cur); err != nil {
				return err
			}
		}
		if versionID == "" && b.Versioning != meta.Unversioned {
			// Add a delete marker; Suspended replaces the null version.
			marker := &meta.Object{Bucket: bucket, Key: key, DeleteMarker: true, Modified: s.now().UTC(), Attrs: opts.MarkerAttrs}
			mvid := ""
			if opts.MarkerVersionID != "" && b.Versioning == meta.Enabled {
				if have, err := getVersion(ctx, tx, bucket, key, opts.MarkerVersionID); err != nil {
					return err
				} else if have != nil {
					res = meta.DeleteResult{VersionID: have.VersionID, DeleteMarker: have.DeleteMarker}
					return nil
				}
				mvid = opts.MarkerVersionID
			}
			if b.Versioning == meta.Suspended {
				if old, err := getVersion(ctx, tx, bucket, key, meta.NullVersion); err != nil {
					return err
				} else if old != nil && opts.Check != nil {
					if err := opts.Check(old); err != nil {
						return err
					}
				}
			}
			freed, err := addLatest(ctx, tx, b.Versioning, marker, s.now(), mvid)
			if err != nil {
				return err
			}
			if err := s.journal(ctx, tx, meta.RecordDelete, meta.DeleteEvent(meta.ChangeFrom(ctx).Operation, true), marker); err != nil {
				return err
			}
			res = meta.DeleteResult{VersionID: marker.VersionID, DeleteMarker: true, Freed: freed}
			return nil
		}
		target := versionID
		if target == "" {
			target = meta.NullVersion
		}
		victim, err := getVersion(ctx, tx, bucket, key, target)
		if err != nil || victim == nil {
			return err
		}
		if opts.Check != nil {
			if err := opts.Check(victim); err != nil {
				return err
			}
		}
		freed, err := removeVersion(ctx, tx, victim)
		if err != nil {
			return err
		}
		if err := s.journal(ctx, tx, meta.RecordDelete, meta.DeleteEvent(meta.ChangeFrom(ctx).Operation, false), victim); err != nil {
			return err
		}
		if victim.IsLatest {
			if _, err := tx.ExecContext(ctx, `UPDATE versions SET is_latest = true WHERE seq = (SELECT MAX(seq) FROM versions WHERE bucket = ? AND name = ?)`, bucket, key); err != nil {
				return err
			}
		}
		res = meta.DeleteResult{VersionID: victim.VersionID, DeleteMarker: victim.DeleteMarker, Freed: freed}
		return nil
	})
	if err != nil {
		return meta.DeleteResult{}, err
	}
	return res, nil
}

func (s *Store) UpdateObject(ctx context.Context, bucket, key, versionID string, fn func(*meta.Object) error) (*meta.Object, error) {
	var out *meta.Object
	err := s.write(func(tx *wtx) error {
		if err := tx.lockKey(ctx, bucket, key); err != nil {
			return err
		}
		o, err := mustGetVersion(ctx, tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		before := o.Attrs.Clone()
		if err := fn(o); err != nil {
			return err
		}
		attrs, err := json.Marshal(&o.Attrs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET attrs = ? WHERE seq = ?`, attrs, o.Seq); err != nil {
			return err
		}
		if err := s.journal(ctx, tx, meta.RecordUpdateMetadata, meta.UpdateEvent(meta.ChangeFrom(ctx).Operation, &before, &o.Attrs), o); err != nil {
			return err
		}
		out = o
		return nil
	})
	return out, err
}

// scanLatestQuery lists latest live versions through the partial covering
// index versions_live, which holds only latest non-marker rows: older
// versions of a key cost nothing here (TestScanLatestUsesLiveIndex).
func scanLatestQuery(bucket, prefix, start string, limit int) (string, []any, bool) {
	if start < prefix {
		start = prefix
	}
	q := `SELECT name, version_id, size, etag, modified, storage_class, owner FROM versions
		WHERE bucket = ? AND is_latest AND NOT delete_marker`
	args := []any{bucket}
	end := ""
	if prefix != "" {
		end = meta.PrefixEnd(prefix)
	}
	if !keyRange(&q, &args, "name", start, end) {
		return "", nil, false
	}
	q += ` ORDER BY name LIMIT ?`
	return q, append(args, limit), true
}

func (s *Store) ScanLatest(ctx context.Context, bucket, prefix, start string, limit int) ([]meta.Object, error) {
	q, args, ok := scanLatestQuery(bucket, prefix, start, limit)
	if !ok {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]meta.Object, 0, limit)
	for rows.Next() {
		o := meta.Object{Bucket: bucket, IsLatest: true}
		var modified int64
		if err := rows.Scan(&o.Key, &o.VersionID, &o.Size, &o.ETag, &modified, &o.StorageClass, &o.Owner); err != nil {
			return nil, err
		}
		o.Modified = fromNanos(modified)
		out = append(out, o)
	}
	return out, rows.Err()
}

// scanVersionsQuery reads versions in (name, seq DESC) order from the
// versions_by_age index. The cursor's key is also a lower bound on name, so
// each page seeks to where the last one ended instead of scanning from the
// start of the bucket (TestScanVersionsSeeksToCursor).
func scanVersionsQuery(bucket, prefix string, c meta.VersionCursor, limit int) (string, []any, bool) {
	q := `SELECT seq, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner FROM versions WHERE bucket = ?`
	args := []any{bucket}
	end := ""
	if prefix != "" {
		end = meta.PrefixEnd(prefix)
	}
	if !keyRange(&q, &args, "name", max(prefix, c.Start, c.Key), end) {
		return "", nil, false
	}
	switch {
	case c.Key != "" && c.Seq > 0:
		if k, ok := ceilText(c.Key); !ok {
			return "", nil, false
		} else if k != c.Key {
			break // no stored key equals c.Key: keyRange's bound is all it takes
		}
		q += ` AND (name > ? OR (name = ? AND seq < ?))`
		args = append(args, c.Key, c.Key, c.Seq)
	case c.Key != "":
		if !keyAfter(&q, &args, "name", c.Key) {
			return "", nil, false
		}
	}
	q += ` ORDER BY name, seq DESC LIMIT ?`
	return q, append(args, limit), true
}

func (s *Store) ScanVersions(ctx context.Context, bucket, prefix string, c meta.VersionCursor, limit int) ([]meta.Object, error) {
	q, args, ok := scanVersionsQuery(bucket, prefix, c, limit)
	if !ok {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]meta.Object, 0, limit)
	for rows.Next() {
		o := meta.Object{Bucket: bucket}
		var modified int64
		if err := rows.Scan(&o.Seq, &o.Key, &o.VersionID, &o.IsLatest, &o.DeleteMarker, &o.Size, &o.ETag, &modified, &o.StorageClass, &o.Owner); err != nil {
			return nil, err
		}
		o.Modified = fromNanos(modified)
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) BlobReferenced(ctx context.Context, blobID string) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM versions WHERE blob_id = ?
		UNION ALL SELECT 1 FROM version_parts WHERE blob_id = ?
		UNION ALL SELECT 1 FROM upload_parts WHERE blob_id = ? LIMIT 1`, blobID, blobID, blobID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
