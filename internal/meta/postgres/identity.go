package postgres

import (
	"context"
	"database/sql"
	"errors"

	"talus/internal/meta"
)

// Every identity row carries its account; each method acts within the
// account its context is scoped to (meta.AccountOf).

func (s *Store) CreateUser(ctx context.Context, u meta.User) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx *wtx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE account = ? AND name = ?`, acct, u.Name).Scan(&one)
		if err == nil {
			return meta.ErrUserExists
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users(account, name, id, path, created) VALUES (?,?,?,?,?)`, acct, u.Name, u.ID, u.Path, nanos(u.Created))
		return err
	})
}

func scanUser(r scanner) (meta.User, error) {
	var u meta.User
	var created int64
	err := r.Scan(&u.Name, &u.ID, &u.Path, &created)
	u.Created = fromNanos(created)
	return u, err
}

func getUser(ctx context.Context, q querier, name string) (meta.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT name, id, path, created FROM users WHERE account = ? AND name = ?`, meta.AccountOf(ctx), name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, meta.ErrNoSuchUser
	}
	return u, err
}

func (s *Store) GetUser(ctx context.Context, name string) (meta.User, error) {
	return getUser(ctx, s.r, name)
}

func (s *Store) ListUsers(ctx context.Context, after string, limit int) ([]meta.User, error) {
	return queryAll(ctx, s.r, `SELECT name, id, path, created FROM users WHERE account = ? AND name > ? ORDER BY name LIMIT ?`,
		[]any{meta.AccountOf(ctx), after, limit}, scanUser)
}

func (s *Store) DeleteUser(ctx context.Context, name string) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx *wtx) error {
		if _, err := getUser(ctx, tx, name); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM access_keys WHERE account = ? AND usr = ? UNION ALL SELECT 1 FROM user_policies WHERE account = ? AND usr = ?
			UNION ALL SELECT 1 FROM iam_group_members WHERE account = ? AND usr = ? UNION ALL SELECT 1 FROM iam_attachments WHERE account = ? AND kind = 'user' AND owner = ? LIMIT 1`,
			acct, name, acct, name, acct, name, acct, name).Scan(&one)
		if err == nil {
			return meta.ErrUserInUse
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE account = ? AND name = ?`, acct, name)
		return err
	})
}

func (s *Store) CreateAccessKey(ctx context.Context, k meta.AccessKey) error {
	return s.write(func(tx *wtx) error {
		if _, err := getUser(ctx, tx, k.User); err != nil {
			return err
		}
		return insertKey(ctx, tx, meta.AccountOf(ctx), k)
	})
}

func insertKey(ctx context.Context, tx *wtx, account string, k meta.AccessKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO access_keys(id, account, usr, status, created, secret) VALUES (?,?,?,?,?,?)`,
		k.ID, account, k.User, k.Status, nanos(k.Created), k.SealedSecret)
	return err
}

const keyCols = `id, account, usr, status, created, secret`

func scanKey(r scanner) (meta.AccessKey, error) {
	var k meta.AccessKey
	var created int64
	err := r.Scan(&k.ID, &k.Account, &k.User, &k.Status, &created, &k.SealedSecret)
	k.Created = fromNanos(created)
	return k, err
}

func (s *Store) GetAccessKey(ctx context.Context, id string) (meta.AccessKey, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, `SELECT `+keyCols+` FROM access_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, meta.ErrNoSuchAccessKey
	}
	return k, err
}

func (s *Store) ListAccessKeys(ctx context.Context, user string) ([]meta.AccessKey, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.r, `SELECT `+keyCols+` FROM access_keys WHERE account = ? AND usr = ? ORDER BY created, id`, []any{meta.AccountOf(ctx), user}, scanKey)
}

// changeKey runs an update or delete of one user's key; q's last two
// arguments are the account and the user.
func (s *Store) changeKey(ctx context.Context, user, q string, args ...any) error {
	return s.write(func(tx *wtx) error {
		if _, err := getUser(ctx, tx, user); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, q, append(args, meta.AccountOf(ctx), user)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrNoSuchAccessKey
		}
		return nil
	})
}

func (s *Store) UpdateAccessKey(ctx context.Context, user, id, status string) error {
	return s.changeKey(ctx, user, `UPDATE access_keys SET status = ? WHERE id = ? AND account = ? AND usr = ?`, status, id)
}

func (s *Store) DeleteAccessKey(ctx context.Context, user, id string) error {
	return s.changeKey(ctx, user, `DELETE FROM access_keys WHERE id = ? AND account = ? AND usr = ?`, id)
}

// ResealAccessKeys covers every account's keys, root keys included: they
// are all sealed under the data directory's key.
func (s *Store) ResealAccessKeys(ctx context.Context, reseal func(meta.AccessKey) ([]byte, error)) error {
	return s.write(func(tx *wtx) error {
		keys, err := queryAll(ctx, tx, `SELECT `+keyCols+` FROM access_keys ORDER BY id`, nil, scanKey)
		if err != nil {
			return err
		}
		for _, k := range keys {
			sealed, err := reseal(k)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE access_keys SET secret = ? WHERE id = ?`, sealed, k.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) PutUserPolicy(ctx context.Context, user, name, document string) error {
	return s.write(func(tx *wtx) error {
		if _, err := getUser(ctx, tx, user); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_policies(account, usr, name, document) VALUES (?,?,?,?) ON CONFLICT (account, usr, name) DO UPDATE SET document = excluded.document`, meta.AccountOf(ctx), user, name, document)
		return err
	})
}

func (s *Store) GetUserPolicy(ctx context.Context, user, name string) (string, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return "", err
	}
	var doc string
	err := s.r.QueryRowContext(ctx, `SELECT document FROM user_policies WHERE account = ? AND usr = ? AND name = ?`, meta.AccountOf(ctx), user, name).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", meta.ErrNoSuchPolicy
	}
	return doc, err
}

func (s *Store) ListUserPolicies(ctx context.Context, user string) ([]string, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.r, `SELECT name FROM user_policies WHERE account = ? AND usr = ? ORDER BY name`, []any{meta.AccountOf(ctx), user}, func(r scanner) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
}

func (s *Store) DeleteUserPolicy(ctx context.Context, user, name string) error {
	return s.write(func(tx *wtx) error {
		if _, err := getUser(ctx, tx, user); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM user_policies WHERE account = ? AND usr = ? AND name = ?`, meta.AccountOf(ctx), user, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrNoSuchPolicy
		}
		return nil
	})
}
