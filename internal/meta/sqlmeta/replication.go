package sqlmeta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"talus/internal/meta"
)

func (s *Base) SetReplicationStatus(ctx context.Context, bucket, key string, seq int64, status string) error {
	return s.write(func(tx Tx) error {
		if err := s.b.LockKey(ctx, tx, bucket, key); err != nil {
			return err
		}
		var raw []byte
		err := tx.QueryRowContext(ctx, `SELECT attrs FROM versions WHERE seq = ? AND bucket = ? AND name = ?`, seq, bucket, key).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return meta.ErrNoSuchVersion
		}
		if err != nil {
			return err
		}
		var a meta.Attrs
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &a); err != nil {
				return err
			}
		}
		if a.ReplicationStatus == status {
			return nil
		}
		a.ReplicationStatus = status
		if raw, err = json.Marshal(&a); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE versions SET attrs = ? WHERE seq = ?`, raw, seq)
		return err
	})
}

var (
	remoteColumns = []string{`name`, `endpoint`, `region`, `access_key`, `secret`, `path_style`, `created`}
	remoteCols    = strings.Join(remoteColumns, ", ")
)

func scanRemote(r Scanner) (meta.Remote, error) {
	var m meta.Remote
	var created int64
	err := r.Scan(&m.Name, &m.Endpoint, &m.Region, &m.AccessKey, &m.SealedSecret, &m.PathStyle, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return m, meta.ErrNoSuchRemote
	}
	m.Created = FromNanos(created)
	return m, err
}

func (s *Base) PutRemote(ctx context.Context, r meta.Remote, replace bool) error {
	return s.write(func(tx Tx) error {
		if _, err := scanRemote(tx.QueryRowContext(ctx, `SELECT `+remoteCols+` FROM replication_remotes WHERE name = ?`, r.Name)); err == nil && !replace {
			return meta.ErrRemoteExists
		} else if err != nil && !errors.Is(err, meta.ErrNoSuchRemote) {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.Upsert(`replication_remotes`, remoteColumns, []string{`name`}),
			r.Name, r.Endpoint, r.Region, r.AccessKey, r.SealedSecret, r.PathStyle, Nanos(r.Created))
		return err
	})
}

func (s *Base) GetRemote(ctx context.Context, name string) (meta.Remote, error) {
	return scanRemote(s.r.QueryRowContext(ctx, `SELECT `+remoteCols+` FROM replication_remotes WHERE name = ?`, name))
}

func (s *Base) ListRemotes(ctx context.Context) ([]meta.Remote, error) {
	return QueryAll(ctx, s.r, `SELECT `+remoteCols+` FROM replication_remotes ORDER BY name`, nil, scanRemote)
}

func (s *Base) DeleteRemote(ctx context.Context, name string) error {
	return s.write(func(tx Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM replication_remotes WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrNoSuchRemote
		}
		return nil
	})
}
