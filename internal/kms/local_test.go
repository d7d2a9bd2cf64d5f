package kms_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talus/internal/kms"
	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

var ctx = context.Background()

func newStore(t testing.TB) meta.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func master(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func newLocal(t testing.TB) (*kms.Local, meta.Store) {
	t.Helper()
	s := newStore(t)
	l, err := kms.New(master(7), s, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return l, s
}

func TestNewRejectsShortMasterKey(t *testing.T) {
	if _, err := kms.New(make([]byte, 16), newStore(t), "us-east-1"); err == nil {
		t.Fatal("a 16-byte master key was accepted")
	}
}

func TestDataKeyRoundTrip(t *testing.T) {
	l, _ := newLocal(t)
	k, err := l.CreateKey(ctx, "", "mine")
	if err != nil {
		t.Fatal(err)
	}
	if len(k.ID) != 36 || k.ID[14] != '4' || k.ARN != "arn:aws:kms:us-east-1:000000000000:key/"+k.ID ||
		k.State != kms.StateEnabled || k.Manager != kms.ManagerCustomer || k.Description != "mine" || k.Created.IsZero() {
		t.Fatalf("CreateKey = %+v", k)
	}
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k", "b": "2"}
	for _, ref := range []string{k.ID, k.ARN} {
		plain, wrapped, used, err := l.GenerateDataKey(ctx, ref, ec)
		if err != nil || len(plain) != 32 || used.ID != k.ID {
			t.Fatalf("GenerateDataKey(%s) = %d bytes, %+v, %v", ref, len(plain), used, err)
		}
		got, used, err := l.Decrypt(ctx, wrapped, map[string]string{"b": "2", "aws:s3:arn": "arn:aws:s3:::b/k"})
		if err != nil || !bytes.Equal(got, plain) || used.ID != k.ID {
			t.Fatalf("Decrypt = %x, %+v, %v; want %x", got, used, err, plain)
		}
		// A different context, none, or a changed byte: InvalidCiphertext.
		for name, try := range map[string]func() error{
			"other context": func() error {
				_, _, err := l.Decrypt(ctx, wrapped, map[string]string{"aws:s3:arn": "arn:aws:s3:::b/other", "b": "2"})
				return err
			},
			"no context": func() error { _, _, err := l.Decrypt(ctx, wrapped, nil); return err },
			"tampered": func() error {
				bad := append([]byte(nil), wrapped...)
				bad[len(bad)-1] ^= 1
				_, _, err := l.Decrypt(ctx, bad, ec)
				return err
			},
			"truncated": func() error { _, _, err := l.Decrypt(ctx, wrapped[:10], ec); return err },
			"garbage":   func() error { _, _, err := l.Decrypt(ctx, []byte("not a blob"), ec); return err },
		} {
			if err := try(); !errors.Is(err, kms.ErrInvalidCiphertext) {
				t.Errorf("%s: Decrypt = %v, want ErrInvalidCiphertext", name, err)
			}
		}
	}
	// Two data keys differ and their blobs too.
	p1, w1, _, _ := l.GenerateDataKey(ctx, k.ID, nil)
	p2, w2, _, _ := l.GenerateDataKey(ctx, k.ID, nil)
	if bytes.Equal(p1, p2) || bytes.Equal(w1, w2) {
		t.Fatal("two data keys are equal")
	}
}

func TestBlobNamesItsKeyNotAnother(t *testing.T) {
	l, _ := newLocal(t)
	a, _ := l.CreateKey(ctx, "key-a", "")
	b, _ := l.CreateKey(ctx, "key-b", "")
	wrapped, _, err := l.Encrypt(ctx, a.ID, []byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Rewriting the key ID in the blob to name key-b must not open.
	forged := bytes.Replace(wrapped, []byte("key-a"), []byte(b.ID), 1)
	if _, _, err := l.Decrypt(ctx, forged, nil); !errors.Is(err, kms.ErrInvalidCiphertext) {
		t.Fatalf("forged blob = %v", err)
	}
	plain, used, err := l.Decrypt(ctx, wrapped, nil)
	if err != nil || string(plain) != "secret" || used.ID != "key-a" {
		t.Fatalf("Decrypt = %q %+v %v", plain, used, err)
	}
}

func TestEncryptLimits(t *testing.T) {
	l, _ := newLocal(t)
	k, _ := l.CreateKey(ctx, "", "")
	if _, _, err := l.Encrypt(ctx, k.ID, make([]byte, 4097), nil); !errors.Is(err, kms.ErrValidation) {
		t.Fatalf("4097 bytes = %v", err)
	}
	if _, _, err := l.Encrypt(ctx, k.ID, nil, nil); !errors.Is(err, kms.ErrValidation) {
		t.Fatalf("empty = %v", err)
	}
	if _, _, err := l.Encrypt(ctx, k.ID, make([]byte, 4096), nil); err != nil {
		t.Fatalf("4096 bytes = %v", err)
	}
}

func TestReferences(t *testing.T) {
	l, _ := newLocal(t)
	k, _ := l.CreateKey(ctx, "", "")
	if err := l.CreateAlias(ctx, "alias/app", k.ID); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{k.ID, k.ARN, "alias/app", "arn:aws:kms:us-east-1:000000000000:alias/app"} {
		if m, err := l.Describe(ctx, ref); err != nil || m.ID != k.ID {
			t.Errorf("Describe(%s) = %+v, %v", ref, m, err)
		}
	}
	for _, ref := range []string{"nope", "alias/nope", "arn:aws:kms:eu-west-1:000000000000:key/" + k.ID,
		"arn:aws:kms:us-east-1:111111111111:key/" + k.ID, "arn:aws:kms:us-east-1:000000000000:key/",
		// The internal key is reachable by kms.SSES3 only.
		"arn:aws:kms:us-east-1:000000000000:key/" + kms.SSES3} {
		if _, err := l.Describe(ctx, ref); !errors.Is(err, kms.ErrNotFound) {
			t.Errorf("Describe(%s) = %v, want ErrNotFound", ref, err)
		}
	}
	var e *kms.Error
	if _, err := l.Describe(ctx, "alias/nope"); !errors.As(err, &e) || e.Msg != "Alias arn:aws:kms:us-east-1:000000000000:alias/nope is not found." {
		t.Errorf("alias not found message = %v", err)
	}
}

func TestChosenKeyID(t *testing.T) {
	l, _ := newLocal(t)
	k, err := l.CreateKey(ctx, "backup_2026-key", "d")
	if err != nil || k.ID != "backup_2026-key" || k.ARN != "arn:aws:kms:us-east-1:000000000000:key/backup_2026-key" {
		t.Fatalf("CreateKey = %+v, %v", k, err)
	}
	if _, err := l.CreateKey(ctx, "backup_2026-key", ""); !errors.Is(err, kms.ErrAlreadyExists) {
		t.Fatalf("reused ID = %v", err)
	}
	for _, id := range []string{strings.Repeat("a", 65), "has space", "a/b", "ä", "alias"} {
		_, err := l.CreateKey(ctx, id, "")
		if id == "alias" {
			if err != nil {
				t.Errorf("CreateKey(%q) = %v", id, err)
			}
			continue
		}
		if !errors.Is(err, kms.ErrValidation) {
			t.Errorf("CreateKey(%q) = %v, want ErrValidation", id, err)
		}
	}
	if _, err := l.CreateKey(ctx, strings.Repeat("a", 64), ""); err != nil {
		t.Errorf("64-character ID: %v", err)
	}
}

func TestKeyStates(t *testing.T) {
	l, s := newLocal(t)
	now := time.Now()
	l.SetClock(func() time.Time { return now })
	k, _ := l.CreateKey(ctx, "k", "")
	_, wrapped, _, _ := l.GenerateDataKey(ctx, "k", nil)

	if m, err := l.DisableKey(ctx, "k"); err != nil || m.State != kms.StateDisabled {
		t.Fatalf("DisableKey = %+v, %v", m, err)
	}
	if _, _, _, err := l.GenerateDataKey(ctx, "k", nil); !errors.Is(err, kms.ErrDisabled) {
		t.Fatalf("GenerateDataKey(disabled) = %v", err)
	}
	if _, _, err := l.Decrypt(ctx, wrapped, nil); !errors.Is(err, kms.ErrDisabled) {
		t.Fatalf("Decrypt(disabled) = %v", err)
	}
	if _, err := l.EnableKey(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Decrypt(ctx, wrapped, nil); err != nil {
		t.Fatalf("Decrypt(re-enabled) = %v", err)
	}

	for _, days := range []int{6, 31, -1} {
		if _, err := l.ScheduleKeyDeletion(ctx, "k", days); !errors.Is(err, kms.ErrValidation) {
			t.Errorf("ScheduleKeyDeletion(%d) = %v", days, err)
		}
	}
	m, err := l.ScheduleKeyDeletion(ctx, k.ARN, 0)
	if err != nil || m.State != kms.StatePendingDeletion || !m.DeletionDate.Equal(now.UTC().Add(30*24*time.Hour)) {
		t.Fatalf("ScheduleKeyDeletion = %+v, %v", m, err)
	}
	if _, _, err := l.Encrypt(ctx, "k", []byte("x"), nil); !errors.Is(err, kms.ErrInvalidState) {
		t.Fatalf("Encrypt(pending) = %v", err)
	}
	if _, _, err := l.Decrypt(ctx, wrapped, nil); !errors.Is(err, kms.ErrInvalidState) {
		t.Fatalf("Decrypt(pending) = %v", err)
	}
	for name, op := range map[string]func(context.Context, string) (kms.KeyMeta, error){"Enable": l.EnableKey, "Disable": l.DisableKey} {
		if _, err := op(ctx, "k"); !errors.Is(err, kms.ErrInvalidState) {
			t.Errorf("%s(pending) = %v", name, err)
		}
	}
	if _, err := l.ScheduleKeyDeletion(ctx, "k", 7); !errors.Is(err, kms.ErrInvalidState) {
		t.Fatalf("ScheduleKeyDeletion twice = %v", err)
	}
	if err := l.CreateAlias(ctx, "alias/late", "k"); !errors.Is(err, kms.ErrInvalidState) {
		t.Fatalf("alias to a key pending deletion = %v", err)
	}
	m, err = l.CancelKeyDeletion(ctx, "k")
	if err != nil || m.State != kms.StateDisabled || !m.DeletionDate.IsZero() {
		t.Fatalf("CancelKeyDeletion = %+v, %v", m, err)
	}
	if _, err := l.CancelKeyDeletion(ctx, "k"); !errors.Is(err, kms.ErrInvalidState) {
		t.Fatalf("CancelKeyDeletion twice = %v", err)
	}

	// Past its deletion date a key is gone, with its aliases.
	l.EnableKey(ctx, "k")
	l.CreateAlias(ctx, "alias/k", "k")
	l.ScheduleKeyDeletion(ctx, "k", 7)
	now = now.Add(7*24*time.Hour + time.Second)
	if _, err := l.Describe(ctx, "k"); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("Describe after the deletion date = %v", err)
	}
	if _, _, err := l.Decrypt(ctx, wrapped, nil); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("Decrypt after the deletion date = %v", err)
	}
	if as, _, _ := l.ListAliases(ctx, "", "", 10); len(as) != 0 {
		t.Fatalf("aliases of a deleted key = %+v", as)
	}

	// Listing deletes keys past their date too, and does not show them.
	l.CreateKey(ctx, "k2", "")
	l.ScheduleKeyDeletion(ctx, "k2", 7)
	now = now.Add(8 * 24 * time.Hour)
	if keys, _, err := l.ListKeys(ctx, "", 10); err != nil || len(keys) != 0 {
		t.Fatalf("ListKeys after the deletion date = %+v, %v", keys, err)
	}
	if _, err := s.GetKMSKey(ctx, "k2"); !errors.Is(err, meta.ErrNoSuchKMSKey) {
		t.Fatalf("stored key after its deletion date: %v", err)
	}
}

func TestDefaultS3KeyCreatedOnFirstUse(t *testing.T) {
	l, s := newLocal(t)
	m, err := l.Describe(ctx, kms.DefaultS3Alias)
	if err != nil || m.Manager != kms.ManagerAWS || m.State != kms.StateEnabled || m.ARN == "" {
		t.Fatalf("Describe(alias/aws/s3) = %+v, %v", m, err)
	}
	// A second service on the same store (another gateway) finds the same key.
	l2, _ := kms.New(master(7), s, "us-east-1")
	_, wrapped, used, err := l2.GenerateDataKey(ctx, kms.DefaultS3Alias, nil)
	if err != nil || used.ID != m.ID {
		t.Fatalf("GenerateDataKey(alias/aws/s3) on another service = %+v, %v; want key %s", used, err, m.ID)
	}
	if _, _, err := l.Decrypt(ctx, wrapped, nil); err != nil {
		t.Fatal(err)
	}
	// AWS-managed keys and their aliases cannot be changed.
	if _, err := l.DisableKey(ctx, m.ID); !errors.Is(err, kms.ErrAccessDenied) {
		t.Fatalf("DisableKey(aws managed) = %v", err)
	}
	if _, err := l.ScheduleKeyDeletion(ctx, m.ID, 7); !errors.Is(err, kms.ErrAccessDenied) {
		t.Fatalf("ScheduleKeyDeletion(aws managed) = %v", err)
	}
	k, _ := l.CreateKey(ctx, "", "")
	for _, name := range []string{"alias/aws/s3", "alias/aws/mine"} {
		if err := l.CreateAlias(ctx, name, k.ID); !errors.Is(err, kms.ErrNotAuthorized) {
			t.Errorf("CreateAlias(%s) = %v", name, err)
		}
	}
	if err := l.DeleteAlias(ctx, kms.DefaultS3Alias); !errors.Is(err, kms.ErrNotAuthorized) {
		t.Fatalf("DeleteAlias(alias/aws/s3) = %v", err)
	}
}

func TestSSES3KeyIsInternal(t *testing.T) {
	l, s := newLocal(t)
	plain, wrapped, used, err := l.GenerateDataKey(ctx, kms.SSES3, map[string]string{"x": "y"})
	if err != nil || used.ID != kms.SSES3 {
		t.Fatalf("GenerateDataKey(SSES3) = %+v, %v", used, err)
	}
	got, _, err := l.Decrypt(ctx, wrapped, map[string]string{"x": "y"})
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Decrypt = %v", err)
	}
	keys, _, _ := l.ListKeys(ctx, "", 100)
	if len(keys) != 0 {
		t.Fatalf("ListKeys shows the internal key: %+v", keys)
	}
	if _, err := l.DisableKey(ctx, kms.SSES3); err == nil {
		t.Fatal("the internal key was disabled")
	}
	// Material is stored sealed: the stored record does not hold the data key material in clear.
	rec, err := s.GetKMSKey(ctx, kms.SSES3)
	if err != nil || len(rec.Sealed) != 12+32+16 {
		t.Fatalf("stored internal key = %+v, %v", rec, err)
	}
	// A service with another master key cannot use it.
	other, _ := kms.New(master(8), s, "us-east-1")
	if _, _, err := other.Decrypt(ctx, wrapped, map[string]string{"x": "y"}); err == nil {
		t.Fatal("another master key decrypted")
	}
}

func TestListKeysAndAliasesPaging(t *testing.T) {
	l, _ := newLocal(t)
	l.GenerateDataKey(ctx, kms.SSES3, nil) // never listed
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if _, err := l.CreateKey(ctx, id, ""); err != nil {
			t.Fatal(err)
		}
		if err := l.CreateAlias(ctx, "alias/"+id, id); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	marker := ""
	for pages := 0; ; pages++ {
		keys, next, err := l.ListKeys(ctx, marker, 2)
		if err != nil || len(keys) > 2 || pages > 3 {
			t.Fatalf("ListKeys page %d = %+v, %v", pages, keys, err)
		}
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		if next == "" {
			break
		}
		marker = next
	}
	if strings.Join(ids, ",") != "a,b,c,d,e" {
		t.Fatalf("ListKeys = %v", ids)
	}
	as, next, err := l.ListAliases(ctx, "", "", 3)
	if err != nil || len(as) != 3 || next != "alias/c" || as[0].Name != "alias/a" || as[0].TargetKeyID != "a" ||
		as[0].ARN != "arn:aws:kms:us-east-1:000000000000:alias/a" {
		t.Fatalf("ListAliases = %+v, %q, %v", as, next, err)
	}
	as, next, _ = l.ListAliases(ctx, "", next, 3)
	if len(as) != 2 || next != "" || as[1].Name != "alias/e" {
		t.Fatalf("ListAliases page 2 = %+v, %q", as, next)
	}
	as, _, _ = l.ListAliases(ctx, "alias/b", "", 10)
	if len(as) != 1 || as[0].Name != "alias/b" {
		t.Fatalf("ListAliases(key b) = %+v", as)
	}
	if err := l.UpdateAlias(ctx, "alias/b", "c"); err != nil {
		t.Fatal(err)
	}
	if m, _ := l.Describe(ctx, "alias/b"); m.ID != "c" {
		t.Fatalf("updated alias names %s", m.ID)
	}
	if err := l.CreateAlias(ctx, "alias/b", "a"); !errors.Is(err, kms.ErrAlreadyExists) {
		t.Fatalf("duplicate alias = %v", err)
	}
	if err := l.CreateAlias(ctx, "alias/x", "alias/a"); !errors.Is(err, kms.ErrValidation) {
		t.Fatalf("alias to an alias = %v", err)
	}
	if err := l.CreateAlias(ctx, "bad", "a"); !errors.Is(err, kms.ErrValidation) {
		t.Fatalf("alias without prefix = %v", err)
	}
	if err := l.DeleteAlias(ctx, "alias/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Describe(ctx, "alias/b"); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("deleted alias = %v", err)
	}
}

func BenchmarkGenerateDataKeyDecrypt(b *testing.B) {
	l, _ := newLocal(b)
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/key"}
	b.ReportAllocs()
	for b.Loop() {
		_, wrapped, _, err := l.GenerateDataKey(ctx, kms.SSES3, ec)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := l.Decrypt(ctx, wrapped, ec); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFirstUseRacesMakeOneKey(t *testing.T) {
	_, s := newLocal(t)
	for _, ref := range []string{kms.DefaultS3Alias, kms.SSES3} {
		ids := make(chan string, 8)
		for i := 0; i < 8; i++ {
			// Separate services: as separate gateways on one store.
			l, _ := kms.New(master(7), s, "us-east-1")
			go func() {
				_, _, k, err := l.GenerateDataKey(ctx, ref, nil)
				if err != nil {
					t.Error(err)
				}
				ids <- k.ID
			}()
		}
		first := <-ids
		for i := 1; i < 8; i++ {
			if id := <-ids; id != first {
				t.Fatalf("%s: first use made keys %s and %s", ref, first, id)
			}
		}
	}
}
