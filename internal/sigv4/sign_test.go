package sigv4

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// signCase is a request Sign must get right.
type signCase struct {
	name, method, path, query string
	host                      string // r.Host override ("" = URL host)
	headers                   map[string]string
	body                      []byte
	payload                   string // "" = sha256 of body
}

var signCases = []signCase{
	{name: "get", method: "GET", path: "/bucket/key"},
	{name: "root", method: "GET", path: "/"},
	{name: "bucket", method: "HEAD", path: "/bucket", payload: UnsignedPayload},
	{name: "list v2", method: "GET", path: "/bucket", query: "list-type=2&max-keys=1000&prefix=a%20b%2Fc&continuation-token=AbC%2B%2F%3D%3D"},
	{name: "put signed", method: "PUT", path: "/bucket/dir/obj", body: []byte("hello, world"),
		headers: map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Color": "  blue   green "}},
	{name: "put unsigned", method: "PUT", path: "/bucket/o", body: bytes.Repeat([]byte{7}, 5000), payload: UnsignedPayload},
	{name: "odd key", method: "PUT", path: "/bucket/a b/+plus/日本/~x!*'()", body: []byte("x")},
	{name: "double slash", method: "GET", path: "/bucket//x/../y/", payload: UnsignedPayload},
	{name: "upload part", method: "PUT", path: "/bucket/mp", query: "partNumber=3&uploadId=abc%2Fdef", body: []byte("part")},
	{name: "multipart create", method: "POST", path: "/bucket/mp", query: "uploads", payload: EmptySHA256},
	{name: "virtual host", method: "GET", path: "/key", host: "bucket.s3.local:9000"},
	{name: "delete objects", method: "POST", path: "/bucket", query: "delete",
		body: []byte("<Delete><Object><Key>a</Key></Object></Delete>"), headers: map[string]string{"Content-Md5": "2WyuOS+1bVs5tD5G9X+x2A=="}},
	{name: "ignored headers", method: "GET", path: "/bucket/k",
		headers: map[string]string{"User-Agent": "talus-bench", "X-Amzn-Trace-Id": "t", "Range": "bytes=0-9"}},
}

func (c signCase) request(t *testing.T) *http.Request {
	t.Helper()
	r := clientRequest(t, c.method, c.path, c.query, c.body)
	if c.host != "" {
		r.Host = c.host
	}
	for k, v := range c.headers {
		r.Header.Set(k, v)
	}
	return r
}

func (c signCase) payloadHash() string {
	if c.payload != "" {
		return c.payload
	}
	return sha256Hex(c.body)
}

func TestSignVerifies(t *testing.T) {
	for _, c := range signCases {
		t.Run(c.name, func(t *testing.T) {
			r := c.request(t)
			sig := Sign(r, testAK, testSecret, testRegion, c.payloadHash(), testTime)
			if len(sig) != 64 || !strings.HasSuffix(r.Header.Get("Authorization"), "Signature="+sig) {
				t.Fatalf("signature %q, Authorization %q", sig, r.Header.Get("Authorization"))
			}
			sr := toServer(t, r)
			a, err := testVerifier().Verify(sr)
			if err != nil {
				t.Fatalf("verify: %v\nAuthorization: %s", err, r.Header.Get("Authorization"))
			}
			if a.AccessKey != testAK || a.seed != sig {
				t.Fatalf("auth %+v", a)
			}
			got, err := io.ReadAll(a.Body(sr.Body, -1))
			if err != nil || !bytes.Equal(got, c.body) && len(c.body) > 0 {
				t.Fatalf("body %q, %v", got, err)
			}
		})
	}
}

func TestSignMatchesSDK(t *testing.T) {
	for _, c := range signCases {
		t.Run(c.name, func(t *testing.T) {
			mine := c.request(t)
			Sign(mine, testAK, testSecret, testRegion, c.payloadHash(), testTime)
			sdk := c.request(t)
			sdkSign(t, sdk, c.body, signOpts{payload: c.payloadHash()})
			if g, w := mine.Header.Get("Authorization"), sdk.Header.Get("Authorization"); g != w {
				t.Fatalf("Authorization differs\n got %s\nwant %s", g, w)
			}
			if g, w := mine.Header.Get("X-Amz-Date"), sdk.Header.Get("X-Amz-Date"); g != w {
				t.Fatalf("X-Amz-Date %q, SDK %q", g, w)
			}
		})
	}
}

func TestSignResignsAndRejectsTampering(t *testing.T) {
	r := clientRequest(t, "PUT", "/bucket/key", "", nil)
	Sign(r, testAK, "wrong-secret", testRegion, sha256Hex([]byte("data")), testTime)
	// Signing again replaces the old signature rather than signing it.
	Sign(r, testAK, testSecret, testRegion, sha256Hex([]byte("data")), testTime)
	if _, err := testVerifier().Verify(toServer(t, r)); err != nil {
		t.Fatalf("re-signed: %v", err)
	}
	r.Header.Set("X-Amz-Meta-Injected", "1")
	wantCode(t, errOf(testVerifier().Verify(toServer(t, r))), "AccessDenied")
	r.Header.Del("X-Amz-Meta-Injected")
	r.URL.RawQuery = "tagging"
	wantCode(t, errOf(testVerifier().Verify(toServer(t, r))), "SignatureDoesNotMatch")
}

func TestSignDropsDefaultPort(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://bucket.example.com:80/key", nil)
	Sign(r, testAK, testSecret, testRegion, UnsignedPayload, testTime)
	if r.Host != "bucket.example.com" {
		t.Fatalf("host %q", r.Host)
	}
	if _, err := testVerifier().Verify(toServer(t, r)); err != nil {
		t.Fatal(err)
	}
}

// The AWS documentation's streaming example: the seed signature of the
// request and the three chunk signatures.
func TestSignStreamingAWSDocumentVector(t *testing.T) {
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	r, _ := http.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", nil)
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.ContentLength = ChunkedLength(66560, 64<<10)
	if r.ContentLength != 66824 {
		t.Fatalf("ChunkedLength = %d, want 66824", r.ContentLength)
	}
	seed := Sign(r, testAK, testSecret, "us-east-1", StreamingPayload, at)
	if seed != "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9" {
		t.Fatalf("seed %s\n%s", seed, r.Header.Get("Authorization"))
	}
	body, err := io.ReadAll(ChunkedBody(strings.NewReader(strings.Repeat("a", 66560)), 64<<10, NewChunkSigner(testSecret, "us-east-1", at, seed)))
	if err != nil {
		t.Fatal(err)
	}
	want := "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" + strings.Repeat("a", 65536) + "\r\n" +
		"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" + strings.Repeat("a", 1024) + "\r\n" +
		"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"
	if string(body) != want {
		t.Fatalf("chunked body differs from the AWS example")
	}
}

// streamingRequest builds a signed aws-chunked PUT of data.
func streamingRequest(t *testing.T, data []byte, chunkSize int, src func(io.Reader) io.Reader) *http.Request {
	t.Helper()
	r := clientRequest(t, "PUT", "/bucket/stream obj", "", nil)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	r.ContentLength = ChunkedLength(int64(len(data)), chunkSize)
	seed := Sign(r, testAK, testSecret, testRegion, StreamingPayload, testTime)
	var in io.Reader = bytes.NewReader(data)
	if src != nil {
		in = src(in)
	}
	body, err := io.ReadAll(ChunkedBody(in, chunkSize, NewChunkSigner(testSecret, testRegion, testTime, seed)))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(body)) != r.ContentLength {
		t.Fatalf("encoded %d bytes, ChunkedLength says %d", len(body), r.ContentLength)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r
}

func TestChunkedBodyRoundTrip(t *testing.T) {
	for _, cs := range []int{8 << 10, 64 << 10} {
		for _, n := range []int{0, 1, 8191, 8192, 8193, 65535, 65536, 65537, 3*65536 + 17, 1 << 20} {
			data := payloadOf(n)
			for _, oneByte := range []bool{false, true} {
				var src func(io.Reader) io.Reader
				if oneByte {
					src = iotest.OneByteReader
				}
				sr := toServer(t, streamingRequest(t, data, cs, src))
				a, err := testVerifier().Verify(sr)
				if err != nil {
					t.Fatalf("chunk %d, n %d: verify: %v", cs, n, err)
				}
				if a.Payload != PayloadStreamingSigned {
					t.Fatalf("payload mode %v", a.Payload)
				}
				got, _, err := readAllBody(t, sr, a, decodedLen(t, sr))
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("chunk %d, n %d: %d bytes back, %v", cs, n, len(got), err)
				}
			}
		}
	}
}

func TestChunkedBodyTampered(t *testing.T) {
	data := payloadOf(3*8192 + 5)
	r := streamingRequest(t, data, 8192, nil)
	enc, _ := io.ReadAll(r.Body)
	// Flip one data byte of the second chunk.
	i := bytes.Index(enc[100:], []byte("\r\n2000;")) + 100 + 200
	enc[i] ^= 1
	r.Body = io.NopCloser(bytes.NewReader(enc))
	sr := toServer(t, r)
	a, err := testVerifier().Verify(sr)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = readAllBody(t, sr, a, decodedLen(t, sr))
	wantCode(t, err, "SignatureDoesNotMatch")
}

func TestChunkSignerSignHash(t *testing.T) {
	a := NewChunkSigner(testSecret, testRegion, testTime, strings.Repeat("0", 64))
	b := NewChunkSigner(testSecret, testRegion, testTime, strings.Repeat("0", 64))
	for _, chunk := range [][]byte{payloadOf(100), payloadOf(7), nil} {
		if x, y := a.Sign(chunk), b.SignHash(sha256.Sum256(chunk)); x != y {
			t.Fatalf("Sign %s, SignHash %s", x, y)
		}
	}
}

func TestChunkedBodySourceError(t *testing.T) {
	boom := errors.New("boom")
	rd := ChunkedBody(iotest.ErrReader(boom), 8192, NewChunkSigner(testSecret, testRegion, testTime, "seed"))
	if _, err := io.ReadAll(rd); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
}

func BenchmarkSign(b *testing.B) {
	r, _ := http.NewRequest("PUT", "http://127.0.0.1:9000/bucket/talus-bench/put/00000001", nil)
	r.ContentLength = 4096
	b.ReportAllocs()
	for b.Loop() {
		Sign(r, testAK, testSecret, testRegion, UnsignedPayload, testTime)
	}
}
