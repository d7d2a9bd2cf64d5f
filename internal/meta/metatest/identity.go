package metatest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"talus/internal/meta"
)

func testIdentities(t *testing.T, s meta.Store) {
	now := time.Now()
	if err := s.CreateUser(ctx, meta.User{Name: "alice", ID: "AIDA1", Path: "/", Created: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, meta.User{Name: "alice", ID: "AIDA9", Path: "/"}); !errors.Is(err, meta.ErrUserExists) {
		t.Fatalf("duplicate user = %v", err)
	}
	s.CreateUser(ctx, meta.User{Name: "bob", ID: "AIDA2", Path: "/team/", Created: now})
	u, err := s.GetUser(ctx, "bob")
	if err != nil || u.ID != "AIDA2" || u.Path != "/team/" || u.Created.IsZero() {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if _, err := s.GetUser(ctx, "carol"); !errors.Is(err, meta.ErrNoSuchUser) {
		t.Fatalf("GetUser(missing) = %v", err)
	}
	users, _ := s.ListUsers(ctx, "", 1)
	rest, _ := s.ListUsers(ctx, "alice", 10)
	if len(users) != 1 || users[0].Name != "alice" || len(rest) != 1 || rest[0].Name != "bob" {
		t.Fatalf("ListUsers paging = %+v / %+v", users, rest)
	}

	k := meta.AccessKey{ID: "AKIA1", User: "alice", Status: "Active", Created: now, SealedSecret: []byte{1, 2, 3}}
	if err := s.CreateAccessKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccessKey(ctx, meta.AccessKey{ID: "AKIA9", User: "carol", Status: "Active"}); !errors.Is(err, meta.ErrNoSuchUser) {
		t.Fatalf("key for missing user = %v", err)
	}
	s.CreateAccessKey(ctx, meta.AccessKey{ID: "AKIA2", User: "alice", Status: "Active", Created: now.Add(time.Second), SealedSecret: []byte{4}})
	got, err := s.GetAccessKey(ctx, "AKIA1")
	if err != nil || got.User != "alice" || got.Status != "Active" || string(got.SealedSecret) != "\x01\x02\x03" {
		t.Fatalf("GetAccessKey = %+v, %v", got, err)
	}
	keys, _ := s.ListAccessKeys(ctx, "alice")
	if len(keys) != 2 || keys[0].ID != "AKIA1" || keys[1].ID != "AKIA2" {
		t.Fatalf("ListAccessKeys = %+v", keys)
	}
	if err := s.UpdateAccessKey(ctx, "alice", "AKIA1", "Inactive"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetAccessKey(ctx, "AKIA1"); got.Status != "Inactive" {
		t.Fatalf("status = %q", got.Status)
	}
	if err := s.UpdateAccessKey(ctx, "bob", "AKIA1", "Active"); !errors.Is(err, meta.ErrNoSuchAccessKey) {
		t.Fatalf("updating another user's key = %v", err)
	}
	if err := s.DeleteAccessKey(ctx, "bob", "AKIA1"); !errors.Is(err, meta.ErrNoSuchAccessKey) {
		t.Fatalf("deleting another user's key = %v", err)
	}

	// Resealing is all or nothing.
	boom := errors.New("boom")
	err = s.ResealAccessKeys(ctx, func(k meta.AccessKey) ([]byte, error) {
		if k.ID == "AKIA2" {
			return nil, boom
		}
		return []byte("new-" + k.ID), nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed reseal = %v", err)
	}
	if got, _ := s.GetAccessKey(ctx, "AKIA1"); string(got.SealedSecret) != "\x01\x02\x03" {
		t.Fatalf("a failed reseal changed a secret: %q", got.SealedSecret)
	}
	seen := 0
	err = s.ResealAccessKeys(ctx, func(k meta.AccessKey) ([]byte, error) {
		seen++
		return append([]byte("new-"+k.ID+"-"), k.SealedSecret...), nil
	})
	if err != nil || seen != 2 {
		t.Fatalf("reseal = %v after %d keys", err, seen)
	}
	for id, want := range map[string]string{"AKIA1": "new-AKIA1-\x01\x02\x03", "AKIA2": "new-AKIA2-\x04"} {
		if got, _ := s.GetAccessKey(ctx, id); string(got.SealedSecret) != want {
			t.Fatalf("%s resealed to %q, want %q", id, got.SealedSecret, want)
		}
	}

	if err := s.PutUserPolicy(ctx, "alice", "read", `{"v":1}`); err != nil {
		t.Fatal(err)
	}
	s.PutUserPolicy(ctx, "alice", "read", `{"v":2}`)
	s.PutUserPolicy(ctx, "alice", "admin", `{"v":3}`)
	if doc, err := s.GetUserPolicy(ctx, "alice", "read"); err != nil || doc != `{"v":2}` {
		t.Fatalf("GetUserPolicy = %q, %v", doc, err)
	}
	if names, _ := s.ListUserPolicies(ctx, "alice"); strings.Join(names, ",") != "admin,read" {
		t.Fatalf("ListUserPolicies = %v", names)
	}
	if _, err := s.GetUserPolicy(ctx, "alice", "nope"); !errors.Is(err, meta.ErrNoSuchPolicy) {
		t.Fatalf("GetUserPolicy(missing) = %v", err)
	}
	if err := s.PutUserPolicy(ctx, "carol", "x", "{}"); !errors.Is(err, meta.ErrNoSuchUser) {
		t.Fatalf("policy for missing user = %v", err)
	}

	if err := s.DeleteUser(ctx, "alice"); !errors.Is(err, meta.ErrUserInUse) {
		t.Fatalf("DeleteUser with keys = %v", err)
	}
	for _, id := range []string{"AKIA1", "AKIA2"} {
		if err := s.DeleteAccessKey(ctx, "alice", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteUser(ctx, "alice"); !errors.Is(err, meta.ErrUserInUse) {
		t.Fatalf("DeleteUser with policies = %v", err)
	}
	s.DeleteUserPolicy(ctx, "alice", "read")
	s.DeleteUserPolicy(ctx, "alice", "admin")
	if err := s.DeleteUserPolicy(ctx, "alice", "admin"); !errors.Is(err, meta.ErrNoSuchPolicy) {
		t.Fatalf("second DeleteUserPolicy = %v", err)
	}
	if err := s.DeleteUser(ctx, "alice"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := s.GetAccessKey(ctx, "AKIA1"); !errors.Is(err, meta.ErrNoSuchAccessKey) {
		t.Fatalf("deleted key still found: %v", err)
	}
}
