package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"talus/internal/meta"
)

// optNanos stores a zero time as 0.
func optNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromOptNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return FromNanos(n)
}

const kmsKeyCols = `id, description, state, manager, created, deletion, material`

func scanKMSKey(r Scanner) (meta.KMSKey, error) {
	var k meta.KMSKey
	var created, deletion int64
	err := r.Scan(&k.ID, &k.Description, &k.State, &k.Manager, &created, &deletion, &k.Sealed)
	k.Created, k.DeletionDate = FromNanos(created), fromOptNanos(deletion)
	return k, err
}

func getKMSKey(ctx context.Context, q Querier, id string) (meta.KMSKey, error) {
	k, err := scanKMSKey(q.QueryRowContext(ctx, `SELECT `+kmsKeyCols+` FROM kms_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, meta.ErrNoSuchKMSKey
	}
	return k, err
}

func (s *Base) CreateKMSKey(ctx context.Context, k meta.KMSKey, alias string) error {
	return s.write(func(tx Tx) error {
		if ok, err := Exists(ctx, tx, `SELECT 1 FROM kms_keys WHERE id = ?`, k.ID); err != nil || ok {
			if ok {
				return meta.ErrKMSKeyExists
			}
			return err
		}
		if alias != "" {
			if ok, err := Exists(ctx, tx, `SELECT 1 FROM kms_aliases WHERE name = ?`, alias); err != nil || ok {
				if ok {
					return meta.ErrKMSAliasExists
				}
				return err
			}
		}
		// Another gateway may insert the same key or alias between the
		// check and the insert: its unique violation is the same answer.
		if _, err := tx.ExecContext(ctx, `INSERT INTO kms_keys(`+kmsKeyCols+`) VALUES (?,?,?,?,?,?,?)`,
			k.ID, k.Description, k.State, k.Manager, Nanos(k.Created), optNanos(k.DeletionDate), k.Sealed); err != nil {
			if s.d.unique(err) {
				return meta.ErrKMSKeyExists
			}
			return err
		}
		if alias == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kms_aliases(name, key_id, created, updated) VALUES (?,?,?,?)`,
			alias, k.ID, Nanos(k.Created), Nanos(k.Created))
		if s.d.unique(err) {
			return meta.ErrKMSAliasExists
		}
		return err
	})
}

func (s *Base) GetKMSKey(ctx context.Context, id string) (meta.KMSKey, error) {
	return getKMSKey(ctx, s.r, id)
}

func (s *Base) ListKMSKeys(ctx context.Context, after string, limit int) ([]meta.KMSKey, error) {
	return QueryAll(ctx, s.r, `SELECT `+kmsKeyCols+` FROM kms_keys WHERE id > ? ORDER BY id LIMIT ?`, []any{after, limit}, scanKMSKey)
}

func (s *Base) UpdateKMSKey(ctx context.Context, id string, fn func(*meta.KMSKey) error) error {
	return s.write(func(tx Tx) error {
		k, err := getKMSKey(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(&k); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE kms_keys SET description = ?, state = ?, manager = ?, deletion = ? WHERE id = ?`,
			k.Description, k.State, k.Manager, optNanos(k.DeletionDate), id)
		return err
	})
}

func (s *Base) DeleteKMSKey(ctx context.Context, id string) error {
	return s.write(func(tx Tx) error {
		if _, err := getKMSKey(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kms_aliases WHERE key_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM kms_keys WHERE id = ?`, id)
		return err
	})
}

const kmsAliasCols = `name, key_id, created, updated`

func scanKMSAlias(r Scanner) (meta.KMSAlias, error) {
	var a meta.KMSAlias
	var created, updated int64
	err := r.Scan(&a.Name, &a.KeyID, &created, &updated)
	a.Created, a.Updated = FromNanos(created), FromNanos(updated)
	return a, err
}

func (s *Base) PutKMSAlias(ctx context.Context, a meta.KMSAlias, replace bool) error {
	return s.write(func(tx Tx) error {
		if _, err := getKMSKey(ctx, tx, a.KeyID); err != nil {
			return err
		}
		taken, err := Exists(ctx, tx, `SELECT 1 FROM kms_aliases WHERE name = ?`, a.Name)
		if err != nil {
			return err
		}
		switch {
		case replace && !taken:
			return meta.ErrNoSuchKMSAlias
		case replace:
			_, err = tx.ExecContext(ctx, `UPDATE kms_aliases SET key_id = ?, updated = ? WHERE name = ?`, a.KeyID, Nanos(a.Updated), a.Name)
		case taken:
			return meta.ErrKMSAliasExists
		default:
			_, err = tx.ExecContext(ctx, `INSERT INTO kms_aliases(`+kmsAliasCols+`) VALUES (?,?,?,?)`, a.Name, a.KeyID, Nanos(a.Created), Nanos(a.Updated))
		}
		return err
	})
}

func (s *Base) GetKMSAlias(ctx context.Context, name string) (meta.KMSAlias, error) {
	a, err := scanKMSAlias(s.r.QueryRowContext(ctx, `SELECT `+kmsAliasCols+` FROM kms_aliases WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return a, meta.ErrNoSuchKMSAlias
	}
	return a, err
}

func (s *Base) ListKMSAliases(ctx context.Context, keyID, after string, limit int) ([]meta.KMSAlias, error) {
	if keyID != "" {
		return QueryAll(ctx, s.r, `SELECT `+kmsAliasCols+` FROM kms_aliases WHERE key_id = ? AND name > ? ORDER BY name LIMIT ?`, []any{keyID, after, limit}, scanKMSAlias)
	}
	return QueryAll(ctx, s.r, `SELECT `+kmsAliasCols+` FROM kms_aliases WHERE name > ? ORDER BY name LIMIT ?`, []any{after, limit}, scanKMSAlias)
}

func (s *Base) DeleteKMSAlias(ctx context.Context, name string) error {
	return s.write(func(tx Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM kms_aliases WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrNoSuchKMSAlias
		}
		return nil
	})
}
