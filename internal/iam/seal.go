package iam

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"talus/internal/meta"
)

// DataKeySize is the length of a data directory's key.
const DataKeySize = 32

// Sealer encrypts access key secrets at rest with AES-256-GCM under a key
// derived from the data directory's random key, so the root credentials can
// change without touching user secrets. The access key ID is bound in as
// additional data so sealed secrets cannot be swapped between keys.
type Sealer struct{ aead cipher.AEAD }

// ErrUnseal means a sealed secret could not be decrypted (wrong key or damage).
var ErrUnseal = errors.New("iam: cannot unseal access key secret")

// NewDataKey returns a fresh random data directory key.
func NewDataKey() []byte {
	k := make([]byte, DataKeySize)
	if _, err := rand.Read(k); err != nil {
		panic("iam: crypto/rand failed: " + err.Error())
	}
	return k
}

// NewSealer returns the sealer of a data directory key.
func NewSealer(dataKey []byte) (*Sealer, error) {
	if len(dataKey) != DataKeySize {
		return nil, fmt.Errorf("iam: data key has %d bytes, want %d", len(dataKey), DataKeySize)
	}
	return sealerFrom(dataKey, nil, "talus access key secrets v2")
}

// LegacySealer is the sealer of data directories written before secrets
// were sealed under the data key: its key derives from the root secret.
// It is used only to migrate those secrets (MigrateSecrets).
func LegacySealer(rootSecret string) (*Sealer, error) {
	return sealerFrom([]byte(rootSecret), []byte("talus iam v1"), "access key secrets")
}

func sealerFrom(secret, salt []byte, info string) (*Sealer, error) {
	key, err := hkdf.Key(sha256.New, secret, salt, info, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts secret for the access key id: nonce || ciphertext.
func (s *Sealer) Seal(id, secret string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("iam: crypto/rand failed: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, []byte(secret), []byte(id))
}

// Open decrypts a sealed secret of the access key id.
func (s *Sealer) Open(id string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", ErrUnseal
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return "", ErrUnseal
	}
	return string(plain), nil
}

// MigrateSecrets re-seals every stored secret under to, in one store
// transaction. A secret that already opens under to stays as it is (so an
// interrupted migration can run again); any other must open under from.
// If one opens under neither, nothing changes and the error names its key.
func MigrateSecrets(ctx context.Context, store meta.Identities, from, to *Sealer) error {
	return store.ResealAccessKeys(ctx, func(k meta.AccessKey) ([]byte, error) {
		if _, err := to.Open(k.ID, k.SealedSecret); err == nil {
			return k.SealedSecret, nil
		}
		secret, err := from.Open(k.ID, k.SealedSecret)
		if err != nil {
			return nil, fmt.Errorf("access key %s of user %s: %w", k.ID, k.User, err)
		}
		return to.Seal(k.ID, secret), nil
	})
}

// RootVerifier returns a verifier of a root key pair: an HMAC under a key
// derived from the data key, so the data directory can recognise its root
// credentials without storing the secret.
func RootVerifier(dataKey []byte, accessKey, secret string) string {
	key, err := hkdf.Key(sha256.New, dataKey, nil, "talus root credential verifier v1", 32)
	if err != nil {
		panic("iam: hkdf: " + err.Error())
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(accessKey))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckRootVerifier reports whether verifier is RootVerifier's for the pair.
func CheckRootVerifier(dataKey []byte, verifier, accessKey, secret string) bool {
	return hmac.Equal([]byte(verifier), []byte(RootVerifier(dataKey, accessKey, secret)))
}
