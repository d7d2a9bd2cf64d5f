package checksum

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/minio/crc64nvme"
	"github.com/zeebo/xxh3"
)

// Algorithm is an S3 checksum algorithm, spelled as on the wire
// (x-amz-checksum-algorithm, x-amz-sdk-checksum-algorithm).
type Algorithm string

const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
	// Annotation-only algorithms (2026-06): S3 takes these on
	// PutObjectAnnotation, not on objects.
	SHA512    Algorithm = "SHA512"
	MD5       Algorithm = "MD5"
	XXHASH64  Algorithm = "XXHASH64"
	XXHASH3   Algorithm = "XXHASH3"
	XXHASH128 Algorithm = "XXHASH128"
)

// Algorithms lists every algorithm objects and parts take.
var Algorithms = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}

// AnnotationAlgorithms lists every algorithm object annotations take.
var AnnotationAlgorithms = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128}

// ErrUnsupported is returned for an algorithm this package does not know,
// or one that cannot do what was asked (e.g. combining SHA digests).
var ErrUnsupported = errors.New("checksum: unsupported algorithm")

// ErrBadChecksum is returned for a checksum whose encoding or length does
// not fit its algorithm.
var ErrBadChecksum = errors.New("checksum: malformed checksum")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ParseAlgorithm maps a wire name to an Algorithm, ignoring case because
// SDKs disagree on it.
func ParseAlgorithm(s string) (Algorithm, bool) { return ParseAlgorithmIn(s, Algorithms) }

// ParseAlgorithmIn is ParseAlgorithm over the set algs.
func ParseAlgorithmIn(s string, algs []Algorithm) (Algorithm, bool) {
	for _, a := range algs {
		if strings.EqualFold(s, string(a)) {
			return a, true
		}
	}
	return "", false
}

// Valid reports whether a is a supported algorithm.
func (a Algorithm) Valid() bool { return a.Size() != 0 }

// HeaderName is the header carrying a's value, e.g. "x-amz-checksum-crc32".
func (a Algorithm) HeaderName() string {
	return "x-amz-checksum-" + strings.ToLower(string(a))
}

// Size is the digest length in bytes, or 0 for an unknown algorithm.
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return crc32.Size
	case CRC64NVME:
		return crc64nvme.Size
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case SHA512:
		return sha512.Size
	case MD5:
		return md5.Size
	case XXHASH64, XXHASH3:
		return 8
	case XXHASH128:
		return 16
	}
	return 0
}

// IsCRC reports whether a is a CRC and so supports FULL_OBJECT multipart
// checksums via Combine.
func (a Algorithm) IsCRC() bool { return a == CRC32 || a == CRC32C || a == CRC64NVME }

// New returns a fresh hash for a. It panics on an unknown algorithm; use
// ParseAlgorithm or Valid on untrusted input first.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoli)
	case CRC64NVME:
		return crc64nvme.New()
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	case SHA512:
		return sha512.New()
	case MD5:
		return md5.New()
	case XXHASH64:
		return xxhash.New()
	case XXHASH3:
		return xxh3.New()
	case XXHASH128:
		return xxh3.New128()
	}
	panic(fmt.Sprintf("checksum: New on unsupported algorithm %q", string(a)))
}

// Encode renders a digest as it appears in headers and XML.
func Encode(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// Decode parses a header value for a, checking the digest length so a
// truncated or foreign value is rejected before comparison. Decoding is
// strict, as S3's: a value whose padding bits are not zero is not the
// encoding of any digest and is refused, not compared.
func (a Algorithm) Decode(s string) ([]byte, error) {
	n := a.Size()
	if n == 0 {
		return nil, fmt.Errorf("%w: %q", ErrUnsupported, string(a))
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != n {
		return nil, fmt.Errorf("%w: %s value %q", ErrBadChecksum, a, s)
	}
	return b, nil
}
