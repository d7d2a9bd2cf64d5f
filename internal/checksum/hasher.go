package checksum

import (
	"crypto/md5"
	"hash"
)

// Hasher feeds every enabled digest from a single Write, so a request body
// is read once however many checksums it needs. It is not safe for
// concurrent use.
type Hasher struct {
	md5    hash.Hash
	sha256 hash.Hash // shared by the SHA256 flag and the SHA256 algorithm
	algs   []Algorithm
	hashes []hash.Hash // parallel to algs
	all    []hash.Hash // every distinct hash, in write order
	n      int64
}

// NewHasher returns a Hasher computing MD5 if md5 is set, SHA-256 if sha256
// is set (e.g. for SigV4 payload verification), and each of algs.
// Duplicates, and SHA256 asked for both ways, are hashed once. It panics on
// an unsupported algorithm.
func NewHasher(md5 bool, sha256 bool, algs ...Algorithm) *Hasher {
	h := &Hasher{}
	if md5 {
		h.md5 = newMD5()
		h.all = append(h.all, h.md5)
	}
	if sha256 {
		h.sha256 = SHA256.New()
		h.all = append(h.all, h.sha256)
	}
	for _, a := range algs {
		if h.hash(a) != nil {
			continue
		}
		var x hash.Hash
		if a == SHA256 && h.sha256 != nil {
			x = h.sha256
		} else {
			x = a.New()
			h.all = append(h.all, x)
			if a == SHA256 {
				h.sha256 = x
			}
		}
		h.algs = append(h.algs, a)
		h.hashes = append(h.hashes, x)
	}
	return h
}

// newMD5 exists because NewHasher's md5 parameter shadows the package.
func newMD5() hash.Hash { return md5.New() }

// Write feeds p to every enabled hash. It never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	for _, x := range h.all {
		x.Write(p)
	}
	h.n += int64(len(p))
	return len(p), nil
}

// Len is the number of bytes written since creation or Reset.
func (h *Hasher) Len() int64 { return h.n }

// Reset clears all digests for reuse.
func (h *Hasher) Reset() {
	for _, x := range h.all {
		x.Reset()
	}
	h.n = 0
}

func (h *Hasher) hash(a Algorithm) hash.Hash {
	for i, x := range h.algs {
		if x == a {
			return h.hashes[i]
		}
	}
	return nil
}

// Sum returns the digest for a, or nil if a was not enabled.
func (h *Hasher) Sum(a Algorithm) []byte {
	if x := h.hash(a); x != nil {
		return x.Sum(nil)
	}
	return nil
}

// Base64 returns the wire form of Sum(a), or "" if a was not enabled.
func (h *Hasher) Base64(a Algorithm) string {
	if x := h.hash(a); x != nil {
		return Encode(x.Sum(nil))
	}
	return ""
}

// MD5 returns the MD5 digest, or nil if it was not enabled.
func (h *Hasher) MD5() []byte {
	if h.md5 == nil {
		return nil
	}
	return h.md5.Sum(nil)
}

// SHA256 returns the SHA-256 digest, or nil if neither the sha256 flag nor
// the SHA256 algorithm was enabled.
func (h *Hasher) SHA256() []byte {
	if h.sha256 == nil {
		return nil
	}
	return h.sha256.Sum(nil)
}
