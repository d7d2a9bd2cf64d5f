package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/meta"
)

// A database written before accounts existed keeps its users, keys and
// policies: they become the administrator account's.
func TestAccountsMigrationKeepsIdentities(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	before := -1
	for i, m := range migrations {
		if strings.Contains(m, "CREATE TABLE accounts") {
			before = i
		}
	}
	if before < 0 {
		t.Fatal("no accounts migration")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range migrations[:before] {
		if _, err := db.Exec(m); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	for _, q := range []string{
		fmt.Sprintf(`PRAGMA user_version = %d`, before),
		`INSERT INTO users(name, id, path, created) VALUES ('alice', 'AIDA1', '/', 1)`,
		`INSERT INTO access_keys(id, user, status, created, secret) VALUES ('AKIA1', 'alice', 'Active', 2, x'0102')`,
		`INSERT INTO user_policies(user, name, document) VALUES ('alice', 'p', '{}')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if u, err := s.GetUser(meta.InAccount(ctx, meta.AdminAccountID), "alice"); err != nil || u.ID != "AIDA1" {
		t.Fatalf("alice after migration = %+v, %v", u, err)
	}
	if k, err := s.GetAccessKey(ctx, "AKIA1"); err != nil || k.Account != meta.AdminAccountID || k.User != "alice" || string(k.SealedSecret) != "\x01\x02" {
		t.Fatalf("key after migration = %+v, %v", k, err)
	}
	if doc, err := s.GetUserPolicy(ctx, "alice", "p"); err != nil || doc != "{}" {
		t.Fatalf("policy after migration = %q, %v", doc, err)
	}
	if _, err := s.GetUser(meta.InAccount(ctx, "111111111111"), "alice"); err == nil {
		t.Fatal("alice is in another account too")
	}
}
