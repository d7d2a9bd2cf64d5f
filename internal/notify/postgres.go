package notify

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// pgSender inserts each event as a row of a table (created if missing;
// id gives the order of arrival), unique by event ID so a resend is a no-op, and, when a channel is
// set, sends NOTIFY with the event in the same transaction: listeners hear
// of exactly the rows that committed.
type pgSender struct {
	cfg   TargetConfig
	mu    sync.Mutex
	conn  *pgx.Conn
	ready bool
}

func (s *pgSender) connect(ctx context.Context) error {
	if s.conn != nil && !s.conn.IsClosed() {
		return nil
	}
	cfg, err := pgx.ParseConfig(s.cfg.URL)
	if err != nil {
		return err
	}
	if s.cfg.Password != "" {
		cfg.Password = s.cfg.Password
	}
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	s.conn = c
	if !s.ready {
		_, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+pgx.Identifier{s.cfg.Table}.Sanitize()+` (
			id         bigserial PRIMARY KEY,
			event_id   text NOT NULL UNIQUE,
			event_name text NOT NULL,
			bucket     text NOT NULL,
			key        text NOT NULL,
			event      jsonb NOT NULL,
			received   timestamptz NOT NULL DEFAULT now())`)
		if err != nil {
			s.drop()
			return err
		}
		s.ready = true
	}
	return nil
}

func (s *pgSender) drop() {
	if s.conn != nil {
		s.conn.Close(context.Background())
	}
	s.conn = nil
}

func (s *pgSender) Send(ctx context.Context, msgs []Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.connect(ctx); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
		insert := `INSERT INTO ` + pgx.Identifier{s.cfg.Table}.Sanitize() +
			` (event_id, event_name, bucket, key, event) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`
		b := &pgx.Batch{}
		for _, m := range msgs {
			bucket, key := splitKey(m.Key)
			b.Queue(insert, m.ID, m.Event, bucket, key, string(m.Body))
			if s.cfg.Channel != "" {
				b.Queue(`SELECT pg_notify($1, $2)`, s.cfg.Channel, string(m.Body))
			}
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		s.drop()
	}
	return err
}

func splitKey(k string) (bucket, key string) {
	for i := 0; i < len(k); i++ {
		if k[i] == '/' {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}

func (s *pgSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
	return nil
}
