package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
)

const (
	wrapInfo = "talus sse v1 customer key wrap"
	tagInfo  = "talus sse v1 customer key check"
)

// WrapKey seals a data key under a customer-provided 256-bit key (SSE-C):
// AES-256-GCM under a key derived from it, with a random nonce, bound to
// aad. The result is nonce ‖ ciphertext ‖ tag.
func WrapKey(customerKey, dataKey, aad []byte) ([]byte, error) {
	aead, err := wrapAEAD(customerKey)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(dataKey)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, dataKey, aad), nil
}

// UnwrapKey opens what WrapKey sealed; ErrAuth for the wrong key or aad.
func UnwrapKey(customerKey, wrapped, aad []byte) ([]byte, error) {
	aead, err := wrapAEAD(customerKey)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrAuth
	}
	ns := aead.NonceSize()
	k, err := aead.Open(nil, wrapped[:ns], wrapped[ns:], aad)
	if err != nil || len(k) != KeySize {
		return nil, ErrAuth
	}
	return k, nil
}

func wrapAEAD(customerKey []byte) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, customerKey, nil /* salt */, wrapInfo, KeySize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// NewSalt returns a random salt for KeyTag.
func NewSalt() []byte {
	s := make([]byte, 16)
	if _, err := rand.Read(s); err != nil {
		panic("crypt: crypto/rand failed: " + err.Error())
	}
	return s
}

// KeyTag is the salted HMAC-SHA256 of a customer key kept to recognise
// the key on later requests; the key itself is never stored.
func KeyTag(salt, customerKey []byte) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(tagInfo))
	m.Write(customerKey)
	return m.Sum(nil)
}

// KeyMatches reports, in constant time, whether customerKey has tag.
func KeyMatches(salt, tag, customerKey []byte) bool {
	return subtle.ConstantTimeCompare(KeyTag(salt, customerKey), tag) == 1
}
