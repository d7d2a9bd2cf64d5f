package notify

import (
	"context"
	"sync"

	"github.com/redis/go-redis/v9"
)

// quiet silences go-redis's own log (a line per failed dial during an
// outage): the delivery loop logs failures itself, without flooding.
var quiet sync.Once

type noLog struct{}

func (noLog) Printf(context.Context, string, ...any) {}

// redisSender appends events to a list (RPUSH, one pipelined round trip
// per batch); consumers pop from the other end.
type redisSender struct {
	cfg TargetConfig
	rdb *redis.Client
}

func newRedis(t TargetConfig) (*redisSender, error) {
	u := t.URL
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		return nil, err
	}
	if t.Password != "" {
		opt.Password = t.Password
	}
	opt.MaxRetries = -1 // the delivery loop retries, in order
	quiet.Do(func() { redis.SetLogger(noLog{}) })
	return &redisSender{cfg: t, rdb: redis.NewClient(opt)}, nil
}

func (s *redisSender) Send(ctx context.Context, msgs []Message) error {
	vals := make([]any, len(msgs))
	for i, m := range msgs {
		vals[i] = m.Body
	}
	return s.rdb.RPush(ctx, s.cfg.Key, vals...).Err()
}

func (s *redisSender) Close() error { return s.rdb.Close() }
