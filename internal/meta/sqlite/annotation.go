package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

// Annotations live in their own table keyed by (version seq, name). Every
// change to it goes through putAnnotation, deleteAnnotation,
// removeAnnotations and copyAnnotations, all inside the write transaction:
// the one place a change journal records annotation changes.

const annotationCols = `name, size, etag, modified, checksums, checksum_type, wrapped_key`

// writeAnnotation runs fn on the version inside a write transaction,
// after check (if set) approved it, and returns the version.
func (s *Store) writeAnnotation(ctx context.Context, bucket, key, versionID string, check func(*meta.Object) error, fn func(tx *wtx, o *meta.Object) error) (*meta.Object, error) {
	var out *meta.Object
	err := s.write(func(tx *wtx) error {
		o, err := existingVersion(ctx, tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(o); err != nil {
				return err
			}
		}
		if err := fn(tx, o); err != nil {
			return err
		}
		out = o
		return nil
	})
	return out, err
}

func (s *Store) PutAnnotation(ctx context.Context, bucket, key, versionID string, a *meta.Annotation, check func(*meta.Object) error) (*meta.Object, error) {
	return s.writeAnnotation(ctx, bucket, key, versionID, check, func(tx *wtx, o *meta.Object) error {
		if a.Modified.IsZero() {
			a.Modified = s.now().UTC()
		}
		if err := putAnnotation(ctx, tx, o, a); err != nil {
			return err
		}
		return s.journalAnnotation(ctx, tx, meta.EventAnnotationPut, o, a.Name)
	})
}

// putAnnotation stores or replaces a on version o, enforcing the limit.
func putAnnotation(ctx context.Context, tx *wtx, o *meta.Object, a *meta.Annotation) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM annotations WHERE seq = ? AND name <> ?`, o.Seq, a.Name).Scan(&n); err != nil {
		return err
	}
	if n >= meta.MaxAnnotations {
		return meta.ErrAnnotationLimit
	}
	var ck []byte
	if len(a.Checksums) > 0 {
		var err error
		if ck, err = json.Marshal(a.Checksums); err != nil {
			return err
		}
	}
	data := a.Data
	if data == nil {
		data = []byte{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO annotations(seq, `+annotationCols+`, data) VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT(seq, name) DO UPDATE SET size = excluded.size, etag = excluded.etag, modified = excluded.modified,
		checksums = excluded.checksums, checksum_type = excluded.checksum_type, wrapped_key = excluded.wrapped_key, data = excluded.data`,
		o.Seq, a.Name, a.Size, a.ETag, nanos(a.Modified), ck, a.ChecksumType, a.WrappedKey, data)
	return err
}

func (s *Store) DeleteAnnotation(ctx context.Context, bucket, key, versionID, name string, check func(*meta.Object) error) (*meta.Object, error) {
	return s.writeAnnotation(ctx, bucket, key, versionID, check, func(tx *wtx, o *meta.Object) error {
		removed, err := deleteAnnotation(ctx, tx, o, name)
		if err != nil || !removed {
			return err
		}
		return s.journalAnnotation(ctx, tx, meta.EventAnnotationDelete, o, name)
	})
}

// deleteAnnotation removes one annotation and reports whether it existed.
func deleteAnnotation(ctx context.Context, tx *wtx, o *meta.Object, name string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM annotations WHERE seq = ? AND name = ?`, o.Seq, name)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// journalAnnotation records an annotation put or delete on version o.
func (s *Store) journalAnnotation(ctx context.Context, tx *wtx, event string, o *meta.Object, name string) error {
	r := meta.NewRecord(ctx, meta.RecordUpdateMetadata, event, o)
	r.Annotation = name
	return s.appendRecord(ctx, tx, r)
}

// removeAnnotations drops every annotation of a version being removed.
func removeAnnotations(ctx context.Context, tx *wtx, o *meta.Object) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM annotations WHERE seq = ?`, o.Seq)
	return err
}

// holdAnnotations sets a copy's source annotations aside (under the
// negated seq) so that replacing the source version, a copy onto itself,
// does not remove them before copyAnnotations reads them.
func holdAnnotations(ctx context.Context, tx *wtx, c *meta.AnnotationCopy) error {
	_, err := tx.ExecContext(ctx, `UPDATE annotations SET seq = ? WHERE seq = ?`, -c.Seq, c.Seq)
	return err
}

// copyAnnotations copies the held annotations of c onto the new version
// dst, the payload bytes staying inside SQLite, then returns them to their
// version, or drops them if that version is gone.
func copyAnnotations(ctx context.Context, tx *wtx, c *meta.AnnotationCopy, dst *meta.Object, now time.Time) error {
	held := -c.Seq
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM annotations WHERE seq = ?`, held).Scan(&n); err != nil {
		return err
	}
	if n != len(c.Items) {
		return meta.ErrAnnotationsChanged
	}
	for _, it := range c.Items {
		res, err := tx.ExecContext(ctx, `INSERT INTO annotations(seq, name, size, etag, modified, checksums, checksum_type, wrapped_key, data)
			SELECT ?, name, size, etag, ?, checksums, checksum_type, ?, data FROM annotations WHERE seq = ? AND name = ? AND etag = ? AND modified = ?`,
			dst.Seq, nanos(now.UTC()), it.WrappedKey, held, it.Name, it.ETag, nanos(it.Modified))
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k != 1 {
			return meta.ErrAnnotationsChanged
		}
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM versions WHERE seq = ?`, c.Seq).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `DELETE FROM annotations WHERE seq = ?`, held)
	case err == nil:
		_, err = tx.ExecContext(ctx, `UPDATE annotations SET seq = ? WHERE seq = ?`, c.Seq, held)
	}
	return err
}

func scanAnnotation(sc scanner, withData bool) (meta.Annotation, error) {
	var a meta.Annotation
	var mod int64
	var ck []byte
	dest := []any{&a.Name, &a.Size, &a.ETag, &mod, &ck, &a.ChecksumType, &a.WrappedKey}
	if withData {
		dest = append(dest, &a.Data)
	}
	if err := sc.Scan(dest...); err != nil {
		return a, err
	}
	a.Modified = fromNanos(mod)
	if len(ck) > 0 {
		if err := json.Unmarshal(ck, &a.Checksums); err != nil {
			return a, err
		}
	}
	return a, nil
}

func (s *Store) GetAnnotation(ctx context.Context, bucket, key, versionID, name string) (*meta.Object, *meta.Annotation, error) {
	o, err := existingVersion(ctx, s.r, bucket, key, versionID)
	if err != nil {
		return nil, nil, err
	}
	a, err := scanAnnotation(s.r.QueryRowContext(ctx, `SELECT `+annotationCols+`, data FROM annotations WHERE seq = ? AND name = ?`, o.Seq, name), true)
	if errors.Is(err, sql.ErrNoRows) {
		return o, nil, meta.ErrNoSuchAnnotation
	}
	if err != nil {
		return nil, nil, err
	}
	return o, &a, nil
}

func (s *Store) ListAnnotations(ctx context.Context, bucket, key, versionID string, opts meta.AnnotationListOptions) (*meta.Object, []meta.Annotation, error) {
	o, err := existingVersion(ctx, s.r, bucket, key, versionID)
	if err != nil {
		return nil, nil, err
	}
	start := opts.After
	if opts.Prefix > start {
		start = opts.Prefix
	}
	// Names compare as bytes (BINARY collation); the first name past the
	// prefix ends the page.
	all, err := sqlmeta.QueryAll(ctx, s.r, `SELECT `+annotationCols+` FROM annotations WHERE seq = ? AND name >= ? AND name > ? ORDER BY name LIMIT ?`,
		[]any{o.Seq, start, opts.After, opts.Limit}, func(sc scanner) (meta.Annotation, error) { return scanAnnotation(sc, false) })
	if err != nil {
		return nil, nil, err
	}
	out := all[:0]
	for _, a := range all {
		if !strings.HasPrefix(a.Name, opts.Prefix) {
			break
		}
		out = append(out, a)
	}
	return o, out, nil
}
