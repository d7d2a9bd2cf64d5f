package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"talus/internal/sigv4"
)

// client is a minimal S3 client: plain net/http, signed with sigv4.Sign.
type client struct {
	hc        *http.Client
	scheme    string
	host      string // endpoint host[:port]
	pathStyle bool
	ak, sk    string
	region    string
	payload   string // payloadUnsigned, payloadSigned or payloadStreaming
	chunkSize int
	sse       string // x-amz-server-side-encryption of writes ("" for none)
}

const (
	payloadUnsigned  = "unsigned"
	payloadSigned    = "signed"
	payloadStreaming = "streaming"
)

func newClient(cfg *Config, conns int) (*client, error) {
	// Several endpoints (comma-separated, or --endpoint repeated) are the
	// gateways of one cluster: requests are signed for the first, and new
	// connections go to each in turn, as a TCP load balancer spreads them.
	var u *url.URL
	var addrs []string
	for _, ep := range strings.Split(cfg.Endpoint, ",") {
		e, err := url.Parse(strings.TrimSpace(ep))
		if err != nil {
			return nil, fmt.Errorf("--endpoint: %w", err)
		}
		if (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return nil, fmt.Errorf("--endpoint %q: want http://host[:port] or https://host[:port]", ep)
		}
		if e.Path != "" && e.Path != "/" || e.RawQuery != "" {
			return nil, fmt.Errorf("--endpoint %q: a path or query is not supported", ep)
		}
		if u != nil && e.Scheme != u.Scheme {
			return nil, fmt.Errorf("--endpoint: every endpoint needs the same scheme")
		}
		if u == nil {
			u = e
		}
		addrs = append(addrs, hostPort(e))
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	dial := dialer.DialContext
	if cfg.ConnectTo != "" {
		addrs = []string{cfg.ConnectTo}
	}
	if cfg.ConnectTo != "" || len(addrs) > 1 {
		var next atomic.Uint64
		dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addrs[(next.Add(1)-1)%uint64(len(addrs))])
		}
	}
	tr := &http.Transport{
		Proxy:                 nil, // measure the endpoint, not a proxy
		DialContext:           dial,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   conns + 8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: cfg.Insecure},
		DisableCompression:    true,
		ExpectContinueTimeout: 0,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
	return &client{
		hc:        &http.Client{Transport: tr, Timeout: cfg.Timeout},
		scheme:    u.Scheme,
		host:      u.Host,
		pathStyle: cfg.PathStyle,
		ak:        cfg.AccessKey,
		sk:        cfg.SecretKey,
		region:    cfg.Region,
		payload:   cfg.Payload,
		chunkSize: cfg.ChunkSize,
		sse:       cfg.SSE,
	}, nil
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// hostPort is the address to dial for an endpoint URL.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// s3Error is a non-success answer.
type s3Error struct {
	Status  int
	Code    string
	Message string
}

func (e *s3Error) Error() string {
	s := strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// errorClass is the key errors are counted under: the HTTP status, or
// "net" for transport failures, "short" for truncated or wrong-length bodies.
func errorClass(err error) string {
	var se *s3Error
	if errors.As(err, &se) {
		return strconv.Itoa(se.Status)
	}
	if errors.Is(err, errShort) {
		return "short"
	}
	return "net"
}

var errShort = errors.New("short or oversized body")

// escapePath is AWS UriEncode with '/' kept: what S3 clients send.
func escapePath(s string) string {
	const hexd = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+16), s[:i]...)
		}
		b = append(b, '%', hexd[c>>4], hexd[c&15])
	}
	if b == nil {
		return s
	}
	return string(b)
}

// request builds a request for bucket/key ("" key: the bucket; "" bucket:
// the service) with a raw (already encoded) query.
func (c *client) request(ctx context.Context, method, bucket, key, rawQuery string) *http.Request {
	host := c.host
	path := "/"
	switch {
	case bucket == "":
	case c.pathStyle:
		path = "/" + bucket
		if key != "" {
			path += "/" + key
		}
	default:
		host = bucket + "." + c.host
		path = "/" + key
	}
	u := &url.URL{Scheme: c.scheme, Host: host, Path: path, RawQuery: rawQuery}
	if ep := escapePath(path); ep != path {
		u.RawPath = ep
	}
	r := &http.Request{
		Method: method, URL: u, Host: host, Header: make(http.Header, 8),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	return r.WithContext(ctx)
}

// emptyHash is the payload hash of a request without a body.
func (c *client) emptyHash() string {
	if c.payload == payloadUnsigned {
		return sigv4.UnsignedPayload
	}
	return sigv4.EmptySHA256
}

// send signs r with payloadHash and runs it; a non-2xx answer becomes an
// *s3Error (its body consumed and closed).
func (c *client) send(r *http.Request, payloadHash string) (*http.Response, error) {
	sigv4.Sign(r, c.ak, c.sk, c.region, payloadHash, time.Now())
	return c.roundTrip(r)
}

func (c *client) roundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.hc.Do(r)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, readError(resp)
	}
	return resp, nil
}

func readError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	e := &s3Error{Status: resp.StatusCode}
	var doc struct {
		Code    string
		Message string
	}
	if xml.Unmarshal(b, &doc) == nil {
		e.Code, e.Message = doc.Code, doc.Message
	}
	return e
}

// discard drains and closes a response body, returning the byte count.
// It reads into a pooled 256 KiB buffer: io.Copy to io.Discard reads 8 KiB
// at a time, which through the transport's 64 KiB bufio.Reader costs the
// load generator an extra copy and many more read syscalls per large GET,
// CPU taken from the server on a shared machine.
func discard(resp *http.Response) (int64, error) {
	bp := discardPool.Get().(*[]byte)
	defer discardPool.Put(bp)
	var n int64
	var err error
	for {
		m, rerr := resp.Body.Read(*bp)
		n += int64(m)
		if rerr != nil {
			if rerr != io.EOF {
				err = rerr
			}
			break
		}
	}
	resp.Body.Close()
	return n, err
}

var discardPool = sync.Pool{New: func() any {
	b := make([]byte, 256<<10)
	return &b
}}

// sendSmall sends a small in-memory body, always with a signed payload.
func (c *client) sendSmall(r *http.Request, data []byte) (*http.Response, error) {
	if len(data) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
	}
	sum := sha256.Sum256(data)
	return c.send(r, hex.EncodeToString(sum[:]))
}

// sendBody sends b as the request body in the configured payload mode.
func (c *client) sendBody(r *http.Request, b *body) (*http.Response, error) {
	if b.n == 0 {
		r.Body = http.NoBody
		return c.send(r, c.emptyHash())
	}
	switch c.payload {
	case payloadSigned:
		r.Body, r.ContentLength = b.reader(), b.n
		return c.send(r, b.sha256())
	case payloadStreaming:
		sums := b.chunkSums(c.chunkSize)
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Decoded-Content-Length", strconv.FormatInt(b.n, 10))
		r.ContentLength = sigv4.ChunkedLength(b.n, c.chunkSize)
		now := time.Now()
		seed := sigv4.Sign(r, c.ak, c.sk, c.region, sigv4.StreamingPayload, now)
		r.Body = &chunkedReader{b: b, sums: sums, chunkSize: c.chunkSize,
			cs: sigv4.NewChunkSigner(c.sk, c.region, now, seed)}
		return c.roundTrip(r)
	default:
		r.Body, r.ContentLength = b.reader(), b.n
		return c.send(r, sigv4.UnsignedPayload)
	}
}

var emptySum = sha256.Sum256(nil)

// chunkedReader is the aws-chunked encoding of a body, from precomputed
// chunk hashes: per request only the chained HMACs are computed.
type chunkedReader struct {
	b         *body
	sums      [][sha256.Size]byte
	cs        *sigv4.ChunkSigner
	chunkSize int

	next     int // index of the next chunk
	hdr      []byte
	hdrOff   int
	pos, end int64 // body bytes of the current chunk still to send
	tail     int   // bytes of the CRLF after the data still to send
	done     bool
}

func (r *chunkedReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		switch {
		case r.hdrOff < len(r.hdr):
			c := copy(p[n:], r.hdr[r.hdrOff:])
			r.hdrOff += c
			n += c
		case r.pos < r.end:
			c := copy(p[n:], r.b.bytesAt(r.pos, min(len(p)-n, int(r.end-r.pos))))
			r.pos += int64(c)
			n += c
		case r.tail > 0:
			c := copy(p[n:], "\r\n"[2-r.tail:])
			r.tail -= c
			n += c
		case r.done:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		case r.next < len(r.sums):
			start := int64(r.next) * int64(r.chunkSize)
			size := min(int64(r.chunkSize), r.b.n-start)
			r.hdr = sigv4.AppendChunkHeader(r.hdr[:0], int(size), r.cs.SignHash(r.sums[r.next]))
			r.hdrOff, r.pos, r.end, r.tail = 0, start, start+size, 2
			r.next++
		default:
			r.hdr = sigv4.AppendChunkHeader(r.hdr[:0], 0, r.cs.SignHash(emptySum))
			r.hdrOff, r.tail, r.done = 0, 2, true
		}
	}
	return n, nil
}

func (r *chunkedReader) Close() error { return nil }

// ---- operations ----

func (c *client) headBucket(ctx context.Context, bucket string) error {
	resp, err := c.send(c.request(ctx, http.MethodHead, bucket, "", ""), c.emptyHash())
	if err != nil {
		return err
	}
	_, err = discard(resp)
	return err
}

func (c *client) createBucket(ctx context.Context, bucket string) error {
	var body []byte
	if c.region != "" && c.region != "us-east-1" {
		body = []byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>` +
			c.region + `</LocationConstraint></CreateBucketConfiguration>`)
	}
	resp, err := c.sendSmall(c.request(ctx, http.MethodPut, bucket, "", ""), body)
	if err != nil {
		return err
	}
	_, err = discard(resp)
	return err
}

func (c *client) deleteBucket(ctx context.Context, bucket string) error {
	resp, err := c.send(c.request(ctx, http.MethodDelete, bucket, "", ""), c.emptyHash())
	if err != nil {
		return err
	}
	_, err = discard(resp)
	return err
}

// encrypted asks for the configured server-side encryption on a write.
func (c *client) encrypted(r *http.Request) *http.Request {
	if c.sse != "" {
		r.Header.Set("X-Amz-Server-Side-Encryption", c.sse)
	}
	return r
}

func (c *client) put(ctx context.Context, bucket, key string, b *body) error {
	resp, err := c.sendBody(c.encrypted(c.request(ctx, http.MethodPut, bucket, key, "")), b)
	if err != nil {
		return err
	}
	_, err = discard(resp)
	return err
}

// get reads the whole object and returns its length.
func (c *client) get(ctx context.Context, bucket, key string) (int64, error) {
	resp, err := c.send(c.request(ctx, http.MethodGet, bucket, key, ""), c.emptyHash())
	if err != nil {
		return 0, err
	}
	n, err := discard(resp)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = errShort
	}
	return n, err
}

func (c *client) del(ctx context.Context, bucket, key string) error {
	resp, err := c.send(c.request(ctx, http.MethodDelete, bucket, key, ""), c.emptyHash())
	if err != nil {
		return err
	}
	_, err = discard(resp)
	return err
}

// listPage is one ListObjectsV2 page: its key count and where to go next.
// The response is scanned, not decoded: at a thousand keys a page, XML
// decoding would make the client the bottleneck.
func (c *client) listPage(ctx context.Context, bucket, prefix, token string, maxKeys int) (count int, next string, truncated bool, err error) {
	q := "list-type=2&max-keys=" + strconv.Itoa(maxKeys)
	if prefix != "" {
		q += "&prefix=" + queryEscape(prefix)
	}
	if token != "" {
		q += "&continuation-token=" + queryEscape(token)
	}
	resp, err := c.send(c.request(ctx, http.MethodGet, bucket, "", q), c.emptyHash())
	if err != nil {
		return 0, "", false, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, "", false, err
	}
	count = bytes.Count(b, []byte("<Contents>"))
	truncated = string(element(b, "IsTruncated")) == "true"
	if truncated {
		next = xmlText(element(b, "NextContinuationToken"))
		if next == "" {
			return count, "", false, &s3Error{Status: resp.StatusCode, Code: "BadListing", Message: "truncated page without NextContinuationToken"}
		}
	}
	return count, next, truncated, nil
}

// listKeys is listPage returning the keys (for cleanup).
func (c *client) listKeys(ctx context.Context, bucket, prefix, token string) (keys []string, next string, err error) {
	q := "list-type=2&max-keys=1000&prefix=" + queryEscape(prefix)
	if token != "" {
		q += "&continuation-token=" + queryEscape(token)
	}
	resp, err := c.send(c.request(ctx, http.MethodGet, bucket, "", q), c.emptyHash())
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	var doc struct {
		IsTruncated           bool
		NextContinuationToken string
		Contents              []struct{ Key string }
	}
	if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, "", err
	}
	for _, o := range doc.Contents {
		keys = append(keys, o.Key)
	}
	if doc.IsTruncated {
		if doc.NextContinuationToken == "" {
			return keys, "", errors.New("truncated listing without NextContinuationToken")
		}
		next = doc.NextContinuationToken
	}
	return keys, next, nil
}

// deleteObjects removes up to 1000 keys in one request.
func (c *client) deleteObjects(ctx context.Context, bucket string, keys []string) error {
	var b bytes.Buffer
	b.WriteString(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>`)
	for _, k := range keys {
		b.WriteString("<Object><Key>")
		xml.EscapeText(&b, []byte(k))
		b.WriteString("</Key></Object>")
	}
	b.WriteString("</Delete>")
	sum := md5.Sum(b.Bytes())
	r := c.request(ctx, http.MethodPost, bucket, "", "delete")
	r.Header.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
	resp, err := c.sendSmall(r, b.Bytes())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var doc struct {
		Error []struct{ Key, Code, Message string }
	}
	if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return err
	}
	if len(doc.Error) > 0 {
		e := doc.Error[0]
		return fmt.Errorf("delete %q: %s: %s (and %d more)", e.Key, e.Code, e.Message, len(doc.Error)-1)
	}
	return nil
}

func (c *client) createMultipart(ctx context.Context, bucket, key string) (string, error) {
	resp, err := c.send(c.encrypted(c.request(ctx, http.MethodPost, bucket, key, "uploads")), c.emptyHash())
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var doc struct{ UploadId string }
	if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return "", err
	}
	if doc.UploadId == "" {
		return "", errors.New("CreateMultipartUpload: no UploadId")
	}
	return doc.UploadId, nil
}

func (c *client) uploadPart(ctx context.Context, bucket, key, uploadID string, num int, b *body) (string, error) {
	q := "partNumber=" + strconv.Itoa(num) + "&uploadId=" + queryEscape(uploadID)
	resp, err := c.sendBody(c.request(ctx, http.MethodPut, bucket, key, q), b)
	if err != nil {
		return "", err
	}
	etag := resp.Header.Get("ETag")
	if _, err := discard(resp); err != nil {
		return "", err
	}
	if etag == "" {
		return "", errors.New("UploadPart: no ETag")
	}
	return etag, nil
}

func (c *client) completeMultipart(ctx context.Context, bucket, key, uploadID string, etags []string) error {
	var b bytes.Buffer
	b.WriteString(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for i, e := range etags {
		b.WriteString("<Part><PartNumber>" + strconv.Itoa(i+1) + "</PartNumber><ETag>")
		xml.EscapeText(&b, []byte(e))
		b.WriteString("</ETag></Part>")
	}
	b.WriteString("</CompleteMultipartUpload>")
	resp, err := c.sendSmall(c.request(ctx, http.MethodPost, bucket, key, "uploadId="+queryEscape(uploadID)), b.Bytes())
	if err != nil {
		return err
	}
	// S3 may report a failure in a 200 answer.
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if bytes.Contains(out, []byte("<Error>")) {
		e := &s3Error{Status: resp.StatusCode}
		var doc struct{ Code, Message string }
		if xml.Unmarshal(out, &doc) == nil {
			e.Code, e.Message = doc.Code, doc.Message
		}
		return e
	}
	return nil
}

func (c *client) abortMultipart(ctx context.Context, bucket, key, uploadID string) error {
	resp, err := c.send(c.request(ctx, http.MethodDelete, bucket, key, "uploadId="+queryEscape(uploadID)), c.emptyHash())
	if err != nil {
		return err
	}
	_, err = discard(resp)
	return err
}

// queryEscape is AWS UriEncode for a query value.
func queryEscape(s string) string {
	return strings.ReplaceAll(escapePath(s), "/", "%2F")
}

// element returns the raw text of the first <name>...</name> in b.
func element(b []byte, name string) []byte {
	open := []byte("<" + name + ">")
	i := bytes.Index(b, open)
	if i < 0 {
		return nil
	}
	b = b[i+len(open):]
	j := bytes.Index(b, []byte("</"+name+">"))
	if j < 0 {
		return nil
	}
	return b[:j]
}

// xmlText decodes entities in raw element text.
func xmlText(raw []byte) string {
	if bytes.IndexByte(raw, '&') < 0 {
		return string(raw)
	}
	var s string
	if xml.Unmarshal(append(append([]byte("<x>"), raw...), "</x>"...), &s) != nil {
		return string(raw)
	}
	return s
}
