package s3api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// maxWebsiteBody bounds PutBucketWebsite's body (50 routing rules fit
// easily).
const maxWebsiteBody = 128 << 10

func (a *API) getBucketWebsite(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	w := b.Config.Website
	if w == nil {
		return nil, s3err.New(s3err.NoSuchWebsiteConfiguration).With("BucketName", req.bucket)
	}
	doc := s3xml.WebsiteConfiguration{NS: s3xml.NS}
	if w.RedirectAll != nil {
		host := w.RedirectAll.HostName
		doc.RedirectAllRequestsTo = &s3xml.RedirectAllRequestsTo{HostName: &host, Protocol: w.RedirectAll.Protocol}
		return xmlResponse(http.StatusOK, doc), nil
	}
	doc.IndexDocument = &s3xml.IndexDocument{Suffix: w.IndexSuffix}
	if w.ErrorKey != "" {
		doc.ErrorDocument = &s3xml.ErrorDocument{Key: w.ErrorKey}
	}
	if len(w.Rules) > 0 {
		doc.RoutingRules = &s3xml.RoutingRules{}
		for _, r := range w.Rules {
			x := s3xml.RoutingRule{Redirect: &s3xml.RoutingRedirect{
				HostName: r.Redirect.HostName, HTTPRedirectCode: r.Redirect.HTTPRedirectCode, Protocol: r.Redirect.Protocol,
				ReplaceKeyPrefixWith: r.Redirect.ReplaceKeyPrefixWith, ReplaceKeyWith: r.Redirect.ReplaceKeyWith,
			}}
			if r.HasCondition {
				x.Condition = &s3xml.RoutingCondition{KeyPrefixEquals: r.KeyPrefixEquals, HTTPErrorCodeReturnedEquals: r.ErrorCode}
			}
			doc.RoutingRules.Rules = append(doc.RoutingRules.Rules, x)
		}
	}
	return xmlResponse(http.StatusOK, doc), nil
}

func (a *API) putBucketWebsite(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	body, err := a.readSmallBody(req, maxWebsiteBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.WebsiteConfiguration
	if err := s3xml.Decode(bytesReader(body), maxWebsiteBody, "WebsiteConfiguration", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	w, present := websiteFromXML(doc)
	if err := s3.CheckWebsite(w, present); err != nil {
		return nil, websiteError(err)
	}
	stored := storedWebsite(w)
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.Website = stored; return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) deleteBucketWebsite(ctx context.Context, req *request) (*response, error) {
	return a.clearBucketConfig(ctx, req, func(c *meta.BucketConfig) { c.Website = nil })
}

func websiteError(err error) error {
	var we *s3.WebsiteError
	if !errors.As(err, &we) {
		return s3err.Internal(err)
	}
	switch we.Code {
	case "InvalidArgument":
		e := s3err.Newf(s3err.InvalidArgument, "%s", we.Message).With("ArgumentName", we.ArgName)
		if we.ArgValue != "" {
			e = e.With("ArgumentValue", we.ArgValue)
		}
		return e
	case "InvalidRequest":
		return s3err.Newf(s3err.InvalidRequest, "%s", we.Message)
	}
	return s3err.New(s3err.MalformedXML)
}

// websiteFromXML converts the document and records which optional
// elements it had, for s3.CheckWebsite.
func websiteFromXML(doc s3xml.WebsiteConfiguration) (s3.Website, map[string]bool) {
	present := map[string]bool{}
	var w s3.Website
	if r := doc.RedirectAllRequestsTo; r != nil {
		w.RedirectAll = &s3.WebsiteRedirectAll{Protocol: r.Protocol}
		if r.HostName != nil {
			present["RedirectAllRequestsTo.HostName"] = true
			w.RedirectAll.HostName = *r.HostName
		}
	}
	if doc.IndexDocument != nil {
		present["IndexDocument"] = true
		w.IndexSuffix = doc.IndexDocument.Suffix
	}
	if doc.ErrorDocument != nil {
		present["ErrorDocument"] = true
		w.ErrorKey = doc.ErrorDocument.Key
	}
	if doc.RoutingRules != nil {
		present["RoutingRules"] = true
		for i, x := range doc.RoutingRules.Rules {
			var r s3.RoutingRule
			if c := x.Condition; c != nil {
				r.Condition = &s3.RoutingCondition{KeyPrefixEquals: c.KeyPrefixEquals, HTTPErrorCodeReturnedEquals: c.HTTPErrorCodeReturnedEquals}
			}
			if d := x.Redirect; d != nil {
				present["Redirect."+strconv.Itoa(i)] = true
				r.Redirect = s3.RoutingRedirect{Protocol: d.Protocol, HostName: d.HostName, ReplaceKeyPrefixWith: d.ReplaceKeyPrefixWith,
					ReplaceKeyWith: d.ReplaceKeyWith, HTTPRedirectCode: d.HTTPRedirectCode}
			}
			w.Rules = append(w.Rules, r)
		}
	}
	return w, present
}

func storedWebsite(w s3.Website) *meta.Website {
	out := &meta.Website{IndexSuffix: w.IndexSuffix, ErrorKey: w.ErrorKey}
	if w.RedirectAll != nil {
		out.RedirectAll = &meta.WebsiteRedirect{HostName: w.RedirectAll.HostName, Protocol: w.RedirectAll.Protocol}
	}
	for _, r := range w.Rules {
		m := meta.WebsiteRoutingRule{Redirect: meta.WebsiteRedirect(r.Redirect)}
		if r.Condition != nil {
			m.HasCondition, m.KeyPrefixEquals, m.ErrorCode = true, r.Condition.KeyPrefixEquals, r.Condition.HTTPErrorCodeReturnedEquals
		}
		out.Rules = append(out.Rules, m)
	}
	return out
}

// websiteRules converts a stored configuration to package s3's.
func websiteRules(m *meta.Website) s3.Website {
	w := s3.Website{IndexSuffix: m.IndexSuffix, ErrorKey: m.ErrorKey}
	if m.RedirectAll != nil {
		w.RedirectAll = &s3.WebsiteRedirectAll{HostName: m.RedirectAll.HostName, Protocol: m.RedirectAll.Protocol}
	}
	for _, r := range m.Rules {
		x := s3.RoutingRule{Redirect: s3.RoutingRedirect(r.Redirect)}
		if r.HasCondition {
			x.Condition = &s3.RoutingCondition{KeyPrefixEquals: r.KeyPrefixEquals, HTTPErrorCodeReturnedEquals: r.ErrorCode}
		}
		w.Rules = append(w.Rules, x)
	}
	return w
}
