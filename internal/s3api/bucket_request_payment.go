package s3api

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// Payers of PutBucketRequestPayment.
const (
	payerOwner     = "BucketOwner"
	payerRequester = "Requester"
)

func (a *API) getBucketRequestPayment(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	out := s3xml.RequestPaymentConfiguration{NS: s3xml.NS, Payer: payerOwner}
	if b.Config.RequesterPays {
		out.Payer = payerRequester
	}
	return xmlResponse(http.StatusOK, out), nil
}

func (a *API) putBucketRequestPayment(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.RequestPaymentConfiguration
	return a.putBucketSetting(ctx, req, "RequestPaymentConfiguration", &doc, func() string { return doc.Payer }, []string{payerOwner, payerRequester}, nil,
		func(c *meta.BucketConfig, v string) { c.RequesterPays = v == payerRequester })
}

// requesterPaysOps are the operations that accept x-amz-request-payer:
// the object reads and writes and the listings. On a Requester Pays
// bucket a caller from another account must send it.
var requesterPaysOps = map[string]bool{
	"GetObject": true, "HeadObject": true, "PutObject": true, "CopyObject": true,
	"DeleteObject": true, "DeleteObjects": true, "GetObjectAcl": true, "PutObjectAcl": true,
	"GetObjectTagging": true, "PutObjectTagging": true, "DeleteObjectTagging": true,
	"GetObjectAttributes": true, "GetObjectLegalHold": true, "PutObjectLegalHold": true,
	"GetObjectRetention": true, "PutObjectRetention": true, "CreateMultipartUpload": true,
	"UploadPart": true, "UploadPartCopy": true, "CompleteMultipartUpload": true,
	"AbortMultipartUpload": true, "ListParts": true, "ListObjects": true, "ListObjectsV2": true,
	"ListObjectVersions": true, "ListMultipartUploads": true, "GetObjectTorrent": true, "RestoreObject": true,
}

// acceptsCharge: the request says the requester pays (header, or the
// query parameter of a presigned URL).
func acceptsCharge(req *request) bool {
	v := req.Header.Get("x-amz-request-payer")
	if v == "" {
		v = req.query.Get("x-amz-request-payer")
	}
	return strings.EqualFold(v, "requester")
}

// checkRequesterPays refuses, as S3 does, an anonymous request to a
// Requester Pays bucket and one from another account that did not accept
// the charge; the bucket owner's own requests are free. A copy's source
// bucket is checked the same way. It records on req that the charge
// was accepted, for x-amz-request-charged.
func (a *API) checkRequesterPays(ctx context.Context, req *request, op string) error {
	if !requesterPaysOps[op] || req.bucket == "" {
		return nil
	}
	buckets := []*meta.Bucket{a.requestBucket(ctx, req)}
	if src := copySourceBucket(req); src != "" && (op == "CopyObject" || op == "UploadPartCopy") {
		buckets = append(buckets, a.resourceBucket(ctx, req, "s3:GetObject", src))
	}
	accepted := acceptsCharge(req)
	for _, b := range buckets {
		if b == nil || !b.Config.RequesterPays {
			continue
		}
		if req.principal.Anonymous || (!accepted && req.principal.CanonicalID != b.Owner) {
			return s3err.New(s3err.AccessDenied)
		}
		if accepted {
			req.charged = true
		}
	}
	return nil
}

// checkPostRequesterPays is checkRequesterPays for a browser upload, whose
// principal only the form names (so the gate runs in the handler, once the
// form is verified). The charge is accepted by the x-amz-request-payer
// header, as S3 asks of every POST, or by the form field of that name
// (which the signed policy must then cover, as every field).
func checkPostRequesterPays(req *request, b *meta.Bucket, field string) error {
	if b == nil || !b.Config.RequesterPays {
		return nil
	}
	accepted := acceptsCharge(req) || strings.EqualFold(field, "requester")
	if req.principal.Anonymous || (!accepted && req.principal.CanonicalID != b.Owner) {
		return s3err.New(s3err.AccessDenied)
	}
	if accepted {
		req.charged = true
	}
	return nil
}

// copySourceBucket is the bucket x-amz-copy-source names, if any.
func copySourceBucket(req *request) string {
	v := req.Header.Get("x-amz-copy-source")
	if v == "" {
		return ""
	}
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	b, _, _ := strings.Cut(strings.TrimPrefix(v, "/"), "/")
	return b
}

// chargeRequester answers x-amz-request-charged when the requester
// accepted the charge of a Requester Pays bucket.
func chargeRequester(req *request, resp *response) {
	if req.charged && resp != nil {
		resp.header.Set("x-amz-request-charged", "requester")
	}
}
