package s3api

import (
	"strings"
	"sync"
	"testing"
	"time"

	"talus/internal/s3err"
)

func TestOLAPRoutesDeliverOnce(t *testing.T) {
	r := newOLAPRoutes()
	now := time.Now()
	route, w := r.open(now.Add(time.Minute))
	if len(route) > 63 || !strings.HasPrefix(route, "io-") {
		t.Fatalf("route %q is no DNS label", route)
	}
	wantCode := func(err error, code s3err.Code) {
		t.Helper()
		if e, ok := s3err.As(err); !ok || e.Code != code {
			t.Fatalf("got %v, want %s", err, code)
		}
	}
	wantCode(r.deliver(route, w.token+"x", &olapDelivery{}, now), s3err.InvalidToken)
	d := &olapDelivery{status: 200}
	if err := r.deliver(route, w.token, d, now); err != nil {
		t.Fatal(err)
	}
	wantCode(r.deliver(route, w.token, &olapDelivery{}, now), s3err.InvalidToken)
	// Abandoning a delivered route hands over the delivery.
	if got := r.abandon(route, w); got != d {
		t.Fatalf("abandon after delivery: %v", got)
	}
	// An abandoned route's token says when it expired.
	route2, w2 := r.open(now.Add(time.Second))
	if got := r.abandon(route2, w2); got != nil {
		t.Fatalf("abandon of a waiting route: %v", got)
	}
	wantCode(r.deliver(route2, w2.token, &olapDelivery{}, now), s3err.InvalidToken)
	wantCode(r.deliver(route2, w2.token, &olapDelivery{}, now.Add(3*time.Second)), s3err.ExpiredToken)
}

// A GET giving up while its delivery arrives either gets the delivery or
// leaves the transformer an error: never both, never neither.
func TestOLAPRoutesAbandonRacesDeliver(t *testing.T) {
	r := newOLAPRoutes()
	for i := 0; i < 2000; i++ {
		route, w := r.open(time.Now().Add(time.Minute))
		d := &olapDelivery{}
		var wg sync.WaitGroup
		var derr error
		var got *olapDelivery
		wg.Add(2)
		go func() { defer wg.Done(); derr = r.deliver(route, w.token, d, time.Now()) }()
		go func() { defer wg.Done(); got = r.abandon(route, w) }()
		wg.Wait()
		if (derr == nil) != (got == d) {
			t.Fatalf("deliver %v, abandon got %v", derr, got)
		}
	}
	if len(r.m) != 0 {
		t.Fatalf("%d routes left", len(r.m))
	}
}
