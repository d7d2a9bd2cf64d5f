package s3api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"talus/internal/blob"
	"talus/internal/checksum"
	"talus/internal/crypt"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// maxCopySize is the largest source CopyObject accepts; bigger objects are
// copied with UploadPartCopy.
const maxCopySize = 5 << 30

// copySource is a parsed x-amz-copy-source.
type copySource struct {
	bucket, key, versionID string
}

func parseCopySource(v string) (copySource, error) {
	var cs copySource
	bad := s3err.Newf(s3err.InvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey").With("ArgumentName", "x-amz-copy-source")
	if i := strings.Index(v, "?"); i >= 0 {
		q, err := url.ParseQuery(v[i+1:])
		if err != nil {
			return cs, bad
		}
		cs.versionID = q.Get("versionId")
		if _, ok := q["versionId"]; ok && cs.versionID == "" {
			return cs, s3err.Newf(s3err.InvalidArgument, "Version id cannot be the empty string")
		}
		v = v[:i]
	}
	dec, err := url.PathUnescape(v)
	if err != nil {
		return cs, bad
	}
	dec = strings.TrimPrefix(dec, "/")
	i := strings.IndexByte(dec, '/')
	if i <= 0 || i == len(dec)-1 {
		return cs, bad
	}
	cs.bucket, cs.key = dec[:i], dec[i+1:]
	return cs, nil
}

// loadCopySource resolves the source object and applies the
// x-amz-copy-source-if-* conditions; any failed condition is a 412.
func (a *API) loadCopySource(ctx context.Context, req *request) (copySource, *meta.Object, error) {
	cs, err := parseCopySource(req.Header.Get("x-amz-copy-source"))
	if err != nil {
		return cs, nil, err
	}
	if s3.CheckAnyBucketName(cs.bucket) != nil {
		return cs, nil, s3err.New(s3err.NoSuchBucket).With("BucketName", cs.bucket)
	}
	if v := req.Header.Get("x-amz-source-expected-bucket-owner"); v != "" {
		if src, err := a.meta.GetBucket(ctx, cs.bucket); err == nil {
			if err := a.checkExpectedOwner(ctx, v, &src); err != nil {
				return cs, nil, err
			}
		}
	}
	o, err := a.meta.GetObject(ctx, cs.bucket, cs.key, cs.versionID)
	switch {
	case errors.Is(err, meta.ErrNoSuchBucket):
		return cs, nil, s3err.New(s3err.NoSuchBucket).With("BucketName", cs.bucket)
	case errors.Is(err, meta.ErrNoSuchKey):
		return cs, nil, s3err.New(s3err.NoSuchKey).With("Key", cs.key)
	case errors.Is(err, meta.ErrNoSuchVersion):
		if cs.versionID != meta.NullVersion && !meta.ValidVersionID(cs.versionID) {
			return cs, nil, s3err.Newf(s3err.InvalidArgument, "Invalid version id specified")
		}
		return cs, nil, s3err.New(s3err.NoSuchVersion).With("Key", cs.key).With("VersionId", cs.versionID)
	case err != nil:
		return cs, nil, err
	}
	action := "s3:GetObject"
	if cs.versionID != "" {
		action = "s3:GetObjectVersion"
	}
	if err := a.allowed(ctx, req, action, arn(cs.bucket, cs.key, true), nil); err != nil {
		return cs, nil, err
	}
	if o.DeleteMarker {
		if cs.versionID != "" {
			return cs, nil, s3err.Newf(s3err.InvalidRequest, "The source of a copy request may not specifically refer to a delete marker by version id.")
		}
		return cs, nil, s3err.New(s3err.NoSuchKey).With("Key", cs.key)
	}
	h := req.Header
	cond := s3.Conditions{IfMatch: h.Get("x-amz-copy-source-if-match"), IfNoneMatch: h.Get("x-amz-copy-source-if-none-match")}
	if t, ok := httpDate(h.Get("x-amz-copy-source-if-modified-since")); ok {
		cond.IfModifiedSince = &t
	}
	if t, ok := httpDate(h.Get("x-amz-copy-source-if-unmodified-since")); ok {
		cond.IfUnmodifiedSince = &t
	}
	if s3.CheckRead(cond, o.ETag, o.Modified) != s3.OK {
		return cs, nil, s3err.New(s3err.PreconditionFailed)
	}
	if err := a.checkReadable(o); err != nil {
		return cs, nil, err
	}
	return cs, o, nil
}

// copyData streams plaintext [off, off+n) of src (whose data key is
// srcKey) into a new blob (or inline), sealed with dst unless it is nil,
// hashing it with alg. Nothing is left behind on error.
func (a *API) copyData(ctx context.Context, src *meta.Object, srcKey []byte, off, n int64, alg checksum.Algorithm, inlineMax int, dst *crypt.Stream, class string) (stored, *payload, error) {
	for attempt := 0; ; attempt++ {
		r, err := a.openData(ctx, src, srcKey, off, n)
		if errors.Is(err, blob.ErrNotFound) && attempt == 0 {
			// The source was overwritten after the lookup; the lookup result is stale.
			continue
		}
		if err != nil {
			return stored{}, nil, err
		}
		p := copyPayload(r, n, alg)
		p.class = class
		st, err := a.store(ctx, p, inlineMax, dst)
		r.Close()
		return st, p, err
	}
}

func (a *API) copyObject(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	h := req.Header
	directive := strings.ToUpper(h.Get("x-amz-metadata-directive"))
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return nil, s3err.Newf(s3err.InvalidArgument, "Unknown metadata directive.").With("ArgumentName", "x-amz-metadata-directive")
	}
	if td := strings.ToUpper(h.Get("x-amz-tagging-directive")); td != "" && td != "COPY" && td != "REPLACE" {
		return nil, s3err.Newf(s3err.InvalidArgument, "Unknown tagging directive.").With("ArgumentName", "x-amz-tagging-directive")
	}
	newAttrs, class, err := objectAttrs(h)
	if err != nil {
		return nil, err
	}
	var alg checksum.Algorithm
	if v := h.Get("x-amz-checksum-algorithm"); v != "" {
		var ok bool
		if alg, ok = checksum.ParseAlgorithm(v); !ok {
			return nil, s3err.Newf(s3err.InvalidRequest, "Checksum algorithm provided is unsupported.")
		}
	}
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	cs, src, err := a.loadCopySource(ctx, req)
	if err != nil {
		return nil, err
	}
	get := headerGetter(req)
	srcKey, err := a.dataKey(ctx, src.Attrs.Enc, get, sseCopySourcePrefix)
	if err != nil {
		return nil, err
	}
	if src.Size > maxCopySize {
		return nil, s3err.Newf(s3err.InvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: %d", maxCopySize)
	}
	self := cs.bucket == req.bucket && cs.key == req.key && (cs.versionID == "" || src.IsLatest)
	// S3 also allows the copy when the bucket has a default encryption of
	// its own configured, which the copy applies.
	configured := b.Config.Encryption != nil && b.Config.Encryption.Algorithm != ""
	if self && directive != "REPLACE" && h.Get("x-amz-storage-class") == "" && h.Get("x-amz-website-redirect-location") == "" && alg == "" && !encryptionRequested(get) && !configured {
		return nil, s3err.Newf(s3err.InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	attrs := newAttrs
	if directive != "REPLACE" {
		attrs = src.Attrs
		if h.Get("x-amz-website-redirect-location") != "" {
			attrs.WebsiteRedirect = newAttrs.WebsiteRedirect
		}
	}
	// Retention and ACLs are never copied: the request's headers (or the
	// bucket's defaults) apply.
	if err := a.lockFor(h, b, &attrs); err != nil {
		return nil, err
	}
	attrs.ACL = nil
	// The copy is a new object in its own class: never archived or restored.
	attrs.Restore, attrs.ArchiveStatus, attrs.Accessed = nil, "", time.Time{}
	// Nor replicated: its own replication status is set as it is written.
	attrs.ReplicationStatus, attrs.ReplicaVersions = "", nil
	owner, err := a.objectACL(ctx, req.principal, h, b, &attrs)
	if err != nil {
		return nil, err
	}
	// Tags follow their own directive: the source's unless REPLACE.
	attrs.Tags = src.Attrs.Tags
	if strings.ToUpper(h.Get("x-amz-tagging-directive")) == "REPLACE" {
		attrs.Tags = newAttrs.Tags
	}
	if alg == "" {
		// Keep the source's algorithm, recomputed over the whole new object.
		for name := range src.Attrs.Checksums {
			alg = checksum.Algorithm(name)
		}
	}
	cond, err := writeCondition(h)
	if err != nil {
		return nil, err
	}
	if err := cond.precheck(ctx, a, req.bucket, req.key); err != nil {
		return nil, err
	}
	// A copy is encrypted as the request (or the bucket's default) says,
	// never as its source: the data is re-encrypted under a new key.
	seal, err := a.encryptionFor(ctx, get, b, req.key)
	if err != nil {
		return nil, err
	}
	stream, err := seal.stream(streamObject)
	if err != nil {
		return nil, err
	}
	attrs.Enc = seal.record()
	annotations, err := a.annotationCopy(ctx, req, src, srcKey, seal)
	if err != nil {
		return nil, err
	}
	st, p, err := a.copyData(ctx, src, srcKey, 0, src.Size, alg, a.cfg.InlineMax, stream, class)
	if err != nil {
		return nil, err
	}
	attrs.Checksums, attrs.ChecksumType = nil, ""
	if alg, sum := p.checksumValue(); alg != "" {
		attrs.Checksums, attrs.ChecksumType = map[string]string{string(alg): sum}, "FULL_OBJECT"
	}
	o := &meta.Object{
		Bucket: req.bucket, Key: req.key, Size: st.size, ETag: etagOf(p.hasher.MD5()), StorageClass: class,
		Owner: owner, BlobID: st.blobID, Inline: st.inline, Attrs: attrs,
	}
	a.markPending(ctx, req, o)
	opts := cond.options()
	opts.Annotations = annotations
	res, err := a.meta.PutObject(ctx, o, opts)
	if err != nil {
		if st.blobID != "" {
			a.deleteBlobs(st.blobID)
		}
		return nil, annotationsChanged(err)
	}
	a.deleteBlobs(res.Freed...)
	out := s3xml.CopyObjectResult{NS: s3xml.NS, ETag: o.ETag, LastModified: s3xml.Time(o.Modified), ChecksumType: attrs.ChecksumType}
	for name, v := range attrs.Checksums {
		out.Set(name, v)
	}
	resp := xmlResponse(http.StatusOK, out)
	setVersionID(resp.header, req, res.VersionID)
	a.setExpiration(ctx, resp.header, req, o)
	if src.VersionID != meta.NullVersion || cs.versionID != "" {
		resp.header.Set("x-amz-copy-source-version-id", src.VersionID)
	}
	setSSEHeaders(resp.header, attrs.Enc, true /* context */)
	return resp, nil
}

// parseCopyRange parses x-amz-copy-source-range (bytes=first-last, both required).
func parseCopyRange(v string, size int64) (int64, int64, error) {
	bad := s3err.Newf(s3err.InvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
		With("ArgumentName", "x-amz-copy-source-range").With("ArgumentValue", v)
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, 0, bad
	}
	a, b, ok := strings.Cut(spec, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, bad
	}
	if last >= size {
		return 0, 0, s3err.Newf(s3err.InvalidRange, "The requested range is not satisfiable").With("RangeRequested", v).With("ActualObjectSize", itoa64(size))
	}
	return first, last - first + 1, nil
}

func (a *API) uploadPartCopy(ctx context.Context, req *request) (*response, error) {
	n, err := partNumber(req)
	if err != nil {
		return nil, err
	}
	u, err := a.upload(ctx, req)
	if err != nil {
		return nil, err
	}
	_, src, err := a.loadCopySource(ctx, req)
	if err != nil {
		return nil, err
	}
	srcKey, err := a.dataKey(ctx, src.Attrs.Enc, headerGetter(req), sseCopySourcePrefix)
	if err != nil {
		return nil, err
	}
	stream, err := a.partSealing(ctx, req, u, n)
	if err != nil {
		return nil, err
	}
	off, length := int64(0), src.Size
	if v := req.Header.Get("x-amz-copy-source-range"); v != "" {
		if off, length, err = parseCopyRange(v, src.Size); err != nil {
			return nil, err
		}
	}
	if length > maxPartSize {
		return nil, s3err.New(s3err.EntityTooLarge).With("ProposedSize", itoa64(length)).With("MaxSizeAllowed", itoa64(maxPartSize))
	}
	st, p, err := a.copyData(ctx, src, srcKey, off, length, checksum.Algorithm(u.ChecksumAlgorithm), -1, stream, u.StorageClass)
	if err != nil {
		return nil, err
	}
	part := meta.UploadPart{Number: n, Size: st.size, ETag: etagOf(p.hasher.MD5()), BlobID: st.blobID, Modified: a.cfg.Now().UTC()}
	alg, sum := p.checksumValue()
	if alg != "" {
		part.Checksums = map[string]string{string(alg): sum}
	}
	freed, err := a.meta.PutPart(ctx, req.bucket, req.key, u.UploadID, part)
	if err != nil {
		a.deleteBlobs(st.blobID)
		return nil, uploadError(err, u.UploadID)
	}
	a.deleteBlobs(freed...)
	out := s3xml.CopyPartResult{NS: s3xml.NS, ETag: part.ETag, LastModified: s3xml.Time(part.Modified)}
	if alg != "" {
		out.Set(string(alg), sum)
	}
	resp := xmlResponse(http.StatusOK, out)
	if src.VersionID != meta.NullVersion {
		resp.header.Set("x-amz-copy-source-version-id", src.VersionID)
	}
	setSSEHeaders(resp.header, u.Attrs.Enc, false /* context */)
	return resp, nil
}
