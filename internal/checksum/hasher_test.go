package checksum

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"testing"
)

func TestHasher(t *testing.T) {
	data := make([]byte, 1<<20+13)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	h := NewHasher(true, true, Algorithms...)
	// io.Copy with an odd buffer size so writes arrive in uneven pieces.
	if _, err := io.CopyBuffer(h, bytes.NewReader(data), make([]byte, 4093)); err != nil {
		t.Fatal(err)
	}
	if h.Len() != int64(len(data)) {
		t.Errorf("Len = %d, want %d", h.Len(), len(data))
	}
	wantMD5 := md5.Sum(data)
	if !bytes.Equal(h.MD5(), wantMD5[:]) {
		t.Error("MD5 mismatch")
	}
	wantSHA := sha256.Sum256(data)
	if !bytes.Equal(h.SHA256(), wantSHA[:]) {
		t.Error("SHA256() mismatch")
	}
	for _, a := range Algorithms {
		x := a.New()
		x.Write(data)
		want := x.Sum(nil)
		if !bytes.Equal(h.Sum(a), want) {
			t.Errorf("Sum(%s) mismatch", a)
		}
		if got := h.Base64(a); got != Encode(want) {
			t.Errorf("Base64(%s) = %s, want %s", a, got, Encode(want))
		}
	}
	// Sum must not disturb state: calling twice gives the same answer.
	if !bytes.Equal(h.Sum(CRC32), h.Sum(CRC32)) {
		t.Error("Sum is not idempotent")
	}

	h.Reset()
	h.Write([]byte("hello world"))
	if got := h.Base64(CRC32); got != "DUoRhQ==" || h.Len() != 11 {
		t.Errorf("after Reset: CRC32 = %s, Len = %d", got, h.Len())
	}
}

func TestHasherSelection(t *testing.T) {
	h := NewHasher(false, false, CRC32C, CRC32C)
	h.Write([]byte("hello world"))
	if h.MD5() != nil || h.SHA256() != nil || h.Sum(CRC32) != nil || h.Base64(SHA1) != "" {
		t.Error("disabled digests must be nil/empty")
	}
	if got := h.Base64(CRC32C); got != "yZRlqg==" {
		t.Errorf("CRC32C = %s", got)
	}
	if len(h.all) != 1 {
		t.Errorf("duplicate algorithm hashed %d times", len(h.all))
	}

	// SHA256 via the flag and via the algorithm share one hash.
	h = NewHasher(false, true, SHA256)
	h.Write([]byte("hello world"))
	if len(h.all) != 1 {
		t.Errorf("SHA256 hashed %d times", len(h.all))
	}
	if h.Base64(SHA256) != "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=" || !bytes.Equal(h.SHA256(), h.Sum(SHA256)) {
		t.Error("shared SHA256 mismatch")
	}
	// SHA256 requested only as an algorithm still answers SHA256().
	h = NewHasher(false, false, SHA256)
	if h.SHA256() == nil {
		t.Error("SHA256() nil when SHA256 algorithm enabled")
	}
}

func BenchmarkHasher(b *testing.B) {
	data := make([]byte, 16<<20)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	const chunk = 1 << 20 // a realistic read size for a streamed body
	for _, bc := range []struct {
		name        string
		md5, sha256 bool
		algs        []Algorithm
	}{
		{"MD5", true, false, nil},
		{"MD5+CRC32", true, false, []Algorithm{CRC32}},
		{"MD5+CRC32C", true, false, []Algorithm{CRC32C}},
		{"MD5+SHA256+CRC64NVME", true, true, []Algorithm{CRC64NVME}},
		{"CRC64NVME", false, false, []Algorithm{CRC64NVME}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				h := NewHasher(bc.md5, bc.sha256, bc.algs...)
				for off := 0; off < len(data); off += chunk {
					h.Write(data[off : off+chunk])
				}
				_ = h.MD5()
			}
		})
	}
}
