package notify

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// File is the operator's notification configuration file (JSON).
type File struct {
	Targets []TargetConfig `json:"targets"`
	// BatchSize is how many journal records one read takes (default 500).
	BatchSize int `json:"batch_size,omitempty"`
	// MinBackoff and MaxBackoff bound the pause between failed sends
	// (defaults 1s and 5m); the pause doubles after each failure.
	MinBackoff Duration `json:"min_backoff,omitempty"`
	MaxBackoff Duration `json:"max_backoff,omitempty"`
	// MaxBacklog is how many journal records a target may lag behind
	// before the oldest are dropped, counted and logged (default 1,000,000).
	MaxBacklog int64 `json:"max_backlog,omitempty"`
	// Timeout bounds one send (default 10s).
	Timeout Duration `json:"timeout,omitempty"`
}

// TargetConfig is one target. Fields holding secrets (URL, AuthHeader,
// HMACSecret, Password) may be "env:NAME" (the environment variable) or
// "file:PATH" (the file's content, trailing newline removed); they are
// never logged.
type TargetConfig struct {
	// ARN addresses the target in bucket configurations:
	// arn:aws:sqs:REGION:ACCOUNT:NAME, arn:aws:sns:REGION:ACCOUNT:NAME or
	// arn:aws:lambda:REGION:ACCOUNT:function:NAME.
	ARN string `json:"arn"`
	// Type: webhook, nats, jetstream, amqp, kafka, redis or postgres.
	Type string `json:"type"`
	// EventBridge makes the target receive, in EventBridge's format, the
	// events of buckets with EventBridge enabled (and nothing else).
	EventBridge bool `json:"eventbridge,omitempty"`
	// URL: the webhook's URL, the NATS server(s), the AMQP URL, the Redis
	// URL or the PostgreSQL connection string.
	URL string `json:"url,omitempty"`
	// Webhook: AuthHeader is sent as Authorization; HMACSecret signs the
	// body (X-Talus-Signature: sha256=HEX).
	AuthHeader string `json:"auth_header,omitempty"`
	HMACSecret string `json:"hmac_secret,omitempty"`
	// Password replaces the URL's password (AMQP, Redis, PostgreSQL, NATS).
	Password string `json:"password,omitempty"`
	// Subject is the NATS subject; Stream the JetStream stream, created
	// over Subject if missing.
	Subject string `json:"subject,omitempty"`
	Stream  string `json:"stream,omitempty"`
	// Exchange and RoutingKey address AMQP messages ("" exchange: the
	// default exchange, RoutingKey naming the queue). Queue, if set, is
	// declared durable and bound.
	Exchange   string `json:"exchange,omitempty"`
	RoutingKey string `json:"routing_key,omitempty"`
	Queue      string `json:"queue,omitempty"`
	// Brokers and Topic address Kafka.
	Brokers []string `json:"brokers,omitempty"`
	Topic   string   `json:"topic,omitempty"`
	// Key is the Redis list events are appended to (RPUSH).
	Key string `json:"key,omitempty"`
	// Table receives PostgreSQL rows (created if missing); Channel, if
	// set, is also sent a NOTIFY with the event.
	Table   string `json:"table,omitempty"`
	Channel string `json:"channel,omitempty"`
}

// Duration is a time.Duration written as "1s", "5m" in the file.
type Duration time.Duration

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Target types.
var targetTypes = map[string]bool{"webhook": true, "nats": true, "jetstream": true, "amqp": true, "kafka": true, "redis": true, "postgres": true}

// LoadFile reads and checks a configuration file.
func LoadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &File{}
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("notify: %s: %w", path, err)
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("notify: %s: %w", path, err)
	}
	return f, nil
}

func (f *File) check() error {
	seen := map[string]bool{}
	for i, t := range f.Targets {
		if !validARN(t.ARN) {
			return fmt.Errorf("target %d: arn %q is not arn:aws:sqs|sns:REGION:ACCOUNT:NAME or arn:aws:lambda:REGION:ACCOUNT:function:NAME", i, t.ARN)
		}
		if seen[t.ARN] {
			return fmt.Errorf("target %d: arn %s configured twice", i, t.ARN)
		}
		seen[t.ARN] = true
		if !targetTypes[t.Type] {
			return fmt.Errorf("target %s: unknown type %q", t.ARN, t.Type)
		}
		need := map[string]string{"webhook": t.URL, "nats": t.Subject, "jetstream": t.Subject, "amqp": t.URL, "kafka": t.Topic, "redis": t.Key, "postgres": t.Table}
		if need[t.Type] == "" {
			return fmt.Errorf("target %s: a %s target needs its address (url, subject, topic, key or table)", t.ARN, t.Type)
		}
		if t.Type == "kafka" && len(t.Brokers) == 0 {
			return fmt.Errorf("target %s: a kafka target needs brokers", t.ARN)
		}
		for _, v := range []string{t.URL, t.AuthHeader, t.HMACSecret, t.Password} {
			if _, err := secret(v); err != nil {
				return fmt.Errorf("target %s: %w", t.ARN, err)
			}
		}
	}
	return nil
}

func validARN(arn string) bool {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[1] == "" || p[3] == "" || p[4] == "" || p[5] == "" {
		return false
	}
	switch p[2] {
	case "sqs", "sns":
		return !strings.Contains(p[5], ":")
	case "lambda":
		return strings.HasPrefix(p[5], "function:") && len(p[5]) > len("function:")
	}
	return false
}

// secret resolves "env:NAME" and "file:PATH" references.
func secret(v string) (string, error) {
	switch {
	case strings.HasPrefix(v, "env:"):
		s, ok := os.LookupEnv(v[4:])
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", v[4:])
		}
		return s, nil
	case strings.HasPrefix(v, "file:"):
		b, err := os.ReadFile(v[5:])
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return v, nil
}

// resolved returns t with its secret references replaced by their values.
func (t TargetConfig) resolved() TargetConfig {
	t.URL, _ = secret(t.URL)
	t.AuthHeader, _ = secret(t.AuthHeader)
	t.HMACSecret, _ = secret(t.HMACSecret)
	t.Password, _ = secret(t.Password)
	return t
}

// Address is where the target sends, without secrets, for listings.
func (t TargetConfig) Address() string {
	switch t.Type {
	case "kafka":
		return strings.Join(t.Brokers, ",") + " topic " + t.Topic
	case "nats", "jetstream":
		return "subject " + t.Subject
	case "redis":
		return "list " + t.Key
	case "postgres":
		return "table " + t.Table
	case "amqp":
		return "exchange " + t.Exchange + " key " + t.RoutingKey
	}
	if strings.HasPrefix(t.URL, "env:") || strings.HasPrefix(t.URL, "file:") {
		return t.URL
	}
	return redactURL(t.URL)
}

func (f *File) withDefaults() File {
	c := *f
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = Duration(time.Second)
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = Duration(5 * time.Minute)
	}
	if c.MaxBacklog <= 0 {
		c.MaxBacklog = 1_000_000
	}
	if c.Timeout <= 0 {
		c.Timeout = Duration(10 * time.Second)
	}
	return c
}
