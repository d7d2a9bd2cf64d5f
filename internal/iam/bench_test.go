package iam

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

// BenchmarkLookupAccountUser is the per-request identity cost of a user of
// a non-administrator account: key, account and user, from the caches.
func BenchmarkLookupAccountUser(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "m.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	sealer, _ := NewSealer(NewDataKey())
	EnsureAdminAccount(ctx, st, "admin-canonical", time.Now())
	r := NewResolver("ROOTKEY", "rootsecret", sealer, st)
	r.ttl = time.Hour
	a, _, _, err := r.CreateAccount(ctx, "bee", "", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	inB := meta.InAccount(ctx, a.ID)
	st.CreateUser(inB, meta.User{Name: "alice", ID: NewUserID(), Path: "/"})
	id, secret := NewAccessKey()
	st.CreateAccessKey(inB, meta.AccessKey{ID: id, User: "alice", Status: "Active", SealedSecret: sealer.Seal(id, secret)})
	b.ReportAllocs()
	for b.Loop() {
		if p, _, ok := r.Lookup(ctx, id); !ok || p.Account != a.ID {
			b.Fatal("lookup failed")
		}
		if _, err := r.AccountByCanonicalID(ctx, a.CanonicalID); err != nil {
			b.Fatal(err)
		}
	}
}
