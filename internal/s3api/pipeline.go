package s3api

import (
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"talus/internal/checksum"
)

// pipelineMin is the smallest body hashed in a pipeline: below it the
// pipeline's goroutines and buffers cost more than they save.
const pipelineMin = checksum.BlockSize

// pipelines counts the bodies being hashed in a pipeline. Once there are
// as many as cores less one, a new body takes the serial path: the cores are
// busy with requests anyway, and the pipeline's copy and hand-offs would
// only add cost.
var pipelines atomic.Int32

// startPipeline moves the payload's hashing (MD5, the requested checksum
// and, for signed aws-chunked bodies, the chunk signatures) off the
// reading goroutine when the body is large enough and there is more than
// one core to spare for it. stopPipeline must be called once the body is done
// with.
func (p *payload) startPipeline() {
	if p.par != nil || p.size < pipelineMin {
		return
	}
	// MD5 alone (or with a CRC, which costs a tenth of it) gains nothing
	// from another goroutine: the copy into the ring and the hand-offs cost
	// what they save (unsigned 16 MiB PUT, one client: 0.93x). Chunk
	// signatures (SHA-256 per chunk) and SHA checksums make it pay (1.48x).
	chunked := p.sig != nil && p.sig.SignedChunks()
	if !chunked && p.alg != checksum.SHA1 && p.alg != checksum.SHA256 {
		return
	}
	if pipelines.Add(1) > int32(runtime.GOMAXPROCS(0)-1) {
		pipelines.Add(-1)
		return
	}
	var extra []io.Writer
	var flush func()
	if p.sig != nil {
		if v := p.sig.Async(func() { flush() }); v != nil {
			extra = append(extra, v)
		}
	}
	p.par = p.hasher.Parallel(extra...)
	flush = p.par.Flush
}

// stopPipeline abandons whatever the pipeline has not hashed yet (a no-op
// once verify has run). A Read may still be running on another goroutine
// (the encrypter's, when the blob write failed): then that Read stops the
// pipeline as it returns, and later Reads fail.
func (p *payload) stopPipeline() {
	if p.par == nil {
		return
	}
	defer pipelines.Add(-1)
	p.pmu.Lock()
	p.abandoned = true
	reading := p.reading
	p.pmu.Unlock()
	if !reading {
		p.par.Stop()
	}
}

// pipelineEnter and pipelineLeave bracket a Read in pipeline mode.
func (p *payload) pipelineEnter() bool {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	p.reading = !p.abandoned
	return p.reading
}

func (p *payload) pipelineLeave() {
	p.pmu.Lock()
	p.reading = false
	abandoned := p.abandoned
	p.pmu.Unlock()
	if abandoned {
		p.par.Stop()
	}
}

// pipelineRead is Read's tail in pipeline mode: the bytes b just read go
// to the stages (the chunk verifier's verdict comes back through p.sig).
func (p *payload) pipelineRead(b []byte, err error) (int, error) {
	if len(b) > 0 {
		if _, werr := p.par.Write(b); werr != nil {
			p.err = werr
			return 0, werr
		}
	}
	if err != nil && err != io.EOF {
		p.err = err
	}
	return len(b), err
}

// pipelineState is the payload's guard for stopPipeline.
type pipelineState struct {
	pmu       sync.Mutex
	reading   bool
	abandoned bool
}

var errAbandoned = errors.New("s3api: read from an abandoned body")
