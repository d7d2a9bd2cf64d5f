package s3api

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

const maxListKeys = 1000

// listParams are the parameters both ListObjects versions share.
type listParams struct {
	prefix, delimiter string
	maxKeys           int
	urlEncode         bool
	// restoreStatus: x-amz-optional-object-attributes asked for RestoreStatus.
	restoreStatus bool
}

func parseListParams(q url.Values) (listParams, error) {
	p := listParams{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), maxKeys: maxListKeys}
	if v, ok := q["max-keys"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return p, s3err.Newf(s3err.InvalidArgument, "Provided max-keys not an integer or within integer range").
				With("ArgumentName", "max-keys").With("ArgumentValue", v[0])
		}
		p.maxKeys = min(n, maxListKeys)
	}
	if v, ok := q["encoding-type"]; ok {
		if v[0] != "url" {
			return p, s3err.Newf(s3err.InvalidArgument, "Invalid Encoding Method specified in Request").
				With("ArgumentName", "encoding-type").With("ArgumentValue", v[0])
		}
		p.urlEncode = true
	}
	return p, nil
}

// enc applies encoding-type=url the way S3 does (s3.URLEncodeKey).
func (p listParams) enc(s string) string {
	if p.urlEncode {
		return s3.URLEncodeKey(s)
	}
	return s
}

func (p listParams) encodingType() string {
	if p.urlEncode {
		return "url"
	}
	return ""
}

// page runs the listing and splits it into contents and prefixes.
func (a *API) page(ctx context.Context, bucket string, p listParams, after string, owner bool) ([]s3xml.Object, []s3xml.CommonPrefix, meta.ListResult, error) {
	res, err := meta.ListObjects(ctx, a.meta, bucket, meta.ListOptions{Prefix: p.prefix, Delimiter: p.delimiter, After: after, MaxKeys: p.maxKeys})
	if err != nil {
		return nil, nil, res, err
	}
	var objs []s3xml.Object
	var cps []s3xml.CommonPrefix
	for _, e := range res.Entries {
		if e.Object == nil {
			cps = append(cps, s3xml.CommonPrefix{Prefix: p.enc(e.CommonPrefix)})
			continue
		}
		o := e.Object
		x := s3xml.Object{Key: p.enc(o.Key), LastModified: s3xml.Time(o.Modified), ETag: o.ETag, Size: o.Size, StorageClass: o.StorageClass,
			RestoreStatus: a.restoreStatus(ctx, p.restoreStatus, o)}
		if owner {
			x.Owner = ptr(a.ownerXML(ctx, o.Owner))
		}
		objs = append(objs, x)
	}
	return objs, cps, res, nil
}

func (a *API) listObjects(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	p, err := parseListParams(req.query)
	if err != nil {
		return nil, err
	}
	p.restoreStatus = wantRestoreStatus(req)
	marker := req.query.Get("marker")
	objs, cps, res, err := a.page(ctx, req.bucket, p, marker, true)
	if err != nil {
		return nil, err
	}
	out := s3xml.ListBucketResult{
		// Version 1 encodes Marker, NextMarker, Delimiter, keys and common
		// prefixes, but echoes Prefix as sent (botocore decodes exactly
		// these; version 2 and ListObjectVersions encode Prefix too).
		NS: s3xml.NS, Name: req.bucket, Prefix: p.prefix, Marker: p.enc(marker), MaxKeys: p.maxKeys,
		Delimiter: p.enc(p.delimiter), IsTruncated: res.Truncated, EncodingType: p.encodingType(),
		Contents: objs, CommonPrefixes: cps,
	}
	if res.Truncated && p.delimiter != "" {
		out.NextMarker = p.enc(res.Next)
	}
	return xmlResponse(http.StatusOK, out), nil
}

func (a *API) listObjectsV2(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	p, err := parseListParams(req.query)
	if err != nil {
		return nil, err
	}
	p.restoreStatus = wantRestoreStatus(req)
	after := req.query.Get("start-after")
	// An empty continuation-token lists from the start (S3 echoes it
	// back empty); any other must be one this server handed out.
	token, hasToken := req.query["continuation-token"]
	if hasToken && token[0] != "" {
		b, err := base64.RawURLEncoding.DecodeString(token[0])
		if err != nil {
			return nil, s3err.Newf(s3err.InvalidArgument, "The continuation token provided is incorrect").With("ArgumentName", "continuation-token")
		}
		after = string(b)
	}
	objs, cps, res, err := a.page(ctx, req.bucket, p, after, req.query.Get("fetch-owner") == "true")
	if err != nil {
		return nil, err
	}
	out := s3xml.ListBucketResultV2{
		NS: s3xml.NS, Name: req.bucket, Prefix: p.enc(p.prefix), StartAfter: p.enc(req.query.Get("start-after")),
		KeyCount: len(objs) + len(cps), MaxKeys: p.maxKeys, Delimiter: p.enc(p.delimiter), IsTruncated: res.Truncated,
		EncodingType: p.encodingType(), Contents: objs, CommonPrefixes: cps,
	}
	if hasToken {
		out.ContinuationToken = &token[0]
	}
	if res.Truncated {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(res.Next))
	}
	return xmlResponse(http.StatusOK, out), nil
}
