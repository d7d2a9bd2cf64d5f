package s3api

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"talus/internal/checksum"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

const (
	maxPartNumber   = 10000
	minPartSize     = 5 << 20
	maxPartSize     = 5 << 30
	maxCompleteBody = 8 << 20
	maxListParts    = 1000
	maxListUploads  = 1000
)

// uploadChecksum validates the checksum algorithm and type of a new upload.
func uploadChecksum(h http.Header) (checksum.Algorithm, string, error) {
	v, t := h.Get("x-amz-checksum-algorithm"), strings.ToUpper(h.Get("x-amz-checksum-type"))
	if v == "" {
		if t != "" {
			return "", "", s3err.Newf(s3err.InvalidRequest, "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return "", "", nil
	}
	alg, ok := checksum.ParseAlgorithm(v)
	if !ok {
		return "", "", s3err.Newf(s3err.InvalidRequest, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	switch t {
	case "":
		t = "COMPOSITE"
		if alg == checksum.CRC64NVME {
			t = "FULL_OBJECT"
		}
	case "COMPOSITE":
		if alg == checksum.CRC64NVME {
			return "", "", s3err.Newf(s3err.InvalidRequest, "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
		}
	case "FULL_OBJECT":
		if !alg.IsCRC() {
			return "", "", s3err.Newf(s3err.InvalidRequest, "The FULL_OBJECT checksum type cannot be used with the %s checksum algorithm.", strings.ToLower(string(alg)))
		}
	default:
		return "", "", s3err.Newf(s3err.InvalidRequest, "Value for x-amz-checksum-type header is invalid.")
	}
	return alg, t, nil
}

func (a *API) createMultipartUpload(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	attrs, class, err := objectAttrs(req.Header)
	if err != nil {
		return nil, err
	}
	alg, ctype, err := uploadChecksum(req.Header)
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
	seal, err := a.encryptionFor(ctx, headerGetter(req), b, req.key)
	if err != nil {
		return nil, err
	}
	attrs.Enc = seal.record()
	u := meta.Upload{
		Bucket: req.bucket, Key: req.key, UploadID: meta.NewVersionID(a.cfg.Now()), Initiated: a.cfg.Now().UTC(),
		StorageClass: class, Owner: owner, Attrs: attrs, ChecksumAlgorithm: string(alg), ChecksumType: ctype,
	}
	if err := a.meta.CreateUpload(ctx, u); err != nil {
		return nil, err
	}
	resp := xmlResponse(http.StatusOK, s3xml.InitiateMultipartUploadResult{NS: s3xml.NS, Bucket: req.bucket, Key: req.key, UploadID: u.UploadID})
	if alg != "" {
		resp.header.Set("x-amz-checksum-algorithm", string(alg))
		resp.header.Set("x-amz-checksum-type", ctype)
	}
	setSSEHeaders(resp.header, attrs.Enc, true /* context */)
	a.setAbortDate(ctx, resp.header, req, req.key, u.Initiated)
	return resp, nil
}

// partNumber parses the partNumber query parameter.
func partNumber(req *request) (int, error) {
	v := req.query.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPartNumber {
		return 0, s3err.Newf(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").
			With("ArgumentName", "partNumber").With("ArgumentValue", v)
	}
	return n, nil
}

// upload loads the upload a part request names.
func (a *API) upload(ctx context.Context, req *request) (meta.Upload, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return meta.Upload{}, err
	}
	u, err := a.meta.GetUpload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return u, uploadError(err, req.query.Get("uploadId"))
	}
	return u, nil
}

func uploadError(err error, id string) error {
	if errors.Is(err, meta.ErrNoSuchUpload) {
		return s3err.New(s3err.NoSuchUpload).With("UploadId", id)
	}
	return err
}

func (a *API) uploadPart(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	n, err := partNumber(req)
	if err != nil {
		return nil, err
	}
	u, err := a.upload(ctx, req)
	if err != nil {
		return nil, err
	}
	stream, err := a.partSealing(ctx, req, u, n)
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
	if p.size > maxPartSize {
		return nil, s3err.New(s3err.EntityTooLarge).With("ProposedSize", itoa64(p.size)).With("MaxSizeAllowed", itoa64(maxPartSize))
	}
	if err := p.expect(checksum.Algorithm(u.ChecksumAlgorithm)); err != nil {
		return nil, err
	}
	p.class = u.StorageClass
	st, err := a.storeBlob(ctx, p, stream)
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
	resp := newResponse(http.StatusOK)
	resp.header.Set("ETag", part.ETag)
	if alg != "" {
		resp.header.Set(alg.HeaderName(), sum)
	}
	setSSEHeaders(resp.header, u.Attrs.Enc, false /* context */)
	return resp, nil
}

func (a *API) abortMultipartUpload(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	freed, err := a.meta.AbortUpload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return nil, uploadError(err, req.query.Get("uploadId"))
	}
	a.deleteBlobs(freed...)
	return newResponse(http.StatusNoContent), nil
}

func (a *API) listParts(ctx context.Context, req *request) (*response, error) {
	u, err := a.upload(ctx, req)
	if err != nil {
		return nil, err
	}
	max, err := intParam(req, "max-parts", maxListParts, maxListParts)
	if err != nil {
		return nil, err
	}
	marker, err := intParam(req, "part-number-marker", 0, maxPartNumber)
	if err != nil {
		return nil, err
	}
	parts, err := a.meta.ListParts(ctx, req.bucket, req.key, u.UploadID, marker, max+1)
	if err != nil {
		return nil, uploadError(err, u.UploadID)
	}
	owner := a.ownerXML(ctx, u.Owner)
	out := s3xml.ListPartsResult{
		NS: s3xml.NS, Bucket: req.bucket, Key: req.key, UploadID: u.UploadID, PartNumberMarker: marker, MaxParts: max,
		Initiator: owner, Owner: owner, StorageClass: u.StorageClass, ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType,
	}
	if len(parts) > max {
		parts, out.IsTruncated = parts[:max], true
	}
	for _, p := range parts {
		pi := s3xml.PartInfo{PartNumber: p.Number, LastModified: s3xml.Time(p.Modified), ETag: p.ETag, Size: p.Size}
		for alg, v := range p.Checksums {
			pi.Set(alg, v)
		}
		out.Parts = append(out.Parts, pi)
		out.NextPartNumberMarker = p.Number
	}
	resp := xmlResponse(http.StatusOK, out)
	a.setAbortDate(ctx, resp.header, req, req.key, u.Initiated)
	return resp, nil
}

// intParam parses an optional non-negative integer query parameter, capped at max.
func intParam(req *request, name string, def, max int) (int, error) {
	v, ok := req.query[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 0 {
		return 0, s3err.Newf(s3err.InvalidArgument, "Provided %s not an integer or within integer range", name).
			With("ArgumentName", name).With("ArgumentValue", v[0])
	}
	return min(n, max), nil
}

func (a *API) listMultipartUploads(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	max, err := intParam(req, "max-uploads", maxListUploads, maxListUploads)
	if err != nil {
		return nil, err
	}
	lp, err := parseListParams(req.query)
	if err != nil {
		return nil, err
	}
	q := req.query
	out := s3xml.ListMultipartUploadsResult{
		NS: s3xml.NS, Bucket: req.bucket, KeyMarker: lp.enc(q.Get("key-marker")), UploadIDMarker: q.Get("upload-id-marker"),
		Delimiter: lp.enc(lp.delimiter), Prefix: lp.enc(lp.prefix), MaxUploads: max, EncodingType: lp.encodingType(),
	}
	opts := meta.UploadListOptions{Prefix: lp.prefix, KeyMarker: q.Get("key-marker"), UploadIDMarker: q.Get("upload-id-marker")}
	if opts.KeyMarker == "" {
		opts.UploadIDMarker = ""
	} else if cp, ok := meta.CommonPrefix(opts.KeyMarker, lp.prefix, lp.delimiter); ok && cp == opts.KeyMarker {
		// Resuming after a common prefix skips everything under it.
		opts.StartKey = meta.PrefixEnd(cp)
	}
	count := 0
	for done := false; !done; {
		opts.Limit = max - count + 1
		ups, err := a.meta.ListUploads(ctx, req.bucket, opts)
		if err != nil {
			return nil, err
		}
		done = len(ups) < opts.Limit
		for _, u := range ups {
			if count == max {
				out.IsTruncated, done = true, true
				break
			}
			count++
			if cp, ok := meta.CommonPrefix(u.Key, lp.prefix, lp.delimiter); ok {
				out.CommonPrefixes = append(out.CommonPrefixes, s3xml.CommonPrefix{Prefix: lp.enc(cp)})
				out.NextKeyMarker, out.NextUploadIDMarker = lp.enc(cp), ""
				opts.StartKey = meta.PrefixEnd(cp)
				done = opts.StartKey == ""
				break // seek past the prefix
			}
			owner := a.ownerXML(ctx, u.Owner)
			out.Uploads = append(out.Uploads, s3xml.UploadInfo{
				Key: lp.enc(u.Key), UploadID: u.UploadID, Initiator: owner, Owner: owner, StorageClass: u.StorageClass,
				Initiated: s3xml.Time(u.Initiated), ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType,
			})
			out.NextKeyMarker, out.NextUploadIDMarker = lp.enc(u.Key), u.UploadID
			opts.KeyMarker, opts.UploadIDMarker = u.Key, u.UploadID
		}
		if max == 0 {
			break
		}
	}
	if !out.IsTruncated {
		out.NextKeyMarker, out.NextUploadIDMarker = "", ""
	}
	return xmlResponse(http.StatusOK, out), nil
}

func (a *API) completeMultipartUpload(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	cond, err := writeCondition(req.Header)
	if err != nil {
		return nil, err
	}
	asserted, err := parseCompleteHeaders(req.Header)
	if err != nil {
		return nil, err
	}
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := cond.precheck(ctx, a, req.bucket, req.key); err != nil {
		return nil, err
	}
	uploadID := req.query.Get("uploadId")
	// The x-amz-checksum-* headers of a Complete are the whole object's
	// checksum (checked in assemble), not the XML body's.
	body, err := a.readBody(req, maxCompleteBody, false)
	if err != nil {
		return nil, err
	}
	var doc s3xml.CompleteMultipartUpload
	if err := s3xml.Decode(bytesReader(body), maxCompleteBody, "CompleteMultipartUpload", &doc); err != nil || len(doc.Parts) == 0 {
		return nil, s3err.New(s3err.MalformedXML)
	}
	for i, p := range doc.Parts {
		if p.PartNumber < 1 || p.PartNumber > maxPartNumber {
			return nil, s3err.Newf(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
		}
		if i > 0 && p.PartNumber <= doc.Parts[i-1].PartNumber {
			return nil, s3err.New(s3err.InvalidPartOrder)
		}
	}
	// A whole-object checksum the client computed, if any.
	var want wholeChecksum
	for _, alg := range checksum.Algorithms {
		if v := req.Header.Get(alg.HeaderName()); v != "" {
			sum, parts, err := checksum.ParseWhole(alg, v)
			if err != nil {
				return nil, s3err.Newf(s3err.InvalidRequest, "Value for %s header is invalid.", alg.HeaderName())
			}
			want = wholeChecksum{alg: alg, sum: sum, parts: parts}
		}
	}
	o := &meta.Object{Bucket: req.bucket, Key: req.key, UploadID: uploadID}
	build := func(u meta.Upload, stored []meta.UploadPart) error {
		o.Owner = u.Owner // decided when the upload began
		if err := asserted.checkUpload(u); err != nil {
			return err
		}
		if err := assemble(o, u, stored, doc.Parts, want); err != nil {
			return err
		}
		if req.replicaVID != "" {
			o.Attrs.ReplicationStatus = s3.ReplicationReplica
		}
		a.markPending(ctx, req, o)
		return asserted.checkObject(o)
	}
	opts := cond.options()
	opts.VersionID = req.replicaVID // a replica of a multipart version keeps its ID
	res, err := a.meta.CompleteUpload(ctx, o, build, opts)
	if errors.Is(err, meta.ErrNoSuchUpload) {
		// A retried Complete of an upload that already became this version succeeds again.
		if done, derr := a.meta.CompletedVersion(ctx, req.bucket, req.key, uploadID); derr == nil && sameParts(done.Parts, doc.Parts) {
			resp := completeResponse(req, done, done.VersionID)
			if done.IsLatest {
				a.setExpiration(ctx, resp.header, req, done)
			}
			return resp, nil
		}
		return nil, uploadError(err, uploadID)
	}
	if err != nil {
		return nil, err
	}
	a.deleteBlobs(res.Freed...)
	resp := completeResponse(req, o, res.VersionID)
	a.setExpiration(ctx, resp.header, req, o)
	return resp, nil
}

func completeResponse(req *request, o *meta.Object, versionID string) *response {
	out := s3xml.CompleteMultipartUploadResult{NS: s3xml.NS, Location: "/" + req.bucket + "/" + req.key, Bucket: req.bucket, Key: req.key, ETag: o.ETag}
	for alg, v := range o.Attrs.Checksums {
		out.Set(alg, v)
	}
	out.ChecksumType = o.Attrs.ChecksumType
	resp := xmlResponse(http.StatusOK, out)
	setVersionID(resp.header, req, versionID)
	if !isCustomer(o.Attrs.Enc) {
		setSSEHeaders(resp.header, o.Attrs.Enc, false /* context */)
	}
	return resp
}

// sameParts reports whether a completed manifest is what the request names.
func sameParts(have []meta.Part, want []s3xml.CompletedPart) bool {
	if len(have) != len(want) {
		return false
	}
	for i := range have {
		if have[i].Number != want[i].PartNumber || s3.NormalizeETag(have[i].ETag) != s3.NormalizeETag(want[i].ETag) {
			return false
		}
	}
	return true
}

// assemble checks the requested parts against the stored ones and fills o.
// wholeChecksum is the whole-object checksum a Complete names: a digest
// and, for a COMPOSITE value, optionally its "-N" part count (0 if not
// given).
type wholeChecksum struct {
	alg   checksum.Algorithm
	sum   []byte
	parts int
}

// matches reports whether w names the object checksum value of type
// ctype. A COMPOSITE value matches with or without its part count.
func (w wholeChecksum) matches(alg checksum.Algorithm, value, ctype string) bool {
	if w.alg != alg {
		return false
	}
	digest, count := value, ""
	if ctype == "COMPOSITE" {
		if i := strings.LastIndexByte(value, '-'); i >= 0 {
			digest, count = value[:i], value[i+1:]
		}
	}
	if checksum.Encode(w.sum) != digest {
		return false
	}
	return w.parts == 0 || (count != "" && itoa(w.parts) == count)
}

func assemble(o *meta.Object, u meta.Upload, stored []meta.UploadPart, want []s3xml.CompletedPart, whole wholeChecksum) error {
	byNum := make(map[int]meta.UploadPart, len(stored))
	for _, p := range stored {
		byNum[p.Number] = p
	}
	alg := checksum.Algorithm(u.ChecksumAlgorithm)
	md5s := make([][]byte, 0, len(want))
	var sums [][]byte
	var lens []int64
	o.Parts, o.Size = nil, 0
	for i, w := range want {
		p, ok := byNum[w.PartNumber]
		if !ok || s3.NormalizeETag(p.ETag) != s3.NormalizeETag(w.ETag) {
			return s3err.New(s3err.InvalidPart).With("UploadId", u.UploadID).With("PartNumber", itoa(w.PartNumber)).With("ETag", w.ETag)
		}
		if i < len(want)-1 && p.Size < minPartSize {
			return s3err.New(s3err.EntityTooSmall).With("ProposedSize", itoa64(p.Size)).With("MinSizeAllowed", itoa(minPartSize)).
				With("PartNumber", itoa(p.Number)).With("ETag", p.ETag)
		}
		for a, v := range p.Checksums {
			if given := w.Get(a); given != "" && given != v {
				return s3err.Newf(s3err.InvalidPart, "The checksum you provided for part %d does not match the uploaded part.", w.PartNumber).
					With("UploadId", u.UploadID).With("PartNumber", itoa(w.PartNumber))
			}
		}
		raw, err := hex.DecodeString(s3.NormalizeETag(p.ETag))
		if err != nil {
			return s3err.Internal(err)
		}
		md5s = append(md5s, raw)
		if alg != "" {
			sum, err := alg.Decode(p.Checksums[string(alg)])
			if err != nil {
				return s3err.Newf(s3err.InvalidRequest, "Part %d has no %s checksum.", p.Number, alg)
			}
			sums, lens = append(sums, sum), append(lens, p.Size)
		}
		o.Parts = append(o.Parts, meta.Part{Number: p.Number, Size: p.Size, ETag: p.ETag, BlobID: p.BlobID, Checksums: p.Checksums})
		o.Size += p.Size
	}
	o.ETag = s3.MultipartETag(md5s)
	o.StorageClass, o.Attrs = u.StorageClass, u.Attrs
	o.Attrs.Checksums, o.Attrs.ChecksumType = nil, ""
	if alg != "" {
		var value string
		if u.ChecksumType == "FULL_OBJECT" {
			full, err := checksum.FullObject(alg, sums, lens)
			if err != nil {
				return s3err.Internal(err)
			}
			value = checksum.Encode(full)
		} else {
			v, err := checksum.Composite(alg, sums)
			if err != nil {
				return s3err.Internal(err)
			}
			value = v
		}
		if whole.alg != "" && !whole.matches(alg, value, u.ChecksumType) {
			return s3err.Newf(s3err.BadDigest, "The %s you specified did not match the calculated checksum.", strings.ToLower(string(whole.alg)))
		}
		o.Attrs.Checksums = map[string]string{string(alg): value}
		o.Attrs.ChecksumType = u.ChecksumType
	} else if whole.alg != "" {
		return s3err.Newf(s3err.InvalidRequest, "The upload was created without a checksum algorithm; a whole-object %s cannot be checked.", whole.alg)
	}
	return nil
}
