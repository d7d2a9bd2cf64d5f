package iam

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

func TestSealer(t *testing.T) {
	s, _ := NewSealer(NewDataKey())
	sealed := s.Seal("AKIA1", "the secret")
	if strings.Contains(string(sealed), "the secret") {
		t.Fatal("secret stored in clear text")
	}
	if got, err := s.Open("AKIA1", sealed); err != nil || got != "the secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open("AKIA2", sealed); err == nil {
		t.Fatal("sealed secret opened under another key ID")
	}
	other, _ := NewSealer(NewDataKey())
	if _, err := other.Open("AKIA1", sealed); err == nil {
		t.Fatal("sealed secret opened with another data key")
	}
	if _, err := NewSealer([]byte("short")); err == nil {
		t.Fatal("a 5-byte data key was accepted")
	}
	if a, b := s.Seal("k", "x"), s.Seal("k", "x"); string(a) == string(b) {
		t.Fatal("sealing is deterministic (nonce reuse)")
	}
}

func TestResolver(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	sealer, _ := NewSealer(NewDataKey())
	if err := EnsureAdminAccount(ctx, st, "admin-canonical", time.Now()); err != nil {
		t.Fatal(err)
	}
	r := NewResolver("ROOTKEY", "rootsecret", sealer, st)
	r.ttl = 0 // no caching, so status changes show at once
	if p, sk, ok := r.Lookup(ctx, "ROOTKEY"); !ok || !p.Root || sk != "rootsecret" || p.ARN() != "arn:aws:iam::000000000000:root" || p.CanonicalID != "admin-canonical" {
		t.Fatalf("root lookup = %+v %q %v", p, sk, ok)
	}
	st.CreateUser(ctx, meta.User{Name: "alice", ID: NewUserID(), Path: "/", Created: time.Now()})
	id, secret := NewAccessKey()
	if len(id) != 20 || !strings.HasPrefix(id, "AKIA") || len(secret) != 40 {
		t.Fatalf("key shapes %q %q", id, secret)
	}
	st.CreateAccessKey(ctx, meta.AccessKey{ID: id, User: "alice", Status: "Active", Created: time.Now(), SealedSecret: r.Sealer().Seal(id, secret)})
	p, sk, ok := r.Lookup(ctx, id)
	if !ok || p.User != "alice" || sk != secret || p.ARN() != "arn:aws:iam::000000000000:user/alice" {
		t.Fatalf("user lookup = %+v %q %v", p, sk, ok)
	}
	st.UpdateAccessKey(ctx, "alice", id, "Inactive")
	if _, _, ok := r.Lookup(ctx, id); ok {
		t.Fatal("inactive key resolved")
	}
	if _, _, ok := r.Lookup(ctx, "AKIANOPE"); ok {
		t.Fatal("unknown key resolved")
	}

	// Another account: its root key resolves to its root, its users are its own.
	b, bk, bs, err := r.CreateAccount(ctx, "bee", "bee@example.com", time.Now())
	if err != nil || len(b.ID) != 12 || b.ID == AccountID || len(b.CanonicalID) != 64 || !strings.HasPrefix(bk, "AKIA") {
		t.Fatalf("CreateAccount = %+v %q, %v", b, bk, err)
	}
	if _, _, _, err := r.CreateAccount(ctx, "bee", "", time.Now()); !errors.Is(err, meta.ErrAccountExists) {
		t.Fatalf("second account named bee: %v", err)
	}
	p, sk, ok = r.Lookup(ctx, bk)
	if !ok || !p.Root || sk != bs || p.Account != b.ID || p.CanonicalID != b.CanonicalID || p.ARN() != "arn:aws:iam::"+b.ID+":root" {
		t.Fatalf("account root lookup = %+v %v", p, ok)
	}
	inB := p.Scope(ctx)
	st.CreateUser(inB, meta.User{Name: "alice", ID: NewUserID(), Path: "/"})
	uid, usecret := NewAccessKey()
	st.CreateAccessKey(inB, meta.AccessKey{ID: uid, User: "alice", Status: "Active", SealedSecret: r.Sealer().Seal(uid, usecret)})
	st.PutUserPolicy(inB, "alice", "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	p, _, ok = r.Lookup(ctx, uid)
	if !ok || p.User != "alice" || p.Account != b.ID || p.ARN() != "arn:aws:iam::"+b.ID+":user/alice" {
		t.Fatalf("B's alice = %+v %v", p, ok)
	}
	if ok, _ := r.IdentityAllows(ctx, p, "s3:GetObject", "arn:aws:s3:::x/y"); !ok {
		t.Fatal("B's alice is not allowed by her own policy")
	}
	admins, _ := r.UserPolicies(ctx, "alice")
	if len(admins) != 0 {
		t.Fatalf("the admin account's alice has B's alice's policies: %d", len(admins))
	}
	if err := r.DeleteAccount(ctx, b.ID); !errors.Is(err, meta.ErrAccountInUse) {
		t.Fatalf("deleting B with a user = %v", err)
	}
}
