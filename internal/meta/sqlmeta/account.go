package sqlmeta

import (
	"context"
	"database/sql"
	"errors"

	"talus/internal/meta"
)

const accountCols = `id, canonical_id, name, email, created, admin`

func scanAccount(r Scanner) (meta.Account, error) {
	var a meta.Account
	var created int64
	err := r.Scan(&a.ID, &a.CanonicalID, &a.Name, &a.Email, &created, &a.Admin)
	a.Created = FromNanos(created)
	return a, err
}

func (s *Base) CreateAccount(ctx context.Context, a meta.Account, root meta.AccessKey) error {
	return s.write(func(tx Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = ? OR canonical_id = ? OR name = ? OR (email <> '' AND email = ?)
			UNION ALL SELECT 1 FROM access_keys WHERE id = ? LIMIT 1`, a.ID, a.CanonicalID, a.Name, a.Email, root.ID).Scan(&one)
		if err == nil {
			return meta.ErrAccountExists
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts(`+accountCols+`) VALUES (?,?,?,?,?,?)`,
			a.ID, a.CanonicalID, a.Name, a.Email, Nanos(a.Created), a.Admin); err != nil {
			return err
		}
		if root.ID == "" {
			return nil
		}
		root.User = ""
		return s.insertKey(ctx, tx, a.ID, root)
	})
}

func (s *Base) getAccount(ctx context.Context, where string, arg string) (meta.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+where+` = ?`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return a, meta.ErrNoSuchAccount
	}
	return a, err
}

func (s *Base) GetAccount(ctx context.Context, id string) (meta.Account, error) {
	return s.getAccount(ctx, "id", id)
}

func (s *Base) GetAccountByCanonicalID(ctx context.Context, canonicalID string) (meta.Account, error) {
	return s.getAccount(ctx, "canonical_id", canonicalID)
}

func (s *Base) GetAccountByEmail(ctx context.Context, email string) (meta.Account, error) {
	if email == "" {
		return meta.Account{}, meta.ErrNoSuchAccount
	}
	return s.getAccount(ctx, "email", email)
}

func (s *Base) ListAccounts(ctx context.Context) ([]meta.Account, error) {
	return QueryAll(ctx, s.r, `SELECT `+accountCols+` FROM accounts ORDER BY id`, nil, scanAccount)
}

func (s *Base) DeleteAccount(ctx context.Context, id string) error {
	return s.write(func(tx Tx) error {
		a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNoSuchAccount
		}
		if err != nil {
			return err
		}
		if a.Admin {
			return meta.ErrAccountInUse
		}
		// versions has no owner index: deleting an account is rare, a scan is fine.
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM buckets WHERE owner = ?
			UNION ALL SELECT 1 FROM users WHERE account = ?
			UNION ALL SELECT 1 FROM iam_groups WHERE account = ?
			UNION ALL SELECT 1 FROM iam_roles WHERE account = ?
			UNION ALL SELECT 1 FROM iam_policies WHERE account = ?
			UNION ALL SELECT 1 FROM uploads WHERE owner = ?
			UNION ALL SELECT 1 FROM versions WHERE owner = ? LIMIT 1`, a.CanonicalID, a.ID, a.ID, a.ID, a.ID, a.CanonicalID, a.CanonicalID).Scan(&one)
		if err == nil {
			return meta.ErrAccountInUse
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM access_keys WHERE account = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM accounts WHERE id = ?`, id)
		return err
	})
}
