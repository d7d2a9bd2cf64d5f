package sigv2

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"talus/internal/sigv4"
)

// Sign signs r in place with the Authorization header, for tests and tools.
// It sets Date to now when r has neither Date nor X-Amz-Date. r's URL must
// already be in its final, encoded form.
func Sign(r *http.Request, accessKey, secret string, now time.Time, opts Options) {
	if r.Header.Get("Date") == "" && r.Header.Get("X-Amz-Date") == "" {
		r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	}
	sts := stringToSign(r, sigv4.ParseQuery(r.URL.RawQuery), headerDateLine(r), opts)
	r.Header.Set("Authorization", "AWS "+accessKey+":"+signature(secret, []byte(sts)))
}

// Presign adds AWSAccessKeyId, Expires and Signature to r's query, for tests
// and tools. Existing V2 query auth parameters are replaced; the other
// parameters are re-encoded by url.Values.Encode.
func Presign(r *http.Request, accessKey, secret string, expires time.Time, opts Options) {
	q := r.URL.Query()
	q.Del("AWSAccessKeyId")
	q.Del("Signature")
	q.Del("Expires")
	exp := strconv.FormatInt(expires.Unix(), 10)
	raw := q.Encode()
	if raw != "" {
		raw += "&"
	}
	raw += "AWSAccessKeyId=" + url.QueryEscape(accessKey) + "&Expires=" + exp
	r.URL.RawQuery = raw
	sts := stringToSign(r, sigv4.ParseQuery(raw), exp, opts)
	r.URL.RawQuery += "&Signature=" + url.QueryEscape(signature(secret, []byte(sts)))
}
