// Package crypt is the at-rest format of encrypted object data: a stream
// of fixed-size plaintext segments, each sealed with AES-256-GCM under a
// per-stream key, with nonces that bind the segment's index and whether it
// is the last one (the STREAM construction). Streams are encrypted and
// decrypted through a bounded pipeline; a ranged read decrypts only the
// segments it needs.
//
// It knows nothing of S3, keys services or metadata: callers hand it a
// 32-byte data key and a stream identity. It must not import internal/meta
// or internal/s3api.
package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	// SegmentSize is the plaintext size of every segment but the last.
	SegmentSize = 64 << 10
	// Overhead is the GCM tag added to every segment.
	Overhead = 16
	// KeySize is the size of a data key.
	KeySize = 32

	sealedSegment = SegmentSize + Overhead
	prefixSize    = 7
	streamInfo    = "talus sse v1 stream "
)

// ErrAuth is returned when sealed data fails authentication: it was
// tampered with, truncated, reordered, moved from another stream, or is
// opened under the wrong key.
var ErrAuth = errors.New("crypt: message authentication failed")

// NewKey returns a fresh random data key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("crypt: crypto/rand failed: " + err.Error())
	}
	return k
}

// Segments returns the number of segments of a size-byte plaintext. An
// empty plaintext is one empty segment, so that truncating a stream to
// nothing is detected.
func Segments(size int64) int64 {
	if size <= 0 {
		return 1
	}
	return (size + SegmentSize - 1) / SegmentSize
}

// SealedSize is the stored size of a size-byte plaintext.
func SealedSize(size int64) int64 { return size + Segments(size)*Overhead }

// CipherRange returns the stored byte range [off, off+n) of the segments
// that hold plaintext bytes [poff, poff+pn) of a size-byte plaintext, and
// the index of the first of them.
func CipherRange(size, poff, pn int64) (first, off, n int64) {
	if size == 0 {
		return 0, 0, SealedSize(0) // the empty segment is still read and checked
	}
	if pn <= 0 || poff >= size {
		return 0, 0, 0
	}
	first = poff / SegmentSize
	last := (poff + pn - 1) / SegmentSize
	off = first * sealedSegment
	end := min((last+1)*sealedSegment, SealedSize(size))
	return first, off, end - off
}

// Stream seals and opens the segments of one stream: one object's data,
// or one part of a multipart object.
type Stream struct {
	aead   cipher.AEAD
	prefix [prefixSize]byte
}

// NewStream derives the stream's AES-256 key and nonce prefix from the
// data key and the stream's identity with HKDF-SHA256. Streams with
// different identities under one data key (the parts of an upload) cannot
// be swapped for each other.
func NewStream(dataKey []byte, identity string) (*Stream, error) {
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("crypt: data key is %d bytes, want %d", len(dataKey), KeySize)
	}
	okm, err := hkdf.Key(sha256.New, dataKey, nil /* salt */, streamInfo+identity, KeySize+prefixSize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(okm[:KeySize])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s := &Stream{aead: aead}
	copy(s.prefix[:], okm[KeySize:])
	return s, nil
}

// nonce is prefix ‖ index (32-bit big endian) ‖ last flag.
func (s *Stream) nonce(dst *[12]byte, index int64, last bool) error {
	if index < 0 || index > 0xFFFFFFFF {
		return errors.New("crypt: stream too long")
	}
	copy(dst[:prefixSize], s.prefix[:])
	binary.BigEndian.PutUint32(dst[prefixSize:], uint32(index))
	dst[11] = 0
	if last {
		dst[11] = 1
	}
	return nil
}

// sealSegment appends the sealed segment to dst.
func (s *Stream) sealSegment(dst, plain []byte, index int64, last bool) ([]byte, error) {
	var n [12]byte
	if err := s.nonce(&n, index, last); err != nil {
		return nil, err
	}
	return s.aead.Seal(dst, n[:], plain, nil), nil
}

// openSegment appends the opened segment to dst.
func (s *Stream) openSegment(dst, sealed []byte, index int64, last bool) ([]byte, error) {
	var n [12]byte
	if err := s.nonce(&n, index, last); err != nil {
		return nil, err
	}
	out, err := s.aead.Open(dst, n[:], sealed, nil)
	if err != nil {
		return nil, ErrAuth
	}
	return out, nil
}

// Seal returns the stored form of plain, for data kept in memory (objects
// stored inside the metadata row).
func (s *Stream) Seal(plain []byte) ([]byte, error) {
	size := int64(len(plain))
	segs := Segments(size)
	out := make([]byte, 0, SealedSize(size))
	for i := int64(0); i < segs; i++ {
		lo := i * SegmentSize
		hi := min(lo+SegmentSize, size)
		var err error
		if out, err = s.sealSegment(out, plain[lo:hi], i, i == segs-1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Open returns plaintext bytes [off, off+n) of sealed, the stored form of
// a size-byte plaintext. Any damage is ErrAuth.
func (s *Stream) Open(sealed []byte, size, off, n int64) ([]byte, error) {
	if int64(len(sealed)) != SealedSize(size) {
		return nil, ErrAuth
	}
	if n <= 0 {
		if size == 0 {
			// Still authenticate the empty stream.
			if _, err := s.openSegment(nil, sealed, 0, true); err != nil {
				return nil, err
			}
		}
		return []byte{}, nil
	}
	first, coff, cn := CipherRange(size, off, n)
	// Room for exactly the plaintext of the segments opened.
	plain := make([]byte, 0, cn-(cn+sealedSegment-1)/sealedSegment*Overhead)
	segs := Segments(size)
	buf := sealed[coff : coff+cn]
	for i := first; len(buf) > 0; i++ {
		take := min(int64(len(buf)), sealedSegment)
		var err error
		if plain, err = s.openSegment(plain, buf[:take], i, i == segs-1); err != nil {
			return nil, err
		}
		buf = buf[take:]
	}
	skip := off - first*SegmentSize
	return plain[skip : skip+n], nil
}
