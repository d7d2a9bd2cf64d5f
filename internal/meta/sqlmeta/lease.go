package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"talus/internal/meta"
)

type leaseRow struct {
	owner   string
	token   int64
	expires int64
}

// getLease reads the lease row; where several writers share the
// database it locks the row until the transaction ends, so writers
// acquiring or renewing one lease take turns.
func (s *Base) getLease(ctx context.Context, tx Tx, name string) (leaseRow, bool, error) {
	var r leaseRow
	err := tx.QueryRowContext(ctx, `SELECT owner, token, expires FROM leases WHERE name = ?`+s.d.forUpdate(), name).Scan(&r.owner, &r.token, &r.expires)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

func (s *Base) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (meta.Lease, error) {
	var out meta.Lease
	err := s.write(func(tx Tx) error {
		// A row to lock, also for the first acquire: a free lease (no
		// owner, token 0, expired) that the first taker gets as token 1.
		if s.d.SeveralWriters {
			if _, err := tx.ExecContext(ctx, `INSERT INTO leases(name, owner, token, expires) VALUES (?, '', 0, 0) ON CONFLICT (name) DO NOTHING`, name); err != nil {
				return err
			}
		}
		cur, found, err := s.getLease(ctx, tx, name)
		if err != nil {
			return err
		}
		now, err := s.b.LeaseNow(ctx, tx)
		if err != nil {
			return err
		}
		live := found && cur.expires > now.UnixNano()
		if live && cur.owner != owner {
			return meta.ErrLeaseHeld
		}
		token := cur.token
		if !live {
			token++ // a new tenure, also for an owner whose lease had lapsed
		}
		exp := now.Add(ttl)
		if _, err := tx.ExecContext(ctx, `INSERT INTO leases(name, owner, token, expires) VALUES (?,?,?,?)
			ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, token = excluded.token, expires = excluded.expires`,
			name, owner, token, exp.UnixNano()); err != nil {
			return err
		}
		out = meta.Lease{Name: name, Owner: owner, Token: token, Expires: exp.UTC()}
		return nil
	})
	return out, err
}

// held checks inside a write that l is still the current, unexpired tenure.
func (s *Base) held(ctx context.Context, tx Tx, l meta.Lease) error {
	cur, found, err := s.getLease(ctx, tx, l.Name)
	if err != nil {
		return err
	}
	if !found {
		return meta.ErrLeaseLost
	}
	now, err := s.b.LeaseNow(ctx, tx)
	if err != nil {
		return err
	}
	if cur.owner != l.Owner || cur.token != l.Token || cur.expires <= now.UnixNano() {
		return meta.ErrLeaseLost
	}
	return nil
}

func (s *Base) RenewLease(ctx context.Context, l meta.Lease, ttl time.Duration) (meta.Lease, error) {
	err := s.write(func(tx Tx) error {
		if err := s.held(ctx, tx, l); err != nil {
			return err
		}
		now, err := s.b.LeaseNow(ctx, tx)
		if err != nil {
			return err
		}
		exp := now.Add(ttl)
		if _, err := tx.ExecContext(ctx, `UPDATE leases SET expires = ? WHERE name = ?`, exp.UnixNano(), l.Name); err != nil {
			return err
		}
		l.Expires = exp.UTC()
		return nil
	})
	if err != nil {
		return meta.Lease{}, err
	}
	return l, nil
}

func (s *Base) ReleaseLease(ctx context.Context, l meta.Lease) error {
	return s.write(func(tx Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET expires = 0 WHERE name = ? AND owner = ? AND token = ?`, l.Name, l.Owner, l.Token)
		return err
	})
}

func (s *Base) LeaseCheckpoint(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT checkpoint FROM leases WHERE name = ?`, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return data, err
}

func (s *Base) SaveCheckpoint(ctx context.Context, l meta.Lease, data []byte) error {
	return s.write(func(tx Tx) error {
		if err := s.held(ctx, tx, l); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE leases SET checkpoint = ? WHERE name = ?`, data, l.Name)
		return err
	})
}
