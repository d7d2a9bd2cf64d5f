package cachebus

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"talus/internal/meta"
)

// Channel is the notification channel cache messages travel on.
const Channel = "talus_cache"

// All is the key that drops every entry of a kind.
const All = "*"

// Bus publishes cache changes and delivers them to handlers by kind.
type Bus struct {
	n   meta.Notifier // nil: this process only
	log *slog.Logger

	mu       sync.Mutex
	handlers map[string][]func(key string)
	cancel   context.CancelFunc
	done     chan struct{}
}

// New returns a bus over store's notifications when it has them (a
// meta.Notifier), else a bus local to this process.
func New(store any, log *slog.Logger) *Bus {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b := &Bus{log: log, handlers: map[string][]func(string){}}
	if n, ok := store.(meta.Notifier); ok {
		b.n = n
	}
	return b
}

// Shared reports whether messages reach other gateways.
func (b *Bus) Shared() bool { return b.n != nil }

// Handle registers fn for messages of kind. Register before Start.
func (b *Bus) Handle(kind string, fn func(key string)) {
	b.mu.Lock()
	b.handlers[kind] = append(b.handlers[kind], fn)
	b.mu.Unlock()
}

// Publish tells the other gateways that the cached entry key of kind
// changed (All: every entry of the kind). The caller has already dropped
// its own copy; the message comes back to this gateway too, harmlessly.
func (b *Bus) Publish(kind, key string) {
	if b.n == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.n.Notify(ctx, Channel, kind+"\n"+key); err != nil {
		// The other gateways' TTL still bounds how long they serve it.
		b.log.Warn("cache invalidation not sent", "kind", kind, "err", err)
	}
}

func (b *Bus) deliver(kind, key string) {
	b.mu.Lock()
	hs := append([]func(string){}, b.handlers[kind]...)
	b.mu.Unlock()
	for _, h := range hs {
		h(key)
	}
}

func (b *Bus) dropAll() {
	b.mu.Lock()
	kinds := make([]string, 0, len(b.handlers))
	for k := range b.handlers {
		kinds = append(kinds, k)
	}
	b.mu.Unlock()
	for _, k := range kinds {
		b.deliver(k, All)
	}
}

// Start subscribes to the other gateways' messages until Stop, retrying
// in the background until the subscription is in place. A message
// saying messages were lost (a reconnect) drops every cache.
func (b *Bus) Start() {
	if b.n == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel, b.done = cancel, make(chan struct{})
	go func() {
		defer close(b.done)
		backoff := 100 * time.Millisecond
		for {
			err := b.n.Subscribe(ctx, Channel, b.receive)
			if err == nil || ctx.Err() != nil {
				return
			}
			b.log.Warn("cache invalidation subscription failed; retrying", "err", err)
			b.dropAll()
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
		}
	}()
}

func (b *Bus) receive(channel, payload string) {
	if channel != Channel {
		return
	}
	if payload == "" {
		b.dropAll() // messages may have been missed
		return
	}
	if kind, key, ok := strings.Cut(payload, "\n"); ok {
		b.deliver(kind, key)
	}
}

// Stop ends the subscription.
func (b *Bus) Stop() {
	if b.cancel != nil {
		b.cancel()
		<-b.done
	}
}
