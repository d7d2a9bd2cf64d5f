package e2e

// CopyObject and UploadPartCopy.

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// cpSource is the x-amz-copy-source value for bucket/key, URL-encoded.
func cpSource(bucket, key string) *string { return aws.String(bucket + "/" + escapeKey(key)) }

// cpCopy copies and fails the test on error.
func cpCopy(t *testing.T, c *s3.Client, in *s3.CopyObjectInput) *s3.CopyObjectOutput {
	t.Helper()
	out, err := c.CopyObject(ctx, in)
	if err != nil {
		t.Fatalf("CopyObject(%s -> %s/%s): %v", aws.ToString(in.CopySource), aws.ToString(in.Bucket), aws.ToString(in.Key), err)
	}
	return out
}

func TestCopyObjectMetadata(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cpmeta")
	body := mpData(41, 100<<10)
	src, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("cpmeta"), Key: aws.String("src"), Body: bytes.NewReader(body),
		Metadata:           map[string]string{"a": "1", "b": "two"},
		ContentType:        aws.String("image/png"),
		ContentDisposition: aws.String("inline"),
		ContentLanguage:    aws.String("fr"),
		CacheControl:       aws.String("no-store"),
		StorageClass:       types.StorageClassStandardIa,
	})
	if err != nil {
		t.Fatal(err)
	}
	head := func(key string) *s3.HeadObjectOutput {
		t.Helper()
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cpmeta"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("HEAD %s: %v", key, err)
		}
		return h
	}
	// COPY (the default) keeps metadata and content headers.
	for _, directive := range []types.MetadataDirective{"", types.MetadataDirectiveCopy} {
		key := "copy-" + string(directive)
		out := cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpmeta"), Key: aws.String(key), CopySource: cpSource("cpmeta", "src"),
			MetadataDirective: directive, Metadata: map[string]string{"ignored": "yes"}, ContentType: aws.String("text/ignored")})
		if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(src.ETag) || out.CopyObjectResult.LastModified == nil {
			t.Errorf("%s: result ETag %s LastModified %v", key, aws.ToString(out.CopyObjectResult.ETag), out.CopyObjectResult.LastModified)
		}
		h := head(key)
		if len(h.Metadata) != 2 || h.Metadata["a"] != "1" || h.Metadata["b"] != "two" || aws.ToString(h.ContentType) != "image/png" ||
			aws.ToString(h.ContentDisposition) != "inline" || aws.ToString(h.ContentLanguage) != "fr" || aws.ToString(h.CacheControl) != "no-store" {
			t.Errorf("%s: metadata %v type %q disposition %q language %q cache %q", key, h.Metadata, aws.ToString(h.ContentType),
				aws.ToString(h.ContentDisposition), aws.ToString(h.ContentLanguage), aws.ToString(h.CacheControl))
		}
		// The storage class is the request's (STANDARD), not the source's.
		if h.StorageClass != "" && h.StorageClass != types.StorageClassStandard {
			t.Errorf("%s: storage class %q", key, h.StorageClass)
		}
		if got := mustGet(t, c, "cpmeta", key); !bytes.Equal(got, body) {
			t.Fatalf("%s: body differs", key)
		}
	}
	// REPLACE takes everything from the request.
	cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpmeta"), Key: aws.String("replace"), CopySource: cpSource("cpmeta", "src"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"new": "value"}, ContentType: aws.String("text/plain"),
		StorageClass: types.StorageClassOnezoneIa})
	h := head("replace")
	if len(h.Metadata) != 1 || h.Metadata["new"] != "value" || aws.ToString(h.ContentType) != "text/plain" || h.ContentDisposition != nil ||
		h.ContentLanguage != nil || h.CacheControl != nil || h.StorageClass != types.StorageClassOnezoneIa || aws.ToString(h.ETag) != etagFor(body) {
		t.Errorf("replace: metadata %v type %q disposition %v language %v cache %v class %q", h.Metadata, aws.ToString(h.ContentType),
			h.ContentDisposition, h.ContentLanguage, h.CacheControl, h.StorageClass)
	}
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cpmeta", "bad"), Header: map[string]string{"x-amz-copy-source": "cpmeta/src", "x-amz-metadata-directive": "MERGE"}})
	wantRaw(t, "unknown directive", r, 400, "InvalidArgument")

	// Onto itself: only with REPLACE (or another storage class).
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpmeta"), Key: aws.String("src"), CopySource: cpSource("cpmeta", "src")})
	rqCode(t, err, "InvalidRequest", 400)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpmeta"), Key: aws.String("src"), CopySource: cpSource("cpmeta", "src"), MetadataDirective: types.MetadataDirectiveCopy})
	rqCode(t, err, "InvalidRequest", 400)
	if h := head("src"); h.Metadata["a"] != "1" || h.StorageClass != types.StorageClassStandardIa {
		t.Fatalf("refused self-copy changed the object: %v %q", h.Metadata, h.StorageClass)
	}
	cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpmeta"), Key: aws.String("src"), CopySource: cpSource("cpmeta", "src"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"a": "changed"}, ContentType: aws.String("application/x-new")})
	h = head("src")
	if len(h.Metadata) != 1 || h.Metadata["a"] != "changed" || aws.ToString(h.ContentType) != "application/x-new" || aws.ToString(h.ETag) != etagFor(body) {
		t.Errorf("self-copy with REPLACE: metadata %v type %q ETag %s", h.Metadata, aws.ToString(h.ContentType), aws.ToString(h.ETag))
	}
	if got := mustGet(t, c, "cpmeta", "src"); !bytes.Equal(got, body) {
		t.Fatal("self-copy changed the body")
	}
	// Objects: src, copy-, copy-COPY, replace; the self-copy freed the old blob.
	waitBlobCount(t, srv, 4)
}

func TestCopyObjectSources(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cpsrc")
	mustCreateBucket(t, c, "cpdst")
	small, large := []byte("small inline object"), mpData(42, 40<<10)
	for _, key := range []string{"dir/a b+c ü€.txt", "plain", "sp ace", "100%", "q?x=1&y"} {
		for _, body := range [][]byte{small, large} {
			mustPut(t, c, "cpsrc", key, body)
			for _, src := range []*string{cpSource("cpsrc", key), aws.String("/cpsrc/" + escapeKey(key)), aws.String("cpsrc/" + escapeKey(key) + "?versionId=null")} {
				out := cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpdst"), Key: aws.String(key), CopySource: src})
				if aws.ToString(out.CopyObjectResult.ETag) != etagFor(body) {
					t.Errorf("%s: ETag %s", aws.ToString(src), aws.ToString(out.CopyObjectResult.ETag))
				}
				if got := mustGet(t, c, "cpdst", key); !bytes.Equal(got, body) {
					t.Fatalf("%s (%d bytes): copy differs", aws.ToString(src), len(body))
				}
			}
		}
	}
	// The copy is independent of its source.
	mustPut(t, c, "cpsrc", "gone", large)
	cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpdst"), Key: aws.String("kept"), CopySource: cpSource("cpsrc", "gone")})
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cpsrc"), Key: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "cpdst", "kept"); !bytes.Equal(got, large) {
		t.Fatal("copy lost its data with the source")
	}

	// A copy keeps the source's checksum algorithm, or takes the requested one.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cpsrc"), Key: aws.String("summed"), Body: bytes.NewReader(small), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
	if err != nil {
		t.Fatal(err)
	}
	out := cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpdst"), Key: aws.String("summed"), CopySource: cpSource("cpsrc", "summed")})
	if aws.ToString(out.CopyObjectResult.ChecksumCRC32C) != checksums(small)[types.ChecksumAlgorithmCrc32c] {
		t.Errorf("copy result CRC32C %q", aws.ToString(out.CopyObjectResult.ChecksumCRC32C))
	}
	mustStoredChecksum(t, c, "cpdst", "summed", types.ChecksumAlgorithmCrc32c, checksums(small)[types.ChecksumAlgorithmCrc32c])
	cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpdst"), Key: aws.String("resummed"), CopySource: cpSource("cpsrc", "summed"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	mustStoredChecksum(t, c, "cpdst", "resummed", types.ChecksumAlgorithmSha256, checksums(small)[types.ChecksumAlgorithmSha256])

	// Missing things.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpdst"), Key: aws.String("x"), CopySource: cpSource("cpsrc", "missing")})
	rqCode(t, err, "NoSuchKey", 404)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpdst"), Key: aws.String("x"), CopySource: cpSource("cpsrc-missing", "plain")})
	rqCode(t, err, "NoSuchBucket", 404)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpdst-missing"), Key: aws.String("x"), CopySource: cpSource("cpsrc", "plain")})
	rqCode(t, err, "NoSuchBucket", 404)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpdst"), Key: aws.String("x"), CopySource: aws.String("cpsrc/plain?versionId=00000000000000000000000000000000")})
	rqCode(t, err, "NoSuchVersion", 404)
	for _, bad := range []string{"cpsrc", "cpsrc/", "/cpsrc", "%zz/x"} {
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "cpdst", "x"), Header: map[string]string{"x-amz-copy-source": bad}})
		wantRaw(t, "copy source "+bad, r, 400, "InvalidArgument")
	}
	mustNoKey(t, c, "cpdst", "x")
	// Five keys: large inline-or-not copies each; "kept" too.
	waitBlobCount(t, srv, 5+5+1)
}

func TestCopyObjectConditions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cpcond")
	put := mustPut(t, c, "cpcond", "src", []byte("conditional source"))
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cpcond"), Key: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	etag, lm := aws.ToString(put.ETag), aws.ToTime(h.LastModified)
	past, future := lm.Add(-time.Hour), lm.Add(time.Hour)
	other := `"00000000000000000000000000000000"`
	for _, tc := range []struct {
		name string
		mod  func(*s3.CopyObjectInput)
		ok   bool
	}{
		{"if-match hit", func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = aws.String(etag) }, true},
		{"if-match miss", func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = aws.String(other) }, false},
		{"if-none-match hit", func(in *s3.CopyObjectInput) { in.CopySourceIfNoneMatch = aws.String(etag) }, false},
		{"if-none-match miss", func(in *s3.CopyObjectInput) { in.CopySourceIfNoneMatch = aws.String(other) }, true},
		{"if-modified-since past", func(in *s3.CopyObjectInput) { in.CopySourceIfModifiedSince = aws.Time(past) }, true},
		{"if-modified-since future", func(in *s3.CopyObjectInput) { in.CopySourceIfModifiedSince = aws.Time(future) }, false},
		{"if-unmodified-since future", func(in *s3.CopyObjectInput) { in.CopySourceIfUnmodifiedSince = aws.Time(future) }, true},
		{"if-unmodified-since past", func(in *s3.CopyObjectInput) { in.CopySourceIfUnmodifiedSince = aws.Time(past) }, false},
		// S3: if-match true and if-unmodified-since false → copied.
		{"if-match hit + unmodified-since past", func(in *s3.CopyObjectInput) {
			in.CopySourceIfMatch, in.CopySourceIfUnmodifiedSince = aws.String(etag), aws.Time(past)
		}, true},
		// S3: if-none-match false and if-modified-since true → 412.
		{"if-none-match hit + modified-since past", func(in *s3.CopyObjectInput) {
			in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince = aws.String(etag), aws.Time(past)
		}, false},
	} {
		in := &s3.CopyObjectInput{Bucket: aws.String("cpcond"), Key: aws.String("dst"), CopySource: cpSource("cpcond", "src")}
		tc.mod(in)
		_, err := c.CopyObject(ctx, in)
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cpcond"), Key: aws.String("dst")}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if apiCode(err) != "PreconditionFailed" || rqStatus(err) != 412 {
			t.Errorf("%s: %v, want 412 PreconditionFailed", tc.name, err)
		}
		mustNoKey(t, c, "cpcond", "dst")
	}
}

func TestCopyObjectMultipartSource(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cpmp")
	whole := mpObject(t, c, "cpmp", "mp", mpData(51, 5*mib), mpData(52, 1<<20))
	waitBlobCount(t, srv, 2)
	out := cpCopy(t, c, &s3.CopyObjectInput{Bucket: aws.String("cpmp"), Key: aws.String("flat"), CopySource: cpSource("cpmp", "mp")})
	if aws.ToString(out.CopyObjectResult.ETag) != etagFor(whole) {
		t.Errorf("copy of a multipart object: ETag %s, want plain MD5 %s", aws.ToString(out.CopyObjectResult.ETag), etagFor(whole))
	}
	if got := mustGet(t, c, "cpmp", "flat"); !bytes.Equal(got, whole) {
		t.Fatal("copy differs")
	}
	// The copy is a single-part object.
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cpmp"), Key: aws.String("flat"), PartNumber: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAllBody(t, g.Body); !bytes.Equal(body, whole) || aws.ToInt32(g.PartsCount) > 1 {
		t.Errorf("copy part 1: %d bytes, parts count %d", len(body), aws.ToInt32(g.PartsCount))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cpmp"), Key: aws.String("flat"), PartNumber: aws.Int32(2)})
	rqCode(t, err, "InvalidPartNumber", 416)
	waitBlobCount(t, srv, 3)
}

func TestUploadPartCopy(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "upcsrc")
	mustCreateBucket(t, c, "upcdst")
	big := mpData(61, 12*mib)
	small := []byte("an inline source object")
	bigPut := mustPut(t, c, "upcsrc", "big", big)
	mustPut(t, c, "upcsrc", "small", small)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upcsrc"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	lm := aws.ToTime(h.LastModified)

	id := mpCreate(t, c, "upcdst", "assembled", func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32 })
	copyPart := func(n int32, src, rng string, mods ...func(*s3.UploadPartCopyInput)) (*s3.UploadPartCopyOutput, error) {
		in := &s3.UploadPartCopyInput{Bucket: aws.String("upcdst"), Key: aws.String("assembled"), UploadId: aws.String(id), PartNumber: aws.Int32(n), CopySource: aws.String(src)}
		if rng != "" {
			in.CopySourceRange = aws.String(rng)
		}
		for _, m := range mods {
			m(in)
		}
		return c.UploadPartCopy(ctx, in)
	}
	pieces := [][]byte{big[:5*mib], big[5*mib:], small}
	var parts []types.CompletedPart
	for i, tc := range []struct{ src, rng string }{
		{"upcsrc/big", "bytes=0-5242879"},
		{"upcsrc/big", "bytes=5242880-12582911"},
		{"upcsrc/small", ""},
	} {
		n := int32(i + 1)
		out, err := copyPart(n, tc.src, tc.rng)
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		r := out.CopyPartResult
		if aws.ToString(r.ETag) != etagFor(pieces[i]) || r.LastModified == nil || aws.ToString(r.ChecksumCRC32) != checksums(pieces[i])[types.ChecksumAlgorithmCrc32] {
			t.Errorf("part %d: ETag %s CRC32 %s", n, aws.ToString(r.ETag), aws.ToString(r.ChecksumCRC32))
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32})
	}
	// A part copied with no range is the whole source, even a multi-MiB one.
	out, err := copyPart(4, "upcsrc/big", "")
	if err != nil || aws.ToString(out.CopyPartResult.ETag) != aws.ToString(bigPut.ETag) {
		t.Fatalf("whole-object part copy: %v", err)
	}

	// Ranges: past the end, malformed.
	_, err = copyPart(5, "upcsrc/big", "bytes=0-12582912")
	rqCode(t, err, "InvalidRange", 416)
	_, err = copyPart(5, "upcsrc/small", "bytes=100-200")
	rqCode(t, err, "InvalidRange", 416)
	for _, rng := range []string{"bytes=5-", "bytes=-5", "bytes=9-3", "items=0-1"} {
		_, err = copyPart(5, "upcsrc/big", rng)
		rqCode(t, err, "InvalidArgument", 400)
	}
	// Source conditions.
	other := `"00000000000000000000000000000000"`
	for name, mod := range map[string]func(*s3.UploadPartCopyInput){
		"if-match miss":       func(in *s3.UploadPartCopyInput) { in.CopySourceIfMatch = aws.String(other) },
		"if-none-match hit":   func(in *s3.UploadPartCopyInput) { in.CopySourceIfNoneMatch = bigPut.ETag },
		"if-modified-since":   func(in *s3.UploadPartCopyInput) { in.CopySourceIfModifiedSince = aws.Time(lm.Add(time.Hour)) },
		"if-unmodified-since": func(in *s3.UploadPartCopyInput) { in.CopySourceIfUnmodifiedSince = aws.Time(lm.Add(-time.Hour)) },
		"if-none-match + ranged": func(in *s3.UploadPartCopyInput) {
			in.CopySourceIfNoneMatch, in.CopySourceRange = bigPut.ETag, aws.String("bytes=0-9")
		},
		"if-match miss + ranged": func(in *s3.UploadPartCopyInput) {
			in.CopySourceIfMatch, in.CopySourceRange = aws.String(other), aws.String("bytes=0-9")
		},
		"if-unmodified + if-none": func(in *s3.UploadPartCopyInput) {
			in.CopySourceIfUnmodifiedSince, in.CopySourceIfNoneMatch = aws.Time(lm.Add(time.Hour)), bigPut.ETag
		},
	} {
		_, err = copyPart(5, "upcsrc/big", "", mod)
		if apiCode(err) != "PreconditionFailed" || rqStatus(err) != 412 {
			t.Errorf("%s: %v, want 412 PreconditionFailed", name, err)
		}
	}
	_, err = copyPart(5, "upcsrc/big", "bytes=0-9", func(in *s3.UploadPartCopyInput) { in.CopySourceIfMatch = bigPut.ETag })
	if err != nil {
		t.Errorf("if-match hit: %v", err)
	}
	_, err = copyPart(5, "upcsrc/missing", "")
	rqCode(t, err, "NoSuchKey", 404)
	_, err = copyPart(5, "upcsrc-missing/big", "")
	rqCode(t, err, "NoSuchBucket", 404)
	_, err = copyPart(0, "upcsrc/big", "")
	rqCode(t, err, "InvalidArgument", 400)
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("upcdst"), Key: aws.String("assembled"), UploadId: aws.String("nosuch"), PartNumber: aws.Int32(1), CopySource: aws.String("upcsrc/big")})
	rqCode(t, err, "NoSuchUpload", 404)

	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("upcdst"), Key: aws.String("assembled"), UploadId: aws.String(id)})
	if err != nil || len(lp.Parts) != 5 {
		t.Fatalf("ListParts: %v, %d parts", err, len(lp.Parts))
	}
	done := mpComplete(t, c, "upcdst", "assembled", id, parts)
	if aws.ToString(done.ETag) != mpETag(pieces...) || aws.ToString(done.ChecksumCRC32) != ckComposite(types.ChecksumAlgorithmCrc32, pieces...) {
		t.Errorf("Complete: ETag %s CRC32 %s", aws.ToString(done.ETag), aws.ToString(done.ChecksumCRC32))
	}
	if got := mustGet(t, c, "upcdst", "assembled"); !bytes.Equal(got, bytes.Join(pieces, nil)) {
		t.Fatal("assembled object differs")
	}
	// big, plus the three used parts (the small copied part is a blob too).
	waitBlobCount(t, srv, 4)

	// Copying parts out of a multipart object, across its part boundary.
	mustCreateBucket(t, c, "upcmp")
	src := mpObject(t, c, "upcmp", "src", mpData(62, 5*mib), mpData(63, 3*mib))
	id = mpCreate(t, c, "upcmp", "dst")
	p1, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("upcmp"), Key: aws.String("dst"), UploadId: aws.String(id), PartNumber: aws.Int32(1),
		CopySource: aws.String("upcmp/src"), CopySourceRange: aws.String("bytes=1048576-7340031")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("upcmp"), Key: aws.String("dst"), UploadId: aws.String(id), PartNumber: aws.Int32(2),
		CopySource: aws.String("upcmp/src"), CopySourceRange: aws.String("bytes=0-99")})
	if err != nil {
		t.Fatal(err)
	}
	mpComplete(t, c, "upcmp", "dst", id, []types.CompletedPart{
		{PartNumber: aws.Int32(1), ETag: p1.CopyPartResult.ETag}, {PartNumber: aws.Int32(2), ETag: p2.CopyPartResult.ETag}})
	want := append(append([]byte(nil), src[1048576:7340032]...), src[:100]...)
	if got := mustGet(t, c, "upcmp", "dst"); !bytes.Equal(got, want) {
		t.Fatal("object from parts of a multipart source differs")
	}
}
