package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"talus/internal/meta"
)

const roleCols = `name, id, path, trust, description, max_session, created`

func scanRole(r Scanner) (meta.Role, error) {
	var ro meta.Role
	var created int64
	err := r.Scan(&ro.Name, &ro.ID, &ro.Path, &ro.TrustPolicy, &ro.Description, &ro.MaxSessionDuration, &created)
	ro.Created = FromNanos(created)
	return ro, err
}

func (s *Base) CreateRole(ctx context.Context, r meta.Role) error {
	return s.write(func(tx Tx) error {
		if ok, err := Exists(ctx, tx, `SELECT 1 FROM iam_roles WHERE account = ? AND name = ?`, meta.AccountOf(ctx), r.Name); err != nil || ok {
			return CmpErr(err, meta.ErrEntityExists)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO iam_roles(account, `+roleCols+`) VALUES (?,?,?,?,?,?,?,?)`,
			meta.AccountOf(ctx), r.Name, r.ID, r.Path, r.TrustPolicy, r.Description, r.MaxSessionDuration, Nanos(r.Created))
		return err
	})
}

func (s *Base) GetRole(ctx context.Context, name string) (meta.Role, error) {
	r, err := scanRole(s.r.QueryRowContext(ctx, `SELECT `+roleCols+` FROM iam_roles WHERE account = ? AND name = ?`, meta.AccountOf(ctx), name))
	if errors.Is(err, sql.ErrNoRows) {
		return r, meta.ErrNoSuchEntity
	}
	return r, err
}

func (s *Base) ListRoles(ctx context.Context, after string, limit int) ([]meta.Role, error) {
	return QueryAll(ctx, s.r, `SELECT `+roleCols+` FROM iam_roles WHERE account = ? AND name > ? ORDER BY name LIMIT ?`, []any{meta.AccountOf(ctx), after, limit}, scanRole)
}

func (s *Base) UpdateRole(ctx context.Context, r meta.Role) error {
	return s.write(func(tx Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE iam_roles SET trust = ?, description = ?, max_session = ? WHERE account = ? AND name = ?`,
			r.TrustPolicy, r.Description, r.MaxSessionDuration, meta.AccountOf(ctx), r.Name)
		return Affected(res, err, meta.ErrNoSuchEntity)
	})
}

func (s *Base) DeleteRole(ctx context.Context, name string) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		if err := s.ownerExists(ctx, tx, meta.KindRole, name); err != nil {
			return err
		}
		inUse, err := Exists(ctx, tx, `SELECT 1 FROM iam_inline_policies WHERE account = ? AND kind = 'role' AND owner = ?
			UNION ALL SELECT 1 FROM iam_attachments WHERE account = ? AND kind = 'role' AND owner = ? LIMIT 1`, acct, name, acct, name)
		if err != nil || inUse {
			return CmpErr(err, meta.ErrDeleteConflict)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM iam_roles WHERE account = ? AND name = ?`, acct, name)
		return err
	})
}

const policyCols = `p.arn, p.name, p.id, p.path, p.description, p.default_version, p.created, p.updated,
	(SELECT count(*) FROM iam_attachments a WHERE a.account = p.account AND a.arn = p.arn)`

func scanPolicy(r Scanner) (meta.ManagedPolicy, error) {
	var p meta.ManagedPolicy
	var created, updated int64
	err := r.Scan(&p.ARN, &p.Name, &p.ID, &p.Path, &p.Description, &p.DefaultVersion, &created, &updated, &p.Attachments)
	p.Created, p.Updated = FromNanos(created), FromNanos(updated)
	return p, err
}

func getPolicy(ctx context.Context, q Querier, arn string) (meta.ManagedPolicy, error) {
	p, err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyCols+` FROM iam_policies p WHERE p.account = ? AND p.arn = ?`, meta.AccountOf(ctx), arn))
	if errors.Is(err, sql.ErrNoRows) {
		return p, meta.ErrNoSuchEntity
	}
	return p, err
}

func (s *Base) CreatePolicy(ctx context.Context, p meta.ManagedPolicy, document string) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		if ok, err := Exists(ctx, tx, `SELECT 1 FROM iam_policies WHERE account = ? AND arn = ?`, acct, p.ARN); err != nil || ok {
			return CmpErr(err, meta.ErrEntityExists)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO iam_policies(account, arn, name, id, path, description, default_version, next_version, created, updated)
			VALUES (?,?,?,?,?,?,'v1',2,?,?)`, acct, p.ARN, p.Name, p.ID, p.Path, p.Description, Nanos(p.Created), Nanos(p.Created)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO iam_policy_versions(account, arn, version, document, created) VALUES (?,?,'v1',?,?)`, acct, p.ARN, document, Nanos(p.Created))
		return err
	})
}

func (s *Base) GetPolicy(ctx context.Context, arn string) (meta.ManagedPolicy, error) {
	return getPolicy(ctx, s.r, arn)
}

func (s *Base) ListPolicies(ctx context.Context, after string, limit int) ([]meta.ManagedPolicy, error) {
	return QueryAll(ctx, s.r, `SELECT `+policyCols+` FROM iam_policies p WHERE p.account = ? AND p.arn > ? ORDER BY p.arn LIMIT ?`, []any{meta.AccountOf(ctx), after, limit}, scanPolicy)
}

func (s *Base) DeletePolicy(ctx context.Context, arn string) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		p, err := getPolicy(ctx, tx, arn)
		if err != nil {
			return err
		}
		others, err := Exists(ctx, tx, `SELECT 1 FROM iam_policy_versions WHERE account = ? AND arn = ? AND version != ?`, acct, arn, p.DefaultVersion)
		if err != nil || p.Attachments > 0 || others {
			return CmpErr(err, meta.ErrDeleteConflict)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM iam_policy_versions WHERE account = ? AND arn = ?`, acct, arn); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM iam_policies WHERE account = ? AND arn = ?`, acct, arn)
		return err
	})
}

func (s *Base) CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, max int, now time.Time) (meta.PolicyVersion, error) {
	var v meta.PolicyVersion
	acct := meta.AccountOf(ctx)
	err := s.write(func(tx Tx) error {
		var next, count int
		err := tx.QueryRowContext(ctx, `SELECT next_version, (SELECT count(*) FROM iam_policy_versions v WHERE v.account = p.account AND v.arn = p.arn)
			FROM iam_policies p WHERE account = ? AND arn = ?`, acct, arn).Scan(&next, &count)
		if errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNoSuchEntity
		}
		if err != nil {
			return err
		}
		if count >= max {
			return meta.ErrLimitExceeded
		}
		v = meta.PolicyVersion{ID: "v" + strconv.Itoa(next), Document: document, Default: setDefault, Created: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO iam_policy_versions(account, arn, version, document, created) VALUES (?,?,?,?,?)`, acct, arn, v.ID, document, Nanos(now)); err != nil {
			return err
		}
		q := `UPDATE iam_policies SET next_version = next_version + 1 WHERE account = ? AND arn = ?`
		args := []any{acct, arn}
		if setDefault {
			q = `UPDATE iam_policies SET next_version = next_version + 1, default_version = ?, updated = ? WHERE account = ? AND arn = ?`
			args = []any{v.ID, Nanos(now), acct, arn}
		}
		_, err = tx.ExecContext(ctx, q, args...)
		return err
	})
	return v, err
}

const policyVersionCols = `v.version, v.document, v.created, v.version = p.default_version`

func scanPolicyVersion(r Scanner) (meta.PolicyVersion, error) {
	var v meta.PolicyVersion
	var created int64
	err := r.Scan(&v.ID, &v.Document, &created, &v.Default)
	v.Created = FromNanos(created)
	return v, err
}

func (s *Base) GetPolicyVersion(ctx context.Context, arn, version string) (meta.PolicyVersion, error) {
	v, err := scanPolicyVersion(s.r.QueryRowContext(ctx, `SELECT `+policyVersionCols+` FROM iam_policy_versions v JOIN iam_policies p ON p.account = v.account AND p.arn = v.arn
		WHERE v.account = ? AND v.arn = ? AND v.version = ?`, meta.AccountOf(ctx), arn, version))
	if errors.Is(err, sql.ErrNoRows) {
		return v, meta.ErrNoSuchEntity
	}
	return v, err
}

func (s *Base) ListPolicyVersions(ctx context.Context, arn string) ([]meta.PolicyVersion, error) {
	if _, err := getPolicy(ctx, s.r, arn); err != nil {
		return nil, err
	}
	return QueryAll(ctx, s.r, `SELECT `+policyVersionCols+` FROM iam_policy_versions v JOIN iam_policies p ON p.account = v.account AND p.arn = v.arn
		WHERE v.account = ? AND v.arn = ? ORDER BY v.created DESC, length(v.version) DESC, v.version DESC`, []any{meta.AccountOf(ctx), arn}, scanPolicyVersion)
}

func (s *Base) DeletePolicyVersion(ctx context.Context, arn, version string) error {
	return s.write(func(tx Tx) error {
		p, err := getPolicy(ctx, tx, arn)
		if err != nil {
			return err
		}
		if p.DefaultVersion == version {
			return meta.ErrDeleteConflict
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM iam_policy_versions WHERE account = ? AND arn = ? AND version = ?`, meta.AccountOf(ctx), arn, version)
		return Affected(res, err, meta.ErrNoSuchEntity)
	})
}

func (s *Base) SetDefaultPolicyVersion(ctx context.Context, arn, version string, now time.Time) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		if err := MustExist(ctx, tx, meta.ErrNoSuchEntity, `SELECT 1 FROM iam_policy_versions WHERE account = ? AND arn = ? AND version = ?`, acct, arn, version); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE iam_policies SET default_version = ?, updated = ? WHERE account = ? AND arn = ?`, version, Nanos(now), acct, arn)
		return err
	})
}

func (s *Base) AttachPolicy(ctx context.Context, kind, owner, arn string, max int) error {
	acct := meta.AccountOf(ctx)
	return s.write(func(tx Tx) error {
		if err := s.ownerExists(ctx, tx, kind, owner); err != nil {
			return err
		}
		if _, err := getPolicy(ctx, tx, arn); err != nil {
			return err
		}
		if ok, err := Exists(ctx, tx, `SELECT 1 FROM iam_attachments WHERE account = ? AND kind = ? AND owner = ? AND arn = ?`, acct, kind, owner, arn); err != nil || ok {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM iam_attachments WHERE account = ? AND kind = ? AND owner = ?`, acct, kind, owner).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return meta.ErrLimitExceeded
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO iam_attachments(account, kind, owner, arn) VALUES (?,?,?,?)`, acct, kind, owner, arn)
		return err
	})
}

func (s *Base) DetachPolicy(ctx context.Context, kind, owner, arn string) error {
	return s.write(func(tx Tx) error {
		if err := s.ownerExists(ctx, tx, kind, owner); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM iam_attachments WHERE account = ? AND kind = ? AND owner = ? AND arn = ?`, meta.AccountOf(ctx), kind, owner, arn)
		return Affected(res, err, meta.ErrNoSuchEntity)
	})
}

func (s *Base) AttachedPolicies(ctx context.Context, kind, owner string) ([]meta.ManagedPolicy, error) {
	if err := s.ownerExists(ctx, s.r, kind, owner); err != nil {
		return nil, err
	}
	return QueryAll(ctx, s.r, `SELECT `+policyCols+` FROM iam_attachments x JOIN iam_policies p ON p.account = x.account AND p.arn = x.arn
		WHERE x.account = ? AND x.kind = ? AND x.owner = ? ORDER BY p.arn`, []any{meta.AccountOf(ctx), kind, owner}, scanPolicy)
}
