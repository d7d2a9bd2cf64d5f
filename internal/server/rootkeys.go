package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"talus/internal/fsutil"
	"talus/internal/iam"
	"talus/internal/meta"
)

// A data directory keeps its keys in keys/:
//
//	keys/master.key  32 random bytes; access key secrets are sealed under it
//	keys/root.json   the root access key the directory belongs to, a
//	                 verifier of its secret (HMAC under the master key, never
//	                 the secret) and the canonical ID that owns its buckets
const (
	keysDir       = "keys"
	masterKeyFile = "master.key"
	rootFile      = "root.json"
)

// RootRecord is what a data directory records about its root credentials.
type RootRecord struct {
	AccessKey string `json:"access_key"`
	Verifier  string `json:"secret_verifier"`
	// CanonicalID owns the directory's buckets and objects. It is the first
	// root access key the directory was opened with and never changes, so
	// rotating the root credentials orphans nothing.
	CanonicalID string `json:"canonical_id"`
}

// ReadRootRecord returns the root record of the data directory, or nil if
// it has none (a new directory, or one written before records existed).
func ReadRootRecord(dataDir string) (*RootRecord, error) {
	path := filepath.Join(dataDir, keysDir, rootFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r RootRecord
	if err := json.Unmarshal(b, &r); err != nil || r.AccessKey == "" || r.Verifier == "" || r.CanonicalID == "" {
		return nil, fmt.Errorf("%s is damaged", path)
	}
	return &r, nil
}

// HasData reports whether dataDir already holds a metadata store.
func HasData(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, "meta.db"))
	return err == nil
}

func writeRootRecord(dataDir string, r RootRecord) error {
	b, _ := json.MarshalIndent(r, "", "  ")
	return fsutil.WriteFileAtomic(filepath.Join(dataDir, keysDir, rootFile), append(b, '\n'), 0o600)
}

// dataKey returns the directory's master key; create makes it on first use.
func dataKey(dataDir string, create bool) ([]byte, error) {
	dir := filepath.Join(dataDir, keysDir)
	path := filepath.Join(dir, masterKeyFile)
	k, err := os.ReadFile(path)
	if err == nil {
		if len(k) != iam.DataKeySize {
			return nil, fmt.Errorf("%s is damaged (%d bytes, want %d)", path, len(k), iam.DataKeySize)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) || !create {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	if err := fsutil.SyncDir(dataDir); err != nil {
		return nil, err
	}
	k = iam.NewDataKey()
	if err := fsutil.WriteFileAtomic(path, k, 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

// rotateHint is how a refusal tells the operator to replace the credentials.
func rotateHint(dataDir string) string {
	return fmt.Sprintf("or run 'talus admin rotate-root --data %s' (with the server stopped) to give it new ones", dataDir)
}

// openRoot checks the root key pair against the data directory and returns
// the sealer of access key secrets and the canonical owner ID. The first
// start of a directory records the pair; a directory whose secrets were
// sealed under the root secret has them re-sealed under the master key in
// one transaction. The caller holds the directory lock.
func openRoot(ctx context.Context, dataDir, accessKey, secret string, store meta.Identities) (*iam.Sealer, string, error) {
	rec, err := ReadRootRecord(dataDir)
	if err != nil {
		return nil, "", err
	}
	// A recorded directory must still have the key its secrets are sealed
	// under; only a directory without a record gets a new one.
	key, err := dataKey(dataDir, rec == nil)
	if err != nil {
		return nil, "", fmt.Errorf("data directory %s: master key: %w", dataDir, err)
	}
	sealer, err := iam.NewSealer(key)
	if err != nil {
		return nil, "", err
	}
	if rec != nil {
		if rec.AccessKey != accessKey {
			return nil, "", fmt.Errorf("data directory %s belongs to root access key %s, not %s: set TALUS_ROOT_ACCESS_KEY and TALUS_ROOT_SECRET_KEY to its credentials, %s",
				dataDir, rec.AccessKey, accessKey, rotateHint(dataDir))
		}
		if !iam.CheckRootVerifier(key, rec.Verifier, accessKey, secret) {
			return nil, "", fmt.Errorf("the root secret key is not the one of root access key %s in data directory %s: set TALUS_ROOT_SECRET_KEY to its secret, %s",
				accessKey, dataDir, rotateHint(dataDir))
		}
		return sealer, rec.CanonicalID, nil
	}
	legacy, err := iam.LegacySealer(secret)
	if err != nil {
		return nil, "", err
	}
	if err := iam.MigrateSecrets(ctx, store, legacy, sealer); err != nil {
		return nil, "", fmt.Errorf("data directory %s: IAM user secrets do not open with this root secret key (%v): start it with the root credentials it was created with", dataDir, err)
	}
	rec = &RootRecord{AccessKey: accessKey, Verifier: iam.RootVerifier(key, accessKey, secret), CanonicalID: accessKey}
	if err := writeRootRecord(dataDir, *rec); err != nil {
		return nil, "", err
	}
	return sealer, rec.CanonicalID, nil
}

// RotateRoot replaces the root credentials of a data directory that no
// server is using. Buckets keep their owner and IAM users their keys.
// store, if not nil, runs under the directory lock just before the new
// record is written (to store the new pair where the operator keeps it).
func RotateRoot(dataDir, accessKey, secret string, store func() error) error {
	if !HasData(dataDir) {
		return fmt.Errorf("%s is not a talus data directory", dataDir)
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	rec, err := ReadRootRecord(dataDir)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("data directory %s has no root record yet: start 'talus server' once with its current root credentials, then rotate", dataDir)
	}
	key, err := dataKey(dataDir, false)
	if err != nil {
		return fmt.Errorf("data directory %s: master key: %w", dataDir, err)
	}
	if rec.AccessKey == accessKey && iam.CheckRootVerifier(key, rec.Verifier, accessKey, secret) {
		return fmt.Errorf("these are already the root credentials of %s", dataDir)
	}
	if store != nil {
		if err := store(); err != nil {
			return err
		}
	}
	rec.AccessKey, rec.Verifier = accessKey, iam.RootVerifier(key, accessKey, secret)
	return writeRootRecord(dataDir, *rec)
}
