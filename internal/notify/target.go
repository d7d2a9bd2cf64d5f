package notify

import (
	"context"
	"fmt"
	"net/url"
)

// Message is one event to send.
type Message struct {
	// ID is unique per event and configuration ("SEQ-CONFIGID"): brokers
	// that deduplicate (JetStream, PostgreSQL) use it, so a resend after a
	// crash is dropped there.
	ID string
	// Key is "bucket/key", the partitioning key (Kafka).
	Key string
	// Event is the S3 event name (s3:ObjectCreated:Put).
	Event string
	Body  []byte
}

// Sender sends messages to one broker, in order; a nil error means every
// message was accepted. Senders connect lazily and reconnect after a
// failure, so a broker that is down makes Send fail until it is back.
type Sender interface {
	Send(ctx context.Context, msgs []Message) error
	Close() error
}

// newSender builds the sender of a target (secrets resolved).
func newSender(t TargetConfig) (Sender, error) {
	switch t.Type {
	case "webhook":
		return newWebhook(t), nil
	case "nats", "jetstream":
		return &natsSender{cfg: t}, nil
	case "amqp":
		return &amqpSender{cfg: t}, nil
	case "kafka":
		return &kafkaSender{cfg: t}, nil
	case "redis":
		return newRedis(t)
	case "postgres":
		return &pgSender{cfg: t}, nil
	}
	return nil, fmt.Errorf("notify: unknown target type %q", t.Type)
}

// withPassword sets the password of a URL-style address.
func withPassword(raw, password string) string {
	if password == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	user := ""
	if u.User != nil {
		user = u.User.Username()
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// redactURL hides a URL's password and query (tokens) for listings and logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	return u.Redacted()
}
