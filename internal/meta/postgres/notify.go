package postgres

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Notify sends payload on channel to every store subscribed to it on the
// same database (PostgreSQL NOTIFY; delivered after this returns, to the
// subscribers connected then). Payloads are at most 7999 bytes.
func (s *Store) Notify(ctx context.Context, channel, payload string) error {
	_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, payload)
	return err
}

// Subscribe calls fn for every notification sent on channel (by any
// store on the database, this one included), from one goroutine, in the
// order they were sent. The store keeps one dedicated connection for all
// its subscriptions; if that connection drops, it reconnects and LISTENs
// again, and fn is called with payload "" on the channel to say that
// notifications may have been missed (callers drop their caches). It
// returns once the LISTEN is in place; the subscription ends with ctx or
// when the store closes.
func (s *Store) Subscribe(ctx context.Context, channel string, fn func(channel, payload string)) error {
	s.lmu.Lock()
	if s.listener == nil {
		select {
		case <-s.quit:
			s.lmu.Unlock()
			return errClosed
		default:
		}
		s.listener = newListener(s.pool)
	}
	l := s.listener
	s.lmu.Unlock()
	return l.add(ctx, channel, fn)
}

type subscription struct {
	ctx context.Context
	fn  func(channel, payload string)
}

// listener owns the LISTEN connection.
type listener struct {
	pool   *pgxpool.Pool
	mu     sync.Mutex
	subs   map[string][]*subscription
	listen chan string // channels to LISTEN on, handed to the loop
	ready  chan error
	stop   context.CancelFunc
	done   chan struct{}
}

func newListener(pool *pgxpool.Pool) *listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{pool: pool, subs: map[string][]*subscription{}, listen: make(chan string), ready: make(chan error), stop: cancel, done: make(chan struct{})}
	go l.loop(ctx)
	return l
}

func (l *listener) add(ctx context.Context, channel string, fn func(channel, payload string)) error {
	sub := &subscription{ctx: ctx, fn: fn}
	l.mu.Lock()
	l.subs[channel] = append(l.subs[channel], sub)
	l.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-l.done:
		}
		l.mu.Lock()
		list := l.subs[channel]
		for i, x := range list {
			if x == sub {
				l.subs[channel] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		l.mu.Unlock()
	}()
	select {
	case l.listen <- channel:
	case <-l.done:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-l.ready:
		return err
	case <-l.done:
		return errClosed
	}
}

func (l *listener) close() {
	l.stop()
	<-l.done
}

func (l *listener) deliver(channel, payload string) {
	l.mu.Lock()
	list := append([]*subscription(nil), l.subs[channel]...)
	l.mu.Unlock()
	for _, sub := range list {
		if sub.ctx.Err() == nil {
			sub.fn(channel, payload)
		}
	}
}

// loop holds the connection: LISTENs on request, waits for notifications,
// and reconnects after a failure.
func (l *listener) loop(ctx context.Context) {
	defer close(l.done)
	var conn *pgx.Conn
	drop := func() {
		conn.Close(context.Background())
		conn = nil
	}
	defer func() {
		if conn != nil {
			drop()
		}
	}()
	channels := map[string]bool{}
	lost := false
	for ctx.Err() == nil {
		if conn == nil {
			c, err := l.connect(ctx, channels)
			if err != nil {
				lost = true
				select {
				case <-ctx.Done():
					return
				case ch := <-l.listen: // answer a Subscribe that waits
					channels[ch] = true
					l.ready <- err
				case <-time.After(time.Second):
				}
				continue
			}
			conn = c
			if lost {
				lost = false
				for ch := range channels {
					l.deliver(ch, "")
				}
			}
		}
		wctx, cancel := context.WithCancel(ctx)
		got := make(chan struct {
			n   *pgconn.Notification
			err error
		}, 1)
		go func() {
			n, err := conn.WaitForNotification(wctx)
			got <- struct {
				n   *pgconn.Notification
				err error
			}{n, err}
		}()
		select {
		case ch := <-l.listen:
			cancel()
			r := <-got
			if r.n != nil {
				l.deliver(r.n.Channel, r.n.Payload)
			}
			err := r.err
			if err != nil && !errors.Is(err, context.Canceled) || conn.IsClosed() {
				drop()
				lost = true
			}
			if conn != nil {
				_, err = conn.Exec(ctx, `LISTEN `+pgx.Identifier{ch}.Sanitize())
				if err != nil {
					drop()
					lost = true
				}
			}
			if err == nil || errors.Is(err, context.Canceled) {
				channels[ch] = true
				err = nil
			}
			l.ready <- err
		case r := <-got:
			cancel()
			if r.err != nil {
				if ctx.Err() != nil {
					return
				}
				drop()
				lost = true
				continue
			}
			l.deliver(r.n.Channel, r.n.Payload)
		}
	}
}

// connect takes a connection out of the pool for good (a connection that
// LISTENs must not serve other queries) and LISTENs on channels.
func (l *listener) connect(ctx context.Context, channels map[string]bool) (*pgx.Conn, error) {
	pc, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	c := pc.Hijack()
	for ch := range channels {
		if _, err := c.Exec(ctx, `LISTEN `+pgx.Identifier{ch}.Sanitize()); err != nil {
			c.Close(context.Background())
			return nil, err
		}
	}
	return c, nil
}
