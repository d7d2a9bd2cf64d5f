package iam

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talus/internal/meta/sqlite"
)

func TestSessionTokens(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sealer, _ := NewSealer(NewDataKey())
	r := NewResolver("ROOT", "rootsecret", sealer, st)
	now := time.Now()
	s := &Session{Issued: now, Expires: now.Add(time.Hour), Role: "app", RoleID: "AROAX", RolePath: "/svc/", Name: "job",
		Tags: map[string]string{"team": "blue"}, SourceIdentity: "me"}
	tok, err := r.NewSessionCredentials(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.AccessKey, "ASIA") || len(s.AccessKey) != 20 || len(s.Secret) != 40 || strings.Contains(tok, s.Secret) {
		t.Fatalf("credentials %q %q token %q", s.AccessKey, s.Secret, tok)
	}
	p, secret, err := r.LookupToken(context.Background(), s.AccessKey, tok)
	if err != nil || secret != s.Secret || p.ARN() != "arn:aws:sts::000000000000:assumed-role/app/job" || p.Session.RoleARN() != "arn:aws:iam::000000000000:role/svc/app" {
		t.Fatalf("LookupToken = %+v %q %v", p, secret, err)
	}
	pp := p.PolicyPrincipal()
	if pp.UserID != "AROAX:job" || pp.Tags["team"] != "blue" || pp.SourceIdentity != "me" || pp.Type != "AssumedRole" || pp.RoleARN != "arn:aws:iam::000000000000:role/svc/app" {
		t.Fatalf("policy principal = %+v", pp)
	}
	// Bound to its key, to this data key, and to its expiry.
	if _, _, err := r.LookupToken(context.Background(), "ASIAOTHERKEY00000000", tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token with another key = %v", err)
	}
	other, _ := NewSealer(NewDataKey())
	if _, _, err := NewResolver("ROOT", "x", other, st).LookupToken(context.Background(), s.AccessKey, tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token under another data key = %v", err)
	}
	if _, _, err := r.LookupToken(context.Background(), s.AccessKey, tok[:len(tok)-2]); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("truncated token = %v", err)
	}
	if _, _, err := r.LookupToken(context.Background(), s.AccessKey, ""); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("session key without token = %v", err)
	}
	r.SetClock(func() time.Time { return now.Add(time.Hour) })
	if _, _, err := r.LookupToken(context.Background(), s.AccessKey, tok); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("token at its expiry = %v", err)
	}
	// A long-term key with a token is refused.
	if _, _, err := r.LookupToken(context.Background(), "ROOT", tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("root key with a token = %v", err)
	}
}

// BenchmarkLookupToken: every request with temporary credentials opens its
// session token (AES-GCM and JSON) to find the signing secret.
func BenchmarkLookupToken(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "m.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sealer, _ := NewSealer(NewDataKey())
	r := NewResolver("ROOT", "rootsecret", sealer, st)
	s := &Session{Issued: time.Now(), Expires: time.Now().Add(time.Hour), Role: "app", RoleID: "AROAX", RolePath: "/", Name: "job",
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, Tags: map[string]string{"team": "blue"}}
	tok, _ := r.NewSessionCredentials(s)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.LookupToken(ctx, s.AccessKey, tok); err != nil {
			b.Fatal(err)
		}
	}
}
