package meta

import (
	"context"
	"errors"
	"time"
)

// ErrLeaseHeld is returned when another owner holds an unexpired lease.
var ErrLeaseHeld = errors.New("meta: lease held by another owner")

// ErrLeaseLost is returned when a lease was taken over (or released) since
// the caller acquired it: its owner or fencing token no longer match.
var ErrLeaseLost = errors.New("meta: lease lost")

// Lease is the right of one owner (a gateway) to run the background job
// Name until Expires. Token is the fencing token: it grows every time the
// lease passes to an owner that did not hold it a moment before, so a
// write made under an old token can be refused.
type Lease struct {
	Name    string
	Owner   string
	Token   int64
	Expires time.Time
}

// Leases coordinates background jobs among gateways sharing one metadata
// store: a lease row per job name, with its owner, expiry, fencing token
// and the job's checkpoint. Expiry is measured on the store's clock. Every
// Store implements it.
type Leases interface {
	// AcquireLease takes the lease name for owner for ttl. It succeeds when
	// the lease is free, expired, or already held by owner (then it is
	// renewed and keeps its token); otherwise ErrLeaseHeld. A takeover
	// increments the token; the checkpoint stays.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (Lease, error)
	// RenewLease extends a held lease by ttl from now: ErrLeaseLost if the
	// row's owner or token differ from l's, or l has expired.
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// ReleaseLease ends the lease at once, so another owner may take it
	// without waiting for the expiry; releasing a lost lease is a no-op.
	ReleaseLease(ctx context.Context, l Lease) error
	// LeaseCheckpoint returns the job's stored checkpoint (nil if none).
	LeaseCheckpoint(ctx context.Context, name string) ([]byte, error)
	// SaveCheckpoint stores the job's checkpoint under lease l, fenced:
	// ErrLeaseLost, and nothing stored, if l is no longer the current,
	// unexpired holder. nil data clears it.
	SaveCheckpoint(ctx context.Context, l Lease, data []byte) error
}
