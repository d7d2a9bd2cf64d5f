package notify

import (
	"context"
	"errors"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsSender publishes to a NATS subject: core NATS (flushed, so the
// server has every message) or JetStream (each publish acknowledged by the
// stream, deduplicated by message ID).
type natsSender struct {
	cfg TargetConfig
	mu  sync.Mutex
	nc  *nats.Conn
	js  jetstream.JetStream
}

func (s *natsSender) connect(ctx context.Context) error {
	if s.nc != nil && s.nc.IsConnected() {
		return nil
	}
	s.drop()
	url := s.cfg.URL
	if url == "" {
		url = nats.DefaultURL
	}
	opts := []nats.Option{nats.Name("talus-notify"), nats.MaxReconnects(-1)}
	if s.cfg.Password != "" {
		opts = append(opts, nats.Token(s.cfg.Password))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return err
	}
	s.nc = nc
	if s.cfg.Type == "jetstream" {
		js, err := jetstream.New(nc)
		if err != nil {
			s.drop()
			return err
		}
		if s.cfg.Stream != "" {
			_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: s.cfg.Stream, Subjects: []string{s.cfg.Subject}, Storage: jetstream.FileStorage})
			if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				s.drop()
				return err
			}
		}
		s.js = js
	}
	return nil
}

func (s *natsSender) drop() {
	if s.nc != nil {
		s.nc.Close()
	}
	s.nc, s.js = nil, nil
}

func (s *natsSender) Send(ctx context.Context, msgs []Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.connect(ctx); err != nil {
		return err
	}
	if s.js != nil {
		for _, m := range msgs {
			if _, err := s.js.Publish(ctx, s.cfg.Subject, m.Body, jetstream.WithMsgID(m.ID)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, m := range msgs {
		msg := nats.NewMsg(s.cfg.Subject)
		msg.Data = m.Body
		msg.Header.Set("Nats-Msg-Id", m.ID)
		if err := s.nc.PublishMsg(msg); err != nil {
			return err
		}
	}
	// Flush round-trips to the server: every message is there once it returns.
	if err := s.nc.FlushWithContext(ctx); err != nil {
		s.drop()
		return err
	}
	return nil
}

func (s *natsSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
	return nil
}
