package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

// legacyDir writes a data directory the way servers did before root
// records: no keys/, and a user secret sealed under the root secret.
func legacyDir(t *testing.T, rootSecret, keyID, secret string) string {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	old, _ := iam.LegacySealer(rootSecret)
	st.CreateUser(ctx, meta.User{Name: "alice", ID: iam.NewUserID(), Path: "/", Created: time.Now()})
	if err := st.CreateAccessKey(ctx, meta.AccessKey{ID: keyID, User: "alice", Status: "Active", Created: time.Now(), SealedSecret: old.Seal(keyID, secret)}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateBucket(ctx, meta.Bucket{Name: "old", Owner: "AKTEST", Region: "us-east-1", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return dir
}

// TestLegacyDirectoryMigratesOnFirstStart: the first start of a directory
// whose secrets are sealed under the root secret re-seals them under the
// master key and records the root key as the canonical owner; a wrong root
// secret is refused and changes nothing.
func TestLegacyDirectoryMigratesOnFirstStart(t *testing.T) {
	cfg := testConfig(t)
	const keyID, secret = "AKIAUSER000000000001", "user-secret-0123456789012345678901234567"
	cfg.DataDir = legacyDir(t, cfg.SecretKey, keyID, secret)

	wrong := cfg
	wrong.SecretKey = "not-the-root-secret"
	if _, err := New(wrong); err == nil || !strings.Contains(err.Error(), "do not open with this root secret key") {
		t.Fatalf("legacy directory with a wrong root secret: %v", err)
	}
	if rec, _ := ReadRootRecord(cfg.DataDir); rec != nil {
		t.Fatalf("a refused start recorded %+v", rec)
	}

	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.meta.GetAccessKey(context.Background(), keyID)
	if err != nil {
		t.Fatal(err)
	}
	s.Shutdown(context.Background())
	key, err := os.ReadFile(filepath.Join(cfg.DataDir, "keys", "master.key"))
	if err != nil || len(key) != 32 {
		t.Fatalf("master key: %d bytes, %v", len(key), err)
	}
	sealer, _ := iam.NewSealer(key)
	if got, err := sealer.Open(keyID, k.SealedSecret); err != nil || got != secret {
		t.Fatalf("secret not re-sealed under the master key: %v", err)
	}
	old, _ := iam.LegacySealer(cfg.SecretKey)
	if _, err := old.Open(keyID, k.SealedSecret); err == nil {
		t.Fatal("secret still opens under the root secret")
	}
	rec, err := ReadRootRecord(cfg.DataDir)
	if err != nil || rec == nil || rec.AccessKey != "AKTEST" || rec.CanonicalID != "AKTEST" || strings.Contains(rec.Verifier, cfg.SecretKey) {
		t.Fatalf("root record = %+v, %v", rec, err)
	}
	b, _ := os.ReadFile(filepath.Join(cfg.DataDir, "keys", "root.json"))
	if strings.Contains(string(b), cfg.SecretKey) {
		t.Fatal("root.json holds the root secret")
	}

	// Rotation keeps the canonical owner; the next start needs the new pair.
	if err := RotateRoot(cfg.DataDir, "AKNEW", "new-root-secret", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "belongs to root access key AKNEW") {
		t.Fatalf("old pair after rotation: %v", err)
	}
	cfg.AccessKey, cfg.SecretKey = "AKNEW", "new-root-secret"
	s, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The directory's one account became the administrator's, still the
	// owner of the buckets it had.
	admin, err := s.meta.GetAccount(context.Background(), iam.AccountID)
	if err != nil || admin.CanonicalID != "AKTEST" || !admin.Admin {
		t.Fatalf("administrator account = %+v, %v", admin, err)
	}
	if owned, _ := s.meta.ListBuckets(context.Background(), admin.CanonicalID, "", "", 10); len(owned) != 1 || owned[0].Name != "old" {
		t.Fatalf("the administrator's buckets = %+v", owned)
	}
	s.Shutdown(context.Background())
	if rec, _ := ReadRootRecord(cfg.DataDir); rec.CanonicalID != "AKTEST" || rec.AccessKey != "AKNEW" {
		t.Fatalf("record after rotation = %+v", rec)
	}
}

// TestMissingMasterKeyRefused: a recorded directory whose master key is
// gone is refused instead of getting a new key its secrets do not open with.
func TestMissingMasterKeyRefused(t *testing.T) {
	cfg := testConfig(t)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Shutdown(context.Background())
	os.Remove(filepath.Join(cfg.DataDir, "keys", "master.key"))
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("start without the master key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "keys", "master.key")); err == nil {
		t.Fatal("a new master key was made for a recorded directory")
	}
}

func TestRotateRootNeedsARecordedDirectory(t *testing.T) {
	empty := t.TempDir()
	if err := RotateRoot(empty, "AK2", "secret-two", nil); err == nil || !strings.Contains(err.Error(), "not a talus data directory") {
		t.Fatalf("empty directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(empty, "talus.lock")); err == nil {
		t.Fatal("rotate-root left a lock file in a foreign directory")
	}
	legacy := legacyDir(t, "secret-key-for-tests", "AKIAUSER000000000002", "s")
	if err := RotateRoot(legacy, "AK2", "secret-two", nil); err == nil || !strings.Contains(err.Error(), "start 'talus server' once") {
		t.Fatalf("legacy directory: %v", err)
	}
}
