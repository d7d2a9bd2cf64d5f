package notify

import (
	"context"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// kafkaSender produces to a topic, keyed by bucket/key so that one key's
// events stay in one partition, in order; a send succeeds once every
// record is acknowledged (acks=all, idempotent producer).
type kafkaSender struct {
	cfg    TargetConfig
	mu     sync.Mutex
	client *kgo.Client
}

func (s *kafkaSender) Send(ctx context.Context, msgs []Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		c, err := kgo.NewClient(kgo.SeedBrokers(s.cfg.Brokers...), kgo.DefaultProduceTopic(s.cfg.Topic),
			kgo.RequiredAcks(kgo.AllISRAcks()), kgo.AllowAutoTopicCreation(), kgo.ProducerLinger(0))
		if err != nil {
			return err
		}
		s.client = c
	}
	recs := make([]*kgo.Record, len(msgs))
	for i, m := range msgs {
		recs[i] = &kgo.Record{Key: []byte(m.Key), Value: m.Body, Headers: []kgo.RecordHeader{{Key: "event-id", Value: []byte(m.ID)}}}
	}
	return s.client.ProduceSync(ctx, recs...).FirstErr()
}

func (s *kafkaSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
	return nil
}
