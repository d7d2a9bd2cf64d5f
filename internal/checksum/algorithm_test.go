package checksum

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		in   string
		want Algorithm
		ok   bool
	}{
		{"CRC32", CRC32, true},
		{"crc32", CRC32, true},
		{"Crc32c", CRC32C, true},
		{"crc64nvme", CRC64NVME, true},
		{"sha1", SHA1, true},
		{"SHA256", SHA256, true},
		{"", "", false},
		{"MD5", "", false},
		{"CRC64", "", false},
		{"sha-256", "", false},
		{" crc32", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseAlgorithm(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseAlgorithm(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAlgorithmProperties(t *testing.T) {
	tests := []struct {
		a      Algorithm
		header string
		size   int
		crc    bool
	}{
		{CRC32, "x-amz-checksum-crc32", 4, true},
		{CRC32C, "x-amz-checksum-crc32c", 4, true},
		{CRC64NVME, "x-amz-checksum-crc64nvme", 8, true},
		{SHA1, "x-amz-checksum-sha1", 20, false},
		{SHA256, "x-amz-checksum-sha256", 32, false},
	}
	for _, tt := range tests {
		if got := tt.a.HeaderName(); got != tt.header {
			t.Errorf("%s.HeaderName() = %q, want %q", tt.a, got, tt.header)
		}
		if got := tt.a.Size(); got != tt.size {
			t.Errorf("%s.Size() = %d, want %d", tt.a, got, tt.size)
		}
		if got := tt.a.New().Size(); got != tt.size {
			t.Errorf("%s.New().Size() = %d, want %d", tt.a, got, tt.size)
		}
		if got := tt.a.IsCRC(); got != tt.crc {
			t.Errorf("%s.IsCRC() = %v, want %v", tt.a, got, tt.crc)
		}
		if !tt.a.Valid() {
			t.Errorf("%s.Valid() = false", tt.a)
		}
	}
	if Algorithm("CRC16").Valid() {
		t.Error(`Algorithm("CRC16").Valid() = true`)
	}
}

func TestNewPanicsOnUnknown(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New on unknown algorithm did not panic")
		}
	}()
	Algorithm("CRC16").New()
}

// Vectors computed independently (Python zlib/hashlib and a bitwise CRC).
func TestKnownVectors(t *testing.T) {
	tests := []struct {
		a    Algorithm
		in   string
		want string
	}{
		{CRC32, "hello world", "DUoRhQ=="},
		{CRC32C, "hello world", "yZRlqg=="},
		{CRC64NVME, "hello world", "jSnVw/bqjr4="},
		{SHA1, "hello world", "Kq5sNclPz7QV2+lfQIuc6R7oRu0="},
		{SHA256, "hello world", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="},
		{CRC32, "", "AAAAAA=="},
		{CRC32C, "", "AAAAAA=="},
		{CRC64NVME, "", "AAAAAAAAAAA="},
		{SHA256, "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
	}
	for _, tt := range tests {
		h := tt.a.New()
		h.Write([]byte(tt.in))
		if got := Encode(h.Sum(nil)); got != tt.want {
			t.Errorf("%s(%q) = %s, want %s", tt.a, tt.in, got, tt.want)
		}
	}
}

// The CRC-64/NVME catalogue check value pins down the polynomial,
// reflection, init and final XOR all at once.
func TestCRC64NVMECheckValue(t *testing.T) {
	h := CRC64NVME.New()
	h.Write([]byte("123456789"))
	if got := binary.BigEndian.Uint64(h.Sum(nil)); got != 0xae8b14860a799888 {
		t.Fatalf("CRC64NVME(123456789) = %#x, want 0xae8b14860a799888", got)
	}
}

// refCRC64NVME is a bitwise reference to cross-check the SIMD paths, which
// only kick in on longer inputs than the check value.
func refCRC64NVME(p []byte) uint64 {
	const poly = 0x9a6c9329ac4bc9b5
	c := ^uint64(0)
	for _, b := range p {
		c ^= uint64(b)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ poly
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

func TestCRC64NVMEAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 15, 16, 63, 64, 127, 128, 255, 256, 1000, 4096, 65537} {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		h := CRC64NVME.New()
		// Split the write to exercise streaming across SIMD block edges.
		h.Write(p[:n/3])
		h.Write(p[n/3:])
		if got, want := binary.BigEndian.Uint64(h.Sum(nil)), refCRC64NVME(p); got != want {
			t.Errorf("len %d: CRC64NVME = %#x, reference %#x", n, got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	b, err := CRC32.Decode("DUoRhQ==")
	if err != nil || Encode(b) != "DUoRhQ==" {
		t.Errorf("Decode valid: %x, %v", b, err)
	}
	for _, tt := range []struct {
		a   Algorithm
		in  string
		err error
	}{
		{CRC32, "DUoRhQ", ErrBadChecksum},       // unpadded
		{CRC32, "!!!!", ErrBadChecksum},         // not base64
		{CRC32, "y/Q5Jh==", ErrBadChecksum},     // padding bits set
		{CRC32, "jSnVw/bqjr4=", ErrBadChecksum}, // 8 bytes
		{CRC64NVME, "DUoRhQ==", ErrBadChecksum}, // 4 bytes
		{SHA1, "", ErrBadChecksum},              // empty
		{Algorithm("CRC16"), "DUoRhQ==", ErrUnsupported},
	} {
		if _, err := tt.a.Decode(tt.in); !errors.Is(err, tt.err) {
			t.Errorf("%s.Decode(%q) err = %v, want %v", tt.a, tt.in, err, tt.err)
		}
	}
}

// Known digests of "" and "abc" (xxHash reference vectors; digests are
// big-endian, as S3 base64-encodes them).
func TestAnnotationAlgorithmVectors(t *testing.T) {
	for _, c := range []struct {
		alg  Algorithm
		in   string
		want string
	}{
		{XXHASH64, "", "ef46db3751d8e999"},
		{XXHASH64, "abc", "44bc2cf5ad770999"},
		{XXHASH3, "", "2d06800538d394c2"},
		{XXHASH3, "abc", "78af5f94892f3950"},
		{XXHASH128, "", "99aa06d3014798d86001c324468d497f"},
		{MD5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
		{SHA512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	} {
		h := c.alg.New()
		h.Write([]byte(c.in))
		sum := h.Sum(nil)
		if got := hex.EncodeToString(sum); got != c.want {
			t.Errorf("%s(%q) = %s, want %s", c.alg, c.in, got, c.want)
		}
		if len(sum) != c.alg.Size() {
			t.Errorf("%s: Size %d, digest %d bytes", c.alg, c.alg.Size(), len(sum))
		}
		if _, err := c.alg.Decode(Encode(sum)); err != nil {
			t.Errorf("%s: Decode(Encode) = %v", c.alg, err)
		}
	}
	for _, a := range AnnotationAlgorithms[5:] {
		if _, ok := ParseAlgorithm(string(a)); ok {
			t.Errorf("objects must not take %s", a)
		}
		if got, ok := ParseAlgorithmIn(strings.ToLower(string(a)), AnnotationAlgorithms); !ok || got != a {
			t.Errorf("ParseAlgorithmIn(%s) = %s, %v", a, got, ok)
		}
	}
}
