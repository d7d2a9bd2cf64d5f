package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"talus/internal/notify"
	"talus/internal/testserver"
)

func TestNATSCore(t *testing.T) {
	url := natsServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var got collector
	if _, err := nc.Subscribe("s3.events", func(m *nats.Msg) { got.add(m.Data) }); err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	arn := "arn:aws:sns:us-east-1:000000000000:nats-topic"
	srv := testserver.Start(t, testserver.WithNotify(fastDelivery(notify.TargetConfig{ARN: arn, Type: "nats", URL: url, Subject: "s3.events"})))
	c := srv.Client()
	configure(t, c, "nats-core", arn)
	waitFor(t, got.get, writes(t, c, "nats-core", 6), 10*time.Second)
}

func TestNATSJetStream(t *testing.T) {
	url := natsServer(t)
	arn := "arn:aws:sqs:us-east-1:000000000000:js"
	srv := testserver.Start(t, testserver.WithNotify(fastDelivery(notify.TargetConfig{ARN: arn, Type: "jetstream", URL: url, Subject: "s3.js", Stream: "S3EVENTS"})))
	c := srv.Client()
	configure(t, c, "nats-js", arn)
	want := writes(t, c, "nats-js", 6)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	// The stream holds the events: read it from the start.
	consume := func() [][]byte {
		cons, err := js.OrderedConsumer(ctx, "S3EVENTS", jetstream.OrderedConsumerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		var out [][]byte
		for {
			batch, err := cons.FetchNoWait(100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for m := range batch.Messages() {
				out = append(out, m.Data())
				n++
			}
			if n == 0 {
				return out
			}
		}
	}
	waitFor(t, consume, want, 10*time.Second)
}

func TestAMQP(t *testing.T) {
	url := rabbitMQ(t)
	arn := "arn:aws:sqs:us-east-1:000000000000:rabbit"
	// The password comes from the environment, as an operator's would.
	t.Setenv("TALUS_TEST_AMQP_PASSWORD", "guest")
	srv := testserver.Start(t, testserver.WithNotify(fastDelivery(notify.TargetConfig{ARN: arn, Type: "amqp",
		URL: strings.Replace(url, "guest:guest@", "guest@", 1), Password: "env:TALUS_TEST_AMQP_PASSWORD", RoutingKey: "s3-events", Queue: "s3-events"})))
	c := srv.Client()
	configure(t, c, "amqp", arn)
	want := writes(t, c, "amqp", 6)
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	var got collector
	consume := func() [][]byte {
		for {
			m, ok, err := ch.Get("s3-events", true)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return got.get()
			}
			if m.ContentType != "application/json" || m.DeliveryMode != amqp.Persistent || m.MessageId == "" {
				t.Errorf("message properties: %q %d %q", m.ContentType, m.DeliveryMode, m.MessageId)
			}
			got.add(m.Body)
		}
	}
	waitFor(t, consume, want, 15*time.Second)

	// A message no queue takes is a failed send, not a lost event.
	svc, err := notify.New(notify.Config{File: fastDelivery(notify.TargetConfig{ARN: "arn:aws:sqs:us-east-1:000000000000:nowhere", Type: "amqp", URL: url, RoutingKey: "no-such-queue"})})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.TestEvent(ctx, "arn:aws:sqs:us-east-1:000000000000:nowhere", "amqp", "RID", "HOST"); err == nil {
		t.Error("an unroutable message was accepted")
	}
}

func TestRedis(t *testing.T) {
	r := startRedis(t)
	arn := "arn:aws:sqs:us-east-1:000000000000:redis"
	srv := testserver.Start(t, testserver.WithNotify(fastDelivery(notify.TargetConfig{ARN: arn, Type: "redis", URL: r.url(), Key: "s3:events"})))
	c := srv.Client()
	configure(t, c, "redis", arn)
	want := writes(t, c, "redis", 6)
	waitFor(t, redisList(t, r, "s3:events"), want, 10*time.Second)
}

func redisList(t testing.TB, r *redisServer, key string) func() [][]byte {
	return func() [][]byte {
		rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
		defer rdb.Close()
		vals, err := rdb.LRange(ctx, key, 0, -1).Result()
		if err != nil {
			t.Logf("LRANGE: %v", err)
			return nil
		}
		out := make([][]byte, len(vals))
		for i, v := range vals {
			out[i] = []byte(v)
		}
		return out
	}
}

func TestPostgreSQL(t *testing.T) {
	dsn := postgres(t)
	listener, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN s3_events"); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:lambda:us-east-1:000000000000:function:pg"
	srv := testserver.Start(t, testserver.WithNotify(fastDelivery(notify.TargetConfig{ARN: arn, Type: "postgres", URL: dsn, Table: "s3_events", Channel: "s3_events"})))
	c := srv.Client()
	configure(t, c, "pg-events", arn)
	want := writes(t, c, "pg-events", 6)
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	consume := func() [][]byte {
		rows, err := db.Query(ctx, "SELECT event::text FROM s3_events ORDER BY id")
		if err != nil {
			return nil
		}
		var out [][]byte
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, []byte(s))
		}
		return out
	}
	waitFor(t, consume, want, 10*time.Second)
	// Every row was announced with NOTIFY, the test event too.
	for range len(want) + 1 {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := listener.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("NOTIFY: %v", err)
		}
		if n.Channel != "s3_events" || !strings.Contains(n.Payload, "s3") {
			t.Errorf("notification %+v", n)
		}
	}
}

func TestKafka(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "s3-events"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	arn := "arn:aws:sqs:us-east-1:000000000000:kafka"
	srv := testserver.Start(t, testserver.WithNotify(fastDelivery(notify.TargetConfig{ARN: arn, Type: "kafka", Brokers: brokers, Topic: "s3-events"})))
	c := srv.Client()
	configure(t, c, "kafka", arn)
	want := writes(t, c, "kafka", 6)
	cons, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("s3-events"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	var got collector
	consume := func() [][]byte {
		pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		cons.PollFetches(pctx).EachRecord(func(r *kgo.Record) {
			if !strings.HasPrefix(string(r.Key), "kafka/") {
				t.Errorf("record key %q", r.Key)
			}
			got.add(r.Value)
		})
		return got.get()
	}
	waitFor(t, consume, want, 15*time.Second)
}
