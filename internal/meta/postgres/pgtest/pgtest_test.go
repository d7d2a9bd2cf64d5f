package pgtest

import (
	"strings"
	"testing"
)

func TestStartServesQueries(t *testing.T) {
	s := StartServer(t)
	dsn := s.NewDatabase(t)
	db := dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
	if got := s.Exec(t, db, "SHOW fsync"); got != "on" {
		t.Fatalf("fsync = %q, want on", got)
	}
	s.Exec(t, db, "CREATE TABLE t (k text COLLATE \"C\" PRIMARY KEY)")
	s.Exec(t, db, "INSERT INTO t VALUES ('b'), ('a')")
	if got := s.Exec(t, db, "SELECT string_agg(k, ',' ORDER BY k) FROM t"); got != "a,b" {
		t.Fatalf("got %q", got)
	}
	s.Kill()
	s.Restart(t)
	if got := s.Exec(t, db, "SELECT count(*) FROM t"); got != "2" {
		t.Fatalf("after kill and restart: %q rows", got)
	}
}
