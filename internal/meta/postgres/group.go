package postgres

import (
	"context"
	"database/sql"
	"errors"

	"talus/internal/meta"
)

// mustExist returns missing unless q finds a row.
func mustExist(ctx context.Context, q querier, missing error, query string, args ...any) error {
	ok, err := exists(ctx, q, query, args...)
	if err == nil && !ok {
		return missing
	}
	return err
}

// Groups, roles, inline and managed policies and attachments act within
// the account the context is scoped to (meta.AccountOf), as users do.

func (s *Store) CreateGroup(ctx context.Context, g meta.Group) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx *wtx) error {
		if ok, err := exists(ctx, tx, `SELECT 1 FROM iam_groups WHERE account = ? AND name = ?`, acct, g.Name); err != nil || ok {
			return cmpErr(err, meta.ErrEntityExists)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO iam_groups(account, name, id, path, created) VALUES (?,?,?,?,?)`, acct, g.Name, g.ID, g.Path, nanos(g.Created))
		return err
	})
}

// cmpErr returns err if set, else otherwise.
func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

const groupCols = `name, id, path, created`

func scanGroup(r scanner) (meta.Group, error) {
	var g meta.Group
	var created int64
	err := r.Scan(&g.Name, &g.ID, &g.Path, &created)
	g.Created = fromNanos(created)
	return g, err
}

func getGroup(ctx context.Context, q querier, name string) (meta.Group, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, `SELECT `+groupCols+` FROM iam_groups WHERE account = ? AND name = ?`, meta.AccountOf(ctx), name))
	if errors.Is(err, sql.ErrNoRows) {
		return g, meta.ErrNoSuchEntity
	}
	return g, err
}

func (s *Store) GetGroup(ctx context.Context, name string) (meta.Group, error) {
	return getGroup(ctx, s.r, name)
}

func (s *Store) ListGroups(ctx context.Context, after string, limit int) ([]meta.Group, error) {
	return queryAll(ctx, s.r, `SELECT `+groupCols+` FROM iam_groups WHERE account = ? AND name > ? ORDER BY name LIMIT ?`, []any{meta.AccountOf(ctx), after, limit}, scanGroup)
}

func (s *Store) DeleteGroup(ctx context.Context, name string) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx *wtx) error {
		if _, err := getGroup(ctx, tx, name); err != nil {
			return err
		}
		inUse, err := exists(ctx, tx, `SELECT 1 FROM iam_group_members WHERE account = ? AND grp = ?
			UNION ALL SELECT 1 FROM iam_inline_policies WHERE account = ? AND kind = 'group' AND owner = ?
			UNION ALL SELECT 1 FROM iam_attachments WHERE account = ? AND kind = 'group' AND owner = ? LIMIT 1`, acct, name, acct, name, acct, name)
		if err != nil || inUse {
			return cmpErr(err, meta.ErrDeleteConflict)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM iam_groups WHERE account = ? AND name = ?`, acct, name)
		return err
	})
}

// groupAndUser checks that both exist.
func groupAndUser(ctx context.Context, q querier, group, user string) error {
	if _, err := getGroup(ctx, q, group); err != nil {
		return err
	}
	_, err := getUser(ctx, q, user)
	return err
}

func (s *Store) AddUserToGroup(ctx context.Context, group, user string) error {
	return s.write(func(tx *wtx) error {
		if err := groupAndUser(ctx, tx, group, user); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO iam_group_members(account, grp, usr) VALUES (?,?,?) ON CONFLICT DO NOTHING`, meta.AccountOf(ctx), group, user)
		return err
	})
}

func (s *Store) RemoveUserFromGroup(ctx context.Context, group, user string) error {
	return s.write(func(tx *wtx) error {
		if err := groupAndUser(ctx, tx, group, user); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM iam_group_members WHERE account = ? AND grp = ? AND usr = ?`, meta.AccountOf(ctx), group, user)
		return affected(res, err, meta.ErrNoSuchEntity)
	})
}

// affected returns none when an exec changed no row.
func affected(res sql.Result, err, none error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return none
	}
	return nil
}

func (s *Store) GroupMembers(ctx context.Context, group string) ([]meta.User, error) {
	if _, err := getGroup(ctx, s.r, group); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.r, `SELECT u.name, u.id, u.path, u.created FROM iam_group_members m JOIN users u ON u.account = m.account AND u.name = m.usr
		WHERE m.account = ? AND m.grp = ? ORDER BY u.name`, []any{meta.AccountOf(ctx), group}, scanUser)
}

func (s *Store) UserGroups(ctx context.Context, user string) ([]meta.Group, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.r, `SELECT g.name, g.id, g.path, g.created FROM iam_group_members m JOIN iam_groups g ON g.account = m.account AND g.name = m.grp
		WHERE m.account = ? AND m.usr = ? ORDER BY g.name`, []any{meta.AccountOf(ctx), user}, scanGroup)
}

// ownerExists checks the user, group or role an inline or attached policy belongs to.
func ownerExists(ctx context.Context, q querier, kind, owner string) error {
	switch kind {
	case meta.KindUser:
		_, err := getUser(ctx, q, owner)
		return err
	case meta.KindGroup:
		_, err := getGroup(ctx, q, owner)
		return err
	case meta.KindRole:
		return mustExist(ctx, q, meta.ErrNoSuchEntity, `SELECT 1 FROM iam_roles WHERE account = ? AND name = ?`, meta.AccountOf(ctx), owner)
	}
	return errors.New("postgres: unknown policy owner kind " + kind)
}

func (s *Store) PutInlinePolicy(ctx context.Context, kind, owner, name, document string) error {
	return s.write(func(tx *wtx) error {
		if err := ownerExists(ctx, tx, kind, owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO iam_inline_policies(account, kind, owner, name, document) VALUES (?,?,?,?,?) ON CONFLICT (account, kind, owner, name) DO UPDATE SET document = excluded.document`, meta.AccountOf(ctx), kind, owner, name, document)
		return err
	})
}

func (s *Store) GetInlinePolicy(ctx context.Context, kind, owner, name string) (string, error) {
	if err := ownerExists(ctx, s.r, kind, owner); err != nil {
		return "", err
	}
	var doc string
	err := s.r.QueryRowContext(ctx, `SELECT document FROM iam_inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?`, meta.AccountOf(ctx), kind, owner, name).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", meta.ErrNoSuchPolicy
	}
	return doc, err
}

func (s *Store) ListInlinePolicies(ctx context.Context, kind, owner string) ([]string, error) {
	if err := ownerExists(ctx, s.r, kind, owner); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.r, `SELECT name FROM iam_inline_policies WHERE account = ? AND kind = ? AND owner = ? ORDER BY name`, []any{meta.AccountOf(ctx), kind, owner}, func(r scanner) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
}

func (s *Store) DeleteInlinePolicy(ctx context.Context, kind, owner, name string) error {
	return s.write(func(tx *wtx) error {
		if err := ownerExists(ctx, tx, kind, owner); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM iam_inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?`, meta.AccountOf(ctx), kind, owner, name)
		return affected(res, err, meta.ErrNoSuchPolicy)
	})
}
