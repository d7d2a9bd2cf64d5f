package postgres

import (
	"context"
	"sync"
	"testing"
	"time"
)

// collector records what a subscription receives.
type collector struct {
	mu  sync.Mutex
	got []string
}

func (c *collector) fn(channel, payload string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, channel+"="+payload)
}

// waitFor polls until the collector holds want, or fails after a generous deadline.
func (c *collector) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for _, g := range c.got {
			if g == want {
				c.mu.Unlock()
				return
			}
		}
		c.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Fatalf("did not receive %q; got %q", want, c.got)
}

// TestNotifyReachesOtherGateway: a notification sent through one store
// reaches the subscribers of another on the same database; after the
// listening connection is killed, the subscriber is told that it may
// have missed notifications ("" payload) and receives later ones again.
func TestNotifyReachesOtherGateway(t *testing.T) {
	dsn := freshDSN(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var c, other collector
	if err := a.Subscribe(ctx, "talus_cache", c.fn); err != nil {
		t.Fatal(err)
	}
	if err := a.Subscribe(ctx, "talus_other", other.fn); err != nil {
		t.Fatal(err)
	}
	if err := b.Notify(ctx, "talus_cache", "bucket:photos"); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "talus_cache=bucket:photos")
	other.mu.Lock()
	if len(other.got) != 0 {
		t.Fatalf("another channel's subscriber received %q", other.got)
	}
	other.mu.Unlock()

	// Kill the listening session from outside, as a database restart or a
	// network failure would.
	var n int
	if err := b.db.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("terminated %d listening sessions: %v", n, err)
	}
	c.waitFor(t, "talus_cache=")
	// Notifications sent once the subscription is back arrive again.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := b.Notify(ctx, "talus_cache", "bucket:again"); err != nil {
			t.Fatal(err)
		}
		c.mu.Lock()
		ok := false
		for _, g := range c.got {
			ok = ok || g == "talus_cache=bucket:again"
		}
		c.mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification after reconnecting; got %q", c.got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
