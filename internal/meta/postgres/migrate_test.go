package postgres

import (
	"context"
	"sync"
	"testing"
)

// TestGatewaysStartTogether: three stores opening one empty database at
// once all succeed, and each migration ran exactly once.
func TestGatewaysStartTogether(t *testing.T) {
	dsn := srv.NewDatabase(t) // empty: no template
	var wg sync.WaitGroup
	stores := make([]*Store, 3)
	errs := make([]error, 3)
	for i := range stores {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), dsn)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var n, max int
	if err := stores[0].db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) || max != len(migrations) {
		t.Fatalf("schema_migrations holds %d rows up to %d; want %d", n, max, len(migrations))
	}
}
