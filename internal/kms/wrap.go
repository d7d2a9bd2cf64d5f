package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"sort"
)

// A wrapped blob (what Encrypt and GenerateDataKey return, CiphertextBlob
// in the KMS API) names its key and carries everything Decrypt needs:
//
//	byte 0           format version (blobVersion)
//	byte 1           n, the length of the key ID
//	bytes 2..2+n     the key ID
//	next 24 bytes    nonce
//	rest             AES-256-GCM ciphertext and tag
//
// Each blob is sealed under its own key, HMAC-SHA256(key material, label ||
// nonce[:12]), with GCM nonce nonce[12:], so one key can wrap any number of
// data keys without the birthday bound of random 96-bit GCM nonces. The
// additional data is the header (version, key ID, nonce) followed by the
// canonical encryption context, so a blob opens only with the same context.
const (
	blobVersion = 1
	nonceSize   = 24
	wrapLabel   = "talus kms wrap v1"
	tagSize     = 16
)

// canonicalContext encodes an encryption context as its pairs in byte order
// of keys, each key and value prefixed by its length.
func canonicalContext(dst []byte, ec map[string]string) []byte {
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = append(dst, k...)
		dst = binary.AppendUvarint(dst, uint64(len(ec[k])))
		dst = append(dst, ec[k]...)
	}
	return dst
}

func blobAEAD(material, nonce []byte) cipher.AEAD {
	m := hmac.New(sha256.New, material)
	m.Write([]byte(wrapLabel))
	m.Write(nonce[:12])
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// wrap seals plain under the key (id, material) bound to ec.
func wrap(id string, material, plain []byte, ec map[string]string) []byte {
	hdr := 2 + len(id) + nonceSize
	out := make([]byte, hdr, hdr+len(plain)+tagSize)
	out[0], out[1] = blobVersion, byte(len(id))
	copy(out[2:], id)
	nonce := out[2+len(id) : hdr]
	if _, err := rand.Read(nonce); err != nil {
		panic("kms: crypto/rand failed: " + err.Error())
	}
	aad := canonicalContext(append([]byte(nil), out...), ec)
	return blobAEAD(material, nonce).Seal(out, nonce[12:], plain, aad)
}

// BlobKeyID returns the key ID a wrapped blob names, or false if it is not
// a blob of this service.
func BlobKeyID(blob []byte) (string, bool) { return blobKeyID(blob) }

func blobKeyID(blob []byte) (string, bool) {
	if len(blob) < 2 || blob[0] != blobVersion || blob[1] == 0 || len(blob) < 2+int(blob[1])+nonceSize+tagSize {
		return "", false
	}
	return string(blob[2 : 2+int(blob[1])]), true
}

// unwrap opens a blob of the key material bound to ec.
func unwrap(material, blob []byte, ec map[string]string) ([]byte, bool) {
	if _, ok := blobKeyID(blob); !ok {
		return nil, false
	}
	hdr := 2 + int(blob[1]) + nonceSize
	nonce := blob[hdr-nonceSize : hdr]
	aad := canonicalContext(append([]byte(nil), blob[:hdr]...), ec)
	plain, err := blobAEAD(material, nonce).Open(nil, nonce[12:], blob[hdr:], aad)
	return plain, err == nil
}
