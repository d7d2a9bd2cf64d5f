package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"sync"
)

// Object bodies are windows onto one deterministic pseudo-random pattern,
// generated once: a body of n bytes starting at offset off is
// pattern[off:off+n], read cyclically when n exceeds the pattern. Each size
// has a few variants (different offsets) so objects are not all identical,
// and each variant's SHA-256 (signed payloads) and per-chunk SHA-256s
// (streaming payloads) are computed once and reused by every request.

const (
	maxPattern = 64 << 20 // bodies larger than this repeat the pattern
	variants   = 16
	stride     = 8191 // offset between variants: odd, so they do not align
)

type pattern struct {
	buf []byte
	mu  sync.Mutex
	bys map[int64][]*body
}

// newPattern returns a pattern long enough for bodies up to maxBody bytes
// (up to maxPattern) at every variant offset.
func newPattern(seed uint64, maxBody int64) *pattern {
	n := min(maxBody, maxPattern) + variants*stride
	buf := make([]byte, (n+7)&^7)
	r := rand.New(rand.NewPCG(seed, 0x7a1c5))
	for i := 0; i < len(buf); i += 8 {
		binary.LittleEndian.PutUint64(buf[i:], r.Uint64())
	}
	return &pattern{buf: buf[:n], bys: map[int64][]*body{}}
}

// body is one object (or part) body.
type body struct {
	p   *pattern
	off int
	n   int64

	shaOnce sync.Once
	sha     string

	sumsOnce  sync.Once
	chunkSize int
	sums      [][sha256.Size]byte
}

// bodies returns the variants for size n.
func (p *pattern) bodies(n int64) []*body {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.bys[n]; ok {
		return v
	}
	v := make([]*body, variants)
	for i := range v {
		v[i] = &body{p: p, off: i * stride, n: n}
	}
	p.bys[n] = v
	return v
}

// reader returns a fresh reader of the body's bytes.
func (b *body) reader() *bodyReader { return &bodyReader{b: b} }

// bytesAt returns the longest contiguous run of the body starting at pos
// (up to max bytes).
func (b *body) bytesAt(pos int64, max int) []byte {
	buf := b.p.buf
	i := (int64(b.off) + pos) % int64(len(buf))
	end := min(int64(len(buf)), i+(b.n-pos), i+int64(max))
	return buf[i:end]
}

// sha256 returns the hex SHA-256 of the body, computed once.
func (b *body) sha256() string {
	b.shaOnce.Do(func() {
		h := sha256.New()
		for pos := int64(0); pos < b.n; {
			s := b.bytesAt(pos, 1<<30)
			h.Write(s)
			pos += int64(len(s))
		}
		b.sha = hex.EncodeToString(h.Sum(nil))
	})
	return b.sha
}

// chunkSums returns the SHA-256 of each chunkSize chunk, computed once.
func (b *body) chunkSums(chunkSize int) [][sha256.Size]byte {
	b.sumsOnce.Do(func() {
		b.chunkSize = chunkSize
		h := sha256.New()
		var sum [sha256.Size]byte
		for start := int64(0); start < b.n; start += int64(chunkSize) {
			end := min(b.n, start+int64(chunkSize))
			h.Reset()
			for pos := start; pos < end; {
				s := b.bytesAt(pos, int(end-pos))
				h.Write(s)
				pos += int64(len(s))
			}
			b.sums = append(b.sums, [sha256.Size]byte(h.Sum(sum[:0])))
		}
	})
	if b.chunkSize != chunkSize {
		panic("bench: chunk size changed")
	}
	return b.sums
}

// bodyReader reads a body without allocating: it copies from the pattern.
type bodyReader struct {
	b   *body
	pos int64
}

func (r *bodyReader) Read(p []byte) (int, error) {
	if r.pos >= r.b.n {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.pos < r.b.n {
		c := copy(p[n:], r.b.bytesAt(r.pos, len(p)-n))
		n += c
		r.pos += int64(c)
	}
	return n, nil
}

func (r *bodyReader) Close() error { return nil }
