package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// corsVary is the Vary S3 sends with CORS headers.
const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// preflight answers an OPTIONS request on a bucket or object from the
// bucket's CORS rules. It needs no signature: browsers send preflights
// without credentials. The key is not looked up.
func (a *API) preflight(w http.ResponseWriter, req *request) (int, error) {
	fail := func(err error) (int, error) { return a.renderError(w, req, err), err }
	origin := req.Header.Get("Origin")
	method := req.Header.Get("Access-Control-Request-Method")
	if origin == "" {
		return fail(s3err.Newf(s3err.BadRequest, "Insufficient information. Origin request header needed."))
	}
	if method != "" && !s3.CORSMethod(method) {
		return fail(s3err.Newf(s3err.BadRequest, "Invalid Access-Control-Request-Method: %s", method))
	}
	shown := method
	if shown == "" {
		shown = http.MethodOptions
	}
	var b *meta.Bucket
	if req.bucket != "" && s3.CheckAnyBucketName(req.bucket) == nil {
		b = a.requestBucket(req.Context(), req)
	}
	switch {
	case b == nil:
		return fail(s3err.Newf(s3err.AccessForbidden, "CORSResponse: Bucket not found").With("Method", shown).With("ResourceType", "BUCKET"))
	case len(b.Config.CORS) == 0:
		return fail(s3err.Newf(s3err.AccessForbidden, "CORSResponse: CORS is not enabled for this bucket.").With("Method", shown).With("ResourceType", "BUCKET"))
	case method == "":
		return fail(s3err.Newf(s3err.BadRequest, "Invalid Access-Control-Request-Method: null"))
	}
	headers := s3.ParseHeaderList(strings.Join(req.Header.Values("Access-Control-Request-Headers"), ","))
	rule, ok := s3.MatchCORS(corsRules(b.Config.CORS), origin, method, headers)
	if !ok {
		resource := "BUCKET"
		if req.key != "" {
			resource = "OBJECT"
		}
		return fail(s3err.New(s3err.AccessForbidden).With("Method", method).With("ResourceType", resource))
	}
	h := w.Header()
	setCORSHeaders(h, rule, origin)
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	return a.render(w, req, newResponse(http.StatusOK))
}

// addCORSHeaders adds the CORS headers of the bucket's first rule that
// allows the request's Origin and method to any response (errors too).
// A request without Origin, or one no rule allows, gets none. The
// bucket is the one authorization read; it is read here only when no
// earlier step did.
func (a *API) addCORSHeaders(h http.Header, req *request) {
	origin := req.Header.Get("Origin")
	if origin == "" || req.bucket == "" || req.Method == http.MethodOptions || s3.CheckAnyBucketName(req.bucket) != nil {
		return
	}
	b := a.requestBucket(req.Context(), req)
	if b == nil || len(b.Config.CORS) == 0 {
		return
	}
	method := req.Header.Get("Access-Control-Request-Method")
	if method == "" {
		method = req.Method
	}
	if rule, ok := s3.MatchCORS(corsRules(b.Config.CORS), origin, method, nil); ok {
		setCORSHeaders(h, rule, origin)
	}
}

func setCORSHeaders(h http.Header, rule *s3.CORSRule, origin string) {
	if rule.AnyOrigin() {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	h.Set("Vary", corsVary)
}
