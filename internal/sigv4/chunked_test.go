package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/minio/minio-go/v7/pkg/signer"
)

// sha256Hasher adapts crypto/sha256 to minio-go's md5simd.Hasher.
type sha256Hasher struct{ hash.Hash }

func (sha256Hasher) Close() {}

func payloadOf(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func crc32b64(b []byte) string {
	var s [4]byte
	v := crc32.ChecksumIEEE(b)
	s[0], s[1], s[2], s[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return base64.StdEncoding.EncodeToString(s[:])
}

// minioStream signs a streaming upload with minio-go and returns the server
// side request (body still unread).
func minioStream(t testing.TB, data []byte, trailer http.Header) *http.Request {
	t.Helper()
	req := clientRequest(t, "PUT", "/bucket/obj ect", "", nil)
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.Trailer = trailer
	signed := signer.StreamingSignV4(req, testAK, testSecret, "", testRegion, int64(len(data)), testTime, sha256Hasher{sha256.New()})
	return toServer(t, signed)
}

func readAllBody(t testing.TB, r *http.Request, a *Auth, decLen int64) ([]byte, *Reader, error) {
	t.Helper()
	rd := a.Body(r.Body, decLen)
	if rd.Trailers() != nil {
		t.Fatal("trailers before EOF")
	}
	got, err := io.ReadAll(rd)
	return got, rd, err
}

func decodedLen(t testing.TB, r *http.Request) int64 {
	v := r.Header.Get("X-Amz-Decoded-Content-Length")
	if v == "" {
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStreamingMinio(t *testing.T) {
	for _, n := range []int{0, 1, 100, 65535, 65536, 65537, 3*65536 + 17} {
		for _, withTrailer := range []bool{false, true} {
			data := payloadOf(n)
			var trailer http.Header
			if withTrailer {
				trailer = http.Header{"x-amz-checksum-crc32": {crc32b64(data)}}
			}
			r := minioStream(t, data, trailer)
			a, err := testVerifier().Verify(r)
			if err != nil {
				t.Fatalf("n=%d trailer=%v: verify: %v", n, withTrailer, err)
			}
			wantMode := PayloadStreamingSigned
			if withTrailer {
				wantMode = PayloadStreamingSignedTrailer
			}
			if a.Payload != wantMode {
				t.Fatalf("mode %v, want %v", a.Payload, wantMode)
			}
			got, rd, err := readAllBody(t, r, a, decodedLen(t, r))
			if err != nil {
				t.Fatalf("n=%d trailer=%v: read: %v", n, withTrailer, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("n=%d: payload differs (%d vs %d bytes)", n, len(got), len(data))
			}
			tr := rd.Trailers()
			if tr == nil {
				t.Fatal("nil trailers after EOF")
			}
			if withTrailer && tr.Get("X-Amz-Checksum-Crc32") != crc32b64(data) {
				t.Fatalf("trailers %v", tr)
			}
			if !withTrailer && len(tr) != 0 {
				t.Fatalf("unexpected trailers %v", tr)
			}
		}
	}
}

// minio-go's unsigned-trailer upload: header-signed request, unsigned chunks.
func TestStreamingUnsignedTrailerMinio(t *testing.T) {
	v := &Verifier{Region: testRegion, Lookup: lookup}
	for _, n := range []int{0, 5, 65536, 200000} {
		data := payloadOf(n)
		req := clientRequest(t, "PUT", "/bucket/k", "", nil)
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.ContentLength = int64(n)
		req.Header.Set("X-Amz-Content-Sha256", streamingUnsignedTrlr)
		trailer := http.Header{"x-amz-checksum-crc32": {crc32b64(data)}}
		r := toServer(t, signer.SignV4Trailer(*req, testAK, testSecret, "", testRegion, trailer))
		a, err := v.Verify(r)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if a.Payload != PayloadStreamingUnsignedTrailer {
			t.Fatalf("mode %v", a.Payload)
		}
		got, rd, err := readAllBody(t, r, a, decodedLen(t, r))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if !bytes.Equal(got, data) || rd.Trailers().Get("X-Amz-Checksum-Crc32") != crc32b64(data) {
			t.Fatalf("n=%d: payload/trailer mismatch: %v", n, rd.Trailers())
		}
	}
}

// encodeChunked is an independent aws-chunked encoder written from the AWS
// documentation, for shapes the client libraries do not produce.
type encoder struct {
	key           []byte
	date, scope   string
	prev          string
	signed        bool
	trailerSigned bool
}

func (e *encoder) sig(stsHead string, hexHash string) string {
	m := hmac.New(sha256.New, e.key)
	m.Write([]byte(stsHead + "\n" + e.date + "\n" + e.scope + "\n" + e.prev + "\n" + hexHash))
	e.prev = hex.EncodeToString(m.Sum(nil))
	return e.prev
}

func (e *encoder) chunk(buf *bytes.Buffer, data []byte) {
	buf.WriteString(strconv.FormatInt(int64(len(data)), 16))
	if e.signed {
		buf.WriteString(";chunk-signature=" + e.sig("AWS4-HMAC-SHA256-PAYLOAD", emptySHA256+"\n"+sha256Hex(data)))
	}
	buf.WriteString("\r\n")
	if len(data) > 0 {
		buf.Write(data)
		buf.WriteString("\r\n")
	}
}

// encode writes data in chunks of size chunk, a final chunk, and trailers in
// AWS SDK layout ("0...\r\n", "name:value\r\n"..., signature, "\r\n").
func (e *encoder) encode(data []byte, chunk int, trailers [][2]string) []byte {
	var buf bytes.Buffer
	for len(data) > 0 {
		n := min(chunk, len(data))
		e.chunk(&buf, data[:n])
		data = data[n:]
	}
	e.chunk(&buf, nil)
	var canon string
	for _, kv := range trailers {
		buf.WriteString(kv[0] + ":" + kv[1] + "\r\n")
		canon += kv[0] + ":" + kv[1] + "\n"
	}
	if e.trailerSigned {
		buf.WriteString("x-amz-trailer-signature:" + e.sig("AWS4-HMAC-SHA256-TRAILER", sha256Hex([]byte(canon))) + "\r\n")
	}
	buf.WriteString("\r\n")
	return buf.Bytes()
}

func testAuth(mode PayloadMode, trailers ...string) (*Auth, *encoder) {
	a := &Auth{
		AccessKey: testAK, Payload: mode,
		key:      deriveKey(testSecret, "20260102", testRegion, "s3"),
		seed:     strings.Repeat("5e", 32),
		amzDate:  "20260102T030405Z",
		scope:    "20260102/us-east-1/s3/aws4_request",
		trailers: trailers,
	}
	e := &encoder{key: a.key, date: a.amzDate, scope: a.scope, prev: a.seed,
		signed:        mode == PayloadStreamingSigned || mode == PayloadStreamingSignedTrailer,
		trailerSigned: mode == PayloadStreamingSignedTrailer}
	return a, e
}

// The independent encoder must agree byte for byte with minio-go.
func TestEncoderMatchesMinio(t *testing.T) {
	data := payloadOf(70000)
	r := minioStream(t, data, nil)
	a, err := testVerifier().Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := io.ReadAll(r.Body)
	e := &encoder{key: a.key, date: a.amzDate, scope: a.scope, prev: a.seed, signed: true}
	mine := e.encode(data, 64<<10, nil)
	if !bytes.Equal(wire, mine) {
		t.Fatalf("encoders disagree:\nminio %q\nmine  %q", wire[:120], mine[:120])
	}
}

func TestStreamingShapes(t *testing.T) {
	for _, mode := range []PayloadMode{PayloadStreamingSigned, PayloadStreamingSignedTrailer, PayloadStreamingUnsignedTrailer} {
		for _, chunk := range []int{1, 7, 8192, 65536} {
			for _, n := range []int{0, 1, 9000, 100000} {
				if chunk < 100 && n > 9000 {
					continue
				}
				var trailers [][2]string
				if mode != PayloadStreamingSigned {
					trailers = [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}, {"x-amz-checksum-sha256", "abc="}}
				}
				a, e := testAuth(mode)
				data := payloadOf(n)
				stream := e.encode(data, chunk, trailers)
				// One-byte reads on both sides exercise every state boundary.
				for _, oneByte := range []bool{false, true} {
					var src io.Reader = bytes.NewReader(stream)
					if oneByte {
						src = iotest.OneByteReader(src)
					}
					rd := a.Body(src, int64(n))
					var got []byte
					var err error
					if oneByte {
						got, err = io.ReadAll(iotest.OneByteReader(rd))
					} else {
						got, err = io.ReadAll(rd)
					}
					if err != nil {
						t.Fatalf("%v chunk=%d n=%d: %v", mode, chunk, n, err)
					}
					if !bytes.Equal(got, data) {
						t.Fatalf("%v chunk=%d n=%d: payload differs", mode, chunk, n)
					}
					if len(trailers) > 0 && rd.Trailers().Get("X-Amz-Checksum-Sha256") != "abc=" {
						t.Fatalf("trailers %v", rd.Trailers())
					}
				}
			}
		}
	}
}

// The AWS documentation examples: 66560 bytes of 'a' in a 64 KiB chunk and a
// 1 KiB chunk, without and with a signed trailer.
func TestStreamingAWSDocumentVectors(t *testing.T) {
	key := deriveKey(testSecret, "20130524", "us-east-1", "s3")
	a1, a2 := strings.Repeat("a", 65536), strings.Repeat("a", 1024)
	cases := []struct {
		name, seed, body string
		mode             PayloadMode
		trailer          string
	}{
		{"signed", "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
			"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" + a1 + "\r\n" +
				"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" + a2 + "\r\n" +
				"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n",
			PayloadStreamingSigned, ""},
		{"signed trailer", "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
			"10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" + a1 + "\r\n" +
				"400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" + a2 + "\r\n" +
				"0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
				"x-amz-checksum-crc32c:sOO8/Q==\r\n" +
				"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n",
			PayloadStreamingSignedTrailer, "sOO8/Q=="},
		// Some writers put a blank line between the final chunk and the
		// trailers (as if the empty chunk had data + CRLF).
		{"signed trailer, blank line", "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
			"10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" + a1 + "\r\n" +
				"400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" + a2 + "\r\n" +
				"0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n\r\n" +
				"x-amz-checksum-crc32c:sOO8/Q==\r\n" +
				"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n",
			PayloadStreamingSignedTrailer, "sOO8/Q=="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &Auth{Payload: tc.mode, key: key, seed: tc.seed, amzDate: "20130524T000000Z",
				scope: "20130524/us-east-1/s3/aws4_request", trailers: []string{"x-amz-checksum-crc32c"}}
			rd := a.Body(strings.NewReader(tc.body), 66560)
			got, err := io.ReadAll(rd)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != a1+a2 {
				t.Fatalf("payload differs: %d bytes", len(got))
			}
			if g := rd.Trailers().Get("X-Amz-Checksum-Crc32c"); g != tc.trailer {
				t.Fatalf("trailer %q", g)
			}
			// Any single flipped byte in the chunk data must be caught.
			for _, off := range []int{100, 65536 + 90, len(tc.body) - 200} {
				bad := []byte(tc.body)
				bad[off] ^= 1
				_, err := io.ReadAll(a.Body(bytes.NewReader(bad), 66560))
				if err == nil {
					t.Fatalf("flip at %d accepted", off)
				}
			}
		})
	}
}

func TestStreamingCorruption(t *testing.T) {
	data := payloadOf(3000)
	tr := [][2]string{{"x-amz-checksum-crc32", crc32b64(data)}}
	type tcase struct {
		name   string
		mode   PayloadMode
		decLen int64
		edit   func(s string) string
		code   string
	}
	sigAt := func(s string, n int) int { // index of the n-th chunk signature value
		i := -1
		for range n + 1 {
			i += 1 + strings.Index(s[i+1:], "chunk-signature=")
		}
		return i + len("chunk-signature=")
	}
	cases := []tcase{
		{"ok", PayloadStreamingSignedTrailer, 3000, nil, ""},
		{"ok no length", PayloadStreamingSignedTrailer, -1, nil, ""},
		{"data byte", PayloadStreamingSigned, 3000, func(s string) string { return s[:200] + "\x00" + s[201:] }, "SignatureDoesNotMatch"},
		{"chunk signature", PayloadStreamingSigned, 3000, func(s string) string {
			i := sigAt(s, 1)
			return s[:i] + strings.Repeat("0", 64) + s[i+64:]
		}, "SignatureDoesNotMatch"},
		{"final signature", PayloadStreamingSigned, 3000, func(s string) string {
			i := sigAt(s, 3)
			return s[:i] + strings.Repeat("0", 64) + s[i+64:]
		}, "SignatureDoesNotMatch"},
		{"short signature", PayloadStreamingSigned, 3000, func(s string) string {
			i := sigAt(s, 0)
			return s[:i] + s[i+1:]
		}, "SignatureDoesNotMatch"},
		// With 1024-byte chunks each full chunk is 86 header + 1024 + 2 bytes.
		{"swapped chunks", PayloadStreamingSigned, 3000, func(s string) string {
			return s[1112:2224] + s[:1112] + s[2224:]
		}, "SignatureDoesNotMatch"},
		{"dropped chunk", PayloadStreamingSigned, -1, func(s string) string {
			return s[:1112] + s[2224:]
		}, "SignatureDoesNotMatch"},
		{"duplicated chunk", PayloadStreamingSigned, -1, func(s string) string {
			return s[:2224] + s[1112:]
		}, "SignatureDoesNotMatch"},
		{"trailer value", PayloadStreamingSignedTrailer, 3000, func(s string) string {
			return strings.Replace(s, tr[0][1], "AAAAAA==", 1)
		}, "SignatureDoesNotMatch"},
		{"trailer signature", PayloadStreamingSignedTrailer, 3000, func(s string) string {
			i := strings.Index(s, "x-amz-trailer-signature:") + 24
			return s[:i] + strings.Repeat("1", 64) + s[i+64:]
		}, "SignatureDoesNotMatch"},
		{"trailer signature missing", PayloadStreamingSignedTrailer, 3000, func(s string) string {
			return s[:strings.Index(s, "x-amz-trailer-signature:")]
		}, "IncompleteBody"},
		{"trailer after signature", PayloadStreamingSignedTrailer, 3000, func(s string) string {
			return strings.TrimSuffix(s, "\r\n") + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n"
		}, "InvalidRequest"},
		{"undeclared trailer", PayloadStreamingSignedTrailer, 3000, func(s string) string {
			return strings.Replace(s, "x-amz-checksum-crc32:", "x-amz-meta-evil:", 1)
		}, "InvalidRequest"},
		{"trailer in signed-only mode", PayloadStreamingSigned, 3000, func(s string) string {
			return strings.TrimSuffix(s, "\r\n") + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n"
		}, "InvalidRequest"},
		{"longer decoded length", PayloadStreamingSigned, 3001, nil, "IncompleteBody"},
		{"shorter decoded length", PayloadStreamingSigned, 2999, nil, "IncompleteBody"},
		{"bad hex size", PayloadStreamingSigned, 3000, func(s string) string { return "zz" + s[3:] }, "InvalidRequest"},
		{"size overflow", PayloadStreamingSigned, -1, func(s string) string { return "fffffffffffffffff" + s[3:] }, "InvalidRequest"},
		{"huge size", PayloadStreamingSigned, -1, func(s string) string { return "7fffffffffffffff" + s[3:] }, "IncompleteBody"},
		{"huge size with length", PayloadStreamingSigned, 3000, func(s string) string { return "7fffffffffffffff" + s[3:] }, "IncompleteBody"},
		{"size too small", PayloadStreamingSigned, -1, func(s string) string { return "3ff" + s[3:] }, "IncompleteBody"},
		{"missing chunk signature", PayloadStreamingSigned, 3000, func(s string) string {
			i := strings.Index(s, ";")
			return s[:i] + s[i+82:]
		}, "InvalidRequest"},
		{"LF only header", PayloadStreamingSigned, 3000, func(s string) string {
			i := strings.Index(s, "\r\n")
			return s[:i] + s[i+1:]
		}, "InvalidRequest"},
		{"overlong header line", PayloadStreamingSigned, 3000, func(s string) string {
			return strings.Replace(s, ";chunk-signature=", ";x="+strings.Repeat("x", 5000)+";chunk-signature=", 1)
		}, "InvalidRequest"},
		{"signature in unsigned mode", PayloadStreamingUnsignedTrailer, 3000, func(s string) string {
			return strings.Replace(s, "400\r\n", "400;chunk-signature="+strings.Repeat("0", 64)+"\r\n", 1)
		}, "InvalidRequest"},
		{"garbage trailer", PayloadStreamingUnsignedTrailer, 3000, func(s string) string {
			return strings.TrimSuffix(s, "\r\n") + "garbage\r\n\r\n"
		}, "InvalidRequest"},
		{"unterminated trailer", PayloadStreamingUnsignedTrailer, 3000, func(s string) string {
			return strings.TrimSuffix(s, "\r\n\r\n")
		}, "IncompleteBody"},
		{"no final CRLF is fine", PayloadStreamingSignedTrailer, 3000, func(s string) string {
			return strings.TrimSuffix(s, "\r\n")
		}, ""},
		{"minio-style trailer layout", PayloadStreamingUnsignedTrailer, 3000, func(s string) string {
			return strings.Replace(s, tr[0][1]+"\r\n\r\n", tr[0][1]+"\n\r\n\r\n", 1)
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, e := testAuth(tc.mode, "x-amz-checksum-crc32")
			var trs [][2]string
			if tc.mode != PayloadStreamingSigned {
				trs = tr
			}
			s := string(e.encode(data, 1024, trs))
			if tc.edit != nil {
				s = tc.edit(s)
			}
			rd := a.Body(strings.NewReader(s), tc.decLen)
			got, err := io.ReadAll(rd)
			wantCode(t, err, tc.code)
			if err == nil && !bytes.Equal(got, data) {
				t.Fatal("payload differs")
			}
			if err != nil {
				if rd.Trailers() != nil {
					t.Fatal("trailers after a failed read")
				}
				// Errors are sticky.
				if _, err2 := rd.Read(make([]byte, 10)); err2 != err {
					t.Fatalf("error not sticky: %v then %v", err, err2)
				}
			}
		})
	}
}

// Every proper prefix of a valid stream is rejected as IncompleteBody, except
// the ones that only lack the optional final CRLF.
func TestStreamingTruncation(t *testing.T) {
	for _, mode := range []PayloadMode{PayloadStreamingSigned, PayloadStreamingSignedTrailer, PayloadStreamingUnsignedTrailer} {
		for _, decLen := range []int64{-1, 300} {
			a, e := testAuth(mode, "x-amz-checksum-crc64nvme")
			data := payloadOf(300)
			var trs [][2]string
			if mode != PayloadStreamingSigned {
				trs = [][2]string{{"x-amz-checksum-crc64nvme", "AAAAAAAAAAA="}}
			}
			s := e.encode(data, 128, trs)
			okFrom := len(s) - 2 // the final blank line is optional
			for cut := 0; cut < len(s); cut++ {
				_, err := io.ReadAll(a.Body(bytes.NewReader(s[:cut]), decLen))
				if cut >= okFrom {
					if err != nil {
						t.Fatalf("%v cut %d/%d: %v", mode, cut, len(s), err)
					}
					continue
				}
				var ae *Error
				if !errors.As(err, &ae) || ae.Code != "IncompleteBody" {
					t.Fatalf("%v decLen=%d cut %d/%d (%q): got %v", mode, decLen, cut, len(s), s[max(0, cut-10):cut], err)
				}
			}
		}
	}
}

// An error from the underlying reader is passed through unchanged.
func TestStreamingUnderlyingError(t *testing.T) {
	a, e := testAuth(PayloadStreamingSigned)
	s := e.encode(payloadOf(5000), 1000, nil)
	boom := errors.New("connection reset")
	src := io.MultiReader(bytes.NewReader(s[:2500]), iotest.ErrReader(boom))
	_, err := io.ReadAll(a.Body(src, -1))
	if err != boom {
		t.Fatalf("got %v", err)
	}
}

// A huge declared chunk is streamed, not buffered.
func TestStreamingBoundedMemory(t *testing.T) {
	a, _ := testAuth(PayloadStreamingUnsignedTrailer)
	const size = 64 << 20
	hdr := strings.NewReader(strconv.FormatInt(size, 16) + "\r\n")
	src := io.MultiReader(hdr, io.LimitReader(zeroReader{}, size), strings.NewReader("\r\n0\r\n\r\n"))
	rd := a.Body(src, size)
	buf := make([]byte, 32<<10)
	var total int64
	allocs := testing.AllocsPerRun(1, func() {
		for {
			n, err := rd.Read(buf)
			total += int64(n)
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	if total != size {
		t.Fatalf("read %d", total)
	}
	if allocs > 20 {
		t.Fatalf("%v allocations streaming one chunk", allocs)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestSignedPayloadBody(t *testing.T) {
	body := []byte("the quick brown fox")
	a := &Auth{Payload: PayloadSigned, PayloadSHA256: sha256Hex(body)}
	rd := a.Body(iotest.HalfReader(bytes.NewReader(body)), -1)
	got, err := io.ReadAll(rd)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("%q %v", got, err)
	}
	if rd.Trailers() != nil {
		t.Fatal("trailers for a plain body")
	}
	_, err = io.ReadAll(a.Body(bytes.NewReader(append(body, '!')), -1))
	e := wantCode(t, err, "XAmzContentSHA256Mismatch")
	if e.Status != 400 {
		t.Fatalf("status %d", e.Status)
	}
	// A reader that returns data together with io.EOF.
	_, err = io.ReadAll(a.Body(iotest.DataErrReader(bytes.NewReader(body[:3])), -1))
	wantCode(t, err, "XAmzContentSHA256Mismatch")

	u := &Auth{Payload: PayloadUnsigned}
	got, err = io.ReadAll(u.Body(bytes.NewReader(body), -1))
	if err != nil || !bytes.Equal(got, body) {
		t.Fatal("unsigned body altered")
	}
	var nilAuth *Auth
	if got, _ := io.ReadAll(nilAuth.Body(bytes.NewReader(body), -1)); !bytes.Equal(got, body) {
		t.Fatal("nil auth body altered")
	}
}

// End to end: a signed PUT body verified through Verify and Body.
func TestSignedPayloadEndToEnd(t *testing.T) {
	body := payloadOf(10000)
	req := clientRequest(t, "PUT", "/bucket/k", "", body)
	sdkSign(t, req, body, signOpts{})
	r := toServer(t, req)
	a, err := testVerifier().Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(a.Body(r.Body, -1))
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("%v", err)
	}
}

// failOnce returns data, then an error, then (wrongly) more data.
type failOnce struct{ calls int }

func (f *failOnce) Read(p []byte) (int, error) {
	f.calls++
	if f.calls == 2 {
		return 0, io.ErrUnexpectedEOF
	}
	return copy(p, "abc"), nil
}

func TestSignedBodyTransportErrorIsSticky(t *testing.T) {
	a := &Auth{Payload: PayloadSigned, PayloadSHA256: strings.Repeat("0", 64)}
	r := a.Body(&failOnce{}, -1)
	buf := make([]byte, 8)
	if _, err := r.Read(buf); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(buf); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("second read = %v", err)
	}
	if n, err := r.Read(buf); n != 0 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("read after a transport error = %d, %v; want the same error again", n, err)
	}
}
