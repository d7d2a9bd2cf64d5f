package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Payload hash values for the X-Amz-Content-Sha256 header of Sign.
const (
	UnsignedPayload  = unsignedPayload  // body not covered by the signature
	StreamingPayload = streamingPayload // aws-chunked body, see ChunkedBody
	EmptySHA256      = emptySHA256      // SHA-256 of an empty body
)

// signIgnored are the headers a client never signs (the aws-sdk-go-v2 list):
// proxies and the transport may rewrite them.
var signIgnored = map[string]bool{
	"authorization": true, "user-agent": true, "x-amzn-trace-id": true,
	"expect": true, "transfer-encoding": true, "content-length": true,
}

// Sign signs r in place for header authentication, the way aws-sdk-go-v2
// does for S3: it sets X-Amz-Date, X-Amz-Content-Sha256 (payloadHash:
// UnsignedPayload, a hex SHA-256 of the body, or StreamingPayload) and
// Authorization, and signs host, content-length (when r.ContentLength > 0)
// and every header already in r.Header except the unsignable ones. The
// canonical request is this package's, so what Sign produces is exactly what
// Verifier checks. The request URL's path must be the decoded key path (the
// wire form comes from r.URL.EscapedPath, which must decode back to it).
//
// For a streaming upload set Content-Encoding: aws-chunked,
// X-Amz-Decoded-Content-Length and r.ContentLength (ChunkedLength) first;
// the returned signature is the seed of NewChunkSigner.
func Sign(r *http.Request, accessKey, secret, region string, payloadHash string, now time.Time) string {
	return SignService(r, accessKey, secret, region, "s3", payloadHash, now)
}

// SignService is Sign for another service's credential scope (e.g. "iam").
func SignService(r *http.Request, accessKey, secret, region, service, payloadHash string, now time.Time) string {
	now = now.UTC()
	amzDate := now.Format(iso8601)
	date := amzDate[:8]
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	sanitizeHost(r)

	signed := make([]string, 0, len(r.Header)+2)
	signed = append(signed, "host")
	if r.ContentLength > 0 {
		signed = append(signed, "content-length")
	}
	for k := range r.Header {
		lk := strings.ToLower(k)
		if !signIgnored[lk] && lk != "host" {
			signed = append(signed, lk)
		}
	}
	slices.Sort(signed)
	signed = slices.Compact(signed)
	signedList := strings.Join(signed, ";")

	scope := date + "/" + region + "/" + service + "/aws4_request"
	query := canonicalQuery(ParseQuery(r.URL.RawQuery), "", true)
	creq := canonicalRequest(r, canonicalURIFor(r, service), query, signed, signedList, payloadHash)
	sum := sha256.Sum256(creq)
	sts := make([]byte, 0, len(algorithm)+len(amzDate)+len(scope)+67)
	sts = append(sts, algorithm+"\n"...)
	sts = append(sts, amzDate...)
	sts = append(sts, '\n')
	sts = append(sts, scope...)
	sts = append(sts, '\n')
	sts = hex.AppendEncode(sts, sum[:])
	sig := hexHMAC(serviceKey(secret, date, region, service), sts)

	var b strings.Builder
	b.Grow(len(algorithm) + len(accessKey) + len(scope) + len(signedList) + 120)
	b.WriteString(algorithm)
	b.WriteString(" Credential=")
	b.WriteString(accessKey)
	b.WriteByte('/')
	b.WriteString(scope)
	b.WriteString(", SignedHeaders=")
	b.WriteString(signedList)
	b.WriteString(", Signature=")
	b.Write(sig[:])
	r.Header.Set("Authorization", b.String())
	return string(sig[:])
}

// sanitizeHost drops a default port from the host, as the SDK does, so the
// Host header sent is the one signed.
func sanitizeHost(r *http.Request) {
	h := r.Host
	if h == "" {
		h = r.URL.Host
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		return
	}
	if (port == "80" && r.URL.Scheme == "http") || (port == "443" && r.URL.Scheme == "https") {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		r.Host = host
	}
}

// ChunkSigner computes the chained signatures of an aws-chunked
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) body: each chunk's signature covers
// its data and the previous signature, starting from the request's.
type ChunkSigner struct {
	key     []byte
	amzDate string
	scope   string
	prev    string
	mac     hash.Hash
	buf     []byte
}

// NewChunkSigner starts the chain at seed, the signature Sign returned for
// the request; now must be the time passed to Sign.
func NewChunkSigner(secret, region string, now time.Time, seed string) *ChunkSigner {
	amzDate := now.UTC().Format(iso8601)
	key := signingKey(secret, amzDate[:8], region)
	return &ChunkSigner{
		key:     key,
		amzDate: amzDate,
		scope:   amzDate[:8] + "/" + region + "/s3/aws4_request",
		prev:    seed,
		mac:     hmac.New(sha256.New, key),
	}
}

// Sign returns the signature of the next chunk, whose data is chunk (empty
// for the final chunk).
func (s *ChunkSigner) Sign(chunk []byte) string {
	return s.SignHash(sha256.Sum256(chunk))
}

// SignHash is Sign for a chunk whose SHA-256 is already known.
func (s *ChunkSigner) SignHash(sum [sha256.Size]byte) string {
	b := s.buf[:0]
	b = append(b, "AWS4-HMAC-SHA256-PAYLOAD\n"...)
	b = append(b, s.amzDate...)
	b = append(b, '\n')
	b = append(b, s.scope...)
	b = append(b, '\n')
	b = append(b, s.prev...)
	b = append(b, '\n')
	b = append(b, emptySHA256+"\n"...)
	b = hex.AppendEncode(b, sum[:])
	s.buf = b
	s.mac.Reset()
	s.mac.Write(b)
	var mac [sha256.Size]byte
	s.prev = hex.EncodeToString(s.mac.Sum(mac[:0]))
	return s.prev
}

// sigExt is the chunk extension before the 64-digit signature.
const sigExt = ";chunk-signature="

// ChunkedLength is the Content-Length of the aws-chunked encoding of a body
// of decodedLen bytes cut into chunks of chunkSize (the last may be shorter)
// followed by the final empty chunk.
func ChunkedLength(decodedLen int64, chunkSize int) int64 {
	frame := func(n int64) int64 {
		return int64(len(strconv.FormatInt(n, 16))) + int64(len(sigExt)) + 64 + 2 + n + 2
	}
	cs := int64(chunkSize)
	full := decodedLen / cs
	total := full * frame(cs)
	if rest := decodedLen % cs; rest > 0 {
		total += frame(rest)
	}
	return total + frame(0)
}

// AppendChunkHeader appends the header line of a chunk of size bytes:
// "hex(size);chunk-signature=sig\r\n". The chunk data and "\r\n" follow it;
// the final chunk (size 0) is followed by "\r\n" alone.
func AppendChunkHeader(dst []byte, size int, sig string) []byte {
	dst = strconv.AppendInt(dst, int64(size), 16)
	dst = append(dst, sigExt...)
	dst = append(dst, sig...)
	return append(dst, '\r', '\n')
}

// ChunkedBody returns the aws-chunked encoding of body, in chunks of
// chunkSize bytes (the AWS SDKs use 64 KiB; S3 wants at least 8 KiB for all
// but the last), each signed by s. The result is ChunkedLength bytes long if
// body yields the decoded length announced in the request.
func ChunkedBody(body io.Reader, chunkSize int, s *ChunkSigner) io.Reader {
	if chunkSize <= 0 {
		chunkSize = 64 << 10
	}
	return &chunkedWriter{src: body, s: s, data: make([]byte, chunkSize)}
}

type chunkedWriter struct {
	src  io.Reader
	s    *ChunkSigner
	data []byte // chunk buffer
	out  []byte // encoded bytes not yet returned
	hdr  []byte
	done bool
	err  error
}

func (c *chunkedWriter) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		if c.done {
			c.err = io.EOF
			return 0, io.EOF
		}
		n, err := io.ReadFull(c.src, c.data)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			c.err = err
			return 0, err
		}
		chunk := c.data[:n]
		c.hdr = c.hdr[:0]
		if n > 0 {
			c.hdr = AppendChunkHeader(c.hdr, n, c.s.Sign(chunk))
			c.hdr = append(c.hdr, chunk...)
			c.hdr = append(c.hdr, '\r', '\n')
		}
		if n < len(c.data) {
			c.hdr = AppendChunkHeader(c.hdr, 0, c.s.Sign(nil))
			c.hdr = append(c.hdr, '\r', '\n')
			c.done = true
		}
		c.out = c.hdr
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}
