package s3api

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/sigv4"
)

// serveWebsite answers a request to a bucket's website endpoint
// (BUCKET.WEBSITE-DOMAIN) with S3's website semantics: anonymous GET and
// HEAD only, what a bucket policy or ACL makes public, index documents
// for folders, routing rules, the error document, and HTML errors.
func (a *API) serveWebsite(w http.ResponseWriter, req *request) (int, error) {
	ctx := req.Context()
	req.auth = &sigv4.Auth{Anonymous: true, Payload: sigv4.PayloadUnsigned}
	req.principal = iam.Principal{Anonymous: true}
	req.query = url.Values{} // the website endpoint has no sub-resources
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return a.websitePage(w, req, s3err.New(s3err.MethodNotAllowed).With("Method", req.Method).With("ResourceType", "OBJECT"), nil)
	}
	var b *meta.Bucket
	if s3.CheckBucketName(req.bucket) == nil {
		b = a.requestBucket(ctx, req)
	}
	if b == nil {
		return a.websitePage(w, req, s3err.New(s3err.NoSuchBucket).With("BucketName", req.bucket), nil)
	}
	if b.Config.Website == nil {
		return a.websitePage(w, req, s3err.New(s3err.NoSuchWebsiteConfiguration).With("BucketName", req.bucket), nil)
	}
	site := websiteRules(b.Config.Website)
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	if ra := site.RedirectAll; ra != nil {
		proto := ra.Protocol
		if proto == "" {
			proto = scheme
		}
		return a.websiteRedirect(w, req, proto+"://"+ra.HostName+req.URL.EscapedPath(), http.StatusMovedPermanently)
	}
	asked := req.key
	if rule, ok := site.MatchRoutingRule(asked, 0); ok {
		loc, code := rule.RedirectLocation(asked, req.Host, scheme)
		return a.websiteRedirect(w, req, loc, code)
	}
	key := site.IndexKey(asked)
	resp, err := a.websiteObject(ctx, req, key)
	if err == nil {
		if loc := resp.header.Get("x-amz-website-redirect-location"); loc != "" {
			if resp.body != nil {
				resp.body.Close()
			}
			return a.websiteRedirect(w, req, loc, http.StatusMovedPermanently)
		}
		return a.render(w, req, resp)
	}
	if key == asked && asked != "" && a.isFolder(ctx, req.bucket, asked, site.IndexSuffix) {
		return a.websiteRedirect(w, req, "/"+(&url.URL{Path: asked}).EscapedPath()+"/", http.StatusFound)
	}
	e := toS3Error(err)
	if e.Status == http.StatusNotModified {
		return a.renderError(w, req, err), err
	}
	if rule, ok := site.MatchRoutingRule(asked, e.Status); ok {
		loc, code := rule.RedirectLocation(asked, req.Host, scheme)
		return a.websiteRedirect(w, req, loc, code)
	}
	if site.ErrorKey == "" || e.Status >= 500 {
		return a.websitePage(w, req, e, nil)
	}
	doc := *req
	doc.Request = req.Request.Clone(ctx)
	for _, h := range []string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		doc.Header.Del(h)
	}
	resp, derr := a.websiteObject(ctx, &doc, site.ErrorKey)
	if derr != nil {
		return a.websitePage(w, req, e, toS3Error(derr))
	}
	resp.status = e.Status
	status, rerr := a.render(w, req, resp)
	if rerr != nil {
		return status, rerr
	}
	return status, err
}

// websiteObject reads key as an anonymous GetObject would.
func (a *API) websiteObject(ctx context.Context, req *request, key string) (*response, error) {
	req.key = key
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := a.allowed(ctx, req, "s3:GetObject", arn(req.bucket, key, true), nil); err != nil {
		return nil, err
	}
	return a.getObject(ctx, req)
}

// isFolder reports whether key is missing but key/INDEX exists: S3 then
// redirects to key/.
func (a *API) isFolder(ctx context.Context, bucket, key, suffix string) bool {
	if strings.HasSuffix(key, "/") {
		return false
	}
	if _, err := a.meta.GetObject(ctx, bucket, key, ""); !errors.Is(err, meta.ErrNoSuchKey) {
		return false
	}
	o, err := a.meta.GetObject(ctx, bucket, key+"/"+suffix, "")
	return err == nil && !o.DeleteMarker
}

func (a *API) websiteRedirect(w http.ResponseWriter, req *request, location string, code int) (int, error) {
	resp := newResponse(code)
	resp.header.Set("Location", location)
	return a.render(w, req, resp)
}

// websitePage writes S3's HTML error page for e; docErr is the error met
// fetching the custom error document, if that failed.
func (a *API) websitePage(w http.ResponseWriter, req *request, e *s3err.Error, docErr *s3err.Error) (int, error) {
	title := strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	var b strings.Builder
	b.WriteString("<html>\n<head><title>" + title + "</title></head>\n<body>\n<h1>" + title + "</h1>\n<ul>\n")
	items(&b, e)
	b.WriteString("<li>RequestId: " + html.EscapeString(req.id) + "</li>\n<li>HostId: " + html.EscapeString(req.hostID) + "</li>\n</ul>\n")
	if docErr != nil {
		b.WriteString("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n")
		items(&b, docErr)
		b.WriteString("</ul>\n")
	}
	b.WriteString("<hr/>\n</body>\n</html>\n")
	h := w.Header()
	a.addCORSHeaders(h, req)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("x-amz-error-code", string(e.Code))
	h.Set("x-amz-error-message", e.Message)
	w.WriteHeader(e.Status)
	if req.Method != http.MethodHead {
		w.Write([]byte(b.String()))
	}
	return e.Status, e
}

func items(b *strings.Builder, e *s3err.Error) {
	b.WriteString("<li>Code: " + html.EscapeString(string(e.Code)) + "</li>\n")
	b.WriteString("<li>Message: " + html.EscapeString(e.Message) + "</li>\n")
	names := make([]string, 0, len(e.Extra))
	for k := range e.Extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString("<li>" + html.EscapeString(k) + ": " + html.EscapeString(e.Extra[k]) + "</li>\n")
	}
}
