package metatest

import (
	"errors"
	"testing"
	"time"

	"talus/internal/meta"
)

func testKeyring(t *testing.T, s meta.Store) {
	now := time.Now().Truncate(time.Millisecond)
	k := meta.KMSKey{ID: "k1", Description: "first", State: "Enabled", Manager: "CUSTOMER", Created: now, Sealed: []byte{1, 2, 3}}
	if err := s.CreateKMSKey(ctx, k, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKMSKey(ctx, meta.KMSKey{ID: "k1", State: "Enabled", Sealed: []byte{9}}, ""); !errors.Is(err, meta.ErrKMSKeyExists) {
		t.Fatalf("duplicate key = %v", err)
	}
	got, err := s.GetKMSKey(ctx, "k1")
	if err != nil || got.Description != "first" || got.State != "Enabled" || got.Manager != "CUSTOMER" ||
		!got.Created.Equal(now) || !got.DeletionDate.IsZero() || string(got.Sealed) != "\x01\x02\x03" {
		t.Fatalf("GetKMSKey = %+v, %v", got, err)
	}
	if _, err := s.GetKMSKey(ctx, "nope"); !errors.Is(err, meta.ErrNoSuchKMSKey) {
		t.Fatalf("GetKMSKey(missing) = %v", err)
	}

	// A key created with an alias: both or neither.
	if err := s.CreateKMSKey(ctx, meta.KMSKey{ID: "k2", State: "Enabled", Manager: "AWS", Created: now, Sealed: []byte{4}}, "alias/aws/s3"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKMSKey(ctx, meta.KMSKey{ID: "k3", State: "Enabled", Created: now, Sealed: []byte{5}}, "alias/aws/s3"); !errors.Is(err, meta.ErrKMSAliasExists) {
		t.Fatalf("key with a taken alias = %v", err)
	}
	if _, err := s.GetKMSKey(ctx, "k3"); !errors.Is(err, meta.ErrNoSuchKMSKey) {
		t.Fatalf("key of a refused create was stored: %v", err)
	}
	if a, err := s.GetKMSAlias(ctx, "alias/aws/s3"); err != nil || a.KeyID != "k2" {
		t.Fatalf("GetKMSAlias = %+v, %v", a, err)
	}

	keys, _ := s.ListKMSKeys(ctx, "", 1)
	rest, _ := s.ListKMSKeys(ctx, "k1", 10)
	if len(keys) != 1 || keys[0].ID != "k1" || len(rest) != 1 || rest[0].ID != "k2" {
		t.Fatalf("ListKMSKeys paging = %+v / %+v", keys, rest)
	}

	// Conditional update: fn sees the stored state and may veto.
	veto := errors.New("veto")
	del := now.Add(7 * 24 * time.Hour)
	if err := s.UpdateKMSKey(ctx, "k1", func(k *meta.KMSKey) error {
		if k.State != "Enabled" {
			return veto
		}
		k.State, k.DeletionDate, k.Description = "PendingDeletion", del, "going"
		k.Sealed = []byte{7} // ignored
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateKMSKey(ctx, "k1", func(k *meta.KMSKey) error {
		if k.State != "Enabled" {
			return veto
		}
		k.State = "Disabled"
		return nil
	}); !errors.Is(err, veto) {
		t.Fatalf("vetoed update = %v", err)
	}
	got, _ = s.GetKMSKey(ctx, "k1")
	if got.State != "PendingDeletion" || !got.DeletionDate.Equal(del) || got.Description != "going" || string(got.Sealed) != "\x01\x02\x03" {
		t.Fatalf("after update = %+v", got)
	}
	if err := s.UpdateKMSKey(ctx, "nope", func(*meta.KMSKey) error { return nil }); !errors.Is(err, meta.ErrNoSuchKMSKey) {
		t.Fatalf("UpdateKMSKey(missing) = %v", err)
	}

	// Aliases.
	if err := s.PutKMSAlias(ctx, meta.KMSAlias{Name: "alias/a", KeyID: "k1", Created: now, Updated: now}, false); err != nil {
		t.Fatal(err)
	}
	if err := s.PutKMSAlias(ctx, meta.KMSAlias{Name: "alias/b", KeyID: "k1", Created: now, Updated: now}, false); err != nil {
		t.Fatal(err)
	}
	if err := s.PutKMSAlias(ctx, meta.KMSAlias{Name: "alias/a", KeyID: "k2", Created: now, Updated: now}, false); !errors.Is(err, meta.ErrKMSAliasExists) {
		t.Fatalf("duplicate alias = %v", err)
	}
	if err := s.PutKMSAlias(ctx, meta.KMSAlias{Name: "alias/c", KeyID: "nope", Created: now, Updated: now}, false); !errors.Is(err, meta.ErrNoSuchKMSKey) {
		t.Fatalf("alias of a missing key = %v", err)
	}
	if err := s.PutKMSAlias(ctx, meta.KMSAlias{Name: "alias/c", KeyID: "k1", Updated: now}, true); !errors.Is(err, meta.ErrNoSuchKMSAlias) {
		t.Fatalf("replacing a missing alias = %v", err)
	}
	later := now.Add(time.Minute)
	if err := s.PutKMSAlias(ctx, meta.KMSAlias{Name: "alias/b", KeyID: "k2", Updated: later}, true); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.GetKMSAlias(ctx, "alias/b"); a.KeyID != "k2" || !a.Created.Equal(now) || !a.Updated.Equal(later) {
		t.Fatalf("replaced alias = %+v", a)
	}
	all, _ := s.ListKMSAliases(ctx, "", "", 10)
	if len(all) != 3 || all[0].Name != "alias/a" || all[1].Name != "alias/aws/s3" || all[2].Name != "alias/b" {
		t.Fatalf("ListKMSAliases = %+v", all)
	}
	page, _ := s.ListKMSAliases(ctx, "", "alias/a", 1)
	if len(page) != 1 || page[0].Name != "alias/aws/s3" {
		t.Fatalf("ListKMSAliases paging = %+v", page)
	}
	of2, _ := s.ListKMSAliases(ctx, "k2", "", 10)
	if len(of2) != 2 || of2[0].Name != "alias/aws/s3" || of2[1].Name != "alias/b" {
		t.Fatalf("ListKMSAliases(k2) = %+v", of2)
	}
	if _, err := s.GetKMSAlias(ctx, "alias/zz"); !errors.Is(err, meta.ErrNoSuchKMSAlias) {
		t.Fatalf("GetKMSAlias(missing) = %v", err)
	}
	if err := s.DeleteKMSAlias(ctx, "alias/zz"); !errors.Is(err, meta.ErrNoSuchKMSAlias) {
		t.Fatalf("DeleteKMSAlias(missing) = %v", err)
	}

	// Deleting a key deletes its aliases, not others.
	if err := s.DeleteKMSKey(ctx, "k2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteKMSKey(ctx, "k2"); !errors.Is(err, meta.ErrNoSuchKMSKey) {
		t.Fatalf("DeleteKMSKey twice = %v", err)
	}
	all, _ = s.ListKMSAliases(ctx, "", "", 10)
	if len(all) != 1 || all[0].Name != "alias/a" {
		t.Fatalf("aliases after deleting their key = %+v", all)
	}
	if err := s.DeleteKMSAlias(ctx, "alias/a"); err != nil {
		t.Fatal(err)
	}
	if all, _ = s.ListKMSAliases(ctx, "", "", 10); len(all) != 0 {
		t.Fatalf("aliases after delete = %+v", all)
	}
}
