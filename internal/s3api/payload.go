package s3api

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"

	"talus/internal/checksum"
	"talus/internal/s3err"
	"talus/internal/sigv4"
)

// payload is a request body read through signature verification and one
// pass of hashing (MD5 plus the requested checksum).
type payload struct {
	// class is the storage class the data is written for: it picks the tier.
	class  string
	src    io.Reader
	sig    *sigv4.Reader // the request body reader; nil for copies
	hasher *checksum.Hasher
	// par, when set, runs the hasher's digests (and chunk signature
	// checks) in a pipeline; see pipeline.go.
	par *checksum.Parallel
	pipelineState
	size    int64              // declared decoded length, -1 if unknown
	md5     []byte             // Content-MD5 sent by the client
	alg     checksum.Algorithm // requested checksum; "" when none
	want    []byte             // checksum value from a header
	trailer bool               // checksum value arrives in a trailer
	// computeOnly: the checksum is computed for storage, nothing to compare.
	computeOnly bool
	err         error
	// algs are the checksum algorithms the body may carry (objects' set
	// unless the operation takes more).
	algs []checksum.Algorithm
}

// Read implements io.Reader over the decoded body, remembering a read
// failure for verify.
func (p *payload) Read(b []byte) (int, error) {
	if p.par != nil {
		if !p.pipelineEnter() {
			return 0, errAbandoned
		}
		defer p.pipelineLeave()
		n, err := p.src.Read(b)
		return p.pipelineRead(b[:n], err)
	}
	n, err := p.src.Read(b)
	if n > 0 {
		p.hasher.Write(b[:n])
	}
	if err != nil && err != io.EOF {
		p.err = err
	}
	return n, err
}

// openPayload sets up reading req's body. It validates the integrity
// headers (Content-MD5, x-amz-checksum-*, x-amz-trailer) before any byte is read.
func (a *API) openPayload(req *request) (*payload, error) {
	return a.openPayloadWith(req, true)
}

// openPayloadWith is openPayload; with headerSums false, x-amz-checksum-*
// headers are left alone because they describe something other than the
// body (CompleteMultipartUpload's whole-object checksum).
func (a *API) openPayloadWith(req *request, headerSums bool) (*payload, error) {
	return a.openPayloadIn(req, headerSums, checksum.Algorithms)
}

// openPayloadIn is openPayloadWith taking checksums of the algorithms algs.
func (a *API) openPayloadIn(req *request, headerSums bool, algs []checksum.Algorithm) (*payload, error) {
	p := &payload{size: req.ContentLength, algs: algs}
	h := req.Header
	switch req.auth.Payload {
	case sigv4.PayloadStreamingSigned, sigv4.PayloadStreamingSignedTrailer, sigv4.PayloadStreamingUnsignedTrailer:
		v := h.Get("x-amz-decoded-content-length")
		n, err := strconv.ParseInt(v, 10, 64)
		if v == "" || err != nil || n < 0 {
			return nil, s3err.New(s3err.MissingContentLength)
		}
		p.size = n
	}
	if v, ok := h["Content-Md5"]; ok {
		sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v[0]))
		if err != nil || len(sum) != 16 {
			return nil, s3err.New(s3err.InvalidDigest)
		}
		p.md5 = sum
	}
	if headerSums {
		if err := p.parseChecksum(h); err != nil {
			return nil, err
		}
	}
	if p.trailer && req.auth.Payload != sigv4.PayloadStreamingSignedTrailer && req.auth.Payload != sigv4.PayloadStreamingUnsignedTrailer {
		return nil, s3err.Newf(s3err.InvalidRequest, "The x-amz-trailer header requires a streaming trailer payload.")
	}
	p.sig = req.auth.Body(req.Body, p.size)
	p.src = p.sig
	p.hasher = newHasher(p.alg)
	return p, nil
}

// newHasher hashes MD5 plus alg, if any.
func newHasher(alg checksum.Algorithm) *checksum.Hasher {
	if alg == "" {
		return checksum.NewHasher(true /* md5 */, false /* sha256 */)
	}
	return checksum.NewHasher(true /* md5 */, false /* sha256 */, alg)
}

// copyPayload hashes data read from a stored object (CopyObject, UploadPartCopy).
func copyPayload(r io.Reader, size int64, alg checksum.Algorithm) *payload {
	return &payload{src: r, size: size, alg: alg, hasher: newHasher(alg)}
}

// expect sets the checksum algorithm a payload must compute (a multipart
// upload's algorithm). A client checksum of another algorithm is an error.
func (p *payload) expect(alg checksum.Algorithm) error {
	if alg == "" || p.alg == alg {
		return nil
	}
	if p.alg != "" {
		return s3err.Newf(s3err.InvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(string(alg)), strings.ToLower(string(p.alg)))
	}
	p.alg = alg
	p.computeOnly = true
	p.hasher = newHasher(alg)
	return nil
}

// parseChecksum reads the requested additional checksum, if any.
func (p *payload) parseChecksum(h http.Header) error {
	for _, alg := range p.algs {
		v := h.Get(alg.HeaderName())
		if v == "" {
			continue
		}
		if p.alg != "" {
			return s3err.Newf(s3err.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		sum, err := alg.Decode(v)
		if err != nil {
			return s3err.Newf(s3err.InvalidRequest, "Value for %s header is invalid.", alg.HeaderName())
		}
		p.alg, p.want = alg, sum
	}
	if t := h.Get("x-amz-trailer"); t != "" {
		name := strings.ToLower(strings.TrimSpace(t))
		var found checksum.Algorithm
		for _, alg := range p.algs {
			if alg.HeaderName() == name {
				found = alg
			}
		}
		if found == "" {
			return s3err.Newf(s3err.InvalidRequest, "The value specified in the x-amz-trailer header is not supported")
		}
		if p.alg != "" {
			return s3err.Newf(s3err.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		p.alg, p.trailer = found, true
	}
	if v := h.Get("x-amz-sdk-checksum-algorithm"); v != "" {
		alg, ok := checksum.ParseAlgorithmIn(v, p.algs)
		if !ok {
			return s3err.Newf(s3err.InvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
		if p.alg == "" {
			return s3err.Newf(s3err.InvalidRequest, "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if alg != p.alg {
			return s3err.Newf(s3err.InvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return nil
}

// verify checks length and digests once the body has been read to EOF.
func (p *payload) verify() error {
	if p.par != nil {
		if err := p.par.Close(); err != nil && p.err == nil {
			p.err = err
		}
	}
	if p.err != nil {
		return p.err
	}
	if p.size >= 0 && p.hasher.Len() != p.size {
		return s3err.New(s3err.IncompleteBody)
	}
	if p.md5 != nil && subtle.ConstantTimeCompare(p.md5, p.hasher.MD5()) != 1 {
		return s3err.New(s3err.BadDigest)
	}
	if p.alg == "" || p.computeOnly || (p.sig == nil && p.want == nil) {
		return nil
	}
	want := p.want
	if p.trailer {
		v := p.sig.Trailers().Get(p.alg.HeaderName())
		sum, err := p.alg.Decode(strings.TrimSpace(v))
		if v == "" || err != nil {
			return s3err.Newf(s3err.InvalidRequest, "Value for %s trailing header is invalid.", p.alg.HeaderName())
		}
		want = sum
	}
	if !bytes.Equal(want, p.hasher.Sum(p.alg)) {
		return s3err.Newf(s3err.BadDigest, "The %s you specified did not match the calculated checksum.", p.alg)
	}
	return nil
}

// checksumValue returns the verified checksum as stored and echoed.
func (p *payload) checksumValue() (checksum.Algorithm, string) {
	if p.alg == "" {
		return "", ""
	}
	return p.alg, p.hasher.Base64(p.alg)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
