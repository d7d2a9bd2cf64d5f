package meta

import "context"

// Notifier is implemented by stores that several gateways share (the
// PostgreSQL store, over LISTEN/NOTIFY): a message sent with Notify on
// one gateway reaches every gateway's Subscribe callback, the sender's
// included. Delivery is at most once and only to subscribers connected at
// the time; a subscriber that loses its connection gets an error from
// Subscribe and must assume it missed messages. The embedded SQLite store
// does not implement it: one process owns it, so there is nobody to tell.
type Notifier interface {
	// Notify sends payload on channel once the call returns (outside any
	// transaction of the caller).
	Notify(ctx context.Context, channel, payload string) error
	// Subscribe calls fn for every message on channel (from one
	// goroutine, in order) until ctx ends or the store closes; it returns
	// once the subscription is in place.
	Subscribe(ctx context.Context, channel string, fn func(channel, payload string)) error
}
