package e2e

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/crc64nvme"

	"talus/internal/testserver"
)

// checksums returns the base64 x-amz-checksum-* values of b by algorithm.
func checksums(b []byte) map[types.ChecksumAlgorithm]string {
	be32 := func(v uint32) string { return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, v)) }
	s1 := sha1.Sum(b)
	s256 := sha256.Sum256(b)
	return map[types.ChecksumAlgorithm]string{
		types.ChecksumAlgorithmCrc32:     be32(crc32.ChecksumIEEE(b)),
		types.ChecksumAlgorithmCrc32c:    be32(crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))),
		types.ChecksumAlgorithmCrc64nvme: base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, crc64nvme.Checksum(b))),
		types.ChecksumAlgorithmSha1:      base64.StdEncoding.EncodeToString(s1[:]),
		types.ChecksumAlgorithmSha256:    base64.StdEncoding.EncodeToString(s256[:]),
	}
}

// setChecksum puts v into the PutObjectInput field for alg.
func setChecksum(in *s3.PutObjectInput, alg types.ChecksumAlgorithm, v string) {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		in.ChecksumCRC32 = aws.String(v)
	case types.ChecksumAlgorithmCrc32c:
		in.ChecksumCRC32C = aws.String(v)
	case types.ChecksumAlgorithmCrc64nvme:
		in.ChecksumCRC64NVME = aws.String(v)
	case types.ChecksumAlgorithmSha1:
		in.ChecksumSHA1 = aws.String(v)
	case types.ChecksumAlgorithmSha256:
		in.ChecksumSHA256 = aws.String(v)
	}
}

// gotChecksums collects the checksum fields of a GET or HEAD output.
func gotChecksums(crc32, crc32c, crc64, sha1, sha256 *string) map[types.ChecksumAlgorithm]string {
	m := map[types.ChecksumAlgorithm]string{}
	for alg, p := range map[types.ChecksumAlgorithm]*string{
		types.ChecksumAlgorithmCrc32: crc32, types.ChecksumAlgorithmCrc32c: crc32c, types.ChecksumAlgorithmCrc64nvme: crc64,
		types.ChecksumAlgorithmSha1: sha1, types.ChecksumAlgorithmSha256: sha256,
	} {
		if p != nil {
			m[alg] = *p
		}
	}
	return m
}

// mustStoredChecksum checks that HEAD and GET with checksum mode enabled
// return exactly {alg: want}, and that GET without it returns none.
func mustStoredChecksum(t *testing.T, c *s3.Client, bucket, key string, alg types.ChecksumAlgorithm, want string) {
	t.Helper()
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("%s: HEAD: %v", alg, err)
	}
	got := gotChecksums(h.ChecksumCRC32, h.ChecksumCRC32C, h.ChecksumCRC64NVME, h.ChecksumSHA1, h.ChecksumSHA256)
	if len(got) != 1 || got[alg] != want || h.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("%s: HEAD checksums %v type %q, want %s=%s FULL_OBJECT", alg, got, h.ChecksumType, alg, want)
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("%s: GET: %v", alg, err)
	}
	readAllBody(t, g.Body) // the SDK validates the body against the checksum
	got = gotChecksums(g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256)
	if len(got) != 1 || got[alg] != want {
		t.Errorf("%s: GET checksums %v, want %s=%s", alg, got, alg, want)
	}
}

// mustNoChecksumHeaders checks that a GET without x-amz-checksum-mode (raw:
// some SDK settings add it by themselves) returns no checksum.
func mustNoChecksumHeaders(t *testing.T, srv *testserver.Server, bucket, key string) {
	t.Helper()
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, bucket, key)})
	for k := range r.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			t.Errorf("%s: GET without checksum mode returned %s", key, k)
		}
	}
}

func TestObjectContentMD5(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "md5")
	for _, size := range []int{10, 100 << 10} {
		body := randBytes(uint64(size), size)
		key := fmt.Sprintf("obj-%d", size)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("md5"), Key: aws.String(key), Body: bytes.NewReader(body), ContentMD5: aws.String(md5B64(body))})
		if err != nil {
			t.Fatalf("right Content-MD5: %v", err)
		}
		other := randBytes(99, size)
		blobsBefore := len(blobFiles(t, srv))

		// Wrong digest: rejected, and neither an overwrite nor a new key happens.
		for _, k := range []string{key, key + "-new"} {
			r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "md5", k), Header: map[string]string{"Content-MD5": md5B64(body)}, Body: other})
			wantRaw(t, "wrong Content-MD5", r, 400, "BadDigest")
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("md5"), Key: aws.String(k), Body: bytes.NewReader(other), ContentMD5: aws.String(md5B64(body))})
			mustCode(t, err, "BadDigest")
		}
		if got := mustGet(t, c, "md5", key); !bytes.Equal(got, body) {
			t.Fatalf("size %d: object overwritten by a request with a bad digest", size)
		}
		mustNoKey(t, c, "md5", key+"-new")
		if n := len(blobFiles(t, srv)); n != blobsBefore {
			t.Errorf("size %d: rejected uploads left blobs: %d files, had %d", size, n, blobsBefore)
		}

		// Malformed digests.
		for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(make([]byte, 15)), base64.StdEncoding.EncodeToString(make([]byte, 17))} {
			r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "md5", key+"-new"), Header: map[string]string{"Content-MD5": bad}, Body: body})
			wantRaw(t, fmt.Sprintf("malformed Content-MD5 %q", bad), r, 400, "InvalidDigest")
		}
		mustNoKey(t, c, "md5", key+"-new")
	}
}

func TestObjectChecksums(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "sums")
	body := randBytes(7, 50<<10)
	sums := checksums(body)
	wrongSums := checksums([]byte("something else"))
	for alg, v := range sums {
		key := "explicit-" + string(alg)
		in := &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), Body: bytes.NewReader(body)}
		setChecksum(in, alg, v)
		out, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatalf("%s: right checksum: %v", alg, err)
		}
		if got := gotChecksums(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got[alg] != v {
			t.Errorf("%s: PUT response checksums %v", alg, got)
		}
		mustStoredChecksum(t, c, "sums", key, alg, v)
		mustNoChecksumHeaders(t, srv, "sums", key)

		// The SDK computing the checksum itself.
		key = "sdk-" + string(alg)
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), Body: bytes.NewReader(body), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("%s: SDK-computed checksum: %v", alg, err)
		}
		mustStoredChecksum(t, c, "sums", key, alg, v)

		// Raw header, right and wrong; a wrong one stores nothing.
		hdr := "x-amz-checksum-" + strings.ToLower(string(alg))
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sums", "raw-"+string(alg)), Header: map[string]string{hdr: v}, Body: body})
		wantRaw(t, hdr, r, 200, "")
		if r.Header.Get(hdr) != v {
			t.Errorf("%s: PUT response %s = %q", alg, hdr, r.Header.Get(hdr))
		}
		for _, k := range []string{"raw-" + string(alg), "bad-" + string(alg)} {
			r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sums", k), Header: map[string]string{hdr: wrongSums[alg]}, Body: []byte("other body")})
			wantRaw(t, "wrong "+hdr, r, 400, "BadDigest")
			in := &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(k), Body: strings.NewReader("other body")}
			setChecksum(in, alg, wrongSums[alg])
			_, err = c.PutObject(ctx, in)
			mustCode(t, err, "BadDigest")
		}
		mustNoKey(t, c, "sums", "bad-"+string(alg))
		if got := mustGet(t, c, "sums", "raw-"+string(alg)); !bytes.Equal(got, body) {
			t.Errorf("%s: object overwritten by a request with a wrong checksum", alg)
		}
		// A value that is not base64 of the right length.
		r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sums", "bad-"+string(alg)), Header: map[string]string{hdr: "AAAA!"}, Body: body})
		wantRaw(t, "malformed "+hdr, r, 400, "InvalidRequest")
	}
	// Two checksum headers at once.
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sums", "two"), Body: body, Header: map[string]string{
		"x-amz-checksum-crc32": sums[types.ChecksumAlgorithmCrc32], "x-amz-checksum-sha256": sums[types.ChecksumAlgorithmSha256]}})
	wantRaw(t, "two checksum headers", r, 400, "InvalidRequest")
	mustNoKey(t, c, "sums", "two")

	// The SDK's defaults. Over plain HTTP (no TLS, so no trailers) the SDK
	// sends no checksum unless asked; whatever the server returns with
	// checksum mode enabled, the SDK validates while reading the body.
	mustPut(t, c, "sums", "default", body)
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("default"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAllBody(t, g.Body); !bytes.Equal(got, body) {
		t.Fatal("default upload: wrong body")
	}
	whenSupported := srv.Client(func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	})
	_, err = whenSupported.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("when-supported"), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	mustStoredChecksum(t, whenSupported, "sums", "when-supported", types.ChecksumAlgorithmCrc32, sums[types.ChecksumAlgorithmCrc32])
	// Only when required: no checksum header, still fine.
	whenRequired := srv.Client(func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	mustPut(t, whenRequired, "sums", "when-required", body)
	if got := mustGet(t, whenRequired, "sums", "when-required"); !bytes.Equal(got, body) {
		t.Fatal("when-required upload: wrong body")
	}
	// Empty bodies have checksums too.
	empty := checksums(nil)
	for alg, v := range empty {
		key := "empty-" + string(alg)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), Body: bytes.NewReader(nil), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("%s: empty body: %v", alg, err)
		}
		mustStoredChecksum(t, c, "sums", key, alg, v)
	}
}

func TestObjectPayloadSHA256Mismatch(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "sha")
	for _, size := range []int{10, 100 << 10} {
		body := randBytes(uint64(size), size)
		key := fmt.Sprintf("obj-%d", size)
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sha", key), Body: body})
		wantRaw(t, "signed payload", r, 200, "")
		other := randBytes(1, size)
		for _, k := range []string{key, key + "-new"} {
			// The signature covers the claimed hash, so only the body lies.
			r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sha", k), Body: other, Payload: sha256Hex(body)})
			wantRaw(t, "x-amz-content-sha256 mismatch", r, 400, "XAmzContentSHA256Mismatch")
		}
		if got := mustGet(t, c, "sha", key); !bytes.Equal(got, body) {
			t.Fatalf("size %d: overwritten by a body that failed its x-amz-content-sha256", size)
		}
		mustNoKey(t, c, "sha", key+"-new")
	}
	waitBlobCount(t, srv, 1) // only the 100 KiB object
	// An unsigned payload is accepted as is.
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sha", "unsigned"), Body: []byte("free"), Payload: unsignedPayload})
	wantRaw(t, "unsigned payload", r, 200, "")
	if got := mustGet(t, c, "sha", "unsigned"); string(got) != "free" {
		t.Fatalf("unsigned payload stored %q", got)
	}
	// A malformed hash is rejected before the body is read.
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "sha", "malformed"), Body: []byte("x"), Payload: "abc"})
	if r.Status != 400 || r.Code() == "" {
		t.Errorf("malformed x-amz-content-sha256: %d %s", r.Status, r.Body)
	}
	mustNoKey(t, c, "sha", "malformed")
}

func TestObjectShortBody(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "short")
	for _, size := range []int{100, 200 << 10} {
		full := randBytes(uint64(size), size)
		key := fmt.Sprintf("obj-%d", size)
		for _, payload := range []string{unsignedPayload, sha256Hex(full)} {
			r := sendShortBody(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "short", key), Body: full[:size/2], Payload: payload}, size)
			wantRaw(t, fmt.Sprintf("size %d: short body", size), r, 400, "IncompleteBody")
			mustNoKey(t, c, "short", key)
		}
		// And over an existing object, which must survive.
		mustPut(t, c, "short", key+"-existing", []byte("keep me"))
		r := sendShortBody(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "short", key+"-existing"), Body: full[:size-1], Payload: unsignedPayload}, size)
		wantRaw(t, fmt.Sprintf("size %d: short body over an existing key", size), r, 400, "IncompleteBody")
		if got := mustGet(t, c, "short", key+"-existing"); string(got) != "keep me" {
			t.Fatalf("size %d: existing object replaced by a truncated upload: %d bytes", size, len(got))
		}
	}
	waitBlobCount(t, srv, 0)

	// No Content-Length at all (Transfer-Encoding: chunked): S3 answers 411.
	req := signRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "short", "no-length"), Payload: unsignedPayload})
	req.Body = io.NopCloser(strings.NewReader("streamed"))
	req.ContentLength = -1
	r := send(t, req)
	wantRaw(t, "PUT without Content-Length", r, 411, "MissingContentLength")
	mustNoKey(t, c, "short", "no-length")
}

func TestObjectConditionalPut(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cput")
	put := func(key, body string, ifMatch, ifNoneMatch *string) (*s3.PutObjectOutput, error) {
		return c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cput"), Key: aws.String(key), Body: strings.NewReader(body), IfMatch: ifMatch, IfNoneMatch: ifNoneMatch})
	}
	out, err := put("k", "first", nil, aws.String("*"))
	if err != nil {
		t.Fatalf("If-None-Match * on a new key: %v", err)
	}
	etag1 := aws.ToString(out.ETag)
	_, err = put("k", "second", nil, aws.String("*"))
	mustCode(t, err, "PreconditionFailed")
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cput", "k"), Header: map[string]string{"If-None-Match": "*"}, Body: []byte("second")})
	wantRaw(t, "raw If-None-Match *", r, 412, "PreconditionFailed")
	if got := mustGet(t, c, "cput", "k"); string(got) != "first" {
		t.Fatalf("body after refused overwrite = %q", got)
	}

	_, err = put("k", "second", aws.String(`"0123456789abcdef0123456789abcdef"`), nil)
	mustCode(t, err, "PreconditionFailed")
	if got := mustGet(t, c, "cput", "k"); string(got) != "first" {
		t.Fatalf("body after If-Match miss = %q", got)
	}
	out, err = put("k", "second", aws.String(etag1), nil)
	if err != nil {
		t.Fatalf("If-Match hit: %v", err)
	}
	if got := mustGet(t, c, "cput", "k"); string(got) != "second" {
		t.Fatalf("body after If-Match hit = %q", got)
	}
	// The old ETag no longer matches.
	_, err = put("k", "third", aws.String(etag1), nil)
	mustCode(t, err, "PreconditionFailed")
	_, err = put("k", "third", aws.String(aws.ToString(out.ETag)), nil)
	if err != nil {
		t.Fatalf("If-Match on the new ETag: %v", err)
	}

	_, err = put("missing", "x", aws.String(etag1), nil)
	mustCode(t, err, "NoSuchKey")
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cput", "missing"), Header: map[string]string{"If-Match": "*"}, Body: []byte("x")})
	wantRaw(t, "If-Match * on a missing key", r, 404, "NoSuchKey")
	mustNoKey(t, c, "cput", "missing")

	// S3 only implements If-None-Match: * on writes.
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cput", "other"), Header: map[string]string{"If-None-Match": etag1}, Body: []byte("x")})
	wantRaw(t, "If-None-Match with an ETag", r, 501, "NotImplemented")
	mustNoKey(t, c, "cput", "other")

	// A conditional PUT whose body fails its digest changes nothing either.
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cput", "new"), Header: map[string]string{"If-None-Match": "*", "Content-MD5": md5B64([]byte("y"))}, Body: []byte("x")})
	wantRaw(t, "If-None-Match with bad digest", r, 400, "BadDigest")
	mustNoKey(t, c, "cput", "new")
}

func TestObjectConditionalPutRace(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "race")
	for round, size := range []int{16, 64 << 10} {
		key := fmt.Sprintf("k%d", round)
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		bodies := make([][]byte, n)
		start := make(chan struct{})
		for i := range n {
			bodies[i] = randBytes(uint64(round*100+i), size)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String(key), Body: bytes.NewReader(bodies[i]), IfNoneMatch: aws.String("*")})
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("size %d: writers %d and %d both succeeded", size, winner, i)
				}
				winner = i
			case apiCode(err) != "PreconditionFailed":
				t.Errorf("size %d: writer %d: %v, want PreconditionFailed", size, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("size %d: no writer succeeded", size)
		}
		if got := mustGet(t, c, "race", key); !bytes.Equal(got, bodies[winner]) {
			t.Fatalf("size %d: stored body is not the winner's", size)
		}
	}
	// Losers' blobs are gone; only the 64 KiB winner remains.
	waitBlobCount(t, srv, 1)

	// Compare-and-swap: 16 writers all holding the same ETag, one wins.
	base := mustPut(t, c, "race", "cas", []byte("base"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var wins []int
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("cas"),
				Body: strings.NewReader(fmt.Sprint("writer ", i)), IfMatch: base.ETag})
			switch {
			case err == nil:
				mu.Lock()
				wins = append(wins, i)
				mu.Unlock()
			case apiCode(err) != "PreconditionFailed":
				t.Errorf("CAS writer %d: %v, want PreconditionFailed", i, err)
			}
		}()
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Fatalf("CAS: %d writers succeeded (%v), want exactly 1", len(wins), wins)
	}
	if got := mustGet(t, c, "race", "cas"); string(got) != fmt.Sprint("writer ", wins[0]) {
		t.Fatalf("CAS: stored %q, winner was %d", got, wins[0])
	}
}

// chunkedUnsigned encodes body as an unsigned aws-chunked stream with one
// trailer, in chunks of at most chunk bytes.
func chunkedUnsigned(body []byte, chunk int, trailer, value string) []byte {
	var b bytes.Buffer
	for len(body) > 0 {
		n := min(chunk, len(body))
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(body[:n])
		b.WriteString("\r\n")
		body = body[n:]
	}
	fmt.Fprintf(&b, "0\r\n%s:%s\r\n\r\n", trailer, value)
	return b.Bytes()
}

func TestObjectTrailingChecksum(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "trail")
	for _, size := range []int{5, 100 << 10} {
		body := randBytes(uint64(size), size)
		sums := checksums(body)
		for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha256} {
			name := "x-amz-checksum-" + strings.ToLower(string(alg))
			key := fmt.Sprintf("%s-%d", alg, size)
			send := func(k, value string) rawResp {
				return doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "trail", k), Payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
					Header: map[string]string{
						"Content-Encoding":             "aws-chunked",
						"X-Amz-Decoded-Content-Length": fmt.Sprint(size),
						"X-Amz-Trailer":                name,
						"X-Amz-Sdk-Checksum-Algorithm": string(alg),
					},
					Body: chunkedUnsigned(body, 64<<10, name, value)})
			}
			r := send(key, sums[alg])
			wantRaw(t, "trailing "+name, r, 200, "")
			if r.Header.Get("ETag") != etagFor(body) || r.Header.Get(name) != sums[alg] {
				t.Errorf("%s: PUT ETag %q %s %q", key, r.Header.Get("ETag"), name, r.Header.Get(name))
			}
			if got := mustGet(t, c, "trail", key); !bytes.Equal(got, body) {
				t.Fatalf("%s: stored body differs (%d bytes)", key, len(got))
			}
			mustStoredChecksum(t, c, "trail", key, alg, sums[alg])
			// aws-chunked is framing, not a content coding of the object.
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail"), Key: aws.String(key)})
			if err != nil || h.ContentEncoding != nil {
				t.Errorf("%s: Content-Encoding %q (%v)", key, aws.ToString(h.ContentEncoding), err)
			}
			// A trailer that lies: nothing is stored or replaced.
			wrong := checksums([]byte("nope"))[alg]
			for _, k := range []string{key, key + "-bad"} {
				r = send(k, wrong)
				wantRaw(t, "wrong trailing "+name, r, 400, "BadDigest")
			}
			mustNoKey(t, c, "trail", key+"-bad")
			if got := mustGet(t, c, "trail", key); !bytes.Equal(got, body) {
				t.Fatalf("%s: overwritten by a body with a wrong trailing checksum", key)
			}
			// A decoded length that promises more than the chunks carry.
			r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "trail", key), Payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
				Header: map[string]string{
					"Content-Encoding":             "aws-chunked",
					"X-Amz-Decoded-Content-Length": fmt.Sprint(size + 1),
					"X-Amz-Trailer":                name,
				},
				Body: chunkedUnsigned(body, 64<<10, name, sums[alg])})
			wantRaw(t, "short decoded length", r, 400, "IncompleteBody")
			if got := mustGet(t, c, "trail", key); !bytes.Equal(got, body) {
				t.Fatalf("%s: overwritten by a body shorter than its decoded length", key)
			}
		}
	}
	waitBlobCount(t, srv, 3)
}

// Content-Encoding is stored as the client sent it, spaces included, less
// the aws-chunked framing token; a value of only aws-chunked stores none.
func TestObjectContentEncodingKept(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cenc")
	body := []byte("encoded")
	sum := checksums(body)[types.ChecksumAlgorithmCrc32]
	for i, tc := range []struct{ sent, want string }{
		{"deflate, gzip", "deflate, gzip"},
		{"aws-chunked, deflate, gzip", "deflate, gzip"},
		{"deflate, aws-chunked,gzip", "deflate,gzip"},
		{"aws-chunked", ""},
	} {
		key := fmt.Sprint("k", i)
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cenc", key), Payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			Header: map[string]string{
				"Content-Encoding":             tc.sent,
				"X-Amz-Decoded-Content-Length": fmt.Sprint(len(body)),
				"X-Amz-Trailer":                "x-amz-checksum-crc32",
			},
			Body: chunkedUnsigned(body, 64<<10, "x-amz-checksum-crc32", sum)})
		wantRaw(t, "PUT with Content-Encoding "+tc.sent, r, 200, "")
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cenc"), Key: aws.String(key)})
		if err != nil || aws.ToString(h.ContentEncoding) != tc.want {
			t.Errorf("sent %q: stored Content-Encoding %q (%v), want %q", tc.sent, aws.ToString(h.ContentEncoding), err, tc.want)
		}
	}
	// Without aws-chunked framing the value is kept as is.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cenc"), Key: aws.String("plain"), Body: bytes.NewReader(body),
		ContentEncoding: aws.String("deflate, gzip")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cenc"), Key: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if got := aws.ToString(out.ContentEncoding); got != "deflate, gzip" {
		t.Fatalf("GET Content-Encoding %q, want %q", got, "deflate, gzip")
	}
}
