package e2e

// Additional checksums: single PUTs with SDK-computed checksums and
// multipart COMPOSITE and FULL_OBJECT checksums, all checked against
// values computed here (checksums() in object_put_test.go).

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// ckRaw is the binary alg checksum of b.
func ckRaw(alg types.ChecksumAlgorithm, b []byte) []byte {
	raw, err := base64.StdEncoding.DecodeString(checksums(b)[alg])
	if err != nil {
		panic(err)
	}
	return raw
}

// ckComposite is S3's COMPOSITE multipart checksum: the checksum of the
// concatenated binary part checksums, base64, then "-" and the part count.
func ckComposite(alg types.ChecksumAlgorithm, parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		cat = append(cat, ckRaw(alg, p)...)
	}
	return checksums(cat)[alg] + "-" + strconv.Itoa(len(parts))
}

// ckPart returns the checksum of alg carried by a completed part.
func ckPart(p types.CompletedPart, alg types.ChecksumAlgorithm) string {
	return gotChecksums(p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256)[alg]
}

// ckSetPart replaces the alg checksum of a completed part.
func ckSetPart(p *types.CompletedPart, alg types.ChecksumAlgorithm, v string) {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		p.ChecksumCRC32 = aws.String(v)
	case types.ChecksumAlgorithmCrc32c:
		p.ChecksumCRC32C = aws.String(v)
	case types.ChecksumAlgorithmCrc64nvme:
		p.ChecksumCRC64NVME = aws.String(v)
	case types.ChecksumAlgorithmSha1:
		p.ChecksumSHA1 = aws.String(v)
	case types.ChecksumAlgorithmSha256:
		p.ChecksumSHA256 = aws.String(v)
	}
}

var ckAlgorithms = []types.ChecksumAlgorithm{
	types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme,
	types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256,
}

func TestChecksumPutSDK(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cksdk")
	for _, size := range []int{1000, 3*mib + 17} {
		body := mpData(uint64(size), size)
		sums := checksums(body)
		for _, alg := range ckAlgorithms {
			key := fmt.Sprintf("%s-%d", alg, size)
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cksdk"), Key: aws.String(key), Body: bytes.NewReader(body), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if got := gotChecksums(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); len(got) != 1 || got[alg] != sums[alg] ||
				out.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("%s: PUT answered %v %q, want %s", key, got, out.ChecksumType, sums[alg])
			}
			mustStoredChecksum(t, c, "cksdk", key, alg, sums[alg])
			// The same value from a default client, which validates what it reads.
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cksdk"), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			if got := readAllBody(t, g.Body); !bytes.Equal(got, body) {
				t.Fatalf("%s: body differs", key)
			}
			// A wrong value in a raw request is BadDigest and stores nothing.
			hdr := "x-amz-checksum-" + strings.ToLower(string(alg))
			wrong := checksums(body[1:])[alg]
			r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cksdk", key+"-bad"), Header: map[string]string{hdr: wrong}, Body: body})
			wantRaw(t, "wrong "+hdr, r, 400, "BadDigest")
			mustNoKey(t, c, "cksdk", key+"-bad")
		}
	}
	// 5 objects over 32 KiB, nothing left of the rejected ones.
	waitBlobCount(t, srv, 5)
}

func TestChecksumMultipart(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ckmp")
	parts := [][]byte{mpData(31, 5*mib), mpData(32, 5*mib+7), mpData(33, 100<<10)}
	whole := bytes.Join(parts, nil)
	for _, tc := range []struct {
		alg   types.ChecksumAlgorithm
		ctype types.ChecksumType // as requested; "" = default
		want  types.ChecksumType
	}{
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmSha256, "", types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc64nvme, "", types.ChecksumTypeFullObject},
	} {
		key := fmt.Sprintf("%s-%s", tc.alg, tc.want)
		cout, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ckmp"), Key: aws.String(key), ChecksumAlgorithm: tc.alg, ChecksumType: tc.ctype})
		if err != nil {
			t.Fatalf("%s: create: %v", key, err)
		}
		if cout.ChecksumAlgorithm != tc.alg || cout.ChecksumType != tc.want {
			t.Errorf("%s: create answered %q %q", key, cout.ChecksumAlgorithm, cout.ChecksumType)
		}
		id := aws.ToString(cout.UploadId)
		var done []types.CompletedPart
		for i, p := range parts {
			cp := mpUpload(t, c, "ckmp", key, id, int32(i+1), p, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = tc.alg })
			if got := ckPart(cp, tc.alg); got != checksums(p)[tc.alg] {
				t.Errorf("%s: part %d checksum %q, want %q", key, i+1, got, checksums(p)[tc.alg])
			}
			done = append(done, cp)
		}
		// ListParts reports each part's checksum.
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ckmp"), Key: aws.String(key), UploadId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range lp.Parts {
			if got := gotChecksums(p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256); got[tc.alg] != checksums(parts[i])[tc.alg] {
				t.Errorf("%s: ListParts part %d checksums %v", key, i+1, got)
			}
		}
		// A wrong part checksum in Complete is InvalidPart.
		bad := append([]types.CompletedPart(nil), done...)
		ckSetPart(&bad[1], tc.alg, checksums(parts[0])[tc.alg])
		_, err = mpCompleteErr(c, "ckmp", key, id, bad)
		rqCode(t, err, "InvalidPart", 400)

		var want string
		mods := []func(*s3.CompleteMultipartUploadInput){}
		if tc.want == types.ChecksumTypeComposite {
			want = ckComposite(tc.alg, parts...)
		} else {
			want = checksums(whole)[tc.alg]
			// The whole-object value the client computed must match.
			wrong := checksums(whole[1:])[tc.alg]
			_, err = mpCompleteErr(c, "ckmp", key, id, done, func(in *s3.CompleteMultipartUploadInput) { ckSetComplete(in, tc.alg, wrong) })
			rqCode(t, err, "BadDigest", 400)
			mods = append(mods, func(in *s3.CompleteMultipartUploadInput) {
				ckSetComplete(in, tc.alg, want)
				in.ChecksumType = types.ChecksumTypeFullObject
			})
		}
		out := mpComplete(t, c, "ckmp", key, id, done, mods...)
		if got := gotChecksums(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); len(got) != 1 || got[tc.alg] != want || out.ChecksumType != tc.want {
			t.Errorf("%s: Complete answered %v %q, want %s %s", key, got, out.ChecksumType, want, tc.want)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ckmp"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if got := gotChecksums(h.ChecksumCRC32, h.ChecksumCRC32C, h.ChecksumCRC64NVME, h.ChecksumSHA1, h.ChecksumSHA256); len(got) != 1 || got[tc.alg] != want || h.ChecksumType != tc.want {
			t.Errorf("%s: HEAD %v %q, want %s %s", key, got, h.ChecksumType, want, tc.want)
		}
		// GET with checksum mode: the SDK validates full-object values and
		// skips composite ones; either way reading must not fail.
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ckmp"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if body := readAllBody(t, g.Body); !bytes.Equal(body, whole) {
			t.Fatalf("%s: body differs", key)
		}
		if got := gotChecksums(g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256); got[tc.alg] != want {
			t.Errorf("%s: GET checksums %v, want %s", key, got, want)
		}
		if tc.want == types.ChecksumTypeComposite {
			// A part of a composite object carries that part's checksum.
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ckmp"), Key: aws.String(key), PartNumber: aws.Int32(2), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if body := readAllBody(t, g.Body); !bytes.Equal(body, parts[1]) {
				t.Fatalf("%s: part 2 differs", key)
			}
			if got := gotChecksums(g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256); got[tc.alg] != checksums(parts[1])[tc.alg] {
				t.Errorf("%s: GET part 2 checksums %v, want %s", key, got, checksums(parts[1])[tc.alg])
			}
		}
	}
	// A default client (response validation when supported) reads them all.
	for _, key := range []string{"CRC32-COMPOSITE", "CRC32-FULL_OBJECT", "CRC64NVME-FULL_OBJECT"} {
		if got := mustGet(t, c, "ckmp", key); !bytes.Equal(got, whole) {
			t.Fatalf("%s: default GET differs", key)
		}
	}
	waitBlobCount(t, srv, 6*3)
}

// ckSetComplete sets the whole-object checksum of a Complete request.
func ckSetComplete(in *s3.CompleteMultipartUploadInput, alg types.ChecksumAlgorithm, v string) {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		in.ChecksumCRC32 = aws.String(v)
	case types.ChecksumAlgorithmCrc32c:
		in.ChecksumCRC32C = aws.String(v)
	case types.ChecksumAlgorithmCrc64nvme:
		in.ChecksumCRC64NVME = aws.String(v)
	}
}

func TestChecksumMultipartErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ckerr")
	// Combinations S3 refuses.
	for _, tc := range []struct {
		alg   types.ChecksumAlgorithm
		ctype types.ChecksumType
	}{
		{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmSha256, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmSha1, types.ChecksumTypeFullObject},
	} {
		_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ckerr"), Key: aws.String("k"), ChecksumAlgorithm: tc.alg, ChecksumType: tc.ctype})
		rqCode(t, err, "InvalidRequest", 400)
	}
	r := doRaw(t, rawReq{Method: http.MethodPost, URL: objURL(srv, "ckerr", "k") + "?uploads", Header: map[string]string{"x-amz-checksum-algorithm": "MD4"}})
	wantRaw(t, "unknown algorithm", r, 400, "InvalidRequest")
	r = doRaw(t, rawReq{Method: http.MethodPost, URL: objURL(srv, "ckerr", "k") + "?uploads", Header: map[string]string{"x-amz-checksum-type": "COMPOSITE"}})
	wantRaw(t, "type without algorithm", r, 400, "InvalidRequest")
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("ckerr")})
	if err != nil || len(lu.Uploads) != 0 {
		t.Fatalf("refused creates left uploads: %v %+v", err, lu.Uploads)
	}

	id := mpCreate(t, c, "ckerr", "k", func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32 })
	body := []byte("part body")
	// A part checksum of another algorithm than the upload's.
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc32c} {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ckerr"), Key: aws.String("k"), UploadId: aws.String(id), PartNumber: aws.Int32(1),
			Body: bytes.NewReader(body), ChecksumAlgorithm: alg})
		rqCode(t, err, "InvalidRequest", 400)
	}
	// A wrong value of the right algorithm.
	partURL := objURL(srv, "ckerr", "k") + "?partNumber=1&uploadId=" + id
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: partURL, Header: map[string]string{"x-amz-checksum-crc32": checksums([]byte("other"))[types.ChecksumAlgorithmCrc32]}, Body: body})
	wantRaw(t, "wrong part CRC32", r, 400, "BadDigest")
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ckerr"), Key: aws.String("k"), UploadId: aws.String(id)})
	if err != nil || len(lp.Parts) != 0 {
		t.Fatalf("rejected parts were stored: %v %+v", err, lp.Parts)
	}
	waitBlobCount(t, srv, 0)
	// Without a checksum the server computes the upload's algorithm itself.
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: partURL, Body: body})
	wantRaw(t, "part without checksum", r, 200, "")
	if got := r.Header.Get("x-amz-checksum-crc32"); got != checksums(body)[types.ChecksumAlgorithmCrc32] {
		t.Errorf("server-computed part CRC32 = %q", got)
	}
	part := types.CompletedPart{PartNumber: aws.Int32(1), ETag: aws.String(etagFor(body)), ChecksumCRC32: aws.String(checksums([]byte("x"))[types.ChecksumAlgorithmCrc32])}
	_, err = mpCompleteErr(c, "ckerr", "k", id, []types.CompletedPart{part})
	rqCode(t, err, "InvalidPart", 400)
	part.ChecksumCRC32 = aws.String(checksums(body)[types.ChecksumAlgorithmCrc32])
	out := mpComplete(t, c, "ckerr", "k", id, []types.CompletedPart{part})
	if want := ckComposite(types.ChecksumAlgorithmCrc32, body); aws.ToString(out.ChecksumCRC32) != want {
		t.Errorf("Complete CRC32 = %q, want %q", aws.ToString(out.ChecksumCRC32), want)
	}

}

// TestChecksumPartAndRange: with checksum mode, S3 sends a checksum only
// for bytes it has one for: the whole object, a part of a COMPOSITE
// object, or a part or range that spans a FULL_OBJECT object entirely.
func TestChecksumPartAndRange(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ckpart")
	small := mpData(41, 1000)
	crc := types.ChecksumAlgorithmCrc32
	upload := func(key string, ctype types.ChecksumType, parts ...[]byte) {
		t.Helper()
		id := mpCreate(t, c, "ckpart", key, func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm, in.ChecksumType = crc, ctype })
		var done []types.CompletedPart
		for i, p := range parts {
			done = append(done, mpUpload(t, c, "ckpart", key, id, int32(i+1), p, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = crc }))
		}
		mpComplete(t, c, "ckpart", key, id, done, func(in *s3.CompleteMultipartUploadInput) {
			if ctype == types.ChecksumTypeFullObject {
				in.ChecksumCRC32, in.ChecksumType = aws.String(checksums(bytes.Join(parts, nil))[crc]), ctype
			}
		})
	}
	upload("full-1", types.ChecksumTypeFullObject, small)
	two := [][]byte{mpData(42, 5*mib), small}
	upload("full-2", types.ChecksumTypeFullObject, two...)
	upload("comp-1", types.ChecksumTypeComposite, small)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ckpart"), Key: aws.String("put"), Body: bytes.NewReader(small), ChecksumAlgorithm: crc}); err != nil {
		t.Fatal(err)
	}
	whole := checksums(small)[crc]
	for _, tc := range []struct {
		name, key string
		part      int32
		rng       string
		want      string // "" = no checksum
		wantType  types.ChecksumType
	}{
		{"single-part FULL_OBJECT, part 1", "full-1", 1, "", whole, types.ChecksumTypeFullObject},
		{"two-part FULL_OBJECT, part 1", "full-2", 1, "", "", ""},
		{"two-part FULL_OBJECT, part 2", "full-2", 2, "", "", ""},
		{"single-part COMPOSITE, part 1", "comp-1", 1, "", whole, types.ChecksumTypeComposite},
		{"plain object, part 1", "put", 1, "", whole, types.ChecksumTypeFullObject},
		{"plain object, whole range", "put", 0, "bytes=0-", whole, types.ChecksumTypeFullObject},
		{"plain object, explicit whole range", "put", 0, "bytes=0-999", whole, types.ChecksumTypeFullObject},
		{"plain object, partial range", "put", 0, "bytes=1-999", "", ""},
	} {
		var part *int32
		if tc.part > 0 {
			part = aws.Int32(tc.part)
		}
		var rng *string
		if tc.rng != "" {
			rng = aws.String(tc.rng)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ckpart"), Key: aws.String(tc.key), PartNumber: part, Range: rng, ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("%s: HEAD: %v", tc.name, err)
		}
		if got := aws.ToString(h.ChecksumCRC32); got != tc.want || h.ChecksumType != tc.wantType {
			t.Errorf("%s: HEAD checksum %q %q, want %q %q", tc.name, got, h.ChecksumType, tc.want, tc.wantType)
		}
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ckpart"), Key: aws.String(tc.key), PartNumber: part, Range: rng, ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("%s: GET: %v", tc.name, err)
		}
		readAllBody(t, g.Body) // the SDK checks any checksum it got against the body
		if got := aws.ToString(g.ChecksumCRC32); got != tc.want || g.ChecksumType != tc.wantType {
			t.Errorf("%s: GET checksum %q %q, want %q %q", tc.name, got, g.ChecksumType, tc.want, tc.wantType)
		}
	}
	// A checksum mode other than ENABLED is refused.
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "ckpart", "put"), Header: map[string]string{"x-amz-checksum-mode": "INVALID"}})
	wantRaw(t, "GET with checksum mode INVALID", r, 400, "InvalidRequest")
	if msg := rawMessage(r); msg != "Value for x-amz-checksum-mode header is invalid." {
		t.Errorf("checksum mode INVALID: message %q", msg)
	}
	if r := doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, "ckpart", "put"), Header: map[string]string{"x-amz-checksum-mode": "INVALID"}}); r.Status != 400 || len(r.Body) != 0 {
		t.Errorf("HEAD with checksum mode INVALID: %d %q", r.Status, r.Body)
	}
}

// TestChecksumMalformedHeader: a checksum header that is not the base64
// of a digest of the algorithm's size (not base64, wrong length, padding
// bits set) is 400 InvalidRequest naming the header, before any
// comparison, and nothing is stored.
func TestChecksumMalformedHeader(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ckbad")
	body := []byte("123456789")
	for i, tc := range []struct{ header, value string }{
		{"x-amz-checksum-crc32", "not base64!"},
		{"x-amz-checksum-crc32", "AAAAAAAA"},  // 6 bytes
		{"x-amz-checksum-crc32", "y/Q5Jh=="},  // CRC32 of the body is y/Q5Jg==; low bits set
		{"x-amz-checksum-crc32c", "4waSgx=="}, // likewise for 4waSgw==
		{"x-amz-checksum-crc64nvme", "AAAA"},
		{"x-amz-checksum-sha1", "AAAA"},
		{"x-amz-checksum-sha256", "AAAA"},
	} {
		key := fmt.Sprintf("k%d", i)
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "ckbad", key), Body: body, Header: map[string]string{tc.header: tc.value}})
		wantRaw(t, tc.header+": "+tc.value, r, 400, "InvalidRequest")
		if msg := rawMessage(r); msg != "Value for "+tc.header+" header is invalid." {
			t.Errorf("%s: %s: message %q", tc.header, tc.value, msg)
		}
		mustNoKey(t, c, "ckbad", key)
	}
	// The well-formed value is accepted.
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "ckbad", "good"), Body: body, Header: map[string]string{"x-amz-checksum-crc32": "y/Q5Jg=="}})
	wantRaw(t, "good checksum", r, 200, "")
}

// rawMessage returns the <Message> of an S3 XML error body.
func rawMessage(r rawResp) string {
	var e struct {
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(r.Body, &e) != nil {
		return ""
	}
	return e.Message
}

// TestChecksumCompleteWholeValue: the whole-object checksum header of a
// CompleteMultipartUpload for a COMPOSITE upload may carry its "-N" part
// count or not; a value that is not a digest (or whose count is not a
// number) is InvalidRequest, a wrong digest or count is BadDigest.
func TestChecksumCompleteWholeValue(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ckwhole")
	crc := types.ChecksumAlgorithmCrc32
	part := mpData(51, 1000)
	composite := ckComposite(crc, part) // "<digest>-1"
	digest := strings.TrimSuffix(composite, "-1")
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	padBits := digest[:5] + string(b64[strings.IndexByte(b64, digest[5])|1]) + "==" // same bytes, padding bits set
	upload := func(key string) (string, []types.CompletedPart) {
		id := mpCreate(t, c, "ckwhole", key, func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm = crc })
		return id, []types.CompletedPart{mpUpload(t, c, "ckwhole", key, id, 1, part, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = crc })}
	}
	id, done := upload("a")
	for _, tc := range []struct{ value, code, msg string }{
		{padBits, "InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid."},
		{digest + "-a", "InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid."},
		{"not base64!", "InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid."},
		{digest + "-2", "BadDigest", "The crc32 you specified did not match the calculated checksum."},
		{ckComposite(crc, part[1:]), "BadDigest", "The crc32 you specified did not match the calculated checksum."},
	} {
		_, err := mpCompleteErr(c, "ckwhole", "a", id, done, func(in *s3.CompleteMultipartUploadInput) { in.ChecksumCRC32 = aws.String(tc.value) })
		rqCode(t, err, tc.code, 400)
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want message %q", tc.value, err, tc.msg)
		}
	}
	for _, kv := range [][2]string{{"a", digest}, {"b", composite}} {
		key, value := kv[0], kv[1]
		if key == "b" {
			id, done = upload("b")
		}
		out := mpComplete(t, c, "ckwhole", key, id, done, func(in *s3.CompleteMultipartUploadInput) { in.ChecksumCRC32 = aws.String(value) })
		if aws.ToString(out.ChecksumCRC32) != composite || out.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("Complete with %q answered %q %q, want %q COMPOSITE", value, aws.ToString(out.ChecksumCRC32), out.ChecksumType, composite)
		}
	}
}
