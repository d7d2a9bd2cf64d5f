package sqlmeta

import (
	"context"
	"database/sql"
	"errors"

	"talus/internal/meta"
)

// Every identity row carries its account; each method acts within the
// account its context is scoped to (meta.AccountOf).

func (s *Base) CreateUser(ctx context.Context, u meta.User) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE account = ? AND name = ?`, acct, u.Name).Scan(&one)
		if err == nil {
			return meta.ErrUserExists
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users(account, name, id, path, created) VALUES (?,?,?,?,?)`, acct, u.Name, u.ID, u.Path, Nanos(u.Created))
		return err
	})
}

func scanUser(r Scanner) (meta.User, error) {
	var u meta.User
	var created int64
	err := r.Scan(&u.Name, &u.ID, &u.Path, &created)
	u.Created = FromNanos(created)
	return u, err
}

func getUser(ctx context.Context, q Querier, name string) (meta.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT name, id, path, created FROM users WHERE account = ? AND name = ?`, meta.AccountOf(ctx), name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, meta.ErrNoSuchUser
	}
	return u, err
}

func (s *Base) GetUser(ctx context.Context, name string) (meta.User, error) {
	return getUser(ctx, s.r, name)
}

func (s *Base) ListUsers(ctx context.Context, after string, limit int) ([]meta.User, error) {
	return QueryAll(ctx, s.r, `SELECT name, id, path, created FROM users WHERE account = ? AND name > ? ORDER BY name LIMIT ?`,
		[]any{meta.AccountOf(ctx), after, limit}, scanUser)
}

func (s *Base) DeleteUser(ctx context.Context, name string) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		if _, err := getUser(ctx, tx, name); err != nil {
			return err
		}
		var one int
		u := s.d.User
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM access_keys WHERE account = ? AND `+u+` = ? UNION ALL SELECT 1 FROM user_policies WHERE account = ? AND `+u+` = ?
			UNION ALL SELECT 1 FROM iam_group_members WHERE account = ? AND `+u+` = ? UNION ALL SELECT 1 FROM iam_attachments WHERE account = ? AND kind = 'user' AND owner = ? LIMIT 1`,
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

func (s *Base) CreateAccessKey(ctx context.Context, k meta.AccessKey) error {
	return s.write(func(tx Tx) error {
		if _, err := getUser(ctx, tx, k.User); err != nil {
			return err
		}
		return s.insertKey(ctx, tx, meta.AccountOf(ctx), k)
	})
}

func (s *Base) insertKey(ctx context.Context, tx Tx, account string, k meta.AccessKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO access_keys(`+s.keyCols()+`) VALUES (?,?,?,?,?,?)`,
		k.ID, account, k.User, k.Status, Nanos(k.Created), k.SealedSecret)
	return err
}

func (s *Base) keyCols() string { return `id, account, ` + s.d.User + `, status, created, secret` }

func scanKey(r Scanner) (meta.AccessKey, error) {
	var k meta.AccessKey
	var created int64
	err := r.Scan(&k.ID, &k.Account, &k.User, &k.Status, &created, &k.SealedSecret)
	k.Created = FromNanos(created)
	return k, err
}

func (s *Base) GetAccessKey(ctx context.Context, id string) (meta.AccessKey, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, `SELECT `+s.keyCols()+` FROM access_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, meta.ErrNoSuchAccessKey
	}
	return k, err
}

func (s *Base) ListAccessKeys(ctx context.Context, user string) ([]meta.AccessKey, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return nil, err
	}
	return QueryAll(ctx, s.r, `SELECT `+s.keyCols()+` FROM access_keys WHERE account = ? AND `+s.d.User+` = ? ORDER BY created, id`, []any{meta.AccountOf(ctx), user}, scanKey)
}

// changeKey runs an update or delete of one user's key; q's last two
// arguments are the account and the user.
func (s *Base) changeKey(ctx context.Context, user, q string, args ...any) error {
	return s.write(func(tx Tx) error {
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

func (s *Base) UpdateAccessKey(ctx context.Context, user, id, status string) error {
	return s.changeKey(ctx, user, `UPDATE access_keys SET status = ? WHERE id = ? AND account = ? AND `+s.d.User+` = ?`, status, id)
}

func (s *Base) DeleteAccessKey(ctx context.Context, user, id string) error {
	return s.changeKey(ctx, user, `DELETE FROM access_keys WHERE id = ? AND account = ? AND `+s.d.User+` = ?`, id)
}

// ResealAccessKeys covers every account's keys, root keys included: they
// are all sealed under the data directory's key.
func (s *Base) ResealAccessKeys(ctx context.Context, reseal func(meta.AccessKey) ([]byte, error)) error {
	return s.write(func(tx Tx) error {
		keys, err := QueryAll(ctx, tx, `SELECT `+s.keyCols()+` FROM access_keys ORDER BY id`, nil, scanKey)
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

func (s *Base) PutUserPolicy(ctx context.Context, user, name, document string) error {
	return s.write(func(tx Tx) error {
		if _, err := getUser(ctx, tx, user); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.Upsert(`user_policies`, []string{`account`, s.d.User, `name`, `document`}, []string{`account`, s.d.User, `name`}), meta.AccountOf(ctx), user, name, document)
		return err
	})
}

func (s *Base) GetUserPolicy(ctx context.Context, user, name string) (string, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return "", err
	}
	var doc string
	err := s.r.QueryRowContext(ctx, `SELECT document FROM user_policies WHERE account = ? AND `+s.d.User+` = ? AND name = ?`, meta.AccountOf(ctx), user, name).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", meta.ErrNoSuchPolicy
	}
	return doc, err
}

func (s *Base) ListUserPolicies(ctx context.Context, user string) ([]string, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return nil, err
	}
	return QueryAll(ctx, s.r, `SELECT name FROM user_policies WHERE account = ? AND `+s.d.User+` = ? ORDER BY name`, []any{meta.AccountOf(ctx), user}, func(r Scanner) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
}

func (s *Base) DeleteUserPolicy(ctx context.Context, user, name string) error {
	return s.write(func(tx Tx) error {
		if _, err := getUser(ctx, tx, user); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM user_policies WHERE account = ? AND `+s.d.User+` = ? AND name = ?`, meta.AccountOf(ctx), user, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrNoSuchPolicy
		}
		return nil
	})
}
