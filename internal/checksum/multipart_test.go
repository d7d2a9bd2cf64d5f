package checksum

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func sum(a Algorithm, p []byte) []byte {
	h := a.New()
	h.Write(p)
	return h.Sum(nil)
}

func TestCombineRandomSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	data := make([]byte, 1<<16)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		for range 300 {
			n := r.IntN(len(data) + 1)
			if r.IntN(5) == 0 {
				n = r.IntN(20) // small and empty totals are the edge cases
			}
			p := data[:n]
			cut := r.IntN(n + 1) // includes empty A and empty B
			got, err := Combine(a, sum(a, p[:cut]), sum(a, p[cut:]), int64(n-cut))
			if err != nil {
				t.Fatal(err)
			}
			if want := sum(a, p); !bytes.Equal(got, want) {
				t.Fatalf("%s: Combine at %d/%d = %x, want %x", a, cut, n, got, want)
			}
		}
	}
}

func TestFullObject(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		for range 50 {
			var whole []byte
			var sums [][]byte
			var lens []int64
			for range r.IntN(8) {
				part := make([]byte, r.IntN(5000))
				if r.IntN(4) == 0 {
					part = nil // empty parts must not disturb the result
				}
				for i := range part {
					part[i] = byte(r.Uint32())
				}
				whole = append(whole, part...)
				sums = append(sums, sum(a, part))
				lens = append(lens, int64(len(part)))
			}
			got, err := FullObject(a, sums, lens)
			if err != nil {
				t.Fatal(err)
			}
			if want := sum(a, whole); !bytes.Equal(got, want) {
				t.Fatalf("%s: FullObject of %d parts = %x, want %x", a, len(sums), got, want)
			}
		}
	}
}

// Huge lengths reach the top of the x^(2^k) table, which random splits
// never do; check that advancing by m then n equals advancing by m+n.
func TestCombineLargeLength(t *testing.T) {
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		crcA := sum(a, []byte("a"))
		zero := make([]byte, a.Size())
		m, n := int64(1)<<61, int64(1)<<61+12345
		x, _ := Combine(a, crcA, zero, m)
		x, _ = Combine(a, x, zero, n)
		y, err := Combine(a, crcA, zero, m+n)
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s: stepwise %x, direct %x, err %v", a, x, y, err)
		}
	}
}

func TestCombineErrors(t *testing.T) {
	four, eight := make([]byte, 4), make([]byte, 8)
	if _, err := Combine(SHA256, four, four, 1); !errors.Is(err, ErrUnsupported) {
		t.Errorf("SHA256: %v", err)
	}
	if _, err := Combine(CRC32, eight, four, 1); !errors.Is(err, ErrBadChecksum) {
		t.Errorf("wrong size A: %v", err)
	}
	if _, err := Combine(CRC64NVME, eight, four, 1); !errors.Is(err, ErrBadChecksum) {
		t.Errorf("wrong size B: %v", err)
	}
	if _, err := Combine(CRC32, four, four, -1); err == nil {
		t.Error("negative length accepted")
	}
	if _, err := FullObject(SHA1, nil, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("FullObject SHA1: %v", err)
	}
	if _, err := FullObject(CRC32, [][]byte{four}, nil); err == nil {
		t.Error("FullObject length mismatch accepted")
	}
	if got, err := FullObject(CRC32C, nil, nil); err != nil || !bytes.Equal(got, sum(CRC32C, nil)) {
		t.Errorf("FullObject of no parts = %x, %v", got, err)
	}
}

func TestComposite(t *testing.T) {
	parts := [][]byte{[]byte("hello "), []byte("world")}
	// Expected values computed independently with Python zlib/hashlib.
	for _, tt := range []struct {
		a    Algorithm
		want string
	}{
		{CRC32, "1Fu2mQ==-2"},
		{SHA256, "Zhie15keHg/OBlOZxcoF/BXCgYZaeimRvdZnwUZqkaQ=-2"},
	} {
		sums := [][]byte{sum(tt.a, parts[0]), sum(tt.a, parts[1])}
		got, err := Composite(tt.a, sums)
		if err != nil || got != tt.want {
			t.Errorf("Composite(%s) = %q, %v; want %q", tt.a, got, err, tt.want)
		}
	}
	if _, err := Composite(CRC32, [][]byte{make([]byte, 8)}); !errors.Is(err, ErrBadChecksum) {
		t.Errorf("wrong part size: %v", err)
	}
	if _, err := Composite("CRC16", nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unknown algorithm: %v", err)
	}
}

func TestParseWhole(t *testing.T) {
	for _, tc := range []struct {
		in    string
		sum   string // base64 of the digest; "" = error
		parts int
	}{
		{"7kxlUA==", "7kxlUA==", 0},
		{"7kxlUA==-1", "7kxlUA==", 1},
		{"7kxlUA==-10000", "7kxlUA==", 10000},
		{"7kxlUA==-a", "", 0},
		{"7kxlUA==-", "", 0},
		{"7kxlUA==-0", "", 0},
		{"7kxlUA==-+2", "", 0},
		{"7kxlUB==-1", "", 0}, // padding bits set
		{"AAAA-1", "", 0},     // 3 bytes
		{"-1", "", 0},
	} {
		b, n, err := ParseWhole(CRC32, tc.in)
		if tc.sum == "" {
			if !errors.Is(err, ErrBadChecksum) {
				t.Errorf("ParseWhole(%q) = %x %d %v, want ErrBadChecksum", tc.in, b, n, err)
			}
			continue
		}
		if err != nil || Encode(b) != tc.sum || n != tc.parts {
			t.Errorf("ParseWhole(%q) = %s %d %v, want %s %d", tc.in, Encode(b), n, err, tc.sum, tc.parts)
		}
	}
}
