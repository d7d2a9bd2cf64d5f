package sqlmeta

import (
	"context"
	"database/sql"
	"errors"

	"talus/internal/meta"
)

// Groups, roles, inline and managed policies and attachments act within
// the account the context is scoped to (meta.AccountOf), as users do.

func (s *Base) CreateGroup(ctx context.Context, g meta.Group) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		if ok, err := Exists(ctx, tx, `SELECT 1 FROM iam_groups WHERE account = ? AND name = ?`, acct, g.Name); err != nil || ok {
			return CmpErr(err, meta.ErrEntityExists)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO iam_groups(account, name, id, path, created) VALUES (?,?,?,?,?)`, acct, g.Name, g.ID, g.Path, Nanos(g.Created))
		return err
	})
}

const groupCols = `name, id, path, created`

func scanGroup(r Scanner) (meta.Group, error) {
	var g meta.Group
	var created int64
	err := r.Scan(&g.Name, &g.ID, &g.Path, &created)
	g.Created = FromNanos(created)
	return g, err
}

func getGroup(ctx context.Context, q Querier, name string) (meta.Group, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, `SELECT `+groupCols+` FROM iam_groups WHERE account = ? AND name = ?`, meta.AccountOf(ctx), name))
	if errors.Is(err, sql.ErrNoRows) {
		return g, meta.ErrNoSuchEntity
	}
	return g, err
}

func (s *Base) GetGroup(ctx context.Context, name string) (meta.Group, error) {
	return getGroup(ctx, s.r, name)
}

func (s *Base) ListGroups(ctx context.Context, after string, limit int) ([]meta.Group, error) {
	return QueryAll(ctx, s.r, `SELECT `+groupCols+` FROM iam_groups WHERE account = ? AND name > ? ORDER BY name LIMIT ?`, []any{meta.AccountOf(ctx), after, limit}, scanGroup)
}

func (s *Base) DeleteGroup(ctx context.Context, name string) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		if _, err := getGroup(ctx, tx, name); err != nil {
			return err
		}
		inUse, err := Exists(ctx, tx, `SELECT 1 FROM iam_group_members WHERE account = ? AND grp = ?
			UNION ALL SELECT 1 FROM iam_inline_policies WHERE account = ? AND kind = 'group' AND owner = ?
			UNION ALL SELECT 1 FROM iam_attachments WHERE account = ? AND kind = 'group' AND owner = ? LIMIT 1`, acct, name, acct, name, acct, name)
		if err != nil || inUse {
			return CmpErr(err, meta.ErrDeleteConflict)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM iam_groups WHERE account = ? AND name = ?`, acct, name)
		return err
	})
}

// groupAndUser checks that both exist.
func groupAndUser(ctx context.Context, q Querier, group, user string) error {
	if _, err := getGroup(ctx, q, group); err != nil {
		return err
	}
	_, err := getUser(ctx, q, user)
	return err
}

func (s *Base) AddUserToGroup(ctx context.Context, group, user string) error {
	return s.write(func(tx Tx) error {
		if err := groupAndUser(ctx, tx, group, user); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.InsertIgnore(`iam_group_members`, []string{`account`, `grp`, s.d.User}), meta.AccountOf(ctx), group, user)
		return err
	})
}

func (s *Base) RemoveUserFromGroup(ctx context.Context, group, user string) error {
	return s.write(func(tx Tx) error {
		if err := groupAndUser(ctx, tx, group, user); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM iam_group_members WHERE account = ? AND grp = ? AND `+s.d.User+` = ?`, meta.AccountOf(ctx), group, user)
		return Affected(res, err, meta.ErrNoSuchEntity)
	})
}

func (s *Base) GroupMembers(ctx context.Context, group string) ([]meta.User, error) {
	if _, err := getGroup(ctx, s.r, group); err != nil {
		return nil, err
	}
	return QueryAll(ctx, s.r, `SELECT u.name, u.id, u.path, u.created FROM iam_group_members m JOIN users u ON u.account = m.account AND u.name = m.`+s.d.User+`
		WHERE m.account = ? AND m.grp = ? ORDER BY u.name`, []any{meta.AccountOf(ctx), group}, scanUser)
}

func (s *Base) UserGroups(ctx context.Context, user string) ([]meta.Group, error) {
	if _, err := getUser(ctx, s.r, user); err != nil {
		return nil, err
	}
	return QueryAll(ctx, s.r, `SELECT g.name, g.id, g.path, g.created FROM iam_group_members m JOIN iam_groups g ON g.account = m.account AND g.name = m.grp
		WHERE m.account = ? AND m.`+s.d.User+` = ? ORDER BY g.name`, []any{meta.AccountOf(ctx), user}, scanGroup)
}

// ownerExists checks the user, group or role an inline or attached policy belongs to.
func (s *Base) ownerExists(ctx context.Context, q Querier, kind, owner string) error {
	switch kind {
	case meta.KindUser:
		_, err := getUser(ctx, q, owner)
		return err
	case meta.KindGroup:
		_, err := getGroup(ctx, q, owner)
		return err
	case meta.KindRole:
		return MustExist(ctx, q, meta.ErrNoSuchEntity, `SELECT 1 FROM iam_roles WHERE account = ? AND name = ?`, meta.AccountOf(ctx), owner)
	}
	return errors.New(s.d.Name + ": unknown policy owner kind " + kind)
}

func (s *Base) PutInlinePolicy(ctx context.Context, kind, owner, name, document string) error {
	return s.write(func(tx Tx) error {
		if err := s.ownerExists(ctx, tx, kind, owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.Upsert(`iam_inline_policies`, []string{`account`, `kind`, `owner`, `name`, `document`}, []string{`account`, `kind`, `owner`, `name`}), meta.AccountOf(ctx), kind, owner, name, document)
		return err
	})
}

func (s *Base) GetInlinePolicy(ctx context.Context, kind, owner, name string) (string, error) {
	if err := s.ownerExists(ctx, s.r, kind, owner); err != nil {
		return "", err
	}
	var doc string
	err := s.r.QueryRowContext(ctx, `SELECT document FROM iam_inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?`, meta.AccountOf(ctx), kind, owner, name).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", meta.ErrNoSuchPolicy
	}
	return doc, err
}

func (s *Base) ListInlinePolicies(ctx context.Context, kind, owner string) ([]string, error) {
	if err := s.ownerExists(ctx, s.r, kind, owner); err != nil {
		return nil, err
	}
	return QueryAll(ctx, s.r, `SELECT name FROM iam_inline_policies WHERE account = ? AND kind = ? AND owner = ? ORDER BY name`, []any{meta.AccountOf(ctx), kind, owner}, func(r Scanner) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
}

func (s *Base) DeleteInlinePolicy(ctx context.Context, kind, owner, name string) error {
	return s.write(func(tx Tx) error {
		if err := s.ownerExists(ctx, tx, kind, owner); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM iam_inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?`, meta.AccountOf(ctx), kind, owner, name)
		return Affected(res, err, meta.ErrNoSuchPolicy)
	})
}
