package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"io"
	"sync/atomic"
)

// asyncQueue bounds the chunks announced to a ChunkVerifier but not yet
// checked; when it is full the reader flushes the caller's pipeline so the
// verifier catches up.
const asyncQueue = 64

// chunkJob is one data chunk for the verifier: its size and the signature
// claimed for it, chained from prev (the previous claimed signature: if
// that one is wrong, an earlier check fails).
type chunkJob struct {
	size      int64
	prev, sig string
}

// ChunkVerifier computes the SHA-256 and checks the signature of each data
// chunk of a signed aws-chunked body away from the goroutine that reads it.
// It is an io.Writer to be fed, in order and from a single goroutine, every
// byte the Reader returns; its Write never fails: the Reader reports a bad
// chunk, at the point where it would have without the verifier.
type ChunkVerifier struct {
	r     *Reader // for the signing key and scope, which do not change
	jobs  chan chunkJob
	flush func()

	checked  atomic.Int64 // chunks checked so far
	failed   atomic.Int64 // 1 + index of the first bad chunk; 0 if none
	progress chan struct{}

	cur     chunkJob
	left    int64
	sha     hash.Hash
	mac     hash.Hash
	scratch []byte
}

// SignedChunks reports whether the body is aws-chunked with a signature
// (and a SHA-256) per chunk: the hashing worth a pipeline stage.
func (r *Reader) SignedChunks() bool { return r.mode.streaming() && r.signed() }

// Async makes r leave the data chunks' SHA-256 and signature checks to the
// returned ChunkVerifier (nil, and no change, unless r reads a signed
// aws-chunked body and nothing has been read yet). Every byte Read returns
// must be written to the verifier, by any goroutine, before Read is called
// again, or be on its way: flush is called when Read needs the verifier to
// catch up and must make sure it gets everything written so far. Read
// returns a bad chunk's SignatureDoesNotMatch at the latest before io.EOF,
// in place of any later error, so the errors are those of the serial mode.
func (r *Reader) Async(flush func()) *ChunkVerifier {
	if !r.mode.streaming() || !r.signed() || r.decoded > 0 || r.state != stHeader || r.async != nil {
		return nil
	}
	r.async = &ChunkVerifier{
		r:        r,
		jobs:     make(chan chunkJob, asyncQueue),
		flush:    flush,
		progress: make(chan struct{}, 1),
		sha:      sha256.New(),
		mac:      hmac.New(sha256.New, r.a.key),
	}
	return r.async
}

// announce queues the chunk whose header Read has just parsed.
func (v *ChunkVerifier) announce(j chunkJob) {
	select {
	case v.jobs <- j:
	default:
		// Every queued chunk's data has been read: once flushed, the
		// verifier works through them and makes room.
		v.flush()
		v.jobs <- j
	}
}

// bad reports whether one of the first n chunks has a bad signature.
func (v *ChunkVerifier) bad(n int64) bool {
	f := v.failed.Load()
	return f > 0 && f <= n
}

// wait returns once the first n chunks are checked, and reports whether
// one of them is bad.
func (v *ChunkVerifier) wait(n int64) bool {
	if v.checked.Load() < n {
		v.flush()
		for v.checked.Load() < n {
			<-v.progress
		}
	}
	return v.bad(n)
}

// Write hashes chunk data and checks each chunk as its last byte arrives.
func (v *ChunkVerifier) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if v.left == 0 {
			// A chunk's header is parsed, and announced, before Read
			// returns any of its bytes.
			v.cur = <-v.jobs
			v.left = v.cur.size
			v.sha.Reset()
		}
		k := min(int64(len(p)), v.left)
		v.sha.Write(p[:k])
		p = p[k:]
		v.left -= k
		if v.left > 0 {
			continue
		}
		i := v.checked.Load()
		if v.failed.Load() == 0 && !v.check() {
			v.failed.Store(i + 1)
		}
		v.checked.Store(i + 1)
		select {
		case v.progress <- struct{}{}:
		default:
		}
	}
	return n, nil
}

func (v *ChunkVerifier) check() bool {
	var h, sum [sha256.Size]byte
	var want [64]byte
	v.scratch = appendSTSHead(v.scratch[:0], v.r.a, "AWS4-HMAC-SHA256-PAYLOAD", v.cur.prev)
	v.scratch = append(v.scratch, emptySHA256+"\n"...)
	v.scratch = hex.AppendEncode(v.scratch, v.sha.Sum(h[:0]))
	v.mac.Reset()
	v.mac.Write(v.scratch)
	hex.Encode(want[:], v.mac.Sum(sum[:0]))
	return subtle.ConstantTimeCompare(want[:], []byte(v.cur.sig)) == 1
}

var _ io.Writer = (*ChunkVerifier)(nil)
