package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

const uploadCols = `upload_id, bucket, name, initiated, storage_class, owner, attrs, checksum_algorithm, checksum_type`

func scanUpload(r scanner) (meta.Upload, error) {
	var u meta.Upload
	var initiated int64
	var attrs []byte
	err := r.Scan(&u.UploadID, &u.Bucket, &u.Key, &initiated, &u.StorageClass, &u.Owner, &attrs, &u.ChecksumAlgorithm, &u.ChecksumType)
	if err != nil {
		return u, err
	}
	u.Initiated = fromNanos(initiated)
	if err := json.Unmarshal(attrs, &u.Attrs); err != nil {
		return u, fmt.Errorf("sqlite: decode upload attrs: %w", err)
	}
	return u, nil
}

func getUpload(ctx context.Context, q querier, bucket, key, uploadID string) (meta.Upload, error) {
	u, err := scanUpload(q.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM uploads WHERE upload_id = ? AND bucket = ? AND name = ?`, uploadID, bucket, key))
	if errors.Is(err, sql.ErrNoRows) {
		if _, berr := getBucket(ctx, q, bucket); berr != nil {
			return u, berr
		}
		return u, meta.ErrNoSuchUpload
	}
	return u, err
}

func (s *Store) CreateUpload(ctx context.Context, u meta.Upload) error {
	attrs, err := json.Marshal(&u.Attrs)
	if err != nil {
		return err
	}
	return s.write(func(tx *wtx) error {
		if _, err := getBucket(ctx, tx, u.Bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO uploads(`+uploadCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
			u.UploadID, u.Bucket, u.Key, nanos(u.Initiated), u.StorageClass, u.Owner, attrs, u.ChecksumAlgorithm, u.ChecksumType)
		return err
	})
}

func (s *Store) GetUpload(ctx context.Context, bucket, key, uploadID string) (meta.Upload, error) {
	return getUpload(ctx, s.r, bucket, key, uploadID)
}

func (s *Store) PutPart(ctx context.Context, bucket, key, uploadID string, p meta.UploadPart) ([]string, error) {
	var ck []byte
	if len(p.Checksums) > 0 {
		var err error
		if ck, err = json.Marshal(p.Checksums); err != nil {
			return nil, err
		}
	}
	var freed []string
	err := s.write(func(tx *wtx) error {
		freed = nil
		if _, err := getUpload(ctx, tx, bucket, key, uploadID); err != nil {
			return err
		}
		var old string
		err := tx.QueryRowContext(ctx, `SELECT blob_id FROM upload_parts WHERE upload_id = ? AND number = ?`, uploadID, p.Number).Scan(&old)
		switch {
		case err == nil:
			if old != p.BlobID {
				freed = append(freed, old)
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO upload_parts(upload_id, number, size, etag, blob_id, modified, checksums) VALUES (?,?,?,?,?,?,?)`,
			uploadID, p.Number, p.Size, p.ETag, p.BlobID, nanos(p.Modified), ck)
		return err
	})
	return freed, err
}

func listParts(ctx context.Context, q querier, uploadID string, after, limit int) ([]meta.UploadPart, error) {
	rows, err := q.QueryContext(ctx, `SELECT number, size, etag, blob_id, modified, checksums FROM upload_parts
		WHERE upload_id = ? AND number > ? ORDER BY number LIMIT ?`, uploadID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []meta.UploadPart
	for rows.Next() {
		var p meta.UploadPart
		var modified int64
		var ck []byte
		if err := rows.Scan(&p.Number, &p.Size, &p.ETag, &p.BlobID, &modified, &ck); err != nil {
			return nil, err
		}
		p.Modified = fromNanos(modified)
		if len(ck) > 0 {
			if err := json.Unmarshal(ck, &p.Checksums); err != nil {
				return nil, err
			}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) ListParts(ctx context.Context, bucket, key, uploadID string, after, limit int) ([]meta.UploadPart, error) {
	if _, err := getUpload(ctx, s.r, bucket, key, uploadID); err != nil {
		return nil, err
	}
	return listParts(ctx, s.r, uploadID, after, limit)
}

func (s *Store) ListUploads(ctx context.Context, bucket string, o meta.UploadListOptions) ([]meta.Upload, error) {
	if _, err := getBucket(ctx, s.r, bucket); err != nil {
		return nil, err
	}
	q := `SELECT ` + uploadCols + ` FROM uploads WHERE bucket = ? AND name >= ?`
	args := []any{bucket, max(o.Prefix, o.StartKey)}
	if end := meta.PrefixEnd(o.Prefix); o.Prefix != "" && end != "" {
		q += ` AND name < ?`
		args = append(args, end)
	}
	if o.KeyMarker != "" {
		var initiated int64
		err := sql.ErrNoRows
		if o.UploadIDMarker != "" {
			err = s.r.QueryRowContext(ctx, `SELECT initiated FROM uploads WHERE upload_id = ? AND bucket = ? AND name = ?`,
				o.UploadIDMarker, bucket, o.KeyMarker).Scan(&initiated)
		}
		switch {
		case err == nil:
			q += ` AND (name > ? OR (name = ? AND (initiated > ? OR (initiated = ? AND upload_id > ?))))`
			args = append(args, o.KeyMarker, o.KeyMarker, initiated, initiated, o.UploadIDMarker)
		case errors.Is(err, sql.ErrNoRows):
			q += ` AND name > ?`
			args = append(args, o.KeyMarker)
		default:
			return nil, err
		}
	}
	q += ` ORDER BY name, initiated, upload_id LIMIT ?`
	return sqlmeta.QueryAll(ctx, s.r, q, append(args, o.Limit), scanUpload)
}

// dropUpload removes an upload and its part rows, returning the part blobs
// not in keep.
func dropUpload(ctx context.Context, tx *wtx, uploadID string, keep map[string]bool) ([]string, error) {
	parts, err := listParts(ctx, tx, uploadID, 0, 1<<30)
	if err != nil {
		return nil, err
	}
	var freed []string
	for _, p := range parts {
		if !keep[p.BlobID] {
			freed = append(freed, p.BlobID)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM upload_parts WHERE upload_id = ?`, uploadID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM uploads WHERE upload_id = ?`, uploadID); err != nil {
		return nil, err
	}
	return freed, nil
}

func (s *Store) AbortUpload(ctx context.Context, bucket, key, uploadID string) ([]string, error) {
	var freed []string
	err := s.write(func(tx *wtx) error {
		if _, err := getUpload(ctx, tx, bucket, key, uploadID); err != nil {
			return err
		}
		var err error
		freed, err = dropUpload(ctx, tx, uploadID, nil)
		return err
	})
	return freed, err
}

func (s *Store) CompleteUpload(ctx context.Context, o *meta.Object, build func(meta.Upload, []meta.UploadPart) error, opts meta.PutOptions) (meta.PutResult, error) {
	var res meta.PutResult
	err := s.write(func(tx *wtx) error {
		u, err := getUpload(ctx, tx, o.Bucket, o.Key, o.UploadID)
		if err != nil {
			return err
		}
		parts, err := listParts(ctx, tx, o.UploadID, 0, 1<<30)
		if err != nil {
			return err
		}
		if err := build(u, parts); err != nil {
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
		keep := map[string]bool{}
		for _, p := range o.Parts {
			keep[p.BlobID] = true
		}
		if opts.VersionID != "" && b.Versioning == meta.Enabled {
			// A replica whose version is already stored: the upload goes.
			if have, err := getVersion(ctx, tx, o.Bucket, o.Key, opts.VersionID); err != nil {
				return err
			} else if have != nil {
				unused, err := dropUpload(ctx, tx, o.UploadID, nil)
				res = meta.PutResult{VersionID: have.VersionID, Existed: true, Freed: unused}
				return err
			}
		}
		unused, err := dropUpload(ctx, tx, o.UploadID, keep)
		if err != nil {
			return err
		}
		if o.Modified.IsZero() {
			o.Modified = s.now().UTC()
		}
		freed, err := addLatest(ctx, tx, b.Versioning, o, s.now(), opts.VersionID)
		if err != nil {
			return err
		}
		if err := s.journal(ctx, tx, meta.RecordCreate, meta.EventCompleteMultipartUpload, o); err != nil {
			return err
		}
		res = meta.PutResult{VersionID: o.VersionID, Freed: append(unused, freed...)}
		return nil
	})
	if err != nil {
		return meta.PutResult{}, err
	}
	return res, nil
}

func (s *Store) CompletedVersion(ctx context.Context, bucket, key, uploadID string) (*meta.Object, error) {
	o, err := scanVersion(s.r.QueryRowContext(ctx, `SELECT `+versionCols+` FROM versions WHERE upload_id = ? AND bucket = ? AND name = ?`, uploadID, bucket, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, meta.ErrNoSuchUpload
	}
	if err != nil {
		return nil, err
	}
	if err := loadParts(ctx, s.r, o); err != nil {
		return nil, err
	}
	return o, nil
}
