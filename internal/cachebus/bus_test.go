package cachebus_test

import (
	"context"
	"testing"
	"time"

	"talus/internal/cachebus"
	"talus/internal/meta/postgres"
	"talus/internal/meta/postgres/pgtest"
)

// Two gateways' buses on one PostgreSQL database: a change published on
// one reaches the other's handler, and only the handler of its kind.
func TestPublishReachesOtherGateway(t *testing.T) {
	dsn := pgtest.Start(t)
	open := func() *postgres.Store {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := cachebus.New(open(), nil), cachebus.New(open(), nil)
	if !a.Shared() || !b.Shared() {
		t.Fatal("a bus over PostgreSQL is not shared")
	}
	got := make(chan string, 10)
	other := make(chan string, 10)
	b.Handle("iam-key", func(key string) { got <- key })
	b.Handle("kms-key", func(key string) { other <- key })
	a.Start()
	b.Start()
	defer a.Stop()
	defer b.Stop()
	// The subscription is set up in the background: publish until it lands.
	deadline := time.After(30 * time.Second)
	for {
		a.Publish("iam-key", "AKIA1")
		select {
		case k := <-got:
			if k != "AKIA1" {
				t.Fatalf("handler got %q", k)
			}
			if len(other) != 0 {
				t.Fatalf("the kms-key handler got %q", <-other)
			}
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("message not delivered to the other gateway")
		}
	}
}

// Without a shared store the bus is local and publishing is a no-op.
func TestLocalBus(t *testing.T) {
	b := cachebus.New(struct{}{}, nil)
	if b.Shared() {
		t.Fatal("a bus without a notifier is shared")
	}
	b.Handle("x", func(string) { t.Fatal("handler called") })
	b.Start()
	b.Publish("x", "k")
	b.Stop()
}
