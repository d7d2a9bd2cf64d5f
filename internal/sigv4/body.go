package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

const (
	bufSize         = 16 << 10 // read buffer for aws-chunked framing
	maxHeaderLine   = 1024     // a chunk header is ~100 bytes; leave room for extensions
	maxTrailerBytes = 16 << 10 // whole trailer section
	maxTrailers     = 32
	trailerSigName  = "x-amz-trailer-signature"
)

// Reader is the request body as Auth.Body returns it: plain bytes for the
// caller, with the payload's integrity checked on the way.
type Reader struct {
	mode PayloadMode
	src  io.Reader
	err  error // sticky

	// PayloadSigned
	sum  hash.Hash
	want string

	// streaming
	a          *Auth
	br         *bufio.Reader
	mac        hash.Hash // HMAC with the signing key, reset per signature
	chunk      hash.Hash // SHA-256 of the current chunk
	prevSig    string
	chunkSig   string
	remaining  int64 // bytes left in the current chunk
	decoded    int64
	decodedLen int64
	state      chunkState
	trailers   http.Header
	scratch    []byte
	async      *ChunkVerifier // checks data chunks, if set (see Async)
	closed     int64          // data chunks read to their CRLF, in async mode
}

type chunkState int

const (
	stHeader  chunkState = iota // expecting "size[;chunk-signature=sig]\r\n"
	stData                      // inside chunk data
	stDataEnd                   // expecting the CRLF after chunk data
	stDone                      // io.EOF delivered
)

// Body wraps body according to a.Payload:
//   - PayloadSigned: the SHA-256 of the bytes read is compared with
//     PayloadSHA256 at EOF; a mismatch is XAmzContentSHA256Mismatch (400).
//   - PayloadUnsigned: body as is.
//   - streaming modes: aws-chunked framing is decoded and every chunk
//     signature (chained from the request signature) and the trailer
//     signature are verified; a bad one is SignatureDoesNotMatch (403).
//     Chunk data is streamed through with bounded buffering, so a chunk's
//     bytes may reach the caller before its signature is checked: the caller
//     must discard the upload if Read ever returns an error. decodedLength is
//     x-amz-decoded-content-length (-1 if absent); a different decoded byte
//     count, or a body cut short, is IncompleteBody (400); unparsable framing
//     is InvalidRequest (400).
//
// Errors from body itself are returned unchanged.
func (a *Auth) Body(body io.Reader, decodedLength int64) *Reader {
	if body == nil {
		body = http.NoBody
	}
	if a == nil {
		return &Reader{mode: PayloadUnsigned, src: body}
	}
	r := &Reader{mode: a.Payload, src: body}
	switch {
	case a.Payload == PayloadSigned:
		r.sum = sha256.New()
		r.want = a.PayloadSHA256
	case a.Payload.streaming():
		r.a = a
		r.br = bufio.NewReaderSize(body, bufSize)
		r.chunk = sha256.New()
		r.mac = hmac.New(sha256.New, a.key)
		r.prevSig = a.seed
		r.decodedLen = decodedLength
	}
	return r
}

// Trailers returns the trailing headers (canonical keys, e.g.
// "X-Amz-Checksum-Crc32") once Read has returned io.EOF; nil before, and nil
// for payload modes without trailers.
func (r *Reader) Trailers() http.Header {
	if r.state != stDone {
		return nil
	}
	return r.trailers
}

// Read implements io.Reader. Integrity failures are *Error; failures of the
// underlying reader are passed through.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	switch {
	case r.mode == PayloadSigned:
		return r.readSigned(p)
	case r.mode.streaming():
		return r.readChunked(p)
	}
	return r.src.Read(p)
}

func (r *Reader) fail(err error) error {
	// A chunk that would have been found bad before this failure is the
	// error, as in the serial mode.
	if r.async != nil && r.async.wait(r.closed) {
		err = errSignatureMismatch()
	}
	r.err = err
	return err
}

func (r *Reader) readSigned(p []byte) (int, error) {
	n, err := r.src.Read(p)
	r.sum.Write(p[:n])
	if err == io.EOF {
		var got [64]byte
		hex.Encode(got[:], r.sum.Sum(nil))
		if subtle.ConstantTimeCompare(got[:], []byte(r.want)) != 1 {
			return n, r.fail(newErr(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
				"The provided 'x-amz-content-sha256' header does not match what was computed."))
		}
		r.state = stDone
		r.err = io.EOF
	} else if err != nil {
		// Sticky: reading on after a transport error (a truncated body)
		// would later report a misleading digest mismatch.
		return n, r.fail(err)
	}
	return n, err
}

// truncated maps an early end of the underlying stream to IncompleteBody.
func truncated(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errIncompleteBody()
	}
	return err
}

func (r *Reader) signed() bool { return r.mode != PayloadStreamingUnsignedTrailer }

func (r *Reader) readChunked(p []byte) (int, error) {
	for {
		switch r.state {
		case stDone:
			return 0, io.EOF
		case stHeader:
			if err := r.readChunkHeader(); err != nil {
				return 0, r.fail(err)
			}
			if r.remaining == 0 {
				if err := r.finish(); err != nil {
					return 0, r.fail(err)
				}
				if r.async != nil && r.async.wait(r.closed) {
					return 0, r.fail(errSignatureMismatch())
				}
				r.state = stDone
				return 0, io.EOF
			}
			r.state = stData
		case stData:
			if len(p) == 0 {
				return 0, nil
			}
			if int64(len(p)) > r.remaining {
				p = p[:r.remaining]
			}
			// Data streams straight through; the chunk's signature is
			// checked once its last byte has been hashed, and any failure
			// surfaces from a later Read before io.EOF.
			n, err := r.br.Read(p)
			if r.async == nil {
				r.chunk.Write(p[:n])
			}
			r.remaining -= int64(n)
			r.decoded += int64(n)
			if r.remaining == 0 {
				r.state = stDataEnd
			}
			if err != nil && (r.remaining > 0 || err != io.EOF) {
				return n, r.fail(truncated(err))
			}
			if n > 0 {
				return n, nil
			}
		case stDataEnd:
			if err := r.expectCRLF(); err != nil {
				return 0, r.fail(err)
			}
			if r.async == nil {
				if err := r.verifyChunk(); err != nil {
					return 0, r.fail(err)
				}
			} else if r.closed++; r.async.bad(r.closed) {
				return 0, r.fail(errSignatureMismatch())
			}
			r.state = stHeader
		}
	}
}

func (r *Reader) expectCRLF() error {
	var b [2]byte
	if _, err := io.ReadFull(r.br, b[:]); err != nil {
		return truncated(err)
	}
	if b != [2]byte{'\r', '\n'} {
		// The chunk was longer than its declared size.
		return errIncompleteBody()
	}
	return nil
}

// readLine returns one line without its terminator; crlf reports whether it
// ended in "\r\n". The line is valid until the next read. Memory is bounded by
// the bufio buffer whatever the input.
func (r *Reader) readLine(limit int) (line []byte, crlf bool, err error) {
	line, err = r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > limit {
		return nil, false, errBadChunk("line too long")
	}
	if err != nil {
		return line, false, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1], true, nil
	}
	return line, false, nil
}

func (r *Reader) readChunkHeader() error {
	line, crlf, err := r.readLine(maxHeaderLine)
	if err != nil {
		return truncated(err)
	}
	if !crlf {
		return errBadChunk("chunk header must end with CRLF")
	}
	sizeHex, ext, hasExt := bytes.Cut(line, []byte{';'})
	if len(sizeHex) == 0 || len(sizeHex) > 16 || !isHex(string(sizeHex)) {
		return errBadChunk("bad chunk size")
	}
	size, perr := strconv.ParseInt(string(sizeHex), 16, 64)
	if perr != nil {
		return errBadChunk("bad chunk size")
	}
	if r.signed() {
		const prefix = "chunk-signature="
		if !hasExt || !bytes.HasPrefix(ext, []byte(prefix)) {
			return errBadChunk("missing chunk-signature")
		}
		r.chunkSig = string(ext[len(prefix):])
	} else if hasExt {
		return errBadChunk("unexpected chunk extension in an unsigned stream")
	}
	if r.decodedLen >= 0 && size > r.decodedLen-r.decoded {
		return errIncompleteBody()
	}
	r.remaining = size
	r.chunk.Reset()
	if r.async != nil && size > 0 {
		r.async.announce(chunkJob{size: size, prev: r.prevSig, sig: r.chunkSig})
		// The chain goes on from the claimed signature; if it is wrong,
		// the verifier fails on this chunk.
		r.prevSig = r.chunkSig
	}
	return nil
}

// verifyChunk checks the just-finished chunk's signature against the chain.
func (r *Reader) verifyChunk() error {
	if !r.signed() {
		return nil
	}
	var h [sha256.Size]byte
	r.scratch = r.appendSTSHead(r.scratch[:0], "AWS4-HMAC-SHA256-PAYLOAD")
	r.scratch = append(r.scratch, emptySHA256+"\n"...)
	r.scratch = hex.AppendEncode(r.scratch, r.chunk.Sum(h[:0]))
	if !r.checkSig(r.chunkSig) {
		return errSignatureMismatch()
	}
	r.prevSig = r.chunkSig
	return nil
}

func (r *Reader) appendSTSHead(b []byte, alg string) []byte {
	return appendSTSHead(b, r.a, alg, r.prevSig)
}

// appendSTSHead appends the string-to-sign's lines up to the previous
// signature, prev.
func appendSTSHead(b []byte, a *Auth, alg, prev string) []byte {
	b = append(b, alg...)
	b = append(b, '\n')
	b = append(b, a.amzDate...)
	b = append(b, '\n')
	b = append(b, a.scope...)
	b = append(b, '\n')
	b = append(b, prev...)
	b = append(b, '\n')
	return b
}

// checkSig compares HMAC(key, r.scratch) with sig in constant time.
func (r *Reader) checkSig(sig string) bool {
	var sum [sha256.Size]byte
	var want [64]byte
	r.mac.Reset()
	r.mac.Write(r.scratch)
	hex.Encode(want[:], r.mac.Sum(sum[:0]))
	return subtle.ConstantTimeCompare(want[:], []byte(sig)) == 1
}

// finish runs after the final zero-size chunk header: it verifies that
// chunk, reads the trailer section to the end of the body, and checks the
// decoded length.
func (r *Reader) finish() error {
	if err := r.verifyChunk(); err != nil {
		return err
	}
	if err := r.readTrailers(); err != nil {
		return err
	}
	if r.decodedLen >= 0 && r.decoded != r.decodedLen {
		return errIncompleteBody()
	}
	return nil
}

// readTrailers reads everything after the final chunk header up to EOF.
// Clients differ in the blank lines they put around trailers (an extra CRLF
// before them, "name:value\n" lines followed by CRLF, a missing final CRLF),
// so blank lines are skipped; what matters is that in the signed-trailer mode
// every trailer precedes, and is covered by, x-amz-trailer-signature.
func (r *Reader) readTrailers() error {
	var (
		canon  []byte // "name:value\n" per trailer, the signed form
		sig    string
		hasSig bool
		total  int
	)
	r.trailers = http.Header{}
	for {
		line, _, err := r.readLine(maxTrailerBytes)
		if err != nil && err != io.EOF {
			return truncated(err)
		}
		if err == io.EOF && len(bytes.TrimSpace(line)) > 0 {
			// Every trailer line is newline-terminated; a partial one
			// means the body was cut short.
			return errIncompleteBody()
		}
		total += len(line) + 2
		if total > maxTrailerBytes {
			return errBadChunk("trailers too large")
		}
		if l := bytes.TrimSpace(line); len(l) > 0 {
			name, value, ok := bytes.Cut(l, []byte{':'})
			name = bytes.TrimSpace(name)
			if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
				return errBadChunk("malformed trailer")
			}
			lname := strings.ToLower(string(name))
			switch {
			case hasSig:
				return errBadChunk("trailer after x-amz-trailer-signature")
			case lname == trailerSigName:
				if r.mode != PayloadStreamingSignedTrailer {
					return errBadChunk("unexpected x-amz-trailer-signature")
				}
				sig, hasSig = string(bytes.TrimSpace(value)), true
			case r.mode == PayloadStreamingSigned:
				return errBadChunk("trailers are not allowed with " + streamingPayload)
			default:
				if len(r.trailers) >= maxTrailers {
					return errBadChunk("too many trailers")
				}
				if !r.declared(lname) {
					return errInvalidRequest("The trailer " + clip(lname) + " was not declared in x-amz-trailer")
				}
				v := string(bytes.TrimSpace(value))
				canon = append(canon, lname...)
				canon = append(canon, ':')
				canon = append(canon, v...)
				canon = append(canon, '\n')
				r.trailers.Add(textproto.CanonicalMIMEHeaderKey(lname), v)
			}
		}
		if err == io.EOF {
			break
		}
	}
	if r.mode == PayloadStreamingSigned {
		return nil
	}
	// A declared trailer that never came means the body was cut short.
	for _, n := range r.a.trailers {
		if _, ok := r.trailers[textproto.CanonicalMIMEHeaderKey(n)]; !ok {
			return errIncompleteBody()
		}
	}
	if r.mode != PayloadStreamingSignedTrailer {
		return nil
	}
	if !hasSig {
		return errIncompleteBody()
	}
	sum := sha256.Sum256(canon)
	r.scratch = r.appendSTSHead(r.scratch[:0], "AWS4-HMAC-SHA256-TRAILER")
	r.scratch = hex.AppendEncode(r.scratch, sum[:])
	if !r.checkSig(sig) {
		return errSignatureMismatch()
	}
	return nil
}

// declared reports whether a trailer may appear. When the request declared
// no x-amz-trailer, any trailer is accepted (the caller validates contents).
func (r *Reader) declared(name string) bool {
	if len(r.a.trailers) == 0 {
		return true
	}
	for _, n := range r.a.trailers {
		if n == name {
			return true
		}
	}
	return false
}
