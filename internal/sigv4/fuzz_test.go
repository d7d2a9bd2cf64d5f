package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzChunkedReader feeds arbitrary bodies to every streaming mode. The
// reader must terminate, never panic, never return more bytes than it was
// given, and fail only with *Error (the source itself never fails).
func FuzzChunkedReader(f *testing.F) {
	for _, mode := range []PayloadMode{PayloadStreamingSigned, PayloadStreamingSignedTrailer, PayloadStreamingUnsignedTrailer} {
		_, e := testAuth(mode)
		var trs [][2]string
		if mode != PayloadStreamingSigned {
			trs = [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}
		}
		f.Add(e.encode(payloadOf(40), 16, trs), uint8(mode), int64(40))
		_, e = testAuth(mode)
		f.Add(e.encode(nil, 16, trs), uint8(mode), int64(-1))
	}
	f.Add([]byte("7fffffffffffffff;chunk-signature=00\r\nabc"), uint8(PayloadStreamingSigned), int64(-1))
	f.Add([]byte("0\r\n\n\n\r\n:\r\nx-amz-trailer-signature:\r\n"), uint8(PayloadStreamingUnsignedTrailer), int64(0))
	f.Add([]byte("1;chunk-signature="), uint8(PayloadStreamingSignedTrailer), int64(1))

	f.Fuzz(func(t *testing.T, body []byte, mode uint8, decLen int64) {
		m := PayloadStreamingSigned + PayloadMode(mode%3)
		a, _ := testAuth(m)
		if mode&0x80 != 0 {
			a.trailers = []string{"x-amz-checksum-crc32"}
		}
		rd := a.Body(bytes.NewReader(body), decLen)
		buf := make([]byte, 1+int(mode)%64)
		var total int
		for calls := 0; ; calls++ {
			if calls > 2*len(body)+16 {
				t.Fatalf("no progress after %d reads", calls)
			}
			n, err := rd.Read(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("bad n %d", n)
			}
			total += n
			if err == io.EOF {
				if rd.Trailers() == nil {
					t.Fatal("nil trailers at EOF")
				}
				if decLen >= 0 && int64(total) != decLen {
					t.Fatalf("EOF after %d bytes, declared %d", total, decLen)
				}
				break
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("non-*Error %T %v", err, err)
				}
				break
			}
		}
		if total > len(body) {
			t.Fatalf("decoded %d bytes from %d", total, len(body))
		}
	})
}

// FuzzParseAuthorization checks the Authorization parser and the whole header
// path against arbitrary values: no panics, *Error only, and a parse that
// succeeds survives a round trip through the canonical layout.
func FuzzParseAuthorization(f *testing.F) {
	req := clientRequest(f, "GET", "/bucket/key", "prefix=a", nil)
	sdkSign(f, req, nil, signOpts{})
	valid := req.Header.Get("Authorization")
	f.Add(valid)
	f.Add(strings.ReplaceAll(valid, ", ", ","))
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=")
	f.Add("AWS4-HMAC-SHA256 Credential=//20260102/us-east-1/s3/aws4_request,,,SignedHeaders=;;,Signature==")
	f.Add("AWS4-HMAC-SHA256")
	f.Add("AWS AKID:sig")
	f.Add("AWS4-HMAC-SHA256\tCredential=x\x00, SignedHeaders=HOST;X-Amz-Date, Signature=zz")
	f.Add("")

	f.Fuzz(func(t *testing.T, h string) {
		ah, err := parseAuthorization(h)
		if err == nil {
			again, err2 := parseAuthorization(algorithm + " Credential=" + ah.credential +
				", SignedHeaders=" + ah.signedHeaders + ", Signature=" + ah.signature)
			if err2 != nil || again != ah {
				t.Fatalf("round trip %q: %+v vs %+v (%v)", h, ah, again, err2)
			}
			if c, ok := parseCredential(ah.credential); ok && c.accessKey+"/"+c.scope() != ah.credential {
				t.Fatalf("credential round trip %q -> %+v", ah.credential, c)
			}
			if names, ok := parseSignedHeaders(ah.signedHeaders); ok {
				for i := 1; i < len(names); i++ {
					if names[i] <= names[i-1] {
						t.Fatalf("signed headers not sorted/unique: %q", names)
					}
				}
			}
		}
		r, _ := http.NewRequest("GET", "http://"+testHost+"/bucket/key?prefix=a", nil)
		for k, v := range req.Header {
			r.Header[k] = v
		}
		r.Header["Authorization"] = []string{h}
		a, verr := testVerifier().Verify(r)
		if verr != nil {
			var e *Error
			if !errors.As(verr, &e) || e.Status == 0 || e.Code == "" {
				t.Fatalf("bad error %#v", verr)
			}
			if a != nil {
				t.Fatal("auth with error")
			}
		} else if a == nil || a.AccessKey != testAK {
			t.Fatalf("success without auth for %q", h)
		}
	})
}
