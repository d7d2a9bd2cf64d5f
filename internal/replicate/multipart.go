package replicate

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3c "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/meta"
)

// Multipart defaults: versions over DefaultMultipartThreshold (and every
// multipart version) are written with a multipart upload, single-part
// versions in parts of DefaultPartSize. S3 takes at most 5 GiB in one PUT.
const (
	DefaultMultipartThreshold = 5 << 30
	DefaultPartSize           = 64 << 20
	// abortTimeout bounds the abort of an upload that failed.
	abortTimeout = 30 * time.Second
)

// partSizes is how o is cut into parts at the destination: a multipart
// version as its own parts, so the copy's ETag (the MD5 of the parts'
// MD5s, with the part count) is the source's on any S3 server; any other
// version in parts of partSize.
func partSizes(o *meta.Object, partSize int64) []int64 {
	var sizes []int64
	if len(o.Parts) > 0 {
		for _, p := range o.Parts {
			sizes = append(sizes, p.Size)
		}
		return sizes
	}
	for left := o.Size; left > 0; left -= partSize {
		sizes = append(sizes, min(left, partSize))
	}
	if len(sizes) == 0 {
		sizes = []int64{0}
	}
	return sizes
}

// putMultipart writes in's object with a multipart upload: the body is
// read once, part by part, each part streamed (memory stays bounded by
// the SDK's buffers, not the part size). The upload is aborted on failure.
// It returns the destination's version ID.
func (r *Replicator) putMultipart(ctx context.Context, d destination, in *s3c.PutObjectInput, o *meta.Object) (string, error) {
	create := &s3c.CreateMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, Metadata: in.Metadata,
		ContentType: in.ContentType, ContentEncoding: in.ContentEncoding, ContentDisposition: in.ContentDisposition,
		ContentLanguage: in.ContentLanguage, CacheControl: in.CacheControl, WebsiteRedirectLocation: in.WebsiteRedirectLocation,
		Expires: in.Expires, Tagging: in.Tagging, StorageClass: in.StorageClass,
		ObjectLockMode: in.ObjectLockMode, ObjectLockRetainUntilDate: in.ObjectLockRetainUntilDate, ObjectLockLegalHoldStatus: in.ObjectLockLegalHoldStatus,
		ServerSideEncryption: in.ServerSideEncryption, SSEKMSKeyId: in.SSEKMSKeyId, ACL: in.ACL,
		GrantFullControl: in.GrantFullControl, GrantRead: in.GrantRead, GrantReadACP: in.GrantReadACP, GrantWriteACP: in.GrantWriteACP}
	plain := callOptions(d, "")
	up, err := d.client.CreateMultipartUpload(ctx, create, plain...)
	if err != nil {
		return "", err
	}
	id := up.UploadId
	abort := func() {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		d.client.AbortMultipartUpload(actx, &s3c.AbortMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, UploadId: id}, plain...)
	}
	var done []types.CompletedPart
	for i, size := range partSizes(o, r.cfg.PartSize) {
		n := int32(i + 1)
		part := &s3c.UploadPartInput{Bucket: in.Bucket, Key: in.Key, UploadId: id, PartNumber: aws.Int32(n),
			Body: io.LimitReader(in.Body, size), ContentLength: aws.Int64(size)}
		if i < len(o.Parts) {
			// The source part's MD5 is its ETag: the destination checks it.
			if sum, err := hex.DecodeString(strings.Trim(o.Parts[i].ETag, `"`)); err == nil && len(sum) == 16 {
				part.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(sum))
			}
		}
		out, err := d.client.UploadPart(ctx, part, plain...)
		if err != nil {
			abort()
			return "", fmt.Errorf("part %d: %w", n, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	out, err := d.client.CompleteMultipartUpload(ctx, &s3c.CompleteMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}, callOptions(d, o.VersionID)...)
	if err != nil {
		abort()
		return "", err
	}
	return aws.ToString(out.VersionId), nil
}
