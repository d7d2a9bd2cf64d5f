package sigv4

import (
	"bytes"
	"io"
	"testing"
)

func BenchmarkVerifyHeader(b *testing.B) {
	req := clientRequest(b, "PUT", "/bucket/some/object key.txt", "partNumber=3&uploadId=abc", nil)
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("X-Amz-Meta-Owner", "bench")
	sdkSign(b, req, nil, signOpts{})
	r := toServer(b, req)
	v := testVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPresigned(b *testing.B) {
	r := toServer(b, sdkPresign(b, clientRequest(b, "GET", "/bucket/some/object key.txt", "versionId=1", nil), 3600, signOpts{}))
	v := testVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChunkedReader(b *testing.B) {
	const size = 16 << 20
	a, e := testAuth(PayloadStreamingSignedTrailer)
	stream := e.encode(payloadOf(size), 64<<10, [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}})
	buf := make([]byte, 32<<10)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		// Hide io.Discard's ReaderFrom so reads use buf, like a real copy loop.
		n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, a.Body(bytes.NewReader(stream), size), buf)
		if err != nil || n != size {
			b.Fatal(n, err)
		}
	}
}
