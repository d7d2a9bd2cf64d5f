package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"talus/internal/iam"
	"talus/internal/meta"
)

// rootLease names the database record of the root credentials that
// gateways sharing a metadata store agree on: the checkpoint of a lease,
// so that the first gateways to start, racing, write it exactly once.
const rootLease = "talus-root-record"

// sharedRootRecord is RootRecord kept in a shared database, with a check
// value of the master key, so that a gateway started with another master
// key (whose sealed secrets would not open) is refused with a message
// saying so.
type sharedRootRecord struct {
	RootRecord
	KeyCheck string `json:"master_key_check"`
}

// openRoot checks the root key pair: against keys/root.json for a data
// directory of its own, against the record in the database when gateways
// share it.
func (s *Server) openRoot(ctx context.Context) (*iam.Sealer, string, error) {
	if !s.shared() {
		return openRoot(ctx, s.cfg.DataDir, s.cfg.AccessKey, s.cfg.SecretKey, s.meta)
	}
	return openSharedRoot(ctx, s.cfg.DataDir, s.cfg.AccessKey, s.cfg.SecretKey, s.meta)
}

func keyCheck(key []byte) string { return iam.RootVerifier(key, "talus master key check", "") }

// openSharedRoot is openRoot for a shared database. Every gateway has the
// same master key in its data directory (keys/master.key, copied from the
// first gateway or provisioned); the first one to start on an empty
// database creates the key if it has none and records the root key pair.
func openSharedRoot(ctx context.Context, dataDir, accessKey, secret string, store meta.Store) (*iam.Sealer, string, error) {
	key, err := dataKey(dataDir, true)
	if err != nil {
		return nil, "", fmt.Errorf("data directory %s: master key: %w", dataDir, err)
	}
	sealer, err := iam.NewSealer(key)
	if err != nil {
		return nil, "", err
	}
	var b [8]byte
	rand.Read(b[:])
	owner := "root-check-" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var l meta.Lease
	for {
		l, err = store.AcquireLease(ctx, rootLease, owner, 30*time.Second)
		if err == nil {
			break
		}
		if !errors.Is(err, meta.ErrLeaseHeld) {
			return nil, "", err
		}
		select {
		case <-ctx.Done():
			return nil, "", fmt.Errorf("another gateway holds the root record lock: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer store.ReleaseLease(context.Background(), l)
	data, err := store.LeaseCheckpoint(ctx, rootLease)
	if err != nil {
		return nil, "", err
	}
	if data == nil {
		rec := sharedRootRecord{RootRecord: RootRecord{AccessKey: accessKey, Verifier: iam.RootVerifier(key, accessKey, secret), CanonicalID: accessKey}, KeyCheck: keyCheck(key)}
		b, _ := json.Marshal(rec)
		// The administrator account too, under the same lock, so that
		// gateways starting together on a new database create it once.
		if err := iam.EnsureAdminAccount(ctx, store, rec.CanonicalID, time.Now().UTC()); err != nil {
			return nil, "", err
		}
		if err := store.SaveCheckpoint(ctx, l, b); err != nil {
			return nil, "", err
		}
		return sealer, rec.CanonicalID, nil
	}
	var rec sharedRootRecord
	if err := json.Unmarshal(data, &rec); err != nil || rec.AccessKey == "" || rec.Verifier == "" || rec.CanonicalID == "" || rec.KeyCheck == "" {
		return nil, "", errors.New("the root record in the metadata database is damaged")
	}
	if rec.KeyCheck != keyCheck(key) {
		return nil, "", fmt.Errorf("%s/%s/%s is not the master key of this metadata database: every gateway needs the same one (copy it from a gateway already serving the database)", dataDir, keysDir, masterKeyFile)
	}
	if rec.AccessKey != accessKey {
		return nil, "", fmt.Errorf("the metadata database belongs to root access key %s, not %s: set TALUS_ROOT_ACCESS_KEY and TALUS_ROOT_SECRET_KEY to its credentials", rec.AccessKey, accessKey)
	}
	if !iam.CheckRootVerifier(key, rec.Verifier, accessKey, secret) {
		return nil, "", fmt.Errorf("the root secret key is not the one of root access key %s in the metadata database: set TALUS_ROOT_SECRET_KEY to its secret", accessKey)
	}
	return sealer, rec.CanonicalID, nil
}
