package metatest

import (
	"errors"
	"testing"
	"time"

	"talus/internal/meta"
)

// testLeases checks that one owner at a time holds a lease, that it is
// taken over after expiry with a new fencing token, and that checkpoints
// are written only by the current holder and survive a takeover.
func testLeases(t *testing.T, s meta.Store) {
	// Holders keep their leases for long (a loaded machine must not lose
	// them mid-test); only the expiries the test waits for are short.
	const ttl = 30 * time.Second
	const short = 200 * time.Millisecond
	a, err := s.AcquireLease(ctx, "job", "gw-a", ttl)
	if err != nil || a.Owner != "gw-a" || a.Token < 1 || !a.Expires.After(time.Now()) {
		t.Fatalf("first acquire: %+v, %v", a, err)
	}
	if _, err := s.AcquireLease(ctx, "job", "gw-b", ttl); !errors.Is(err, meta.ErrLeaseHeld) {
		t.Fatalf("second owner acquired a held lease: %v", err)
	}
	// Another job name is independent.
	if _, err := s.AcquireLease(ctx, "other", "gw-b", ttl); err != nil {
		t.Fatalf("acquire another name: %v", err)
	}
	// The holder re-acquires (renews) and keeps its token.
	a2, err := s.AcquireLease(ctx, "job", "gw-a", ttl)
	if err != nil || a2.Token != a.Token {
		t.Fatalf("re-acquire by holder: %+v, %v (token was %d)", a2, err, a.Token)
	}
	if a, err = s.RenewLease(ctx, a2, ttl); err != nil || a.Token != a2.Token {
		t.Fatalf("renew: %+v, %v", a, err)
	}
	if got, err := s.LeaseCheckpoint(ctx, "job"); err != nil || got != nil {
		t.Fatalf("checkpoint before any save: %q, %v", got, err)
	}
	if err := s.SaveCheckpoint(ctx, a, []byte("cursor-1")); err != nil {
		t.Fatalf("save checkpoint: %v", err)
	}
	if got, err := s.LeaseCheckpoint(ctx, "job"); err != nil || string(got) != "cursor-1" {
		t.Fatalf("checkpoint = %q, %v", got, err)
	}

	if a, err = s.RenewLease(ctx, a, short); err != nil {
		t.Fatalf("renew for a short time: %v", err)
	}
	time.Sleep(short + 100*time.Millisecond)
	b, err := s.AcquireLease(ctx, "job", "gw-b", ttl)
	if err != nil || b.Owner != "gw-b" || b.Token <= a.Token {
		t.Fatalf("takeover after expiry: %+v, %v (old token %d)", b, err, a.Token)
	}
	// The old holder is fenced off: no renew, no checkpoint write.
	if _, err := s.RenewLease(ctx, a, ttl); !errors.Is(err, meta.ErrLeaseLost) {
		t.Fatalf("renew by old holder: %v", err)
	}
	if err := s.SaveCheckpoint(ctx, a, []byte("stale")); !errors.Is(err, meta.ErrLeaseLost) {
		t.Fatalf("checkpoint by old holder: %v", err)
	}
	if got, _ := s.LeaseCheckpoint(ctx, "job"); string(got) != "cursor-1" {
		t.Fatalf("checkpoint after takeover = %q, want the old holder's last one", got)
	}
	// Releasing a lost lease does nothing; the holder's release frees it at once.
	if err := s.ReleaseLease(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireLease(ctx, "job", "gw-a", ttl); !errors.Is(err, meta.ErrLeaseHeld) {
		t.Fatalf("stale release freed the lease: %v", err)
	}
	if err := s.SaveCheckpoint(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LeaseCheckpoint(ctx, "job"); got != nil {
		t.Fatalf("cleared checkpoint = %q", got)
	}
	if err := s.ReleaseLease(ctx, b); err != nil {
		t.Fatal(err)
	}
	c, err := s.AcquireLease(ctx, "job", "gw-a", short)
	if err != nil || c.Token <= b.Token {
		t.Fatalf("acquire after release: %+v, %v", c, err)
	}
	// A lapsed lease renewed by its own owner is a new tenure.
	time.Sleep(short + 100*time.Millisecond)
	if _, err := s.RenewLease(ctx, c, ttl); !errors.Is(err, meta.ErrLeaseLost) {
		t.Fatalf("renew after expiry: %v", err)
	}
	d, err := s.AcquireLease(ctx, "job", "gw-a", ttl)
	if err != nil || d.Token <= c.Token {
		t.Fatalf("re-acquire after own expiry: %+v, %v", d, err)
	}
}

// testDeleteIfLatest checks the IfLatest veto: a delete marker is added
// only while the latest version is the one the caller saw.
func testDeleteIfLatest(t *testing.T, s meta.Store) {
	mustBucket(t, s, "il")
	setVersioning(t, s, "il", meta.Enabled)
	put(t, s, "il", "k", "e1")
	seen, err := s.GetObject(ctx, "il", "k", "")
	if err != nil {
		t.Fatal(err)
	}
	stale := errors.New("stale")
	ifStill := func(cur *meta.Object) error {
		if cur == nil || cur.Seq != seen.Seq || cur.DeleteMarker {
			return stale
		}
		return nil
	}
	d, err := s.DeleteObject(ctx, "il", "k", "", meta.DeleteOptions{IfLatest: ifStill})
	if err != nil || !d.DeleteMarker {
		t.Fatalf("first marker: %+v, %v", d, err)
	}
	// A replay sees the marker as latest and adds nothing.
	if _, err := s.DeleteObject(ctx, "il", "k", "", meta.DeleteOptions{IfLatest: ifStill}); !errors.Is(err, stale) {
		t.Fatalf("replayed marker = %v", err)
	}
	var called bool
	if _, err := s.DeleteObject(ctx, "il", "none", "", meta.DeleteOptions{IfLatest: func(cur *meta.Object) error {
		called = true
		if cur != nil {
			t.Errorf("latest of a missing key = %+v", cur)
		}
		return stale
	}}); !errors.Is(err, stale) || !called {
		t.Fatalf("missing key: called %v, %v", called, err)
	}
	page, err := s.ScanVersions(ctx, "il", "", meta.VersionCursor{}, 10)
	if err != nil || len(page) != 2 || !page[0].DeleteMarker || page[1].Seq != seen.Seq {
		t.Fatalf("versions = %+v, %v", page, err)
	}
}
