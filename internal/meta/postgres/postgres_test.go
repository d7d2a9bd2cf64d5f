package postgres

import (
	"context"
	"testing"

	"talus/internal/meta"
	"talus/internal/meta/metatest"
	"talus/internal/meta/postgres/pgtest"
)

func openStore(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformance runs the whole metadata store suite against a real
// PostgreSQL, one fresh database per case.
func TestConformance(t *testing.T) {
	srv := pgtest.StartServer(t)
	metatest.Run(t, func(t *testing.T) meta.Store {
		return openStore(t, srv.NewDatabase(t))
	})
}

func TestConformanceReopen(t *testing.T) {
	srv := pgtest.StartServer(t)
	metatest.RunReopen(t, func(t *testing.T) func() meta.Store {
		dsn := srv.NewDatabase(t)
		return func() meta.Store { return openStore(t, dsn) }
	})
}
