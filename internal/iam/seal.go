package iam

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Sealer encrypts access key secrets at rest with AES-256-GCM. The key is
// derived from the root secret key, so a copy of the data directory alone
// does not reveal user secrets unless the root secret is stored there too
// (the generated-credentials default); the access key ID is bound in as
// additional data so sealed secrets cannot be swapped between keys.
type Sealer struct{ aead cipher.AEAD }

// ErrUnseal means a sealed secret could not be decrypted (wrong root secret or damage).
var ErrUnseal = errors.New("iam: cannot unseal access key secret")

// NewSealer derives the sealing key from the root secret key.
func NewSealer(rootSecret string) (*Sealer, error) {
	key, err := hkdf.Key(sha256.New, []byte(rootSecret), []byte("talus iam v1"), "access key secrets", 32)
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
