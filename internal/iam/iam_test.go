package iam

import (
	"context"
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
	r := NewResolver("ROOTKEY", "rootsecret", sealer, st)
	r.ttl = 0 // no caching, so status changes show at once
	if p, sk, ok := r.Lookup(ctx, "ROOTKEY"); !ok || !p.Root || sk != "rootsecret" || p.ARN() != "arn:aws:iam::000000000000:root" {
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
}
