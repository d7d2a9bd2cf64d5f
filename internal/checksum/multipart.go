package checksum

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/minio/crc64nvme"
)

// Composite returns the COMPOSITE multipart checksum: the checksum of the
// concatenated binary part checksums, base64-encoded, then "-" and the part
// count.
func Composite(alg Algorithm, partSums [][]byte) (string, error) {
	n := alg.Size()
	if n == 0 {
		return "", fmt.Errorf("%w: %q", ErrUnsupported, string(alg))
	}
	h := alg.New()
	for i, s := range partSums {
		if len(s) != n {
			return "", fmt.Errorf("%w: part %d has %d bytes, %s needs %d", ErrBadChecksum, i+1, len(s), alg, n)
		}
		h.Write(s)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(partSums)), nil
}

// ParseWhole reads the whole-object checksum a CompleteMultipartUpload
// names in its x-amz-checksum-* header: the base64 digest, optionally
// followed by "-" and a part count, as COMPOSITE values are written. It
// returns the digest and the count (0 when absent). A value that is not a
// well-formed digest of alg, or whose count is not a positive decimal
// number, is ErrBadChecksum.
func ParseWhole(alg Algorithm, v string) (sum []byte, parts int, err error) {
	digest := v
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		n, perr := strconv.Atoi(v[i+1:])
		if perr != nil || n < 1 || v[i+1] == '+' {
			return nil, 0, fmt.Errorf("%w: %s value %q", ErrBadChecksum, alg, v)
		}
		digest, parts = v[:i], n
	}
	sum, err = alg.Decode(digest)
	if err != nil {
		return nil, 0, err
	}
	return sum, parts, nil
}

// FullObject returns the FULL_OBJECT checksum of the parts' concatenation
// from their CRCs and lengths, without rereading data. Only CRCs support it.
func FullObject(alg Algorithm, partSums [][]byte, partLens []int64) ([]byte, error) {
	if len(partSums) != len(partLens) {
		return nil, fmt.Errorf("checksum: %d part checksums but %d lengths", len(partSums), len(partLens))
	}
	if !alg.IsCRC() {
		return nil, fmt.Errorf("%w: FULL_OBJECT needs a CRC, not %q", ErrUnsupported, string(alg))
	}
	acc := make([]byte, alg.Size()) // CRC of no bytes is 0 for all three
	for i := range partSums {
		var err error
		if acc, err = Combine(alg, acc, partSums[i], partLens[i]); err != nil {
			return nil, fmt.Errorf("part %d: %w", i+1, err)
		}
	}
	return acc, nil
}

// Combine returns CRC(A||B) given CRC(A), CRC(B) and len(B), as zlib's
// crc32_combine does: CRC(A) is advanced over lenB zero bytes by
// multiplying with x^(8*lenB) mod P, then XORed with CRC(B). This holds
// for reflected CRCs whose init and final XOR are equal, which all three
// S3 CRCs are.
func Combine(alg Algorithm, crcA []byte, crcB []byte, lenB int64) ([]byte, error) {
	var c *crcSpec
	switch alg {
	case CRC32:
		c = &crc32Spec
	case CRC32C:
		c = &crc32cSpec
	case CRC64NVME:
		c = &crc64nvmeSpec
	default:
		return nil, fmt.Errorf("%w: cannot combine %q", ErrUnsupported, string(alg))
	}
	if len(crcA) != c.bytes || len(crcB) != c.bytes {
		return nil, fmt.Errorf("%w: %s checksums must be %d bytes", ErrBadChecksum, alg, c.bytes)
	}
	if lenB < 0 {
		return nil, fmt.Errorf("checksum: negative length %d", lenB)
	}
	a, b := c.get(crcA), c.get(crcB)
	out := make([]byte, c.bytes)
	c.put(out, c.multmodp(c.x2nmodp(lenB, 3), a)^b)
	return out, nil
}

// crcSpec holds a reflected CRC polynomial and its table of x^(2^k) mod P.
// Values are bit-reflected, so x^0 is the top bit of the width.
type crcSpec struct {
	bytes int
	poly  uint64 // reflected
	x2n   [67]uint64
}

var (
	crc32Spec     = newCRCSpec(4, 0xedb88320)
	crc32cSpec    = newCRCSpec(4, 0x82f63b78)
	crc64nvmeSpec = newCRCSpec(8, crc64nvme.NVME)
)

func newCRCSpec(bytes int, poly uint64) crcSpec {
	c := crcSpec{bytes: bytes, poly: poly}
	// x^(2^k) for every k x2nmodp can reach with a non-negative int64 byte
	// count starting at k=3 (bits, not bytes), so no wrap-around is needed.
	c.x2n[0] = c.one() >> 1 // x^1
	for k := 1; k < len(c.x2n); k++ {
		c.x2n[k] = c.multmodp(c.x2n[k-1], c.x2n[k-1])
	}
	return c
}

func (c *crcSpec) one() uint64 { return 1 << (8*c.bytes - 1) }

// multmodp returns a*b mod P.
func (c *crcSpec) multmodp(a, b uint64) uint64 {
	var p uint64
	if a == 0 {
		return 0 // the loop below only stops on a set bit
	}
	for m := c.one(); ; m >>= 1 {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
}

// x2nmodp returns x^(n*2^k) mod P.
func (c *crcSpec) x2nmodp(n int64, k int) uint64 {
	p := c.one()
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = c.multmodp(c.x2n[k], p)
		}
		k++
	}
	return p
}

func (c *crcSpec) get(b []byte) uint64 {
	if c.bytes == 4 {
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

func (c *crcSpec) put(b []byte, v uint64) {
	if c.bytes == 4 {
		binary.BigEndian.PutUint32(b, uint32(v))
		return
	}
	binary.BigEndian.PutUint64(b, v)
}
