package s3api

import (
	"strconv"
	"time"

	"talus/internal/s3"
)

// RequestMetrics receives the requests that a bucket's request metrics
// configurations select, once per matching configuration; the server's
// Prometheus registry implements it. Forget drops a deleted
// configuration's series.
type RequestMetrics interface {
	Observe(bucket, configID string, s RequestSample)
	Forget(bucket, configID string)
}

// RequestSample is one request as S3's CloudWatch request metrics count it.
type RequestSample struct {
	Operation string // S3 operation name ("" when the request failed before routing)
	Class     string // GetRequests, PutRequests, ... ("" for none)
	Status    int
	// BytesDownloaded is the response body sent; BytesUploaded the
	// request body received.
	BytesDownloaded, BytesUploaded int64
	// FirstByte is the time until the response started; Total until it ended.
	FirstByte, Total time.Duration
}

// afterHandler runs once a handler succeeded, before the response is
// written: Requester Pays' charge header and the request metrics'
// first-byte time and body size.
func (a *API) afterHandler(req *request, resp *response) {
	chargeRequester(req, resp)
	req.firstByte = time.Now()
	if resp != nil && req.Method != "HEAD" {
		req.sentBytes = resp.length
	}
}

// observeMetrics reports a finished request to every metrics
// configuration of its bucket whose filter selects it.
func (a *API) observeMetrics(req *request, status int, start time.Time) {
	if a.cfg.RequestMetrics == nil || req.loaded == nil || len(req.loaded.Config.Metrics) == 0 || req.loaded.Name != req.bucket {
		return
	}
	end := time.Now()
	s := RequestSample{Operation: req.op, Class: s3.MetricClass(req.op, req.Method), Status: status, Total: end.Sub(start), FirstByte: end.Sub(start)}
	if !req.firstByte.IsZero() {
		s.FirstByte = req.firstByte.Sub(start)
	}
	if status < 300 {
		s.BytesDownloaded = req.sentBytes
	}
	if v, err := strconv.ParseInt(req.Header.Get("x-amz-decoded-content-length"), 10, 64); err == nil {
		s.BytesUploaded = v
	} else if req.ContentLength > 0 {
		s.BytesUploaded = req.ContentLength
	}
	tags := req.objectTags
	if tags == nil {
		if ts, err := s3.ParseTaggingHeader(req.Header.Get("x-amz-tagging")); err == nil && len(ts) > 0 {
			tags = map[string]string{}
			for _, t := range ts {
				tags[t.Key] = t.Value
			}
		}
	}
	for _, mc := range req.loaded.Config.Metrics {
		// Requests come to the bucket's own endpoint (Talus has no
		// access points), so an access point filter selects none.
		f := s3.MetricsFilter{Prefix: mc.Prefix, Tags: mc.Tags, AccessPoint: mc.AccessPointArn}
		if f.Matches(req.key, tags, "") {
			a.cfg.RequestMetrics.Observe(req.bucket, mc.ID, s)
		}
	}
}
