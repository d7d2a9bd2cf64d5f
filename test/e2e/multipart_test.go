package e2e

// Multipart uploads: create, parts, complete, abort, listings, reads by
// part, blob cleanup and conditional completes.

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

const mib = 1 << 20

// mpData returns n deterministic pseudo-random bytes, fast enough for many
// MiB under -race: one random 64 KiB block, tiled, each tile stamped with
// the seed and its index so no two tiles (or seeds) are alike.
func mpData(seed uint64, n int) []byte {
	const tile = 64 << 10
	base := randBytes(seed, tile)
	b := make([]byte, n)
	for off := 0; off < n; off += tile {
		m := copy(b[off:], base)
		var stamp [16]byte
		binary.BigEndian.PutUint64(stamp[:], seed)
		binary.BigEndian.PutUint64(stamp[8:], uint64(off))
		copy(b[off:off+m], stamp[:])
	}
	return b
}

// mpCreate starts a multipart upload and returns its ID.
func mpCreate(t testing.TB, c *s3.Client, bucket, key string, mods ...func(*s3.CreateMultipartUploadInput)) string {
	t.Helper()
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	for _, m := range mods {
		m(in)
	}
	out, err := c.CreateMultipartUpload(ctx, in)
	if err != nil {
		t.Fatalf("CreateMultipartUpload(%s/%s): %v", bucket, key, err)
	}
	if aws.ToString(out.UploadId) == "" || aws.ToString(out.Key) != key || aws.ToString(out.Bucket) != bucket {
		t.Fatalf("CreateMultipartUpload(%s/%s) = bucket %q key %q id %q", bucket, key, aws.ToString(out.Bucket), aws.ToString(out.Key), aws.ToString(out.UploadId))
	}
	return aws.ToString(out.UploadId)
}

// mpUpload uploads body as part n and returns it as a CompletedPart
// carrying the ETag and any checksum the server echoed.
func mpUpload(t testing.TB, c *s3.Client, bucket, key, id string, n int32, body []byte, mods ...func(*s3.UploadPartInput)) types.CompletedPart {
	t.Helper()
	in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id), PartNumber: aws.Int32(n), Body: bytes.NewReader(body)}
	for _, m := range mods {
		m(in)
	}
	out, err := c.UploadPart(ctx, in)
	if err != nil {
		t.Fatalf("UploadPart(%s/%s #%d): %v", bucket, key, n, err)
	}
	if got := aws.ToString(out.ETag); got != etagFor(body) {
		t.Fatalf("UploadPart #%d ETag = %s, want %s", n, got, etagFor(body))
	}
	return types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C,
		ChecksumCRC64NVME: out.ChecksumCRC64NVME, ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256}
}

// mpCompleteErr completes an upload with the given parts.
func mpCompleteErr(c *s3.Client, bucket, key, id string, parts []types.CompletedPart, mods ...func(*s3.CompleteMultipartUploadInput)) (*s3.CompleteMultipartUploadOutput, error) {
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
	for _, m := range mods {
		m(in)
	}
	return c.CompleteMultipartUpload(ctx, in)
}

func mpComplete(t testing.TB, c *s3.Client, bucket, key, id string, parts []types.CompletedPart, mods ...func(*s3.CompleteMultipartUploadInput)) *s3.CompleteMultipartUploadOutput {
	t.Helper()
	out, err := mpCompleteErr(c, bucket, key, id, parts, mods...)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload(%s/%s): %v", bucket, key, err)
	}
	return out
}

// mpETag is S3's multipart ETag, computed here from the part bodies:
// the MD5 of the concatenated binary part MD5s, then "-" and the count.
func mpETag(parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	s := md5.Sum(cat)
	return `"` + hex.EncodeToString(s[:]) + "-" + strconv.Itoa(len(parts)) + `"`
}

// mpObject uploads bucket/key as a multipart object of the given parts
// (numbered from 1) and returns the whole body.
func mpObject(t testing.TB, c *s3.Client, bucket, key string, parts ...[]byte) []byte {
	t.Helper()
	id := mpCreate(t, c, bucket, key)
	var done []types.CompletedPart
	for i, p := range parts {
		done = append(done, mpUpload(t, c, bucket, key, id, int32(i+1), p))
	}
	out := mpComplete(t, c, bucket, key, id, done)
	if got, want := aws.ToString(out.ETag), mpETag(parts...); got != want {
		t.Fatalf("multipart %s ETag = %s, want %s", key, got, want)
	}
	return bytes.Join(parts, nil)
}

func TestMultipartCreateAttributes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpattrs")
	out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("mpattrs"), Key: aws.String("doc.txt"),
		Metadata:           map[string]string{"color": "blue", "owner-name": "Ada"},
		ContentType:        aws.String("text/plain; charset=utf-8"),
		ContentDisposition: aws.String(`attachment; filename="doc.txt"`),
		ContentLanguage:    aws.String("de-CH"),
		CacheControl:       aws.String("max-age=60"),
		StorageClass:       types.StorageClassStandardIa,
		ChecksumAlgorithm:  types.ChecksumAlgorithmSha256,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChecksumAlgorithm != types.ChecksumAlgorithmSha256 || out.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("Create: checksum algorithm %q type %q, want SHA256 COMPOSITE", out.ChecksumAlgorithm, out.ChecksumType)
	}
	id := aws.ToString(out.UploadId)

	// The upload is listed with its class and checksum settings.
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpattrs")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != id || lu.Uploads[0].StorageClass != types.StorageClassStandardIa ||
		lu.Uploads[0].ChecksumAlgorithm != types.ChecksumAlgorithmSha256 || lu.Uploads[0].Initiated == nil {
		t.Errorf("ListMultipartUploads = %+v", lu.Uploads)
	}

	p1, p2 := mpData(1, 5*mib), []byte("tail of the document")
	sha := func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256 }
	parts := []types.CompletedPart{mpUpload(t, c, "mpattrs", "doc.txt", id, 1, p1, sha), mpUpload(t, c, "mpattrs", "doc.txt", id, 2, p2, sha)}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpattrs"), Key: aws.String("doc.txt"), UploadId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if lp.StorageClass != types.StorageClassStandardIa || lp.ChecksumAlgorithm != types.ChecksumAlgorithmSha256 || lp.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("ListParts: class %q checksum %q %q", lp.StorageClass, lp.ChecksumAlgorithm, lp.ChecksumType)
	}
	cout := mpComplete(t, c, "mpattrs", "doc.txt", id, parts)
	wantSum := ckComposite(types.ChecksumAlgorithmSha256, p1, p2)
	if aws.ToString(cout.ETag) != mpETag(p1, p2) || aws.ToString(cout.ChecksumSHA256) != wantSum {
		t.Errorf("Complete: ETag %s SHA256 %s, want %s %s", aws.ToString(cout.ETag), aws.ToString(cout.ChecksumSHA256), mpETag(p1, p2), wantSum)
	}

	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpattrs"), Key: aws.String("doc.txt"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]string{
		"Content-Type":        {aws.ToString(h.ContentType), "text/plain; charset=utf-8"},
		"Content-Disposition": {aws.ToString(h.ContentDisposition), `attachment; filename="doc.txt"`},
		"Content-Language":    {aws.ToString(h.ContentLanguage), "de-CH"},
		"Cache-Control":       {aws.ToString(h.CacheControl), "max-age=60"},
		"storage class":       {string(h.StorageClass), "STANDARD_IA"},
		"meta color":          {h.Metadata["color"], "blue"},
		"meta owner-name":     {h.Metadata["owner-name"], "Ada"},
		"ETag":                {aws.ToString(h.ETag), mpETag(p1, p2)},
		"SHA256":              {aws.ToString(h.ChecksumSHA256), wantSum},
		"checksum type":       {string(h.ChecksumType), "COMPOSITE"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("HEAD %s = %q, want %q", name, pair[0], pair[1])
		}
	}
	if aws.ToInt64(h.ContentLength) != int64(len(p1)+len(p2)) || len(h.Metadata) != 2 {
		t.Errorf("HEAD length %d metadata %v", aws.ToInt64(h.ContentLength), h.Metadata)
	}
	// The upload is gone from the listing.
	lu, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpattrs")})
	if err != nil || len(lu.Uploads) != 0 {
		t.Errorf("uploads after Complete: %v %+v", err, lu.Uploads)
	}
}

func TestMultipartPartNumbers(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpnum")
	id := mpCreate(t, c, "mpnum", "k")
	for _, n := range []int32{0, 10001, -1} {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpnum"), Key: aws.String("k"), UploadId: aws.String(id), PartNumber: aws.Int32(n), Body: strings.NewReader("x")})
		rqCode(t, err, "InvalidArgument", 400)
	}
	for _, q := range []string{"partNumber=abc", "partNumber="} {
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "mpnum", "k") + "?" + q + "&uploadId=" + id, Body: []byte("x")})
		wantRaw(t, q, r, 400, "InvalidArgument")
	}
	// Unknown upload.
	_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpnum"), Key: aws.String("k"), UploadId: aws.String("nosuchupload"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	rqCode(t, err, "NoSuchUpload", 404)
	// An upload belongs to its key.
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpnum"), Key: aws.String("other"), UploadId: aws.String(id), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	rqCode(t, err, "NoSuchUpload", 404)

	lo, hi := []byte("first"), []byte("last possible part")
	mpUpload(t, c, "mpnum", "k", id, 1, lo)
	p10000 := mpUpload(t, c, "mpnum", "k", id, 10000, hi)
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpnum"), Key: aws.String("k"), UploadId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parts) != 2 || aws.ToInt32(lp.Parts[0].PartNumber) != 1 || aws.ToInt32(lp.Parts[1].PartNumber) != 10000 {
		t.Fatalf("ListParts = %+v", lp.Parts)
	}
	// A single small part is a valid object; unused parts are discarded.
	out := mpComplete(t, c, "mpnum", "k", id, []types.CompletedPart{p10000})
	if aws.ToString(out.ETag) != mpETag(hi) {
		t.Errorf("single part ETag %s, want %s", aws.ToString(out.ETag), mpETag(hi))
	}
	if got := mustGet(t, c, "mpnum", "k"); !bytes.Equal(got, hi) {
		t.Errorf("object = %q", got)
	}
	waitBlobCount(t, srv, 1)
}

func TestMultipartComplete(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpc")
	big1, big2, small := mpData(11, 5*mib), mpData(12, 5*mib+123), []byte("small tail")
	id := mpCreate(t, c, "mpc", "obj")
	p1 := mpUpload(t, c, "mpc", "obj", id, 1, big1)
	p2 := mpUpload(t, c, "mpc", "obj", id, 2, big2)
	p3 := mpUpload(t, c, "mpc", "obj", id, 3, small)
	p5 := mpUpload(t, c, "mpc", "obj", id, 5, []byte("tiny"))

	part := func(n int32, etag string) types.CompletedPart {
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etag)}
	}
	for name, tc := range map[string]struct {
		parts []types.CompletedPart
		code  string
	}{
		"descending":        {[]types.CompletedPart{p2, p1}, "InvalidPartOrder"},
		"duplicate":         {[]types.CompletedPart{p1, p1}, "InvalidPartOrder"},
		"unknown part":      {[]types.CompletedPart{p1, part(4, aws.ToString(p1.ETag))}, "InvalidPart"},
		"wrong ETag":        {[]types.CompletedPart{p1, part(2, aws.ToString(p1.ETag))}, "InvalidPart"},
		"small middle part": {[]types.CompletedPart{p1, p3, part(5, aws.ToString(p5.ETag))}, "EntityTooSmall"},
		"small first part":  {[]types.CompletedPart{p3, p5}, "EntityTooSmall"},
		"part 0":            {[]types.CompletedPart{part(0, aws.ToString(p1.ETag))}, "InvalidArgument"},
	} {
		_, err := mpCompleteErr(c, "mpc", "obj", id, tc.parts)
		if apiCode(err) != tc.code || rqStatus(err) != 400 {
			t.Errorf("%s: %v (status %d), want 400 %s", name, err, rqStatus(err), tc.code)
		}
	}
	// No parts at all is malformed.
	_, err := mpCompleteErr(c, "mpc", "obj", id, nil)
	rqCode(t, err, "MalformedXML", 400)
	r := doRaw(t, rawReq{Method: http.MethodPost, URL: objURL(srv, "mpc", "obj") + "?uploadId=" + id, Body: []byte("<CompleteMultipartUpload><Part>")})
	wantRaw(t, "truncated XML", r, 400, "MalformedXML")
	mustNoKey(t, c, "mpc", "obj")

	// Failed completes leave the upload intact; ETags are accepted unquoted too.
	p3unquoted := part(3, strings.Trim(aws.ToString(p3.ETag), `"`))
	parts := []types.CompletedPart{p1, p2, p3unquoted}
	out := mpComplete(t, c, "mpc", "obj", id, parts)
	wantETag := mpETag(big1, big2, small)
	if aws.ToString(out.ETag) != wantETag || aws.ToString(out.Key) != "obj" || aws.ToString(out.Bucket) != "mpc" {
		t.Errorf("Complete = ETag %s key %s bucket %s, want ETag %s", aws.ToString(out.ETag), aws.ToString(out.Key), aws.ToString(out.Bucket), wantETag)
	}
	whole := bytes.Join([][]byte{big1, big2, small}, nil)
	if got := mustGet(t, c, "mpc", "obj"); !bytes.Equal(got, whole) {
		t.Fatalf("object body differs (%d bytes, want %d)", len(got), len(whole))
	}
	// Part 5 was not used: its blob is gone, the three used ones remain.
	waitBlobCount(t, srv, 3)

	// A retry of the identical request succeeds again with the same ETag.
	again := mpComplete(t, c, "mpc", "obj", id, parts)
	if aws.ToString(again.ETag) != wantETag {
		t.Errorf("retried Complete ETag %s, want %s", aws.ToString(again.ETag), wantETag)
	}
	// A different part list is not a retry: the upload no longer exists.
	_, err = mpCompleteErr(c, "mpc", "obj", id, []types.CompletedPart{p1, p2})
	rqCode(t, err, "NoSuchUpload", 404)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpc"), Key: aws.String("obj"), UploadId: aws.String(id)})
	rqCode(t, err, "NoSuchUpload", 404)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpc"), Key: aws.String("obj")})
	if err != nil || aws.ToString(h.ETag) != wantETag || aws.ToInt64(h.ContentLength) != int64(len(whole)) {
		t.Fatalf("HEAD: %v ETag %s length %d", err, aws.ToString(h.ETag), aws.ToInt64(h.ContentLength))
	}
	waitBlobCount(t, srv, 3)

	// Overwriting the multipart object frees all its part blobs.
	mustPut(t, c, "mpc", "obj", []byte("now small and inline"))
	waitBlobCount(t, srv, 0)
}

func TestMultipartAbort(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpa")
	id := mpCreate(t, c, "mpa", "k")
	p1 := mpUpload(t, c, "mpa", "k", id, 1, mpData(1, 64<<10))
	mpUpload(t, c, "mpa", "k", id, 2, mpData(2, 64<<10))
	// Another upload of the same key is unaffected by the abort.
	other := mpCreate(t, c, "mpa", "k")
	op := mpUpload(t, c, "mpa", "k", other, 1, []byte("survivor"))
	waitBlobCount(t, srv, 3)

	_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	r := doRaw(t, rawReq{Method: http.MethodDelete, URL: objURL(srv, "mpa", "k") + "?uploadId=" + other + "x"})
	wantRaw(t, "abort of an unknown upload", r, 404, "NoSuchUpload")
	waitBlobCount(t, srv, 1)

	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: aws.String(id), PartNumber: aws.Int32(3), Body: strings.NewReader("late")})
	rqCode(t, err, "NoSuchUpload", 404)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: aws.String(id)})
	rqCode(t, err, "NoSuchUpload", 404)
	_, err = mpCompleteErr(c, "mpa", "k", id, []types.CompletedPart{p1})
	rqCode(t, err, "NoSuchUpload", 404)
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: aws.String(id)})
	rqCode(t, err, "NoSuchUpload", 404)
	mustNoKey(t, c, "mpa", "k")
	// The late part left nothing behind.
	waitBlobCount(t, srv, 1)

	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpa")})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != other {
		t.Fatalf("uploads after abort: %v %+v", err, lu.Uploads)
	}
	mpComplete(t, c, "mpa", "k", other, []types.CompletedPart{op})
	if got := mustGet(t, c, "mpa", "k"); string(got) != "survivor" {
		t.Fatalf("object = %q", got)
	}
	waitBlobCount(t, srv, 1)
	// Aborting in a missing bucket.
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpa-missing"), Key: aws.String("k"), UploadId: aws.String(id)})
	rqCode(t, err, "NoSuchBucket", 404)
}

func TestMultipartListParts(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mplp")
	id := mpCreate(t, c, "mplp", "k", func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c })
	numbers := []int32{1, 3, 5, 7, 9}
	bodies := map[int32][]byte{}
	for _, n := range numbers {
		bodies[n] = mpData(uint64(n), 1000+int(n))
		mpUpload(t, c, "mplp", "k", id, n, bodies[n], func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c })
	}
	check := func(what string, p types.Part) {
		t.Helper()
		n := aws.ToInt32(p.PartNumber)
		b := bodies[n]
		if aws.ToString(p.ETag) != etagFor(b) || aws.ToInt64(p.Size) != int64(len(b)) || p.LastModified == nil ||
			aws.ToString(p.ChecksumCRC32C) != checksums(b)[types.ChecksumAlgorithmCrc32c] {
			t.Errorf("%s: part %d = ETag %s size %d CRC32C %s", what, n, aws.ToString(p.ETag), aws.ToInt64(p.Size), aws.ToString(p.ChecksumCRC32C))
		}
	}
	list := func(max int32, marker string) *s3.ListPartsOutput {
		t.Helper()
		in := &s3.ListPartsInput{Bucket: aws.String("mplp"), Key: aws.String("k"), UploadId: aws.String(id)}
		if max > 0 {
			in.MaxParts = aws.Int32(max)
		}
		if marker != "" {
			in.PartNumberMarker = aws.String(marker)
		}
		out, err := c.ListParts(ctx, in)
		if err != nil {
			t.Fatalf("ListParts(max %d, marker %q): %v", max, marker, err)
		}
		return out
	}
	all := list(0, "")
	if aws.ToBool(all.IsTruncated) || len(all.Parts) != 5 || aws.ToInt32(all.MaxParts) != 1000 || all.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32c {
		t.Errorf("full listing: truncated %v, %d parts, max %d, algorithm %q", aws.ToBool(all.IsTruncated), len(all.Parts), aws.ToInt32(all.MaxParts), all.ChecksumAlgorithm)
	}
	for _, p := range all.Parts {
		check("full", p)
	}

	// Pages of two follow NextPartNumberMarker.
	var got []int32
	var markers []string
	marker := ""
	for page := 0; ; page++ {
		out := list(2, marker)
		if aws.ToInt32(out.MaxParts) != 2 || aws.ToString(out.PartNumberMarker) != mpOr(marker, "0") {
			t.Errorf("page %d: MaxParts %d PartNumberMarker %q", page, aws.ToInt32(out.MaxParts), aws.ToString(out.PartNumberMarker))
		}
		for _, p := range out.Parts {
			check("paged", p)
			got = append(got, aws.ToInt32(p.PartNumber))
		}
		if !aws.ToBool(out.IsTruncated) {
			if len(out.Parts) != 1 {
				t.Errorf("last page has %d parts", len(out.Parts))
			}
			break
		}
		marker = aws.ToString(out.NextPartNumberMarker)
		markers = append(markers, marker)
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(got, numbers) || !slices.Equal(markers, []string{"3", "7"}) {
		t.Errorf("paged parts %v, markers %v", got, markers)
	}
	// A marker between part numbers.
	out := list(0, "4")
	if len(out.Parts) != 3 || aws.ToInt32(out.Parts[0].PartNumber) != 5 || aws.ToBool(out.IsTruncated) {
		t.Errorf("marker 4: %d parts, first %d", len(out.Parts), aws.ToInt32(out.Parts[0].PartNumber))
	}
	if out := list(0, "9"); len(out.Parts) != 0 || aws.ToBool(out.IsTruncated) {
		t.Errorf("marker 9: %d parts", len(out.Parts))
	}
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "mplp", "k") + "?uploadId=" + id + "&max-parts=-1"})
	wantRaw(t, "negative max-parts", r, 400, "InvalidArgument")

	// Re-uploading a part number replaces the part (and frees its blob).
	waitBlobCount(t, srv, 5)
	old := bodies[3]
	bodies[3] = []byte("replacement for part three")
	mpUpload(t, c, "mplp", "k", id, 3, bodies[3], func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c })
	out = list(0, "")
	if len(out.Parts) != 5 {
		t.Fatalf("after replacing part 3: %d parts", len(out.Parts))
	}
	for _, p := range out.Parts {
		check("after replace", p)
	}
	waitBlobCount(t, srv, 5)
	stale := types.CompletedPart{PartNumber: aws.Int32(3), ETag: aws.String(etagFor(old)), ChecksumCRC32C: aws.String(checksums(old)[types.ChecksumAlgorithmCrc32c])}
	_, err := mpCompleteErr(c, "mplp", "k", id, []types.CompletedPart{stale})
	rqCode(t, err, "InvalidPart", 400)
	fresh := types.CompletedPart{PartNumber: aws.Int32(3), ETag: aws.String(etagFor(bodies[3])), ChecksumCRC32C: aws.String(checksums(bodies[3])[types.ChecksumAlgorithmCrc32c])}
	mpComplete(t, c, "mplp", "k", id, []types.CompletedPart{fresh})
	if got := mustGet(t, c, "mplp", "k"); !bytes.Equal(got, bodies[3]) {
		t.Errorf("object = %q", got)
	}
	waitBlobCount(t, srv, 1)
}

// mpOr returns a if it is not empty, else b.
func mpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestMultipartListUploads(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mplu")
	type up struct{ key, id string }
	keys := []string{
		"a", "b", "dup", "dup", "dup", "dup", "dir/a", "dir/b", "dir/sub/x", "dir/sub/y", "dir/sub/y",
		"other/1", "other/2", "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "z", "zz", "é", "dup",
		"m1", "m2", "m3", "b", "x/y/z",
	}
	var ups []up
	for _, k := range keys {
		ups = append(ups, up{k, mpCreate(t, c, "mplu", k)})
	}
	if len(ups) != 25 {
		t.Fatalf("%d uploads", len(ups))
	}
	// S3 orders by key, then by initiation time.
	want := slices.Clone(ups)
	slices.SortStableFunc(want, func(a, b up) int { return strings.Compare(a.key, b.key) })
	show := func(u []types.MultipartUpload) []up {
		var out []up
		for _, x := range u {
			out = append(out, up{aws.ToString(x.Key), aws.ToString(x.UploadId)})
		}
		return out
	}
	list := func(in s3.ListMultipartUploadsInput) *s3.ListMultipartUploadsOutput {
		t.Helper()
		in.Bucket = aws.String("mplu")
		out, err := c.ListMultipartUploads(ctx, &in)
		if err != nil {
			t.Fatalf("ListMultipartUploads(%+v): %v", in, err)
		}
		return out
	}
	all := list(s3.ListMultipartUploadsInput{})
	if got := show(all.Uploads); !slices.Equal(got, want) || aws.ToBool(all.IsTruncated) || aws.ToInt32(all.MaxUploads) != 1000 {
		t.Fatalf("full listing (truncated %v):\n got %v\nwant %v", aws.ToBool(all.IsTruncated), got, want)
	}
	for _, u := range all.Uploads {
		if u.Initiated == nil || u.StorageClass != types.StorageClassStandard || u.Owner == nil || u.Initiator == nil {
			t.Errorf("upload %s: %+v", aws.ToString(u.Key), u)
		}
	}

	// Paging by 4 over the markers returns everything once, in order.
	for _, max := range []int32{1, 4, 7} {
		var got []up
		in := s3.ListMultipartUploadsInput{MaxUploads: aws.Int32(max)}
		for page := 0; ; page++ {
			out := list(in)
			if len(out.Uploads) > int(max) {
				t.Fatalf("max %d: page of %d", max, len(out.Uploads))
			}
			got = append(got, show(out.Uploads)...)
			if !aws.ToBool(out.IsTruncated) {
				if out.NextKeyMarker != nil && aws.ToString(out.NextKeyMarker) != "" {
					t.Errorf("max %d: last page has NextKeyMarker %q", max, aws.ToString(out.NextKeyMarker))
				}
				break
			}
			last := out.Uploads[len(out.Uploads)-1]
			if aws.ToString(out.NextKeyMarker) != aws.ToString(last.Key) || aws.ToString(out.NextUploadIdMarker) != aws.ToString(last.UploadId) {
				t.Fatalf("max %d: next markers %q %q, last upload %q %q", max, aws.ToString(out.NextKeyMarker), aws.ToString(out.NextUploadIdMarker), aws.ToString(last.Key), aws.ToString(last.UploadId))
			}
			in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
			if page > 30 {
				t.Fatal("paging does not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("max %d: paged\n got %v\nwant %v", max, got, want)
		}
	}

	// key-marker alone skips every upload of that key; with an
	// upload-id-marker it resumes inside the key.
	var dups []up
	for _, u := range want {
		if u.key == "dup" {
			dups = append(dups, u)
		}
	}
	out := list(s3.ListMultipartUploadsInput{KeyMarker: aws.String("dup")})
	after := slices.DeleteFunc(slices.Clone(want), func(u up) bool { return u.key <= "dup" })
	if got := show(out.Uploads); !slices.Equal(got, after) {
		t.Errorf("key-marker dup:\n got %v\nwant %v", got, after)
	}
	out = list(s3.ListMultipartUploadsInput{KeyMarker: aws.String("dup"), UploadIdMarker: aws.String(dups[1].id), MaxUploads: aws.Int32(3)})
	if got := show(out.Uploads); !slices.Equal(got, dups[2:]) || !aws.ToBool(out.IsTruncated) {
		t.Errorf("key-marker dup + upload-id-marker #2: %v (truncated %v), want %v", got, aws.ToBool(out.IsTruncated), dups[2:])
	}
	if aws.ToString(out.KeyMarker) != "dup" || aws.ToString(out.UploadIdMarker) != dups[1].id {
		t.Errorf("echoed markers %q %q", aws.ToString(out.KeyMarker), aws.ToString(out.UploadIdMarker))
	}
	// upload-id-marker without key-marker is ignored.
	out = list(s3.ListMultipartUploadsInput{UploadIdMarker: aws.String(dups[1].id)})
	if got := show(out.Uploads); !slices.Equal(got, want) {
		t.Errorf("upload-id-marker alone: %v", got)
	}

	// Prefix and delimiter.
	out = list(s3.ListMultipartUploadsInput{Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
	var cps []string
	for _, p := range out.CommonPrefixes {
		cps = append(cps, aws.ToString(p.Prefix))
	}
	if got := show(out.Uploads); len(got) != 2 || got[0].key != "dir/a" || got[1].key != "dir/b" || !slices.Equal(cps, []string{"dir/sub/"}) {
		t.Errorf("prefix dir/ delimiter /: uploads %v prefixes %v", got, cps)
	}
	if aws.ToString(out.Prefix) != "dir/" || aws.ToString(out.Delimiter) != "/" {
		t.Errorf("echoed prefix %q delimiter %q", aws.ToString(out.Prefix), aws.ToString(out.Delimiter))
	}
	out = list(s3.ListMultipartUploadsInput{Prefix: aws.String("photos/")})
	if got := show(out.Uploads); len(got) != 3 || len(out.CommonPrefixes) != 0 {
		t.Errorf("prefix photos/: %v", got)
	}
	out = list(s3.ListMultipartUploadsInput{Prefix: aws.String("nothing")})
	if len(out.Uploads) != 0 || aws.ToBool(out.IsTruncated) {
		t.Errorf("prefix nothing: %v", show(out.Uploads))
	}
	// Delimiter paging: a common prefix counts as one entry and is never repeated.
	var entries []string
	in := s3.ListMultipartUploadsInput{Delimiter: aws.String("/"), MaxUploads: aws.Int32(2)}
	for page := 0; ; page++ {
		out := list(in)
		if n := len(out.Uploads) + len(out.CommonPrefixes); n > 2 || n == 0 && aws.ToBool(out.IsTruncated) {
			t.Fatalf("delimiter page of %d entries", n)
		}
		for _, u := range out.Uploads {
			entries = append(entries, aws.ToString(u.Key))
		}
		for _, p := range out.CommonPrefixes {
			entries = append(entries, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
		if page > 30 {
			t.Fatal("paging does not end")
		}
	}
	slices.Sort(entries)
	wantEntries := []string{"a", "b", "b", "dir/", "dup", "dup", "dup", "dup", "dup", "m1", "m2", "m3", "other/", "photos/", "x/", "z", "zz", "é"}
	if !slices.Equal(entries, wantEntries) {
		t.Errorf("delimiter paging:\n got %v\nwant %v", entries, wantEntries)
	}
	_, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mplu-missing")})
	rqCode(t, err, "NoSuchBucket", 404)
}

// mpThreeParts builds "mp" as 5 MiB + 5 MiB + 1 KiB and returns the parts.
func mpThreeParts(t *testing.T, c *s3.Client, bucket string) [][]byte {
	parts := [][]byte{mpData(21, 5*mib), mpData(22, 5*mib), mpData(23, 1024)}
	mpObject(t, c, bucket, "mp", parts...)
	return parts
}

func TestMultipartGetPartNumber(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpget")
	parts := mpThreeParts(t, c, "mpget")
	whole := bytes.Join(parts, nil)
	var off int64
	for i, p := range parts {
		n := int32(i + 1)
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpget"), Key: aws.String("mp"), PartNumber: aws.Int32(n)})
		if err != nil {
			t.Fatalf("GET part %d: %v", n, err)
		}
		body := readAllBody(t, g.Body)
		wantRange := fmt.Sprintf("bytes %d-%d/%d", off, off+int64(len(p))-1, len(whole))
		if !bytes.Equal(body, p) || aws.ToInt32(g.PartsCount) != 3 || aws.ToString(g.ContentRange) != wantRange ||
			aws.ToInt64(g.ContentLength) != int64(len(p)) || aws.ToString(g.ETag) != mpETag(parts...) {
			t.Errorf("GET part %d: %d bytes (equal %v), parts count %d, range %q (want %q), ETag %s", n, len(body), bytes.Equal(body, p),
				aws.ToInt32(g.PartsCount), aws.ToString(g.ContentRange), wantRange, aws.ToString(g.ETag))
		}
		r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "mpget", "mp") + "?partNumber=" + strconv.Itoa(int(n))})
		wantRaw(t, "raw GET by part", r, 206, "")
		if r.Header.Get("x-amz-mp-parts-count") != "3" || !bytes.Equal(r.Body, p) {
			t.Errorf("raw GET part %d: x-amz-mp-parts-count %q", n, r.Header.Get("x-amz-mp-parts-count"))
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpget"), Key: aws.String("mp"), PartNumber: aws.Int32(n)})
		if err != nil || aws.ToInt64(h.ContentLength) != int64(len(p)) || aws.ToInt32(h.PartsCount) != 3 || aws.ToString(h.ContentRange) != wantRange {
			t.Errorf("HEAD part %d: %v length %d parts %d range %q", n, err, aws.ToInt64(h.ContentLength), aws.ToInt32(h.PartsCount), aws.ToString(h.ContentRange))
		}
		off += int64(len(p))
	}
	r := doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, "mpget", "mp") + "?partNumber=2"})
	if r.Status != 206 || r.Header.Get("x-amz-mp-parts-count") != "3" || r.Header.Get("Content-Length") != strconv.Itoa(5*mib) {
		t.Errorf("raw HEAD part 2: %d parts-count %q length %q", r.Status, r.Header.Get("x-amz-mp-parts-count"), r.Header.Get("Content-Length"))
	}
	// Without partNumber there is no parts count.
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpget"), Key: aws.String("mp")})
	if err != nil || h.PartsCount != nil || aws.ToInt64(h.ContentLength) != int64(len(whole)) {
		t.Errorf("plain HEAD: %v parts count %v length %d", err, h.PartsCount, aws.ToInt64(h.ContentLength))
	}

	// A part beyond the count, and partNumber with Range.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpget"), Key: aws.String("mp"), PartNumber: aws.Int32(4)})
	rqCode(t, err, "InvalidPartNumber", 416)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpget"), Key: aws.String("mp"), PartNumber: aws.Int32(4)})
	if rqStatus(err) != 416 {
		t.Errorf("HEAD part 4: %v, want 416", err)
	}
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "mpget", "mp") + "?partNumber=4"})
	wantRaw(t, "GET part 4", r, 416, "InvalidPartNumber")
	if msg := rawMessage(r); msg != "The requested partnumber is not satisfiable" {
		t.Errorf("GET part 4: message %q", msg)
	}
	r = doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, "mpget", "mp") + "?partNumber=4"})
	if r.Status != 416 || len(r.Body) != 0 || r.Header.Get("x-amz-request-id") == "" {
		t.Errorf("raw HEAD part 4: %d, %d body bytes, request id %q", r.Status, len(r.Body), r.Header.Get("x-amz-request-id"))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpget"), Key: aws.String("mp"), PartNumber: aws.Int32(1), Range: aws.String("bytes=0-9")})
	rqCode(t, err, "InvalidRequest", 400)
	for _, q := range []string{"0", "10001", "x"} {
		r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "mpget", "mp") + "?partNumber=" + q})
		wantRaw(t, "partNumber="+q, r, 400, "InvalidArgument")
	}

	// Ranges across part boundaries.
	b1, b2 := int64(5*mib), int64(10*mib)
	for _, rg := range [][2]int64{
		{b1 - 10, b1 + 9}, {b1 - 1, b1}, {b1, b1}, {0, b1}, {b1 - 1, b2}, {10, int64(len(whole)) - 10}, {b2 - 3, int64(len(whole)) - 1},
	} {
		spec := fmt.Sprintf("bytes=%d-%d", rg[0], rg[1])
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpget"), Key: aws.String("mp"), Range: aws.String(spec)})
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if got := readAllBody(t, g.Body); !bytes.Equal(got, whole[rg[0]:rg[1]+1]) || g.PartsCount != nil {
			t.Errorf("%s: %d bytes, equal %v", spec, len(got), bytes.Equal(got, whole[rg[0]:rg[1]+1]))
		}
	}
	for spec, want := range map[string][]byte{
		"bytes=-2000":                  whole[len(whole)-2000:],
		"bytes=10485000-":              whole[10485000:],
		fmt.Sprintf("bytes=%d-", b1-5): whole[b1-5:],
	} {
		r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "mpget", "mp"), Header: map[string]string{"Range": spec}})
		if r.Status != 206 || !bytes.Equal(r.Body, want) {
			t.Errorf("%s: %d, %d bytes", spec, r.Status, len(r.Body))
		}
	}
	// The parts of a simple object: only part 1, the whole object.
	mustPut(t, c, "mpget", "simple", []byte("simple body"))
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpget"), Key: aws.String("simple"), PartNumber: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAllBody(t, g.Body); string(got) != "simple body" {
		t.Errorf("simple part 1 = %q", got)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpget"), Key: aws.String("simple"), PartNumber: aws.Int32(2)})
	rqCode(t, err, "InvalidPartNumber", 416)
}

func TestMultipartConditionalComplete(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mpcond")
	old := mustPut(t, c, "mpcond", "k", []byte("existing"))

	id := mpCreate(t, c, "mpcond", "k")
	part := mpUpload(t, c, "mpcond", "k", id, 1, []byte("from the upload"))
	parts := []types.CompletedPart{part}
	_, err := mpCompleteErr(c, "mpcond", "k", id, parts, func(in *s3.CompleteMultipartUploadInput) { in.IfNoneMatch = aws.String("*") })
	rqCode(t, err, "PreconditionFailed", 412)
	// The upload survives a failed condition.
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpcond"), Key: aws.String("k"), UploadId: aws.String(id)})
	if err != nil || len(lp.Parts) != 1 {
		t.Fatalf("ListParts after 412: %v %+v", err, lp)
	}
	_, err = mpCompleteErr(c, "mpcond", "k", id, parts, func(in *s3.CompleteMultipartUploadInput) {
		in.IfMatch = aws.String(`"00000000000000000000000000000000"`)
	})
	rqCode(t, err, "PreconditionFailed", 412)
	if got := mustGet(t, c, "mpcond", "k"); string(got) != "existing" {
		t.Fatalf("object after failed conditions = %q", got)
	}
	out := mpComplete(t, c, "mpcond", "k", id, parts, func(in *s3.CompleteMultipartUploadInput) { in.IfMatch = old.ETag })
	if aws.ToString(out.ETag) != mpETag([]byte("from the upload")) {
		t.Errorf("ETag %s", aws.ToString(out.ETag))
	}
	if got := mustGet(t, c, "mpcond", "k"); string(got) != "from the upload" {
		t.Fatalf("object = %q", got)
	}
	// If-Match on a missing key is 404 NoSuchKey; If-None-Match * on it succeeds.
	id = mpCreate(t, c, "mpcond", "new")
	parts = []types.CompletedPart{mpUpload(t, c, "mpcond", "new", id, 1, []byte("new"))}
	_, err = mpCompleteErr(c, "mpcond", "new", id, parts, func(in *s3.CompleteMultipartUploadInput) { in.IfMatch = old.ETag })
	rqCode(t, err, "NoSuchKey", 404)
	mpComplete(t, c, "mpcond", "new", id, parts, func(in *s3.CompleteMultipartUploadInput) { in.IfNoneMatch = aws.String("*") })
	if got := mustGet(t, c, "mpcond", "new"); string(got) != "new" {
		t.Fatalf("object = %q", got)
	}
}

// TestConditionalWriteRace races PutObject and CompleteMultipartUpload
// calls with If-None-Match: * on one new key: exactly one wins.
func TestConditionalWriteRace(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cwrace")
	const n = 16
	bodies := make([][]byte, n)
	ids := make([]string, n)
	parts := make([]types.CompletedPart, n)
	for i := range n {
		bodies[i] = mpData(uint64(100+i), 40<<10)
		if i%2 == 1 {
			ids[i] = mpCreate(t, c, "cwrace", "k")
			parts[i] = mpUpload(t, c, "cwrace", "k", ids[i], 1, bodies[i])
		}
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				_, errs[i] = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cwrace"), Key: aws.String("k"), Body: bytes.NewReader(bodies[i]), IfNoneMatch: aws.String("*")})
			} else {
				_, errs[i] = mpCompleteErr(c, "cwrace", "k", ids[i], []types.CompletedPart{parts[i]}, func(in *s3.CompleteMultipartUploadInput) { in.IfNoneMatch = aws.String("*") })
			}
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("writers %d and %d both succeeded", winner, i)
			}
			winner = i
		case apiCode(err) == "PreconditionFailed" && rqStatus(err) == 412, apiCode(err) == "ConditionalRequestConflict" && rqStatus(err) == 409:
		default:
			t.Errorf("writer %d: %v, want 412 PreconditionFailed or 409 ConditionalRequestConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	if got := mustGet(t, c, "cwrace", "k"); !bytes.Equal(got, bodies[winner]) {
		t.Fatal("stored body is not the winner's")
	}
	// Losing uploads are still there; aborting them leaves only the winner's blob.
	for i, id := range ids {
		if id == "" || i == winner {
			continue
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("cwrace"), Key: aws.String("k"), UploadId: aws.String(id)}); err != nil {
			t.Errorf("abort losing upload %d: %v", i, err)
		}
	}
	waitBlobCount(t, srv, 1)
}

// slowBody hands out size bytes: the first chunk, then nothing until
// release is closed. started is closed on the first Read, which with
// Expect: 100-continue means the server handler began reading the body.
type slowBody struct {
	data     []byte
	off      int
	first    int
	started  chan struct{}
	release  chan struct{}
	onceFlag atomic.Bool
}

func (s *slowBody) Read(p []byte) (int, error) {
	if s.onceFlag.CompareAndSwap(false, true) {
		close(s.started)
	}
	if s.off >= len(s.data) {
		return 0, io.EOF
	}
	if s.off >= s.first {
		<-s.release
	}
	end := len(s.data)
	if s.off < s.first {
		end = s.first
	}
	n := copy(p, s.data[s.off:end])
	s.off += n
	return n, nil
}

// TestConditionalWriteConflict deletes the object a conditional PUT is
// replacing while the PUT's body is still streaming: S3 answers 409.
func TestConditionalWriteConflict(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cwconf")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 30 * time.Second, DisableCompression: true}, Timeout: 30 * time.Second}
	for _, size := range []int{1000, 256 << 10} {
		key := fmt.Sprintf("k%d", size)
		put := mustPut(t, c, "cwconf", key, []byte("original"))
		for _, hdr := range []string{"If-Match", "If-None-Match"} {
			if hdr == "If-None-Match" {
				// If-None-Match * on a missing key, and the key appears meanwhile: 412.
				_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cwconf"), Key: aws.String(key)})
				if err != nil {
					t.Fatal(err)
				}
			}
			body := &slowBody{data: mpData(uint64(size), size), first: size / 2, started: make(chan struct{}), release: make(chan struct{})}
			req := signRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cwconf", key), Payload: unsignedPayload, ContentLength: int64(size),
				Header: map[string]string{"If-Match": aws.ToString(put.ETag)}})
			if hdr == "If-None-Match" {
				req = signRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cwconf", key), Payload: unsignedPayload, ContentLength: int64(size),
					Header: map[string]string{"If-None-Match": "*"}})
			}
			req.Body, req.GetBody = io.NopCloser(body), nil
			req.Header.Set("Expect", "100-continue")
			type result struct {
				resp *http.Response
				err  error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := client.Do(req)
				done <- result{resp, err}
			}()
			select {
			case <-body.started:
			case r := <-done:
				t.Fatalf("%s: answered before reading the body: %v", hdr, r.err)
			case <-time.After(20 * time.Second):
				t.Fatal("the server never asked for the body")
			}
			if hdr == "If-Match" {
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cwconf"), Key: aws.String(key)}); err != nil {
					t.Fatal(err)
				}
			} else {
				mustPut(t, c, "cwconf", key, []byte("appeared meanwhile"))
			}
			close(body.release)
			res := <-done
			if res.err != nil {
				t.Fatalf("%s: %v", hdr, res.err)
			}
			b, _ := io.ReadAll(res.resp.Body)
			res.resp.Body.Close()
			got := rawResp{Status: res.resp.StatusCode, Header: res.resp.Header, Body: b}
			if hdr == "If-Match" {
				wantRaw(t, "If-Match PUT of a deleted object", got, 409, "ConditionalRequestConflict")
				mustNoKey(t, c, "cwconf", key)
			} else {
				wantRaw(t, "If-None-Match PUT of a created object", got, 412, "PreconditionFailed")
				if g := mustGet(t, c, "cwconf", key); string(g) != "appeared meanwhile" {
					t.Fatalf("object = %q", g)
				}
			}
		}
	}
	waitBlobCount(t, srv, 0)
}
