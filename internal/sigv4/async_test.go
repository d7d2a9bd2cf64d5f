package sigv4

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"talus/internal/checksum"
)

// readPipelined reads rd as the object writer does with a pipeline: chunk
// checks run in a checksum.Parallel stage and any stage error wins over a
// later read error.
func readPipelined(rd *Reader, readSize int) ([]byte, error) {
	var par *checksum.Parallel
	v := rd.Async(func() { par.Flush() })
	if v == nil {
		return nil, errors.New("Async refused")
	}
	par = checksum.NewParallel(v)
	var got []byte
	buf := make([]byte, readSize)
	for {
		n, err := rd.Read(buf)
		got = append(got, buf[:n]...)
		if n > 0 {
			if _, werr := par.Write(buf[:n]); werr != nil {
				par.Close()
				return got, werr
			}
		}
		if err == io.EOF {
			return got, par.Close()
		}
		if err != nil {
			if serr := par.Close(); serr != nil {
				err = serr
			}
			return got, err
		}
	}
}

// The async mode gives the same bytes and the same errors as the serial
// one on the corruption, shape and truncation cases.
func TestAsyncMatchesSerial(t *testing.T) {
	type input struct {
		name   string
		mode   PayloadMode
		stream []byte
		decLen int64
	}
	var inputs []input
	for _, mode := range []PayloadMode{PayloadStreamingSigned, PayloadStreamingSignedTrailer} {
		for _, chunk := range []int{1, 7, 1000, 8192, 65536} {
			for _, n := range []int{1, 9000, 200000} {
				if chunk < 100 && n > 9000 {
					continue
				}
				var trs [][2]string
				if mode != PayloadStreamingSigned {
					trs = [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}
				}
				_, e := testAuth(mode, "x-amz-checksum-crc32")
				data := payloadOf(n)
				s := e.encode(data, chunk, trs)
				inputs = append(inputs, input{"ok", mode, s, int64(n)})
				// Every 97th prefix, a flipped data byte and a bad signature.
				for cut := 0; cut < len(s); cut += 97 + len(s)/50 {
					inputs = append(inputs, input{"cut", mode, s[:cut], int64(n)})
				}
				for _, at := range []int{len(s) / 3, len(s) / 2, len(s) - 200} {
					if at < 0 {
						continue
					}
					c := bytes.Clone(s)
					c[at] ^= 1
					inputs = append(inputs, input{"flip", mode, c, int64(n)})
				}
				if i := strings.LastIndex(string(s), "chunk-signature="); i > 0 {
					c := bytes.Clone(s)
					i = strings.Index(string(s), "chunk-signature=") + 16
					c[i] ^= 1
					inputs = append(inputs, input{"first sig", mode, c, int64(n)})
				}
				// A bad chunk followed by a cut body: the signature error wins.
				if n > 2000 && chunk >= 1000 {
					c := bytes.Clone(s[:len(s)*3/4])
					c[200] ^= 1
					inputs = append(inputs, input{"flip then cut", mode, c, int64(n)})
				}
			}
		}
	}
	for _, in := range inputs {
		for _, readSize := range []int{1, 4093, 1 << 20} {
			if readSize == 1 && len(in.stream) > 20000 {
				continue
			}
			a, _ := testAuth(in.mode, "x-amz-checksum-crc32")
			want, wantErr := io.ReadAll(a.Body(bytes.NewReader(in.stream), in.decLen))
			var src io.Reader = bytes.NewReader(in.stream)
			if readSize == 1 {
				src = iotest.OneByteReader(src)
			}
			rd := a.Body(src, in.decLen)
			got, err := readPipelined(rd, readSize)
			if !sameErr(err, wantErr) {
				t.Fatalf("%s %v len %d read %d: async %v, serial %v", in.name, in.mode, len(in.stream), readSize, err, wantErr)
			}
			if wantErr == nil && !bytes.Equal(got, want) {
				t.Fatalf("%s: bytes differ", in.name)
			}
			if wantErr == nil && in.mode == PayloadStreamingSignedTrailer && rd.Trailers().Get("X-Amz-Checksum-Crc32") != "AAAAAA==" {
				t.Fatalf("trailers %v", rd.Trailers())
			}
		}
	}
}

func sameErr(a, b error) bool {
	var ea, eb *Error
	if errors.As(a, &ea) && errors.As(b, &eb) {
		return ea.Code == eb.Code && ea.Status == eb.Status
	}
	return a == b
}

// Async applies only to signed streaming bodies not yet read.
func TestAsyncRefused(t *testing.T) {
	a, e := testAuth(PayloadStreamingUnsignedTrailer)
	if a.Body(bytes.NewReader(e.encode(payloadOf(10), 5, nil)), 10).Async(func() {}) != nil {
		t.Error("Async accepted an unsigned stream")
	}
	a, e = testAuth(PayloadStreamingSigned)
	rd := a.Body(bytes.NewReader(e.encode(payloadOf(10), 5, nil)), 10)
	rd.Read(make([]byte, 3))
	if rd.Async(func() {}) != nil {
		t.Error("Async accepted a stream already being read")
	}
}

// A failed chunk releases a reader waiting on a full queue and leaks no
// goroutine.
func TestAsyncNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		a, e := testAuth(PayloadStreamingSigned)
		s := e.encode(payloadOf(20000), 10, nil)
		// Chunk i's data (each chunk is 84 header + 10 data + 2 bytes).
		s[96*i+84+i%10] ^= 1
		_, err := readPipelined(a.Body(bytes.NewReader(s), 20000), 4093)
		wantCode(t, err, "SignatureDoesNotMatch")
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after, %d before", n, before)
	}
}
