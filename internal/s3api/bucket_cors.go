package s3api

import (
	"context"
	"errors"
	"net/http"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// maxCORSBody is S3's CORS configuration size limit.
const maxCORSBody = 64 << 10

func (a *API) getBucketCors(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(b.Config.CORS) == 0 {
		return nil, s3err.New(s3err.NoSuchCORSConfiguration).With("BucketName", req.bucket)
	}
	doc := s3xml.CORSConfiguration{NS: s3xml.NS}
	for _, r := range b.Config.CORS {
		doc.Rules = append(doc.Rules, s3xml.CORSRule{
			ID: r.ID, AllowedHeaders: r.AllowedHeaders, AllowedMethods: r.AllowedMethods,
			AllowedOrigins: r.AllowedOrigins, ExposeHeaders: r.ExposeHeaders, MaxAgeSeconds: r.MaxAgeSeconds,
		})
	}
	return xmlResponse(http.StatusOK, doc), nil
}

func (a *API) putBucketCors(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if !hasIntegrity(req.Header) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Missing required header for this request: Content-Md5.")
	}
	body, err := a.readSmallBody(req, maxCORSBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.CORSConfiguration
	if err := s3xml.Decode(bytesReader(body), maxCORSBody, "CORSConfiguration", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	rules := make([]meta.CORSRule, 0, len(doc.Rules))
	for _, r := range doc.Rules {
		rules = append(rules, meta.CORSRule{
			ID: r.ID, AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposeHeaders, MaxAgeSeconds: r.MaxAgeSeconds,
		})
	}
	if err := s3.CheckCORS(corsRules(rules)); err != nil {
		var ce *s3.CORSError
		if errors.As(err, &ce) && !ce.Malformed {
			return nil, s3err.Newf(s3err.InvalidRequest, "%s", ce.Message)
		}
		return nil, s3err.New(s3err.MalformedXML)
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.CORS = rules; return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) deleteBucketCors(ctx context.Context, req *request) (*response, error) {
	return a.clearBucketConfig(ctx, req, func(c *meta.BucketConfig) { c.CORS = nil })
}

// corsRules converts stored rules to the rule type of package s3.
func corsRules(rules []meta.CORSRule) []s3.CORSRule {
	out := make([]s3.CORSRule, len(rules))
	for i, r := range rules {
		out[i] = s3.CORSRule(r)
	}
	return out
}
