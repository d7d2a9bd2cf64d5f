// Package notify_test delivers event notifications from a real Talus
// server to real brokers (nats-server, rabbitmq-server, redis-server,
// PostgreSQL, and Kafka through franz-go's in-process kfake cluster), and
// checks what arrives: the test event, every event in order, after a
// target outage and after a kill -9 of Talus.
package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/notify"
	"talus/internal/testserver"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	bin, cleanup, err := testserver.BuildBinary()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	talusBin = bin
	code := m.Run()
	stopRabbit()
	cleanup()
	os.Exit(code)
}

// talusBin is the binary the kill -9 test runs.
var talusBin string

// event is the part of an S3 event record the tests look at.
type event struct {
	EventName string `json:"eventName"`
	S3        struct {
		ConfigurationID string `json:"configurationId"`
		Bucket          struct{ Name string }
		Object          struct {
			Key       string
			Sequencer string
		}
	} `json:"s3"`
}

// parse splits bodies into test events and event records.
func parse(t testing.TB, bodies [][]byte) (tests int, events []event) {
	t.Helper()
	for _, b := range bodies {
		var doc struct {
			Event   string
			Records []event
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("not JSON: %q: %v", b, err)
		}
		if doc.Event == "s3:TestEvent" {
			tests++
		}
		events = append(events, doc.Records...)
	}
	return tests, events
}

// fastDelivery retries quickly, so that tests see a target come back soon.
func fastDelivery(targets ...notify.TargetConfig) *notify.File {
	return &notify.File{MinBackoff: notify.Duration(50 * time.Millisecond), MaxBackoff: notify.Duration(500 * time.Millisecond),
		Timeout: notify.Duration(5 * time.Second), Targets: targets}
}

// configure sets a notification configuration sending every created and
// removed object of bucket to arn (a queue, or a topic for sns ARNs).
func configure(t testing.TB, c *s3.Client, bucket, arn string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	events := []types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
	nc := &types.NotificationConfiguration{}
	switch {
	case strings.HasPrefix(arn, "arn:aws:lambda:"):
		nc.LambdaFunctionConfigurations = []types.LambdaFunctionConfiguration{{Id: aws.String("all"), LambdaFunctionArn: aws.String(arn), Events: events}}
	case strings.HasPrefix(arn, "arn:aws:sns:"):
		nc.TopicConfigurations = []types.TopicConfiguration{{Id: aws.String("all"), TopicArn: aws.String(arn), Events: events}}
	default:
		nc.QueueConfigurations = []types.QueueConfiguration{{Id: aws.String("all"), QueueArn: aws.String(arn), Events: events}}
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket), NotificationConfiguration: nc}); err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
}

// writes does n puts over a few keys and deletes the first key; it returns
// the events expected, in order.
func writes(t testing.TB, c *s3.Client, bucket string, n int) []string {
	t.Helper()
	var want []string
	for i := range n {
		key := fmt.Sprintf("key %d", i%3)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "ObjectCreated:Put "+strings.ReplaceAll(key, " ", "+"))
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("key 0")}); err != nil {
		t.Fatal(err)
	}
	return append(want, "ObjectRemoved:Delete key+0")
}

// waitFor polls consume until it holds the test event and the events
// wanted (at least once), then checks their order.
func waitFor(t testing.TB, consume func() [][]byte, want []string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		tests, events := parse(t, consume())
		var got []string
		for _, e := range events {
			got = append(got, e.EventName+" "+e.S3.Object.Key)
		}
		if tests >= 1 && len(got) >= len(want) {
			got = dedupe(events)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("events in the wrong order or wrong:\ngot  %q\nwant %q", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d test events, events %q, want %q", timeout, tests, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dedupe drops resent events (the same sequencer: delivery is at least
// once) and checks sequencers increase.
func dedupe(events []event) []string {
	var out []string
	last := ""
	for _, e := range events {
		if e.S3.Object.Sequencer <= last {
			continue
		}
		last = e.S3.Object.Sequencer
		out = append(out, e.EventName+" "+e.S3.Object.Key)
	}
	return out
}

// collector gathers message bodies from a subscription callback.
type collector struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (c *collector) add(b []byte) {
	c.mu.Lock()
	c.bodies = append(c.bodies, append([]byte(nil), b...))
	c.mu.Unlock()
}

func (c *collector) get() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.bodies...)
}
