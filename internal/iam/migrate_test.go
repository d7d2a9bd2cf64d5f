package iam

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

// TestMigrateSecretsFromRootSecret: secrets sealed the old way (under the
// root secret) are re-sealed under the data key, keep working through the
// resolver, and survive a second (interrupted-and-rerun) migration; a
// wrong root secret changes nothing.
func TestMigrateSecretsFromRootSecret(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	old, _ := LegacySealer("the-old-root-secret")
	st.CreateUser(ctx, meta.User{Name: "alice", ID: NewUserID(), Path: "/", Created: time.Now()})
	secrets := map[string]string{}
	for range 3 {
		id, secret := NewAccessKey()
		secrets[id] = secret
		if err := st.CreateAccessKey(ctx, meta.AccessKey{ID: id, User: "alice", Status: "Active", Created: time.Now(), SealedSecret: old.Seal(id, secret)}); err != nil {
			t.Fatal(err)
		}
	}
	sealer, _ := NewSealer(NewDataKey())

	wrong, _ := LegacySealer("not-the-root-secret")
	if err := MigrateSecrets(ctx, st, wrong, sealer); !errors.Is(err, ErrUnseal) {
		t.Fatalf("migration with the wrong root secret = %v", err)
	}
	for id, secret := range secrets {
		k, _ := st.GetAccessKey(ctx, id)
		if got, err := old.Open(id, k.SealedSecret); err != nil || got != secret {
			t.Fatalf("a failed migration changed %s: %v", id, err)
		}
	}

	for range 2 {
		if err := MigrateSecrets(ctx, st, old, sealer); err != nil {
			t.Fatal(err)
		}
	}
	if err := EnsureAdminAccount(ctx, st, "ROOT", time.Now()); err != nil {
		t.Fatal(err)
	}
	r := NewResolver("ROOT", "the-new-root-secret", sealer, st)
	for id, secret := range secrets {
		k, _ := st.GetAccessKey(ctx, id)
		if _, err := old.Open(id, k.SealedSecret); err == nil {
			t.Fatalf("%s is still sealed under the root secret", id)
		}
		if p, sk, ok := r.Lookup(ctx, id); !ok || sk != secret || p.User != "alice" {
			t.Fatalf("after migration %s resolves to %+v %v", id, p, ok)
		}
	}
}

func TestRootVerifier(t *testing.T) {
	k := NewDataKey()
	v := RootVerifier(k, "AK", "secret-1")
	if !CheckRootVerifier(k, v, "AK", "secret-1") {
		t.Fatal("verifier does not verify its own pair")
	}
	for _, c := range [][2]string{{"AK", "secret-2"}, {"AK2", "secret-1"}, {"AKs", "ecret-1"}} {
		if CheckRootVerifier(k, v, c[0], c[1]) {
			t.Fatalf("verifier accepts %v", c)
		}
	}
	if CheckRootVerifier(NewDataKey(), v, "AK", "secret-1") {
		t.Fatal("verifier accepted under another data key")
	}
}
