package s3api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// maxObjectSize is S3's limit for a single PUT.
const maxObjectSize = 5 << 30

var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true,
	"GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true, "FSX_OPENZFS": true, "FSX_ONTAP": true,
}

// checkKey applies S3's key rules.
func checkKey(key string) error {
	if err := s3.CheckObjectKey(key); err != nil {
		if errors.Is(err, s3.ErrKeyTooLong) {
			return s3err.New(s3err.KeyTooLong).With("Size", itoa(len(key))).With("MaxSizeAllowed", "1024")
		}
		return s3err.Newf(s3err.InvalidArgument, "Object key is not valid UTF-8.")
	}
	return nil
}

// objectAttrs reads the stored headers and user metadata of a PUT.
func objectAttrs(h http.Header) (meta.Attrs, string, error) {
	at := meta.Attrs{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    h.Get("Content-Encoding"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
		WebsiteRedirect:    h.Get("x-amz-website-redirect-location"),
	}
	at.ContentEncoding = s3.StoredContentEncoding(at.ContentEncoding)
	if at.ContentType == "" {
		at.ContentType = "binary/octet-stream"
	}
	if r := at.WebsiteRedirect; r != "" && !strings.HasPrefix(r, "/") && !strings.HasPrefix(r, "http://") && !strings.HasPrefix(r, "https://") {
		return at, "", s3err.Newf(s3err.InvalidArgument, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.")
	}
	for name, vals := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, s3.UserMetadataPrefix) {
			continue
		}
		if at.UserMeta == nil {
			at.UserMeta = map[string]string{}
		}
		at.UserMeta[lower[len(s3.UserMetadataPrefix):]] = strings.Join(vals, ",")
	}
	if s3.UserMetadataSize(at.UserMeta) > s3.MaxUserMetadataSize {
		return at, "", s3err.New(s3err.MetadataTooLarge).With("MaxSizeAllowed", "2048")
	}
	if v := h.Get("x-amz-tagging"); v != "" {
		tags, err := s3.ParseTaggingHeader(v)
		if err == nil {
			at.Tags, err = s3.CheckTags(tags, s3.MaxObjectTags)
		}
		if err != nil {
			return at, "", s3err.Newf(s3err.InvalidTag, "%s", err.Error())
		}
	}
	class := h.Get("x-amz-storage-class")
	if class == "" {
		class = "STANDARD"
	}
	if !storageClasses[class] {
		return at, "", s3err.New(s3err.InvalidStorageClass).With("StorageClassRequested", class)
	}
	return at, class, nil
}

// bodyError maps a failure while reading a request body.
func bodyError(err error) error {
	if _, ok := s3err.As(err); ok {
		return err
	}
	if e := toS3Error(err); e.Code != s3err.InternalError {
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, io.ErrUnexpectedEOF) {
		return s3err.New(s3err.IncompleteBody).WithCause(err)
	}
	return s3err.Internal(err)
}

// deleteBlobs removes blobs no longer referenced. Failures leave orphans
// that the sweeper removes later, so they are only logged.
func (a *API) deleteBlobs(ids ...string) {
	for _, id := range ids {
		if err := a.blobs.Delete(context.Background(), id); err != nil {
			a.log.Warn("blob delete failed", "blob", id, "err", err)
		}
	}
}

func (a *API) putObject(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	attrs, class, err := objectAttrs(req.Header)
	if err != nil {
		return nil, err
	}
	cond, err := writeCondition(req.Header)
	if err != nil {
		return nil, err
	}
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := a.lockFor(req.Header, b, &attrs); err != nil {
		return nil, err
	}
	owner, err := a.objectACL(ctx, req.principal, req.Header, b, &attrs)
	if err != nil {
		return nil, err
	}
	if needsLockIntegrity(req.Header, b) {
		if err := requireIntegrity(req.Header); err != nil {
			return nil, err
		}
	}
	if err := cond.precheck(ctx, a, req.bucket, req.key); err != nil {
		return nil, err
	}
	seal, err := a.encryptionFor(ctx, headerGetter(req), b, req.key)
	if err != nil {
		return nil, err
	}
	stream, err := seal.stream(streamObject)
	if err != nil {
		return nil, err
	}
	p, err := a.openPayload(req)
	if err != nil {
		return nil, err
	}
	if p.size < 0 {
		return nil, s3err.New(s3err.MissingContentLength)
	}
	if p.size > maxObjectSize {
		return nil, s3err.New(s3err.EntityTooLarge).With("ProposedSize", itoa64(p.size)).With("MaxSizeAllowed", itoa64(maxObjectSize))
	}
	p.class = class
	st, err := a.storeBody(ctx, p, stream)
	if err != nil {
		return nil, err
	}
	alg, sum := p.checksumValue()
	if alg != "" {
		attrs.Checksums = map[string]string{string(alg): sum}
		attrs.ChecksumType = "FULL_OBJECT"
	}
	attrs.Enc = seal.record()
	o := &meta.Object{
		Bucket: req.bucket, Key: req.key, Size: st.size, ETag: etagOf(p.hasher.MD5()),
		StorageClass: class, Owner: owner, BlobID: st.blobID, Inline: st.inline, Attrs: attrs,
	}
	res, err := a.meta.PutObject(ctx, o, cond.options())
	if err != nil {
		if st.blobID != "" {
			a.deleteBlobs(st.blobID)
		}
		return nil, err
	}
	a.deleteBlobs(res.Freed...)
	resp := newResponse(http.StatusOK)
	resp.header.Set("ETag", o.ETag)
	if alg != "" {
		resp.header.Set(alg.HeaderName(), sum)
		resp.header.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	setVersionID(resp.header, req, res.VersionID)
	setSSEHeaders(resp.header, attrs.Enc, true /* context */)
	a.setExpiration(ctx, resp.header, req, o)
	return resp, nil
}

// writeCondition turns If-Match / If-None-Match on a write into a check
// that runs atomically with the write. The condition is also evaluated
// before the body is read (see precheck) so a doomed upload fails fast;
// if the object seen then was deleted before the commit, the write fails
// with 409 ConditionalRequestConflict, as S3 does.
func writeCondition(h http.Header) (*writeCond, error) {
	ifMatch, ifNoneMatch := h.Get("If-Match"), h.Get("If-None-Match")
	if ifMatch == "" && ifNoneMatch == "" {
		return nil, nil
	}
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		return nil, s3err.Newf(s3err.NotImplemented, "A header you provided implies functionality that is not implemented").With("Header", "If-None-Match")
	}
	return &writeCond{ifMatch: ifMatch, ifNoneMatch: ifNoneMatch}, nil
}

type writeCond struct {
	ifMatch, ifNoneMatch string
	existed              bool
}

// precheck evaluates the condition against the current object.
func (c *writeCond) precheck(ctx context.Context, a *API, bucket, key string) error {
	if c == nil {
		return nil
	}
	cur, err := a.meta.GetObject(ctx, bucket, key, "")
	switch {
	case errors.Is(err, meta.ErrNoSuchKey):
		cur = nil
	case err != nil:
		return err
	case cur.DeleteMarker:
		cur = nil
	}
	c.existed = cur != nil
	return c.eval(cur)
}

func (c *writeCond) eval(cur *meta.Object) error {
	etag := ""
	if cur != nil {
		etag = cur.ETag
	}
	if s3.CheckWrite(c.ifMatch, c.ifNoneMatch, cur != nil, etag) != s3.OK {
		if cur == nil && c.ifMatch != "" {
			return s3err.New(s3err.NoSuchKey)
		}
		return s3err.New(s3err.PreconditionFailed).With("Condition", conditionName(c.ifMatch))
	}
	return nil
}

// options returns the store options that re-check the condition at commit.
func (c *writeCond) options() meta.PutOptions {
	if c == nil {
		return meta.PutOptions{}
	}
	return meta.PutOptions{Check: func(cur *meta.Object) error {
		if c.existed && cur == nil {
			return s3err.New(s3err.ConditionalRequestConflict)
		}
		return c.eval(cur)
	}}
}

func conditionName(ifMatch string) string {
	if ifMatch != "" {
		return "If-Match"
	}
	return "If-None-Match"
}
