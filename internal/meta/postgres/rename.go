package postgres

import (
	"context"
	"encoding/json"

	"talus/internal/meta"
)

// RenameObject moves the latest version at src to dst in one transaction
// (see meta.Store): the row changes name in place, so its blob, parts and
// annotations follow it, and the restores trigger follows the attrs update.
func (s *Store) RenameObject(ctx context.Context, bucket, src, dst string, opts meta.RenameOptions) ([]string, error) {
	var freed []string
	err := s.write(func(tx *wtx) error {
		freed = nil
		// Both keys, in byte order, so that two renames between the same
		// keys in opposite directions queue instead of deadlocking.
		first, second := src, dst
		if second < first {
			first, second = second, first
		}
		for _, k := range []string{first, second} {
			if err := tx.lockKey(ctx, bucket, k); err != nil {
				return err
			}
		}
		b, err := getBucket(ctx, tx, bucket)
		if err != nil {
			return err
		}
		if b.Versioning != meta.Unversioned {
			return meta.ErrRenameVersioned
		}
		from, err := getVersion(ctx, tx, bucket, src, "")
		if err != nil {
			return err
		}
		if from != nil && from.DeleteMarker {
			from = nil
		}
		to, err := getVersion(ctx, tx, bucket, dst, "")
		if err != nil {
			return err
		}
		if to != nil && to.DeleteMarker {
			to = nil
		}
		if opts.Check != nil {
			if err := opts.Check(from, to); err != nil {
				return err
			}
		}
		if from == nil {
			return meta.ErrNoSuchKey
		}
		if src == dst {
			return nil
		}
		if to != nil {
			if freed, err = removeVersion(ctx, tx, to); err != nil {
				return err
			}
		}
		if err := s.journal(ctx, tx, meta.RecordDelete, meta.DeleteEvent(meta.ChangeFrom(ctx).Operation, false), from); err != nil {
			return err
		}
		moved := *from
		moved.Key = dst
		if opts.Edit != nil {
			moved.Attrs = from.Attrs.Clone()
			opts.Edit(&moved.Attrs)
		}
		attrs, err := json.Marshal(&moved.Attrs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET name = ?, attrs = ? WHERE seq = ?`, dst, attrs, from.Seq); err != nil {
			return err
		}
		return s.journal(ctx, tx, meta.RecordCreate, meta.CreateEvent(meta.ChangeFrom(ctx).Operation), &moved)
	})
	if err != nil {
		return nil, err
	}
	return freed, nil
}
