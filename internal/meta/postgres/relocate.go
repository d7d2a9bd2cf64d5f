package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"talus/internal/meta"
)

var errRelocateParts = errors.New("postgres: RelocateObject may change part blob IDs only")

func (s *Store) RelocateObject(ctx context.Context, bucket, key, versionID string, fn func(*meta.Object) error) ([]string, error) {
	var freed []string
	err := s.write(func(tx *wtx) error {
		freed = nil
		if err := tx.lockKey(ctx, bucket, key); err != nil {
			return err
		}
		o, err := mustGetVersion(ctx, tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		before := o.Attrs.Clone()
		oldBlob := o.BlobID
		oldParts := make([]meta.Part, len(o.Parts))
		copy(oldParts, o.Parts)
		if err := fn(o); err != nil {
			return err
		}
		if len(o.Parts) != len(oldParts) {
			return errRelocateParts
		}
		attrs, err := json.Marshal(&o.Attrs)
		if err != nil {
			return err
		}
		var blobID any
		if o.BlobID != "" {
			blobID = o.BlobID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET storage_class = ?, blob_id = ?, attrs = ? WHERE seq = ?`,
			o.StorageClass, blobID, attrs, o.Seq); err != nil {
			return err
		}
		if oldBlob != "" && oldBlob != o.BlobID {
			freed = append(freed, oldBlob)
		}
		for i, p := range o.Parts {
			if p.Number != oldParts[i].Number {
				return errRelocateParts
			}
			if p.BlobID == oldParts[i].BlobID {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE version_parts SET blob_id = ? WHERE seq = ? AND number = ?`, p.BlobID, o.Seq, p.Number); err != nil {
				return err
			}
			freed = append(freed, oldParts[i].BlobID)
		}
		return s.journal(ctx, tx, meta.RecordUpdateMetadata, meta.UpdateEvent(meta.ChangeFrom(ctx).Operation, &before, &o.Attrs), o)
	})
	if err != nil {
		return nil, err
	}
	return freed, nil
}
