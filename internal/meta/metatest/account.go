package metatest

import (
	"errors"
	"testing"
	"time"

	"talus/internal/meta"
)

func testAccounts(t *testing.T, s meta.Store) {
	now := time.Now()
	admin := meta.Account{ID: meta.AdminAccountID, CanonicalID: "c0", Name: "admin", Created: now, Admin: true}
	if err := s.CreateAccount(ctx, admin, meta.AccessKey{}); err != nil {
		t.Fatal(err)
	}
	b := meta.Account{ID: "111111111111", CanonicalID: "c1", Name: "bee", Email: "b@example.com", Created: now}
	rootKey := meta.AccessKey{ID: "AKIAB", Status: "Active", Created: now, SealedSecret: []byte{7}}
	if err := s.CreateAccount(ctx, b, rootKey); err != nil {
		t.Fatal(err)
	}
	for _, dup := range []meta.Account{
		{ID: "111111111111", CanonicalID: "x", Name: "x"},
		{ID: "2", CanonicalID: "c1", Name: "x"},
		{ID: "2", CanonicalID: "x", Name: "bee"},
		{ID: "2", CanonicalID: "x", Name: "x", Email: "b@example.com"},
	} {
		if err := s.CreateAccount(ctx, dup, meta.AccessKey{}); !errors.Is(err, meta.ErrAccountExists) {
			t.Fatalf("CreateAccount(%+v) = %v, want ErrAccountExists", dup, err)
		}
	}
	if err := s.CreateAccount(ctx, meta.Account{ID: "2", CanonicalID: "x", Name: "x"}, meta.AccessKey{ID: "AKIAB"}); !errors.Is(err, meta.ErrAccountExists) {
		t.Fatalf("taken root key = %v", err)
	}
	// Two accounts without email do not collide on it.
	c := meta.Account{ID: "222222222222", CanonicalID: "c2", Name: "sea", Created: now}
	if err := s.CreateAccount(ctx, c, meta.AccessKey{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetAccount(ctx, b.ID); err != nil || got.CanonicalID != "c1" || got.Name != "bee" || got.Email != "b@example.com" || got.Admin || got.Created.IsZero() {
		t.Fatalf("GetAccount = %+v, %v", got, err)
	}
	if got, err := s.GetAccountByCanonicalID(ctx, "c0"); err != nil || got.ID != meta.AdminAccountID || !got.Admin {
		t.Fatalf("GetAccountByCanonicalID = %+v, %v", got, err)
	}
	if got, err := s.GetAccountByEmail(ctx, "b@example.com"); err != nil || got.ID != b.ID {
		t.Fatalf("GetAccountByEmail = %+v, %v", got, err)
	}
	if _, err := s.GetAccountByEmail(ctx, ""); !errors.Is(err, meta.ErrNoSuchAccount) {
		t.Fatalf("GetAccountByEmail(\"\") = %v", err)
	}
	if _, err := s.GetAccount(ctx, "999999999999"); !errors.Is(err, meta.ErrNoSuchAccount) {
		t.Fatalf("GetAccount(missing) = %v", err)
	}
	k, err := s.GetAccessKey(ctx, "AKIAB")
	if err != nil || k.Account != b.ID || k.User != "" || string(k.SealedSecret) != "\x07" {
		t.Fatalf("root key = %+v, %v", k, err)
	}
	all, err := s.ListAccounts(ctx)
	if err != nil || len(all) != 3 || all[0].ID != meta.AdminAccountID || all[1].ID != b.ID || all[2].ID != c.ID {
		t.Fatalf("ListAccounts = %+v, %v", all, err)
	}

	// Identities are per account: the same user name in two accounts.
	inB, inC := meta.InAccount(ctx, b.ID), meta.InAccount(ctx, c.ID)
	if meta.AccountOf(ctx) != meta.AdminAccountID || meta.AccountOf(inB) != b.ID {
		t.Fatal("AccountOf")
	}
	if err := s.CreateUser(inB, meta.User{Name: "alice", ID: "AIDAB", Path: "/"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(inC, meta.User{Name: "alice", ID: "AIDAC", Path: "/"}); err != nil {
		t.Fatal(err)
	}
	if u, err := s.GetUser(inC, "alice"); err != nil || u.ID != "AIDAC" {
		t.Fatalf("GetUser in C = %+v, %v", u, err)
	}
	if _, err := s.GetUser(ctx, "alice"); !errors.Is(err, meta.ErrNoSuchUser) {
		t.Fatalf("B's user seen by the admin account: %v", err)
	}
	if us, _ := s.ListUsers(inB, "", 10); len(us) != 1 || us[0].ID != "AIDAB" {
		t.Fatalf("ListUsers in B = %+v", us)
	}
	if err := s.CreateAccessKey(inB, meta.AccessKey{ID: "AKIAB2", User: "alice", Status: "Active", SealedSecret: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.GetAccessKey(ctx, "AKIAB2"); k.Account != b.ID || k.User != "alice" {
		t.Fatalf("user key = %+v", k)
	}
	if err := s.DeleteAccessKey(inC, "alice", "AKIAB2"); !errors.Is(err, meta.ErrNoSuchAccessKey) {
		t.Fatalf("C deleting B's key = %v", err)
	}
	if err := s.PutUserPolicy(inB, "alice", "p", "{}"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetUserPolicy(inC, "alice", "p"); !errors.Is(err, meta.ErrNoSuchPolicy) {
		t.Fatalf("C reading B's policy = %v", err)
	}

	// An account that owns anything cannot be deleted.
	if err := s.DeleteAccount(ctx, meta.AdminAccountID); !errors.Is(err, meta.ErrAccountInUse) {
		t.Fatalf("deleting the admin account = %v", err)
	}
	if err := s.DeleteAccount(ctx, b.ID); !errors.Is(err, meta.ErrAccountInUse) {
		t.Fatalf("deleting an account with users = %v", err)
	}
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "sea-bucket", Owner: "c2", Region: "us-east-1", Created: now}); err != nil {
		t.Fatal(err)
	}
	s.DeleteUserPolicy(inC, "alice", "p")
	if err := s.DeleteUser(inC, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, c.ID); !errors.Is(err, meta.ErrAccountInUse) {
		t.Fatalf("deleting an account with a bucket = %v", err)
	}
	if err := s.DeleteBucket(ctx, "sea-bucket"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAccount(ctx, c.ID); !errors.Is(err, meta.ErrNoSuchAccount) {
		t.Fatalf("deleted account = %v", err)
	}
	if err := s.DeleteAccount(ctx, c.ID); !errors.Is(err, meta.ErrNoSuchAccount) {
		t.Fatalf("deleting twice = %v", err)
	}
	// Deleting B (once it owns nothing) takes its root key with it.
	s.DeleteUserPolicy(inB, "alice", "p")
	s.DeleteAccessKey(inB, "alice", "AKIAB2")
	s.DeleteUser(inB, "alice")
	if err := s.DeleteAccount(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAccessKey(ctx, "AKIAB"); !errors.Is(err, meta.ErrNoSuchAccessKey) {
		t.Fatalf("root key after delete = %v", err)
	}
}
