package s3api

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"talus/internal/analytics"
	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

func analyticsXML(c meta.AnalyticsConfig) s3xml.AnalyticsConfiguration {
	doc := s3xml.AnalyticsConfiguration{NS: s3xml.NS, ID: c.ID}
	keys := make([]string, 0, len(c.Tags))
	for k := range c.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	switch {
	case len(keys) == 0 && c.Prefix != "":
		p := c.Prefix
		doc.Filter = &s3xml.AnalyticsFilter{Prefix: &p}
	case len(keys) == 1 && c.Prefix == "":
		doc.Filter = &s3xml.AnalyticsFilter{Tag: &s3xml.TagXML{Key: keys[0], Value: c.Tags[keys[0]]}}
	case len(keys) > 0:
		and := &s3xml.AnalyticsAnd{}
		if c.Prefix != "" {
			p := c.Prefix
			and.Prefix = &p
		}
		for _, k := range keys {
			and.Tags = append(and.Tags, s3xml.TagXML{Key: k, Value: c.Tags[k]})
		}
		doc.Filter = &s3xml.AnalyticsFilter{And: and}
	}
	if c.Export {
		doc.StorageClassAnalysis.DataExport = &s3xml.AnalyticsDataExport{OutputSchemaVersion: "V_1",
			Destination: s3xml.AnalyticsDestination{S3BucketDestination: s3xml.AnalyticsS3Destination{
				Format: "CSV", BucketAccountID: c.DestAccount, Bucket: "arn:aws:s3:::" + c.DestBucket, Prefix: c.DestPrefix}}}
	}
	return doc
}

// analyticsKind serves the Get, List, Put and Delete of storage class
// analysis configurations.
var analyticsKind = configKind[meta.AnalyticsConfig, s3xml.AnalyticsConfiguration]{
	root: "AnalyticsConfiguration", list: func(c *meta.BucketConfig) *[]meta.AnalyticsConfig { return &c.Analytics },
	id: analyticsID, toXML: analyticsXML, parse: analyticsConfig,
	keep: func(old meta.AnalyticsConfig, c *meta.AnalyticsConfig) { c.LastRun = old.LastRun },
}

func (a *API) getBucketAnalytics(ctx context.Context, req *request) (*response, error) {
	return analyticsKind.get(a, ctx, req)
}

func (a *API) listBucketAnalytics(ctx context.Context, req *request) (*response, error) {
	token, page, next, err := analyticsKind.page(a, ctx, req)
	if err != nil {
		return nil, err
	}
	return xmlResponse(http.StatusOK, s3xml.ListBucketAnalyticsConfigurationResult{NS: s3xml.NS, ContinuationToken: token,
		Configurations: page, NextContinuationToken: next, IsTruncated: next != ""}), nil
}

func (a *API) putBucketAnalytics(ctx context.Context, req *request) (*response, error) {
	return analyticsKind.put(a, ctx, req)
}

// analyticsConfig checks a configuration document as S3 does.
func analyticsConfig(id string, doc s3xml.AnalyticsConfiguration) (meta.AnalyticsConfig, error) {
	c := meta.AnalyticsConfig{ID: id}
	if doc.ID != id {
		return c, s3err.Newf(s3err.InvalidArgument, "The Id in the configuration does not match the id parameter.")
	}
	addTag := func(t s3xml.TagXML) error {
		if t.Key == "" {
			return s3err.New(s3err.MalformedXML)
		}
		if c.Tags == nil {
			c.Tags = map[string]string{}
		}
		if _, dup := c.Tags[t.Key]; dup {
			return s3err.Newf(s3err.InvalidArgument, "Duplicate Tag Keys are not allowed.")
		}
		c.Tags[t.Key] = t.Value
		return nil
	}
	if f := doc.Filter; f != nil {
		set := 0
		for _, p := range []bool{f.Prefix != nil, f.Tag != nil, f.And != nil} {
			if p {
				set++
			}
		}
		if set > 1 {
			return c, s3err.New(s3err.MalformedXML)
		}
		switch {
		case f.Prefix != nil:
			c.Prefix = *f.Prefix
		case f.Tag != nil:
			if err := addTag(*f.Tag); err != nil {
				return c, err
			}
		case f.And != nil:
			if f.And.Prefix != nil {
				c.Prefix = *f.And.Prefix
			}
			for _, t := range f.And.Tags {
				if err := addTag(t); err != nil {
					return c, err
				}
			}
		}
	}
	if e := doc.StorageClassAnalysis.DataExport; e != nil {
		d := e.Destination.S3BucketDestination
		if e.OutputSchemaVersion != "V_1" || d.Format != "CSV" {
			return c, s3err.New(s3err.MalformedXML)
		}
		dest, ok := strings.CutPrefix(d.Bucket, "arn:aws:s3:::")
		if !ok || dest == "" || strings.Contains(dest, "/") {
			return c, s3err.Newf(s3err.InvalidArgument, "Invalid destination bucket ARN.").With("ArgumentName", "Bucket").With("ArgumentValue", d.Bucket)
		}
		c.Export, c.DestBucket, c.DestAccount, c.DestPrefix = true, dest, d.BucketAccountID, d.Prefix
	}
	return c, nil
}

func (a *API) deleteBucketAnalytics(ctx context.Context, req *request) (*response, error) {
	return analyticsKind.delete(a, ctx, req)
}

// countAnalytics counts a successful GetObject for the bucket's storage
// class analysis configurations that the object passes.
func (a *API) countAnalytics(req *request, w *logWriter, status int) {
	if a.cfg.Analytics == nil || req.op != "GetObject" || status >= 300 || req.loaded == nil || len(req.loaded.Config.Analytics) == 0 {
		return
	}
	modified, err := http.ParseTime(w.Header().Get("Last-Modified"))
	if err != nil {
		return
	}
	size := getObjectSize(w.Header())
	var tags map[string]string
	for _, c := range req.loaded.Config.Analytics {
		if len(c.Tags) > 0 && tags == nil {
			o, err := a.meta.GetObject(context.Background(), req.bucket, req.key, req.query.Get("versionId"))
			if err != nil {
				return
			}
			tags = o.Attrs.Tags
			if tags == nil {
				tags = map[string]string{}
			}
		}
		if analytics.Matches(c, req.key, tags) {
			a.cfg.Analytics.Get(req.bucket, c.ID, modified, size, w.sent, a.cfg.Now())
		}
	}
}

// getObjectSize is the whole object's size from a GET's headers: the total of
// Content-Range, else Content-Length.
func getObjectSize(h http.Header) int64 {
	if cr := h.Get("Content-Range"); cr != "" {
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				return n
			}
		}
	}
	n, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	return n
}

// PutExport writes one storage class analysis export as the S3 service.
func (a *API) PutExport(ctx context.Context, o analytics.Object) error {
	return a.PutServiceObject(ctx, ServiceObject{Service: analytics.ServicePrincipal, Bucket: o.Bucket, Key: o.Key,
		SourceBucket: o.SourceBucket, SourceAccount: o.SourceAccount, ContentType: "text/csv", Data: o.Data})
}

func analyticsID(c meta.AnalyticsConfig) string { return c.ID }
