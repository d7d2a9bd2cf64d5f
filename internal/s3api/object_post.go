package s3api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"talus/internal/authn"
	"talus/internal/checksum"
	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/postpolicy"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// postObject serves browser uploads: POST /bucket with multipart/form-data
// carrying a signed policy document (SigV4 or SigV2) and the file. The
// principal comes from the form's credential, so the operation is
// authorized here rather than from request headers.
func (a *API) postObject(ctx context.Context, req *request) (*response, error) {
	if !strings.HasPrefix(strings.ToLower(req.Header.Get("Content-Type")), "multipart/form-data") {
		return nil, s3err.Newf(s3err.PreconditionFailed, "Bucket POST must be of the enclosure-type multipart/form-data").With("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")
	}
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	form, err := postpolicy.Parse(req.Request, postpolicy.DefaultMaxFormBytes)
	if err != nil {
		return nil, err
	}
	form.Bucket = req.bucket
	creds := authn.New(ctx, a.cfg.Identities, form.Field("x-amz-security-token"))
	ak, pol, err := form.Verify(creds.Lookup, a.cfg.Region, a.cfg.Now())
	if err != nil {
		return nil, creds.Error(err)
	}
	if ak == "" {
		req.principal = iam.Principal{Anonymous: true}
	} else {
		req.principal = creds.Principal
	}
	a.withChange(req, "PostObject") // the form named the principal
	ctx = req.Context()
	key := form.Key()
	req.key = key
	if err := checkKey(key); err != nil {
		return nil, err
	}
	// Form fields stand in for the headers a PUT would carry.
	h := http.Header{}
	for name, v := range form.Fields {
		switch {
		case strings.HasPrefix(name, "x-amz-meta-"), name == "cache-control", name == "content-disposition",
			name == "content-encoding", name == "expires", name == "x-amz-storage-class",
			name == "x-amz-website-redirect-location", name == "x-amz-object-lock-mode",
			name == "x-amz-object-lock-retain-until-date", name == "x-amz-object-lock-legal-hold":
			h.Set(name, v)
		}
	}
	ct := form.Field("content-type")
	if ct == "" {
		ct = form.FileContentType
	}
	h.Set("Content-Type", ct)
	if v := form.Field("tagging"); v != "" {
		tags, err := parseFormTagging(v)
		if err != nil {
			return nil, err
		}
		h.Set("x-amz-tagging", s3.EncodeTags(tags))
	}
	attrs, class, err := objectAttrs(h)
	if err != nil {
		return nil, err
	}
	if err := a.lockFor(h, b, &attrs); err != nil {
		return nil, err
	}
	if v := form.Field("acl"); v != "" {
		h.Set("x-amz-acl", v)
	}
	owner, err := a.objectACL(ctx, req.principal, h, b, &attrs)
	if err != nil {
		return nil, err
	}
	extra := map[string][]string{"s3:authType": {"POST"}}
	if v := form.Field("acl"); v != "" {
		extra["s3:x-amz-acl"] = []string{v}
	}
	a.sseConditionKeys(ctx, extra, form.Field)
	if err := a.allowed(ctx, req, "s3:PutObject", arn(req.bucket, key, true), extra); err != nil {
		return nil, err
	}
	if err := checkPostRequesterPays(req, &b, form.Field("x-amz-request-payer")); err != nil {
		return nil, err
	}
	if err := unsupported("PostObject", form.Field, a.secure(req)); err != nil {
		return nil, err
	}
	if err := a.refuseBlockedSSEC(ctx, req, "PostObject", key, form.Field); err != nil {
		return nil, err
	}
	var alg checksum.Algorithm
	var want string
	for _, c := range checksum.Algorithms {
		if v := form.Field(c.HeaderName()); v != "" {
			alg, want = c, v
		}
	}
	minLen, maxLen, bounded := int64(0), int64(maxObjectSize), false
	if pol != nil {
		if lo, hi, ok := pol.LengthRange(); ok {
			minLen, maxLen, bounded = lo, min(hi, maxObjectSize), true
		}
	}
	seal, err := a.encryptionFor(ctx, form.Field, b, key)
	if err != nil {
		return nil, err
	}
	stream, err := seal.stream(streamObject)
	if err != nil {
		return nil, err
	}
	attrs.Enc = seal.record()
	body := &limitedBody{r: form.File, max: maxLen}
	p := copyPayload(body, -1, alg)
	p.class = class
	st, err := a.storeBlob(ctx, p, stream)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, s3err.New(s3err.EntityTooLarge)
		}
		return nil, bodyError(err)
	}
	fail := func(e error) (*response, error) {
		a.deleteBlobs(st.blobID)
		return nil, e
	}
	if bounded && st.size < minLen {
		return fail(s3err.New(s3err.EntityTooSmall).With("ProposedSize", itoa64(st.size)).With("MinSizeAllowed", itoa64(minLen)))
	}
	if alg != "" {
		if got := p.hasher.Base64(alg); got != want {
			return fail(s3err.Newf(s3err.BadDigest, "The %s you specified did not match the calculated checksum.", alg))
		}
		attrs.Checksums, attrs.ChecksumType = map[string]string{string(alg): want}, "FULL_OBJECT"
	}
	o := &meta.Object{
		Bucket: req.bucket, Key: key, Size: st.size, ETag: etagOf(p.hasher.MD5()),
		StorageClass: class, Owner: owner, BlobID: st.blobID, Attrs: attrs,
	}
	a.markPending(ctx, req, o)
	res, err := a.meta.PutObject(ctx, o, meta.PutOptions{})
	if err != nil {
		return fail(err)
	}
	a.deleteBlobs(res.Freed...)
	location := "/" + req.bucket + "/" + key
	status, redirect, xmlBody := postpolicy.SuccessResponse(form.Fields, req.bucket, key, o.ETag, location)
	resp := newResponse(status)
	resp.header.Set("ETag", o.ETag)
	resp.header.Set("Location", location)
	setVersionID(resp.header, req, res.VersionID)
	setSSEHeaders(resp.header, attrs.Enc, true /* context */)
	if redirect != "" {
		resp.status = http.StatusSeeOther
		resp.header.Set("Location", redirect)
	}
	if len(xmlBody) > 0 {
		resp.header.Set("Content-Type", "application/xml")
		resp.body = io.NopCloser(bytes.NewReader(xmlBody))
		resp.length = int64(len(xmlBody))
	}
	return resp, nil
}

var errTooLarge = errors.New("upload larger than the policy allows")

// limitedBody fails once more than max bytes arrive, so an oversized
// upload stops streaming instead of filling the disk.
type limitedBody struct {
	r   io.Reader
	max int64
	n   int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, errTooLarge
	}
	return n, err
}

// parseFormTagging reads the tagging field of a POST form (a Tagging XML document).
func parseFormTagging(v string) (map[string]string, error) {
	var doc s3xml.Tagging
	if err := s3xml.Decode(strings.NewReader(v), maxTaggingBody, "Tagging", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	tags := make([]s3.Tag, 0, len(doc.TagSet))
	for _, t := range doc.TagSet {
		tags = append(tags, s3.Tag{Key: t.Key, Value: t.Value})
	}
	m, err := s3.CheckTags(tags, s3.MaxObjectTags)
	if err != nil {
		return nil, s3err.Newf(s3err.InvalidTag, "%s", err.Error())
	}
	return m, nil
}
