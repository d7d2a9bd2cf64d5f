package e2e

import (
	"bytes"
	"crypto/md5"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"

	"talus/internal/meta"
	"talus/internal/testserver"
)

func putAnn(c *s3.Client, bucket, key, name string, payload []byte, opts ...func(*s3.PutObjectAnnotationInput)) (*s3.PutObjectAnnotationOutput, error) {
	in := &s3.PutObjectAnnotationInput{Bucket: aws.String(bucket), Key: aws.String(key), AnnotationName: aws.String(name), AnnotationPayload: bytes.NewReader(payload)}
	for _, o := range opts {
		o(in)
	}
	return c.PutObjectAnnotation(ctx, in)
}

func mustPutAnn(t *testing.T, c *s3.Client, bucket, key, name string, payload []byte, opts ...func(*s3.PutObjectAnnotationInput)) *s3.PutObjectAnnotationOutput {
	t.Helper()
	out, err := putAnn(c, bucket, key, name, payload, opts...)
	if err != nil {
		t.Fatalf("PutObjectAnnotation(%s/%s %s): %v", bucket, key, name, err)
	}
	return out
}

func getAnn(c *s3.Client, bucket, key, name, versionID string) (*s3.GetObjectAnnotationOutput, []byte, error) {
	in := &s3.GetObjectAnnotationInput{Bucket: aws.String(bucket), Key: aws.String(key), AnnotationName: aws.String(name), ChecksumMode: types.ChecksumModeEnabled}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := c.GetObjectAnnotation(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	defer out.AnnotationPayload.Close()
	b, err := io.ReadAll(out.AnnotationPayload)
	return out, b, err
}

func mustGetAnn(t *testing.T, c *s3.Client, bucket, key, name, versionID string, want []byte) *s3.GetObjectAnnotationOutput {
	t.Helper()
	out, got, err := getAnn(c, bucket, key, name, versionID)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("GetObjectAnnotation(%s/%s %s) = %.40q, %v; want %.40q", bucket, key, name, got, err, want)
	}
	return out
}

func listAnn(t *testing.T, c *s3.Client, bucket, key, versionID string) []string {
	t.Helper()
	in := &s3.ListObjectAnnotationsInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	var names []string
	p := s3.NewListObjectAnnotationsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectAnnotations(%s/%s): %v", bucket, key, err)
		}
		for _, e := range page.Annotations {
			names = append(names, aws.ToString(e.AnnotationName))
		}
	}
	return names
}

func TestAnnotationRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ann")
	obj := mustPut(t, c, "ann", "doc.txt", []byte("the object"))
	payload := []byte(`{"summary":"résumé of the object"}`)
	put := mustPutAnn(t, c, "ann", "doc.txt", "summary", payload)
	// The SDK sends CRC32 by default; S3 echoes it.
	if aws.ToString(put.ETag) != etagFor(payload) || aws.ToString(put.Key) != "doc.txt" || aws.ToString(put.AnnotationName) != "summary" ||
		aws.ToString(put.ChecksumCRC32) != rqCRC32(payload) || put.ChecksumType != types.ChecksumTypeFullObject ||
		put.ServerSideEncryption != types.ServerSideEncryptionAes256 || put.ObjectVersionId != nil {
		t.Fatalf("put output: etag %q key %q name %q crc %q type %q sse %q vid %v", aws.ToString(put.ETag), aws.ToString(put.Key),
			aws.ToString(put.AnnotationName), aws.ToString(put.ChecksumCRC32), put.ChecksumType, put.ServerSideEncryption, put.ObjectVersionId)
	}
	got := mustGetAnn(t, c, "ann", "doc.txt", "summary", "", payload)
	if aws.ToString(got.ETag) != etagFor(payload) || aws.ToInt64(got.ContentLength) != int64(len(payload)) || got.LastModified == nil ||
		aws.ToString(got.ChecksumCRC32) != rqCRC32(payload) || got.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("get output: etag %q len %d crc %q sse %q", aws.ToString(got.ETag), aws.ToInt64(got.ContentLength), aws.ToString(got.ChecksumCRC32), got.ServerSideEncryption)
	}
	// Annotations do not change the object.
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ann"), Key: aws.String("doc.txt")})
	if err != nil || aws.ToString(head.ETag) != aws.ToString(obj.ETag) {
		t.Fatalf("head after annotating: %v", err)
	}
	// A put with the same name replaces the payload.
	mustPutAnn(t, c, "ann", "doc.txt", "summary", []byte("shorter"))
	mustGetAnn(t, c, "ann", "doc.txt", "summary", "", []byte("shorter"))
	// Delete is 204 whether or not the annotation exists.
	for range 2 {
		if _, err := c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("ann"), Key: aws.String("doc.txt"), AnnotationName: aws.String("summary")}); err != nil {
			t.Fatalf("DeleteObjectAnnotation: %v", err)
		}
	}
	_, _, err = getAnn(c, "ann", "doc.txt", "summary", "")
	mustFail(t, "get deleted annotation", err, http.StatusNotFound, "NoSuchAnnotation")
	r := doRaw(t, rawReq{Method: "DELETE", URL: objURL(srv, "ann", "doc.txt") + "?annotation&annotationName=gone&x-id=DeleteObjectAnnotation"})
	wantRaw(t, "raw delete", r, http.StatusNoContent, "")

	// Missing bucket and key.
	_, err = putAnn(c, "nobucket", "k", "n", []byte("x"))
	mustFail(t, "put on missing bucket", err, http.StatusNotFound, "NoSuchBucket")
	_, err = putAnn(c, "ann", "nokey", "n", []byte("x"))
	mustFail(t, "put on missing key", err, http.StatusNotFound, "NoSuchKey")
	_, _, err = getAnn(c, "ann", "nokey", "n", "")
	mustFail(t, "get on missing key", err, http.StatusNotFound, "NoSuchKey")
	_, err = c.ListObjectAnnotations(ctx, &s3.ListObjectAnnotationsInput{Bucket: aws.String("ann"), Key: aws.String("nokey")})
	mustFail(t, "list on missing key", err, http.StatusNotFound, "NoSuchKey")
	_, err = c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("ann"), Key: aws.String("nokey"), AnnotationName: aws.String("n")})
	mustFail(t, "delete on missing key", err, http.StatusNotFound, "NoSuchKey")

	// The wire: root element names, x-id ignored (even a wrong one).
	r = doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "ann", "doc.txt") + "?annotation&annotationName=raw&x-id=Bogus", Body: []byte("raw payload")})
	wantRaw(t, "raw put", r, http.StatusOK, "")
	if !strings.Contains(string(r.Body), "<PutObjectAnnotationOutput xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Key>doc.txt</Key><AnnotationName>raw</AnnotationName></PutObjectAnnotationOutput>") {
		t.Errorf("put body: %s", r.Body)
	}
	r = doRaw(t, rawReq{Method: "GET", URL: objURL(srv, "ann", "doc.txt") + "?annotation&x-id=GetObjectAnnotation"})
	wantRaw(t, "raw list", r, http.StatusOK, "")
	if !strings.Contains(string(r.Body), "<ListObjectAnnotationsOutput xmlns=") || !strings.Contains(string(r.Body), "<Annotations><AnnotationEntry><AnnotationName>raw</AnnotationName>") ||
		strings.Contains(string(r.Body), "IsTruncated") {
		t.Errorf("list body: %s", r.Body)
	}
	r = doRaw(t, rawReq{Method: "GET", URL: objURL(srv, "ann", "doc.txt") + "?annotation&annotationName=raw&x-id=ListObjectAnnotations"})
	if r.Status != http.StatusOK || string(r.Body) != "raw payload" {
		t.Errorf("raw get: %d %s", r.Status, r.Body)
	}
}

func TestAnnotationLimits(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lim")
	mustPut(t, c, "lim", "k", []byte("object"))

	// Payload: 1 byte to 1 MiB of valid UTF-8.
	mustPutAnn(t, c, "lim", "k", "one", []byte("x"))
	big := bytes.Repeat([]byte("é"), 1<<19) // exactly 1 MiB
	mustPutAnn(t, c, "lim", "k", "big", big)
	mustGetAnn(t, c, "lim", "k", "big", "", big)
	_, err := putAnn(c, "lim", "k", "toobig", append(big, 'x'))
	mustFail(t, "1 MiB + 1", err, http.StatusBadRequest, "EntityTooLarge")
	r := doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "lim", "k") + "?annotation&annotationName=empty"})
	wantRaw(t, "empty payload", r, http.StatusBadRequest, "InvalidRequest")
	for _, bad := range [][]byte{{0xff}, []byte("ok then \xc3"), {0xed, 0xa0, 0x80}} {
		_, err = putAnn(c, "lim", "k", "binary", bad)
		mustFail(t, fmt.Sprintf("payload %q", bad), err, http.StatusUnsupportedMediaType, "UnsupportedMediaType")
	}
	_, _, err = getAnn(c, "lim", "k", "binary", "")
	mustFail(t, "refused payload stored", err, http.StatusNotFound, "NoSuchAnnotation")

	// Names: 1 to 512 bytes, no aws / s3 prefix in any case.
	long := strings.Repeat("n", 512)
	mustPutAnn(t, c, "lim", "k", long, []byte("x"))
	mustPutAnn(t, c, "lim", "k", "my-aws/s3 notes", []byte("x"))
	_, err = putAnn(c, "lim", "k", long+"n", []byte("x"))
	mustFail(t, "513-byte name", err, http.StatusBadRequest, "AnnotationNameTooLong")
	_, _, err = getAnn(c, "lim", "k", strings.Repeat("é", 257), "")
	mustFail(t, "get 514-byte name", err, http.StatusBadRequest, "AnnotationNameTooLong")
	for _, name := range []string{"aws", "AWS:tag", "awsome", "s3", "S3-meta"} {
		_, err = putAnn(c, "lim", "k", name, []byte("x"))
		mustFail(t, "name "+name, err, http.StatusBadRequest, "InvalidAnnotationName")
		_, err = c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("lim"), Key: aws.String("k"), AnnotationName: aws.String(name)})
		mustFail(t, "delete name "+name, err, http.StatusBadRequest, "InvalidAnnotationName")
	}
	r = doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "lim", "k") + "?annotation&annotationName=", Body: []byte("x")})
	wantRaw(t, "empty name", r, http.StatusBadRequest, "InvalidAnnotationName")

	// At most 1,000 per version; replacing one at the limit is allowed.
	mustPut(t, c, "lim", "full", []byte("object"))
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 1000; i += 8 {
				if _, err := putAnn(c, "lim", "full", fmt.Sprintf("a%04d", i), []byte("v")); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("put below the limit: %v", err)
	}
	_, err = putAnn(c, "lim", "full", "a1000", []byte("v"))
	mustFail(t, "1001st annotation", err, http.StatusBadRequest, "AnnotationLimitExceeded")
	mustPutAnn(t, c, "lim", "full", "a0999", []byte("replaced"))
	if names := listAnn(t, c, "lim", "full", ""); len(names) != 1000 || names[0] != "a0000" || names[999] != "a0999" {
		t.Fatalf("listed %d annotations", len(names))
	}
	// Another version of the key has room of its own.
	mustPut(t, c, "lim", "other", []byte("object"))
	mustPutAnn(t, c, "lim", "other", "a1000", []byte("v"))
}

func TestAnnotationList(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lst")
	mustPut(t, c, "lst", "k", []byte("object"))
	names := []string{"b/1", "a/2", "a/1", "a/3", "c", "é"}
	for _, n := range names {
		mustPutAnn(t, c, "lst", "k", n, []byte("payload of "+n))
	}
	// Pages of two, in byte order, NextContinuationToken only while more remain.
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		in := &s3.ListObjectAnnotationsInput{Bucket: aws.String("lst"), Key: aws.String("k"), MaxAnnotationResults: aws.Int32(2)}
		if token != "" {
			in.ContinuationToken = aws.String(token)
		}
		out, err := c.ListObjectAnnotations(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.MaxAnnotationResults) != 2 || aws.ToInt32(out.AnnotationCount) != int32(len(out.Annotations)) ||
			aws.ToString(out.Bucket) != "lst" || aws.ToString(out.Key) != "k" || aws.ToString(out.ContinuationToken) != token {
			t.Fatalf("page %d: %+v", pages, out)
		}
		for _, e := range out.Annotations {
			got = append(got, aws.ToString(e.AnnotationName))
			want := "payload of " + aws.ToString(e.AnnotationName)
			if aws.ToInt64(e.Size) != int64(len(want)) || aws.ToString(e.ETag) != etagFor([]byte(want)) || e.LastModified == nil ||
				len(e.ChecksumAlgorithm) != 1 || e.ChecksumAlgorithm[0] != types.ChecksumAlgorithmCrc32 {
				t.Errorf("entry %s: size %d etag %s algs %v", aws.ToString(e.AnnotationName), aws.ToInt64(e.Size), aws.ToString(e.ETag), e.ChecksumAlgorithm)
			}
		}
		token = aws.ToString(out.NextContinuationToken)
		if token == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
	}
	if fmt.Sprint(got) != "[a/1 a/2 a/3 b/1 c é]" {
		t.Fatalf("listed %q", got)
	}
	// Prefix, with paging inside it.
	out, err := c.ListObjectAnnotations(ctx, &s3.ListObjectAnnotationsInput{Bucket: aws.String("lst"), Key: aws.String("k"), AnnotationPrefix: aws.String("a/"), MaxAnnotationResults: aws.Int32(2)})
	if err != nil || len(out.Annotations) != 2 || out.NextContinuationToken == nil || aws.ToString(out.AnnotationPrefix) != "a/" {
		t.Fatalf("prefix page 1: %v", err)
	}
	out, err = c.ListObjectAnnotations(ctx, &s3.ListObjectAnnotationsInput{Bucket: aws.String("lst"), Key: aws.String("k"), AnnotationPrefix: aws.String("a/"), ContinuationToken: out.NextContinuationToken})
	if err != nil || len(out.Annotations) != 1 || aws.ToString(out.Annotations[0].AnnotationName) != "a/3" || out.NextContinuationToken != nil {
		t.Fatalf("prefix page 2: %v", err)
	}
	// An exactly full last page has no token.
	out, err = c.ListObjectAnnotations(ctx, &s3.ListObjectAnnotationsInput{Bucket: aws.String("lst"), Key: aws.String("k"), AnnotationPrefix: aws.String("a/"), MaxAnnotationResults: aws.Int32(3)})
	if err != nil || len(out.Annotations) != 3 || out.NextContinuationToken != nil {
		t.Fatalf("full page: %v", err)
	}
	// An object with none lists an empty page.
	mustPut(t, c, "lst", "bare", []byte("object"))
	if names := listAnn(t, c, "lst", "bare", ""); len(names) != 0 {
		t.Fatalf("bare object lists %q", names)
	}
	for _, v := range []string{"0", "1001", "x"} {
		r := doRaw(t, rawReq{Method: "GET", URL: objURL(srv, "lst", "k") + "?annotation&max-annotation-results=" + v})
		wantRaw(t, "max-annotation-results="+v, r, http.StatusBadRequest, "InvalidArgument")
	}
	r := doRaw(t, rawReq{Method: "GET", URL: objURL(srv, "lst", "k") + "?annotation&continuation-token=%21%21"})
	wantRaw(t, "bad token", r, http.StatusBadRequest, "InvalidArgument")
	r = doRaw(t, rawReq{Method: "GET", URL: objURL(srv, "lst", "k") + "?annotation&annotation-prefix=%FF"})
	wantRaw(t, "bad prefix", r, http.StatusBadRequest, "InvalidPrefix")
}

// TestAnnotationChecksums covers every algorithm S3 lists for annotations;
// the values the SDK does not compute are computed here, independently of
// the server.
func TestAnnotationChecksums(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cks")
	mustPut(t, c, "cks", "k", []byte("object"))
	payload := []byte("annotation payload to check")
	b64 := base64.StdEncoding.EncodeToString
	be64 := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	md := md5.Sum(payload)
	x128 := xxh3.Hash128(payload).Bytes()
	given := []struct {
		alg   types.ChecksumAlgorithm
		value string
		set   func(*s3.PutObjectAnnotationInput, *string)
		get   func(*s3.GetObjectAnnotationOutput) *string
	}{
		{types.ChecksumAlgorithmMd5, b64(md[:]), func(in *s3.PutObjectAnnotationInput, v *string) { in.ChecksumMD5 = v }, func(o *s3.GetObjectAnnotationOutput) *string { return o.ChecksumMD5 }},
		{types.ChecksumAlgorithmXxhash64, b64(be64(xxhash.Sum64(payload))), func(in *s3.PutObjectAnnotationInput, v *string) { in.ChecksumXXHASH64 = v }, func(o *s3.GetObjectAnnotationOutput) *string { return o.ChecksumXXHASH64 }},
		{types.ChecksumAlgorithmXxhash3, b64(be64(xxh3.Hash(payload))), func(in *s3.PutObjectAnnotationInput, v *string) { in.ChecksumXXHASH3 = v }, func(o *s3.GetObjectAnnotationOutput) *string { return o.ChecksumXXHASH3 }},
		{types.ChecksumAlgorithmXxhash128, b64(x128[:]), func(in *s3.PutObjectAnnotationInput, v *string) { in.ChecksumXXHASH128 = v }, func(o *s3.GetObjectAnnotationOutput) *string { return o.ChecksumXXHASH128 }},
	}
	for _, g := range given {
		name := "given-" + string(g.alg)
		mustPutAnn(t, c, "cks", "k", name, payload, func(in *s3.PutObjectAnnotationInput) { g.set(in, aws.String(g.value)) })
		out := mustGetAnn(t, c, "cks", "k", name, "", payload)
		if aws.ToString(g.get(out)) != g.value || out.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("%s: stored %q, want %q", g.alg, aws.ToString(g.get(out)), g.value)
		}
		// A value for other bytes is BadDigest; a malformed one InvalidRequest.
		_, err := putAnn(c, "cks", "k", name+"-bad", []byte("other bytes"), func(in *s3.PutObjectAnnotationInput) { g.set(in, aws.String(g.value)) })
		mustFail(t, string(g.alg)+" mismatch", err, http.StatusBadRequest, "BadDigest")
		_, err = putAnn(c, "cks", "k", name+"-bad", payload, func(in *s3.PutObjectAnnotationInput) { g.set(in, aws.String("AAAA")) })
		mustFail(t, string(g.alg)+" malformed", err, http.StatusBadRequest, "InvalidRequest")
	}
	// The SDK computes (and on GET validates) the others itself.
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme,
		types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmSha512} {
		name := "sdk-" + string(alg)
		mustPutAnn(t, c, "cks", "k", name, payload, func(in *s3.PutObjectAnnotationInput) { in.ChecksumAlgorithm = alg })
		mustGetAnn(t, c, "cks", "k", name, "", payload)
		r := doRaw(t, rawReq{Method: "GET", URL: objURL(srv, "cks", "k") + "?annotation&annotationName=" + name, Header: map[string]string{"x-amz-checksum-mode": "ENABLED"}})
		if r.Header.Get("x-amz-checksum-"+strings.ToLower(string(alg))) == "" {
			t.Errorf("%s: no checksum header on GET", alg)
		}
	}
	// Objects still refuse the annotation-only algorithms.
	r := doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "cks", "obj"), Body: payload, Header: map[string]string{"x-amz-checksum-xxhash64": given[1].value}})
	wantRaw(t, "PutObject with XXHASH64", r, http.StatusNotImplemented, "NotImplemented")
}

func TestAnnotationVersions(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ver")
	// Unversioned: a new null version starts without annotations.
	mustPut(t, c, "ver", "k", []byte("one"))
	mustPutAnn(t, c, "ver", "k", "n", []byte("on one"))
	mustPut(t, c, "ver", "k", []byte("two"))
	if names := listAnn(t, c, "ver", "k", ""); len(names) != 0 {
		t.Fatalf("overwritten object kept %q", names)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v1 := aws.ToString(mustPut(t, c, "ver", "v", []byte("v1")).VersionId)
	mustPutAnn(t, c, "ver", "v", "n", []byte("on v1"))
	v2put := mustPut(t, c, "ver", "v", []byte("v2"))
	v2 := aws.ToString(v2put.VersionId)
	out := mustPutAnn(t, c, "ver", "v", "n", []byte("on v2"))
	if aws.ToString(out.ObjectVersionId) != v2 {
		t.Fatalf("annotated version %q, want latest %q", aws.ToString(out.ObjectVersionId), v2)
	}
	mustPutAnn(t, c, "ver", "v", "only-v1", []byte("x"), func(in *s3.PutObjectAnnotationInput) { in.VersionId = aws.String(v1) })
	if got := mustGetAnn(t, c, "ver", "v", "n", v1, []byte("on v1")); aws.ToString(got.ObjectVersionId) != v1 {
		t.Fatalf("get names version %q", aws.ToString(got.ObjectVersionId))
	}
	mustGetAnn(t, c, "ver", "v", "n", "", []byte("on v2"))
	if fmt.Sprint(listAnn(t, c, "ver", "v", v1)) != "[n only-v1]" || fmt.Sprint(listAnn(t, c, "ver", "v", "")) != "[n]" {
		t.Fatalf("per-version lists: %q %q", listAnn(t, c, "ver", "v", v1), listAnn(t, c, "ver", "v", ""))
	}

	// x-amz-object-if-match is the object's ETag.
	_, err := putAnn(c, "ver", "v", "cond", []byte("x"), func(in *s3.PutObjectAnnotationInput) {
		in.ObjectIfMatch = aws.String(`"0123456789abcdef0123456789abcdef"`)
	})
	mustFail(t, "put if-match other", err, http.StatusPreconditionFailed, "PreconditionFailed")
	mustPutAnn(t, c, "ver", "v", "cond", []byte("x"), func(in *s3.PutObjectAnnotationInput) { in.ObjectIfMatch = v2put.ETag })
	_, err = c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("ver"), Key: aws.String("v"), AnnotationName: aws.String("cond"), ObjectIfMatch: aws.String(etagFor([]byte("v1")))})
	mustFail(t, "delete if-match other", err, http.StatusPreconditionFailed, "PreconditionFailed")
	if _, err = c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("ver"), Key: aws.String("v"), AnnotationName: aws.String("cond"), ObjectIfMatch: v2put.ETag}); err != nil {
		t.Fatalf("delete if-match: %v", err)
	}

	// A delete marker hides the latest; a version ID still reaches v1.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("v")})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = getAnn(c, "ver", "v", "n", "")
	mustFail(t, "get behind delete marker", err, http.StatusNotFound, "NoSuchKey")
	_, err = putAnn(c, "ver", "v", "n", []byte("x"))
	mustFail(t, "put behind delete marker", err, http.StatusNotFound, "NoSuchKey")
	_, err = putAnn(c, "ver", "v", "n", []byte("x"), func(in *s3.PutObjectAnnotationInput) { in.VersionId = del.VersionId })
	mustFail(t, "put on the delete marker", err, http.StatusMethodNotAllowed, "MethodNotAllowed")
	mustGetAnn(t, c, "ver", "v", "n", v1, []byte("on v1"))
	_, _, err = getAnn(c, "ver", "v", "n", "0123456789abcdef0123456789abcdef")
	mustFail(t, "unknown version", err, http.StatusNotFound, "NoSuchVersion")

	// Deleting a version removes its annotations for good; others keep theirs.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("v"), VersionId: aws.String(v1)}); err != nil {
		t.Fatal(err)
	}
	_, _, err = getAnn(c, "ver", "v", "n", v1)
	mustFail(t, "deleted version", err, http.StatusNotFound, "NoSuchVersion")
	mustGetAnn(t, c, "ver", "v", "n", v2, []byte("on v2"))
}

func TestAnnotationCopyDirective(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cpy")
	allowSSEC(t, c, "cpy")
	mustPut(t, c, "cpy", "src", []byte("data"))
	mustPutAnn(t, c, "cpy", "src", "a", []byte("alpha"))
	mustPutAnn(t, c, "cpy", "src", "b", []byte("beta"), func(in *s3.PutObjectAnnotationInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256 })
	copyWith := func(dst string, d types.AnnotationDirective, opts ...func(*s3.CopyObjectInput)) error {
		in := &s3.CopyObjectInput{Bucket: aws.String("cpy"), Key: aws.String(dst), CopySource: aws.String("cpy/src"), AnnotationDirective: d}
		for _, o := range opts {
			o(in)
		}
		_, err := c.CopyObject(ctx, in)
		return err
	}
	for _, d := range []types.AnnotationDirective{"", types.AnnotationDirectiveCopy} {
		dst := "copy-" + string(d)
		if err := copyWith(dst, d); err != nil {
			t.Fatalf("copy %q: %v", d, err)
		}
		if fmt.Sprint(listAnn(t, c, "cpy", dst, "")) != "[a b]" {
			t.Fatalf("directive %q copied %q", d, listAnn(t, c, "cpy", dst, ""))
		}
		mustGetAnn(t, c, "cpy", dst, "a", "", []byte("alpha"))
		if out := mustGetAnn(t, c, "cpy", dst, "b", "", []byte("beta")); aws.ToString(out.ChecksumSHA256) == "" {
			t.Errorf("copied annotation lost its checksum")
		}
	}
	// The copy's annotations are its own.
	mustPutAnn(t, c, "cpy", "copy-COPY", "a", []byte("changed"))
	mustGetAnn(t, c, "cpy", "src", "a", "", []byte("alpha"))
	if err := copyWith("excluded", types.AnnotationDirectiveExclude); err != nil {
		t.Fatalf("EXCLUDE: %v", err)
	}
	if names := listAnn(t, c, "cpy", "excluded", ""); len(names) != 0 {
		t.Fatalf("EXCLUDE copied %q", names)
	}
	for _, bad := range []types.AnnotationDirective{"bogus", "copy"} {
		err := copyWith("bad", bad)
		mustFail(t, "directive "+string(bad), err, http.StatusBadRequest, "InvalidArgument")
	}
	rqMissing(t, c, "cpy", "bad")
	// The query-string form of a presigned URL is read too.
	r := doRaw(t, rawReq{Method: "PUT", URL: objURL(srv, "cpy", "q") + "?x-amz-object-annotation-directive=EXCLUDE", Header: map[string]string{"x-amz-copy-source": "cpy/src"}})
	wantRaw(t, "EXCLUDE in the query", r, http.StatusOK, "")
	if names := listAnn(t, c, "cpy", "q", ""); len(names) != 0 {
		t.Fatalf("query EXCLUDE copied %q", names)
	}
	// A copy onto itself keeps them; one re-encrypted under KMS re-wraps them.
	if err := copyWith("src", "", func(in *s3.CopyObjectInput) {
		in.MetadataDirective, in.Metadata = types.MetadataDirectiveReplace, map[string]string{"x": "y"}
	}); err != nil {
		t.Fatalf("self copy: %v", err)
	}
	mustGetAnn(t, c, "cpy", "src", "b", "", []byte("beta"))
	if err := copyWith("kms", "", func(in *s3.CopyObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAwsKms }); err != nil {
		t.Fatalf("copy to SSE-KMS: %v", err)
	}
	if out := mustGetAnn(t, c, "cpy", "kms", "a", "", []byte("alpha")); out.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
		t.Fatalf("copied annotation encryption %q", out.ServerSideEncryption)
	}
	// SSE-C objects cannot have annotations.
	k := newSSECKey(3)
	ssec := func(in *s3.CopyObjectInput) {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
	}
	mustFail(t, "COPY to SSE-C", copyWith("ssec", "", ssec), http.StatusBadRequest, "InvalidRequest")
	if err := copyWith("ssec", types.AnnotationDirectiveExclude, ssec); err != nil {
		t.Fatalf("EXCLUDE to SSE-C: %v", err)
	}
	_, err := putAnn(c, "cpy", "ssec", "a", []byte("x"))
	mustFail(t, "annotate an SSE-C object", err, http.StatusBadRequest, "InvalidRequest")
}

func TestAnnotationEncryptedAtRest(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustCreateBucket(t, c, "enc")
	km, err := srv.Server().KMS().CreateKey(ctx, "", "annotations")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("kms"), Body: strings.NewReader("object"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(km.ID)}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "enc", "s3", []byte("object"))
	marker := "annotation-marker-" + strings.Repeat("Q", 40)
	for _, key := range []string{"kms", "s3"} {
		out := mustPutAnn(t, c, "enc", key, "secret", []byte(marker+key))
		want := map[string]types.ServerSideEncryption{"kms": types.ServerSideEncryptionAwsKms, "s3": types.ServerSideEncryptionAes256}[key]
		if out.ServerSideEncryption != want {
			t.Fatalf("%s: put says %q", key, out.ServerSideEncryption)
		}
		if got := mustGetAnn(t, c, "enc", key, "secret", "", []byte(marker+key)); got.ServerSideEncryption != want {
			t.Fatalf("%s: get says %q", key, got.ServerSideEncryption)
		}
	}
	// No file under the data directory holds a payload in clear.
	err = filepath.Walk(srv.Dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s holds an annotation payload in clear", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Re-encrypting the object under another key keeps its annotations readable.
	if _, err := c.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: aws.String("enc"), Key: aws.String("s3"),
		ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(km.ARN)}}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGetAnn(t, c, "enc", "s3", "secret", "", []byte(marker+"s3")); got.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
		t.Fatalf("after UpdateObjectEncryption: %q", got.ServerSideEncryption)
	}
	// A disabled key makes its objects' annotations unreadable too.
	if _, err := srv.Server().KMS().DisableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"kms", "s3"} {
		_, _, err = getAnn(c, "enc", key, "secret", "")
		mustFail(t, key+": annotation under a disabled key", err, http.StatusBadRequest, "KMS.DisabledException")
	}
}

func TestAnnotationPolicy(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "pol")
	mustPut(t, root, "pol", "k", []byte("object"))
	mustPutAnn(t, root, "pol", "k", "n", []byte("payload"))
	deny := func(action string) *s3.Client {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
			{"Effect":"Deny","Action":"` + action + `","Resource":"arn:aws:s3:::pol/*"}]}`
		c, _, _ := newUser(t, srv, strings.NewReplacer(":", "-").Replace(action), doc)
		return c
	}
	noGet, noList, noPut, noDelete := deny("s3:GetObjectAnnotation"), deny("s3:ListObjectAnnotations"), deny("s3:PutObjectAnnotation"), deny("s3:DeleteObjectAnnotation")
	delAnn := func(c *s3.Client) error {
		_, err := c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("pol"), Key: aws.String("k"), AnnotationName: aws.String("other")})
		return err
	}
	listOne := func(c *s3.Client) error {
		_, err := c.ListObjectAnnotations(ctx, &s3.ListObjectAnnotationsInput{Bucket: aws.String("pol"), Key: aws.String("k")})
		return err
	}
	_, _, err := getAnn(noGet, "pol", "k", "n", "")
	mustFail(t, "get denied", err, http.StatusForbidden, "AccessDenied")
	mustGetAnn(t, noList, "pol", "k", "n", "", []byte("payload"))
	mustFail(t, "list denied", listOne(noList), http.StatusForbidden, "AccessDenied")
	if err := listOne(noGet); err != nil {
		t.Fatalf("list allowed: %v", err)
	}
	_, err = putAnn(noPut, "pol", "k", "other", []byte("x"))
	mustFail(t, "put denied", err, http.StatusForbidden, "AccessDenied")
	mustPutAnn(t, noDelete, "pol", "k", "other", []byte("x"))
	mustFail(t, "delete denied", delAnn(noDelete), http.StatusForbidden, "AccessDenied")
	if err := delAnn(noPut); err != nil {
		t.Fatalf("delete allowed: %v", err)
	}
	// Copying annotations reads them at the source and writes them at the destination.
	copyAs := func(c *s3.Client, d types.AnnotationDirective) error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("pol"), Key: aws.String("copy"), CopySource: aws.String("pol/k"), AnnotationDirective: d})
		return err
	}
	mustFail(t, "COPY without PutObjectAnnotation", copyAs(noPut, ""), http.StatusForbidden, "AccessDenied")
	mustFail(t, "COPY without GetObjectAnnotation", copyAs(noGet, types.AnnotationDirectiveCopy), http.StatusForbidden, "AccessDenied")
	rqMissing(t, root, "pol", "copy")
	if err := copyAs(noPut, types.AnnotationDirectiveExclude); err != nil {
		t.Fatalf("EXCLUDE needs no annotation permissions: %v", err)
	}
	// A bucket policy denial binds too.
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":"*","Action":"s3:PutObjectAnnotation","Resource":"arn:aws:s3:::pol/locked"}]}`)}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, root, "pol", "locked", []byte("object"))
	_, err = putAnn(noGet, "pol", "locked", "n", []byte("x"))
	mustFail(t, "bucket policy deny", err, http.StatusForbidden, "AccessDenied")
	mustPutAnn(t, noGet, "pol", "k", "n2", []byte("x"))
	// Anonymous requests are refused.
	if status := anonGet(t, srv.URL+"/pol/k?annotation&annotationName=n"); status != http.StatusForbidden {
		t.Fatalf("anonymous get = %d", status)
	}
}

// Checksums in aws-chunked trailers, signed and unsigned, for algorithms
// only annotations take.
func TestAnnotationTrailers(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "trl")
	mustPut(t, c, "trl", "k", []byte("object"))
	data := bytes.Repeat([]byte("trailing text "), 10<<10)
	x128 := xxh3.Hash128(data).Bytes()
	sum128 := base64.StdEncoding.EncodeToString(x128[:])
	sha := sha512.Sum512(data)
	sum512 := base64.StdEncoding.EncodeToString(sha[:])
	url := srv.URL + "/trl/k?annotation&annotationName="

	req, _ := rqStreamingSigned(t, url+"signed", data, http.Header{"x-amz-checksum-xxhash128": {sum128}})
	if res := rqDo(t, req); res.Status != http.StatusOK || res.Header.Get("X-Amz-Checksum-Xxhash128") != sum128 {
		t.Fatalf("signed trailer: %d %s", res.Status, res.Body)
	}
	if out := mustGetAnn(t, c, "trl", "k", "signed", "", data); aws.ToString(out.ChecksumXXHASH128) != sum128 {
		t.Fatalf("stored XXHASH128 %q", aws.ToString(out.ChecksumXXHASH128))
	}
	req, _ = rqStreamingUnsignedTrailer(t, url+"unsigned", data, http.Header{"x-amz-checksum-sha512": {sum512}})
	if res := rqDo(t, req); res.Status != http.StatusOK {
		t.Fatalf("unsigned trailer: %d %s", res.Status, res.Body)
	}
	if out := mustGetAnn(t, c, "trl", "k", "unsigned", "", data); aws.ToString(out.ChecksumSHA512) != sum512 {
		t.Fatalf("stored SHA512 %q", aws.ToString(out.ChecksumSHA512))
	}
	req, _ = rqStreamingSigned(t, url+"bad", data, http.Header{"x-amz-checksum-xxhash128": {base64.StdEncoding.EncodeToString(make([]byte, 16))}})
	rqErr(t, rqDo(t, req), http.StatusBadRequest, "BadDigest")
	_, _, err := getAnn(c, "trl", "k", "bad", "")
	mustFail(t, "annotation with a bad trailer", err, http.StatusNotFound, "NoSuchAnnotation")
}

// TestAnnotationJournal: an annotation put or delete appends one
// UPDATE_METADATA record naming the annotation; deleting an annotation that
// does not exist appends none.
func TestAnnotationJournal(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	j := srv.Server().Journal()
	mustCreateBucket(t, c, "annjrnl")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("annjrnl"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	start, err := j.JournalSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustPutAnn(t, c, "annjrnl", "k", "label", []byte("cat"))
	del := func(name string) {
		t.Helper()
		if _, err := c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("annjrnl"), Key: aws.String("k"),
			AnnotationName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	del("label")
	del("never-there")
	recs, err := j.ReadJournal(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{meta.EventAnnotationPut, meta.EventAnnotationDelete}
	if len(recs) != len(want) {
		t.Fatalf("%d records after the annotation calls, want %d: %+v", len(recs), len(want), recs)
	}
	for i, r := range recs {
		if r.Type != meta.RecordUpdateMetadata || r.Event != want[i] || r.Annotation != "label" || r.Key != "k" {
			t.Errorf("record %d = type %s event %s annotation %q key %q; want UPDATE_METADATA %s label k", i, r.Type, r.Event, r.Annotation, r.Key, want[i])
		}
	}
}
