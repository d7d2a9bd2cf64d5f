package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// Bodies around the 1 MiB pipeline threshold, with every integrity check
// the pipeline takes over, on encrypted and plaintext storage.
func TestPutPipeline(t *testing.T) {
	t.Parallel()
	sizes := []int{1<<20 - 1, 1 << 20, 1<<20 + 1, 5<<20 + 7}
	for _, enc := range []string{"sse-s3", "none"} {
		t.Run(enc, func(t *testing.T) {
			t.Parallel()
			var opts []testserver.Option
			if enc == "none" {
				opts = append(opts, testserver.WithDefaultEncryption("none"))
			}
			srv := testserver.Start(t, opts...)
			c := srv.Client()
			mustCreateBucket(t, c, "pipe")
			for i, size := range sizes {
				body := randBytes(uint64(100+i), size)
				url := func(k string) string { return srv.URL + "/pipe/" + k }

				// Signed aws-chunked (minio-go signs every 64 KiB chunk).
				key := fmt.Sprintf("signed-%d", size)
				req, _ := rqStreamingSigned(t, url(key), body, nil)
				res := rqDo(t, req)
				if res.Status != http.StatusOK || res.Header.Get("ETag") != etagFor(body) {
					t.Fatalf("%s: %d ETag %s: %s", key, res.Status, res.Header.Get("ETag"), res.Body)
				}
				if got := mustGet(t, c, "pipe", key); !bytes.Equal(got, body) {
					t.Fatalf("%s: stored body differs", key)
				}

				// A corrupted data byte in the middle, and in the last chunk.
				for _, last := range []bool{false, true} {
					k := fmt.Sprintf("corrupt-%d-%v", size, last)
					req, wire := rqStreamingSigned(t, url(k), body, nil)
					at := len(body)/2/(64<<10)*(64<<10) + 100
					j := bytes.Index(wire, body[at:at+8])
					if last {
						j = bytes.Index(wire, []byte("\r\n0;chunk-signature=")) - 1
					}
					wire[j] ^= 0xff
					rqErr(t, rqDo(t, req), http.StatusForbidden, "SignatureDoesNotMatch")
					mustNoKey(t, c, "pipe", k)
				}

				// Signed with a trailer, cut short: IncompleteBody, no object.
				k := fmt.Sprintf("cut-%d", size)
				req, wire := rqStreamingSigned(t, url(k), body, http.Header{"x-amz-checksum-crc32": {rqCRC32(body)}})
				req.Body = io.NopCloser(bytes.NewReader(wire[:len(wire)-2000]))
				req.ContentLength = int64(len(wire) - 2000)
				rqErr(t, rqDo(t, req), http.StatusBadRequest, "IncompleteBody")
				mustNoKey(t, c, "pipe", k)

				// Unsigned trailers of three algorithms, right and wrong.
				sums := checksums(body)
				for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha256} {
					name := "x-amz-checksum-" + strings.ToLower(string(alg))
					send := func(k, value string) rawResp {
						return doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "pipe", k), Payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
							Header: map[string]string{
								"Content-Encoding":             "aws-chunked",
								"X-Amz-Decoded-Content-Length": fmt.Sprint(size),
								"X-Amz-Trailer":                name,
							},
							Body: chunkedUnsigned(body, 64<<10, name, value)})
					}
					k := fmt.Sprintf("trailer-%s-%d", alg, size)
					r := send(k, sums[alg])
					wantRaw(t, k, r, 200, "")
					if r.Header.Get("ETag") != etagFor(body) || r.Header.Get(name) != sums[alg] {
						t.Fatalf("%s: ETag %q %s %q", k, r.Header.Get("ETag"), name, r.Header.Get(name))
					}
					mustStoredChecksum(t, c, "pipe", k, alg, sums[alg])
					r = send(k+"-bad", checksums([]byte("nope"))[alg])
					wantRaw(t, k+" wrong", r, 400, "BadDigest")
					mustNoKey(t, c, "pipe", k+"-bad")
				}

				// Content-MD5, good and bad, on a signed payload.
				k = fmt.Sprintf("md5-%d", size)
				r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "pipe", k), Header: map[string]string{"Content-MD5": md5B64(body)}, Body: body})
				wantRaw(t, k, r, 200, "")
				if r.Header.Get("ETag") != etagFor(body) {
					t.Fatalf("%s: ETag %q", k, r.Header.Get("ETag"))
				}
				r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "pipe", k+"-bad"), Header: map[string]string{"Content-MD5": md5B64(body[1:])}, Body: body})
				wantRaw(t, k+" wrong", r, 400, "BadDigest")
				mustNoKey(t, c, "pipe", k+"-bad")
				// A body that does not match its x-amz-content-sha256.
				other := bytes.Clone(body)
				other[len(other)/2] ^= 1
				r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "pipe", k+"-sha"), Body: other, Payload: sha256Hex(body)})
				wantRaw(t, k+" sha256", r, 400, "XAmzContentSHA256Mismatch")
				mustNoKey(t, c, "pipe", k+"-sha")
			}
		})
	}
}
