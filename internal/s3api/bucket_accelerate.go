package s3api

import (
	"context"
	"net"
	"net/http"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// Transfer Acceleration's statuses.
const (
	accelEnabled   = "Enabled"
	accelSuspended = "Suspended"
)

func (a *API) getBucketAccelerate(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	return xmlResponse(http.StatusOK, s3xml.AccelerateConfiguration{NS: s3xml.NS, Status: b.Config.Accelerate}), nil
}

func (a *API) putBucketAccelerate(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.AccelerateConfiguration
	// Accelerated endpoints are virtual-hosted only, and a dotted name
	// breaks the endpoint's TLS wildcard, so S3 refuses such buckets.
	dotted := func() error {
		if strings.Contains(req.bucket, ".") {
			return s3err.Newf(s3err.InvalidRequest, "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
		}
		return nil
	}
	return a.putBucketSetting(ctx, req, "AccelerateConfiguration", &doc, func() string { return doc.Status }, []string{accelEnabled, accelSuspended}, dotted,
		func(c *meta.BucketConfig, v string) { c.Accelerate = v })
}

// accelerateBucket returns the bucket of a Host of the form
// bucket.s3-accelerate[.dualstack].DOMAIN for one of domains ("" when
// the host names no bucket).
func accelerateBucket(host string, domains []string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, d := range domains {
		for _, ep := range []string{"s3-accelerate.dualstack." + d, "s3-accelerate." + d} {
			if host == ep {
				return "", true
			}
			if b, ok := strings.CutSuffix(host, "."+ep); ok {
				return b, true
			}
		}
	}
	return "", false
}

// accelerateRefused are the operations S3's accelerated endpoint does
// not serve.
var accelerateRefused = map[string]bool{"ListBuckets": true, "CreateBucket": true, "DeleteBucket": true}

// checkAccelerate admits a request to the accelerated endpoint only for
// a bucket whose Transfer Acceleration is Enabled, as S3 does.
func (a *API) checkAccelerate(ctx context.Context, req *request, op string) error {
	if !req.accelerate {
		return nil
	}
	if accelerateRefused[op] || req.bucket == "" {
		return s3err.Newf(s3err.InvalidRequest, "This operation is not supported on the S3 Transfer Acceleration endpoint.")
	}
	b, err := a.bucket(ctx, req)
	if err != nil {
		return err
	}
	switch b.Config.Accelerate {
	case accelEnabled:
		return nil
	case accelSuspended:
		return s3err.Newf(s3err.InvalidRequest, "S3 Transfer Acceleration is disabled on this bucket")
	}
	return s3err.Newf(s3err.InvalidRequest, "S3 Transfer Acceleration is not configured on this bucket")
}

// checkBucketFeatures applies the per-bucket gates that follow
// authorization: the accelerated endpoint and Requester Pays. It also
// names the operation for request metrics.
func (a *API) checkBucketFeatures(ctx context.Context, req *request, op string) error {
	req.op = op
	if err := a.checkAccelerate(ctx, req, op); err != nil {
		return err
	}
	return a.checkRequesterPays(ctx, req, op)
}
