package e2e

// GetObjectAttributes.

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

var attrAll = []types.ObjectAttributes{
	types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
	types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize,
}

func TestObjectAttributesMultipart(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "attrmp")
	parts := [][]byte{mpData(71, 5*mib), mpData(72, 5*mib), mpData(73, 5*mib), mpData(74, 777)}
	id := mpCreate(t, c, "attrmp", "mp", func(in *s3.CreateMultipartUploadInput) {
		in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
		in.StorageClass = types.StorageClassStandardIa
	})
	var done []types.CompletedPart
	for i, p := range parts {
		done = append(done, mpUpload(t, c, "attrmp", "mp", id, int32(i+1), p, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256 }))
	}
	mpComplete(t, c, "attrmp", "mp", id, done)
	whole := bytes.Join(parts, nil)

	get := func(mods ...func(*s3.GetObjectAttributesInput)) *s3.GetObjectAttributesOutput {
		t.Helper()
		in := &s3.GetObjectAttributesInput{Bucket: aws.String("attrmp"), Key: aws.String("mp"), ObjectAttributes: attrAll}
		for _, m := range mods {
			m(in)
		}
		out, err := c.GetObjectAttributes(ctx, in)
		if err != nil {
			t.Fatalf("GetObjectAttributes: %v", err)
		}
		return out
	}
	out := get()
	wantETag := strings.Trim(mpETag(parts...), `"`)
	composite := ckComposite(types.ChecksumAlgorithmSha256, parts...)
	wantSum := composite[:strings.LastIndexByte(composite, '-')]
	if aws.ToString(out.ETag) != wantETag || aws.ToInt64(out.ObjectSize) != int64(len(whole)) || out.StorageClass != types.StorageClassStandardIa || out.LastModified == nil {
		t.Errorf("ETag %q (want %q) size %d class %q", aws.ToString(out.ETag), wantETag, aws.ToInt64(out.ObjectSize), out.StorageClass)
	}
	if out.Checksum == nil || aws.ToString(out.Checksum.ChecksumSHA256) != wantSum || out.Checksum.ChecksumType != types.ChecksumTypeComposite || out.Checksum.ChecksumCRC32 != nil {
		t.Errorf("Checksum = %+v, want SHA256 %s COMPOSITE", out.Checksum, wantSum)
	}
	op := out.ObjectParts
	if op == nil || aws.ToInt32(op.TotalPartsCount) != 4 || len(op.Parts) != 4 || aws.ToBool(op.IsTruncated) {
		t.Fatalf("ObjectParts = %+v", op)
	}
	checkPart := func(p types.ObjectPart) {
		t.Helper()
		n := aws.ToInt32(p.PartNumber)
		if n < 1 || n > 4 || aws.ToInt64(p.Size) != int64(len(parts[n-1])) || aws.ToString(p.ChecksumSHA256) != checksums(parts[n-1])[types.ChecksumAlgorithmSha256] {
			t.Errorf("part %d: size %d SHA256 %s", n, aws.ToInt64(p.Size), aws.ToString(p.ChecksumSHA256))
		}
	}
	for _, p := range op.Parts {
		checkPart(p)
	}

	// Paging through the parts two at a time.
	var got []int32
	marker := ""
	for page := 0; ; page++ {
		out := get(func(in *s3.GetObjectAttributesInput) {
			in.MaxParts = aws.Int32(2)
			if marker != "" {
				in.PartNumberMarker = aws.String(marker)
			}
			in.ObjectAttributes = []types.ObjectAttributes{types.ObjectAttributesObjectParts}
		})
		if out.ETag != nil || out.ObjectSize != nil || out.Checksum != nil || out.StorageClass != "" {
			t.Errorf("unrequested attributes returned: %+v", out)
		}
		op := out.ObjectParts
		if op == nil || aws.ToInt32(op.TotalPartsCount) != 4 || aws.ToInt32(op.MaxParts) != 2 || aws.ToString(op.PartNumberMarker) != mpOr(marker, "0") {
			t.Fatalf("page %d: %+v", page, op)
		}
		for _, p := range op.Parts {
			checkPart(p)
			got = append(got, aws.ToInt32(p.PartNumber))
		}
		if !aws.ToBool(op.IsTruncated) {
			break
		}
		marker = aws.ToString(op.NextPartNumberMarker)
		if marker != "2" || page > 0 {
			t.Fatalf("page %d: NextPartNumberMarker %q", page, marker)
		}
	}
	if !slices.Equal(got, []int32{1, 2, 3, 4}) {
		t.Errorf("paged parts %v", got)
	}
	out = get(func(in *s3.GetObjectAttributesInput) { in.PartNumberMarker = aws.String("3") })
	if op := out.ObjectParts; len(op.Parts) != 1 || aws.ToInt32(op.Parts[0].PartNumber) != 4 || aws.ToBool(op.IsTruncated) {
		t.Errorf("marker 3: %+v", op)
	}
}

func TestObjectAttributesSimple(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "attr")
	body := mpData(75, 50<<10)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("attr"), Key: aws.String("simple"), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("simple"), ObjectAttributes: attrAll})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ETag) != strings.Trim(etagFor(body), `"`) || aws.ToInt64(out.ObjectSize) != int64(len(body)) || out.StorageClass != types.StorageClassStandard {
		t.Errorf("ETag %q size %d class %q", aws.ToString(out.ETag), aws.ToInt64(out.ObjectSize), out.StorageClass)
	}
	if out.Checksum == nil || aws.ToString(out.Checksum.ChecksumCRC32C) != checksums(body)[types.ChecksumAlgorithmCrc32c] || out.Checksum.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("Checksum = %+v", out.Checksum)
	}
	if out.ObjectParts != nil {
		t.Errorf("simple object has ObjectParts %+v", out.ObjectParts)
	}
	// Without a checksum there is no Checksum element (the SDK sends CRC32
	// by default, so switch that off for this upload).
	noSum := srv.Client(func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired })
	mustPut(t, noSum, "attr", "plain", []byte("plain"))
	out, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("plain"), ObjectAttributes: attrAll})
	if err != nil {
		t.Fatal(err)
	}
	if out.Checksum != nil && (out.Checksum.ChecksumCRC32 != nil || out.Checksum.ChecksumSHA256 != nil || out.Checksum.ChecksumCRC32C != nil) || out.ObjectParts != nil ||
		aws.ToInt64(out.ObjectSize) != 5 {
		t.Errorf("plain: %+v", out)
	}

	// Errors.
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "attr", "simple") + "?attributes"})
	wantRaw(t, "no x-amz-object-attributes", r, 400, "InvalidArgument")
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "attr", "simple") + "?attributes", Header: map[string]string{"x-amz-object-attributes": "ETag,Colour"}})
	wantRaw(t, "unknown attribute", r, 400, "InvalidArgument")
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "attr", "simple") + "?attributes", Header: map[string]string{"x-amz-object-attributes": "ObjectSize"}})
	wantRaw(t, "raw ObjectSize", r, 200, "")
	if !bytes.Contains(r.Body, []byte("<ObjectSize>51200</ObjectSize>")) || bytes.Contains(r.Body, []byte("<ETag>")) || r.Header.Get("Last-Modified") == "" {
		t.Errorf("raw ObjectSize answer: %s", r.Body)
	}
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("missing"), ObjectAttributes: attrAll})
	rqCode(t, err, "NoSuchKey", 404)
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr-missing"), Key: aws.String("simple"), ObjectAttributes: attrAll})
	rqCode(t, err, "NoSuchBucket", 404)
}

// TestObjectAttributesPartsCountOnly: S3 lists the parts (with their
// checksums) only for a COMPOSITE object; a FULL_OBJECT multipart object
// or one without a checksum reports just its part count, and its
// Checksum is the plain whole-object value.
func TestObjectAttributesPartsCountOnly(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "attrfull")
	parts := [][]byte{mpData(76, 5*mib), mpData(77, 999)}
	whole := bytes.Join(parts, nil)
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32c, ""} {
		key := "k-" + string(alg)
		id := mpCreate(t, c, "attrfull", key, func(in *s3.CreateMultipartUploadInput) {
			if alg != "" {
				in.ChecksumAlgorithm, in.ChecksumType = alg, types.ChecksumTypeFullObject
			}
		})
		var done []types.CompletedPart
		for i, p := range parts {
			done = append(done, mpUpload(t, c, "attrfull", key, id, int32(i+1), p, func(in *s3.UploadPartInput) { in.ChecksumAlgorithm = alg }))
		}
		mpComplete(t, c, "attrfull", key, id, done, func(in *s3.CompleteMultipartUploadInput) {
			if alg != "" {
				in.ChecksumCRC32C, in.ChecksumType = aws.String(checksums(whole)[alg]), types.ChecksumTypeFullObject
			}
		})
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrfull"), Key: aws.String(key), ObjectAttributes: attrAll, MaxParts: aws.Int32(1)})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if alg != "" {
			if out.Checksum == nil || aws.ToString(out.Checksum.ChecksumCRC32C) != checksums(whole)[alg] || out.Checksum.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("%s: Checksum = %+v", key, out.Checksum)
			}
		} else if out.Checksum != nil {
			t.Errorf("%s: Checksum = %+v, want none", key, out.Checksum)
		}
		op := out.ObjectParts
		if op == nil || aws.ToInt32(op.TotalPartsCount) != 2 || len(op.Parts) != 0 || op.MaxParts != nil || op.IsTruncated != nil || op.PartNumberMarker != nil || op.NextPartNumberMarker != nil {
			t.Errorf("%s: ObjectParts = %+v, want the part count alone", key, op)
		}
	}
}
