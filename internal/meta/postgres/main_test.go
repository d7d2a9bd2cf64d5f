package postgres

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"talus/internal/meta/postgres/pgtest"
)

// srv is the PostgreSQL server the package's tests and benchmarks share;
// template is a database migrated once that fresh databases copy.
var (
	srv      *pgtest.Server
	template string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	base, err := os.MkdirTemp("", "talus-pg-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(base)
	// No PostgreSQL is a failure, never a skip: CI installs it.
	if srv, err = pgtest.Launch(base); err != nil {
		fmt.Fprintln(os.Stderr, "postgres tests:", err)
		return 1
	}
	defer srv.Stop()
	dsn, err := srv.CreateDatabase("")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := Open(context.Background(), dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s.Close()
	u, _ := url.Parse(dsn)
	template = strings.TrimPrefix(u.Path, "/")
	return m.Run()
}

// freshDSN is a new database with the schema in place.
func freshDSN(t testing.TB) string {
	t.Helper()
	return srv.NewDatabaseFrom(t, template)
}

func openStore(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
