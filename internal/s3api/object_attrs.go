package s3api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

var objectAttributeNames = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

func (a *API) getObjectAttributes(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, v := range req.Header.Values("x-amz-object-attributes") {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if !objectAttributeNames[name] {
				return nil, s3err.Newf(s3err.InvalidArgument, "Invalid attribute name specified.").With("ArgumentName", "x-amz-object-attributes")
			}
			want[name] = true
		}
	}
	if len(want) == 0 {
		return nil, s3err.Newf(s3err.InvalidArgument, "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty.")
	}
	maxParts, err := headerInt(req, "x-amz-max-parts", maxListParts)
	if err != nil {
		return nil, err
	}
	marker, err := headerInt(req, "x-amz-part-number-marker", 0)
	if err != nil {
		return nil, err
	}
	o, err := a.lookupObject(ctx, req)
	if err != nil {
		return nil, a.hideMissing(ctx, req, err)
	}
	if o.DeleteMarker {
		return nil, a.hideMissing(ctx, req, deleteMarkerError(req, o))
	}
	if _, err := checkCustomerAccess(o.Attrs.Enc, headerGetter(req), sseCustomerPrefix); err != nil {
		return nil, err
	}
	out := s3xml.GetObjectAttributesResponse{NS: s3xml.NS}
	if want["ETag"] {
		out.ETag = s3.NormalizeETag(o.ETag)
	}
	if want["StorageClass"] {
		out.StorageClass = o.StorageClass
	}
	if want["ObjectSize"] {
		size := o.Size
		out.ObjectSize = &size
	}
	if want["Checksum"] && len(o.Attrs.Checksums) > 0 {
		ci := &s3xml.ChecksumInfo{ChecksumType: o.Attrs.ChecksumType}
		for alg, v := range o.Attrs.Checksums {
			// The part count is reported separately, not as a -N suffix.
			if i := strings.LastIndexByte(v, '-'); i >= 0 {
				v = v[:i]
			}
			ci.Set(alg, v)
		}
		out.Checksum = ci
	}
	if want["ObjectParts"] && len(o.Parts) > 0 {
		out.ObjectParts = &s3xml.ObjectPartsInfo{TotalPartsCount: len(o.Parts)}
		// S3 lists the parts only of an object whose checksum is built
		// from theirs; for the rest it reports just how many there are.
		if o.Attrs.ChecksumType == "COMPOSITE" {
			out.ObjectParts.ObjectPartsPage = partsPage(o.Parts, marker, min(maxParts, maxListParts))
		}
	}
	resp := xmlResponse(http.StatusOK, out)
	resp.header.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	setVersionID(resp.header, req, o.VersionID)
	return resp, nil
}

// partsPage lists the parts after marker, at most max of them.
func partsPage(parts []meta.Part, marker, max int) *s3xml.ObjectPartsPage {
	op := &s3xml.ObjectPartsPage{PartNumberMarker: marker, MaxParts: max}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(op.Parts) == op.MaxParts {
			op.IsTruncated = true
			break
		}
		pi := s3xml.ObjectPartInfo{PartNumber: p.Number, Size: p.Size}
		for alg, v := range p.Checksums {
			pi.Set(alg, v)
		}
		op.Parts = append(op.Parts, pi)
		op.NextPartNumberMarker = p.Number
	}
	return op
}

// headerInt parses an optional non-negative integer header.
func headerInt(req *request, name string, def int) (int, error) {
	v := req.Header.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, s3err.Newf(s3err.InvalidArgument, "Provided %s not an integer or within integer range", name).With("ArgumentName", name)
	}
	return n, nil
}
