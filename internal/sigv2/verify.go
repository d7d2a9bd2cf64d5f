package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"talus/internal/sigv4"
)

// SecretLookup returns the secret key for an access key. It is an alias of
// the plain function type, so a sigv4.SecretLookup can be passed as is.
type SecretLookup = func(accessKey string) (secret string, ok bool)

// Options adjusts Verify for one request.
type Options struct {
	// Bucket is the bucket named by a virtual-hosted-style Host; it is
	// prefixed to the signed resource as "/" + Bucket. "" for path-style
	// requests and requests without a bucket.
	Bucket string
	// MaxSkew bounds |now - request time| for header auth; 0 = 15 minutes.
	MaxSkew time.Duration
}

// IsV2 reports whether r claims Signature Version 2: an Authorization header
// of the form "AWS ...", or, without an Authorization header, an
// AWSAccessKeyId or Signature query parameter (and no X-Amz-Signature,
// X-Amz-Credential or X-Amz-Algorithm, which mean a presigned SigV4 URL).
func IsV2(r *http.Request) bool {
	if h := r.Header.Get("Authorization"); h != "" {
		return strings.HasPrefix(strings.TrimLeft(h, " "), "AWS ")
	}
	q := sigv4.ParseQuery(r.URL.RawQuery)
	return hasV2Query(q) && !hasV4Query(q)
}

func hasV2Query(q []sigv4.QueryParam) bool {
	_, a := sigv4.FirstParam(q, "AWSAccessKeyId")
	_, s := sigv4.FirstParam(q, "Signature")
	return a > 0 || s > 0
}

func hasV4Query(q []sigv4.QueryParam) bool {
	for _, p := range q {
		switch p.Key {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature":
			return true
		}
	}
	return false
}

// Verify authenticates a path-style Signature Version 2 request; it is
// VerifyOptions with zero Options. See VerifyOptions.
func Verify(r *http.Request, lookup SecretLookup, now time.Time) (accessKey string, err error) {
	return VerifyOptions(r, lookup, now, Options{})
}

// VerifyOptions authenticates r, signed with Signature Version 2 in the
// Authorization header or in the query string, and returns its access key.
// A request with neither an Authorization header nor V2 query parameters is
// anonymous: it returns "", nil and the caller decides. An Authorization
// header of another scheme is InvalidArgument. It never reads r.Body. Every
// returned error is an *Error.
func VerifyOptions(r *http.Request, lookup SecretLookup, now time.Time, opts Options) (accessKey string, err error) {
	ak, e := verify(r, lookup, now, opts)
	if e != nil {
		return "", e
	}
	return ak, nil
}

func verify(r *http.Request, lookup SecretLookup, now time.Time, opts Options) (string, *Error) {
	q := sigv4.ParseQuery(r.URL.RawQuery)
	authz := r.Header.Values("Authorization")
	if len(authz) > 0 {
		if hasV2Query(q) || hasV4Query(q) {
			return "", errBothMechanisms()
		}
		if len(authz) > 1 {
			return "", errInvalidArgument("Only one Authorization header is allowed")
		}
		h := strings.TrimLeft(authz[0], " ")
		if !strings.HasPrefix(h, "AWS ") {
			return "", errInvalidArgument("Unsupported Authorization Type")
		}
		return verifyHeader(r, q, h, lookup, now, opts)
	}
	if hasV4Query(q) {
		return "", errInvalidArgument("Signature Version 4 query parameters are not Signature Version 2")
	}
	if hasV2Query(q) {
		return verifyQuery(r, q, lookup, now, opts)
	}
	return "", nil
}

// parseAuthorization splits "AWS AKID:Signature". The access key is what
// precedes the last ':' (base64 never contains ':'); both parts must be
// non-empty and free of blanks.
func parseAuthorization(h string) (accessKey, signature string, ok bool) {
	h = strings.TrimLeft(h, " ")
	rest, found := strings.CutPrefix(h, "AWS ")
	if !found {
		return "", "", false
	}
	rest = strings.Trim(rest, " \t")
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return "", "", false
	}
	accessKey, signature = rest[:i], rest[i+1:]
	if strings.ContainsAny(accessKey, " \t\r\n") || strings.ContainsAny(signature, " \t\r\n") {
		return "", "", false
	}
	return accessKey, signature, true
}

// parseTime accepts the RFC 2616 formats (RFC 1123 with "GMT" or a numeric
// zone, RFC 850, ANSI C) and ISO 8601 basic.
func parseTime(v string) (time.Time, bool) {
	for _, layout := range [...]string{http.TimeFormat, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC, "20060102T150405Z"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func verifyHeader(r *http.Request, q []sigv4.QueryParam, h string, lookup SecretLookup, now time.Time, opts Options) (string, *Error) {
	ak, sig, ok := parseAuthorization(h)
	if !ok {
		return "", errHeaderMalformed()
	}
	// x-amz-date, when sent at all, is the request time (an empty one
	// does not fall back to Date); a time before the Unix epoch is no
	// valid time either, where a merely old or future one is skewed.
	amzDate := r.Header.Get("X-Amz-Date")
	dateHdr := amzDate
	if _, sent := r.Header["X-Amz-Date"]; !sent {
		dateHdr = r.Header.Get("Date")
	}
	t, ok := parseTime(dateHdr)
	if dateHdr == "" || !ok || t.Before(time.Unix(0, 0)) {
		return "", errMissingDate()
	}
	skew := opts.MaxSkew
	if skew <= 0 {
		skew = 15 * time.Minute
	}
	if d := now.Sub(t); d > skew || d < -skew {
		return "", errSkewed()
	}
	secret, ok := lookupSecret(lookup, ak)
	if !ok {
		return "", errInvalidAccessKey()
	}
	res := resources(r, q, opts.Bucket)
	var match int
	if amzDate == "" {
		match = anyMatch(secret, sig, r, r.Header.Get("Date"), amzHeaders(r.Header, ""), res)
	} else {
		match = anyMatch(secret, sig, r, "", amzHeaders(r.Header, ""), res)
		// The S3 documentation's "Delete" example form.
		match |= anyMatch(secret, sig, r, amzDate, amzHeaders(r.Header, "x-amz-date"), res)
	}
	if match != 1 {
		return "", errSignatureMismatch()
	}
	return ak, nil
}

func verifyQuery(r *http.Request, q []sigv4.QueryParam, lookup SecretLookup, now time.Time, opts Options) (string, *Error) {
	var vals [3]string
	for i, k := range [...]string{"AWSAccessKeyId", "Signature", "Expires"} {
		v, n := sigv4.FirstParam(q, k)
		if n == 0 || v == "" {
			return "", errQueryIncomplete()
		}
		if n > 1 {
			return "", errInvalidArgument("Query-string authentication parameter " + k + " must not be repeated.")
		}
		vals[i] = v
	}
	ak, sig, expStr := vals[0], vals[1], vals[2]
	exp, err := strconv.ParseInt(expStr, 10, 64)
	if err != nil {
		return "", errAccessDenied("Invalid date (should be seconds since epoch): " + clip(expStr))
	}
	if now.Unix() > exp {
		return "", errAccessDenied("Request has expired")
	}
	secret, ok := lookupSecret(lookup, ak)
	if !ok {
		return "", errInvalidAccessKey()
	}
	amz, res := amzHeaders(r.Header, ""), resources(r, q, opts.Bucket)
	match := anyMatch(secret, sig, r, expStr, amz, res)
	if strings.Contains(sig, " ") {
		// A client that left '+' unescaped: base64 has no spaces, so
		// reading them back as '+' is unambiguous.
		match |= anyMatch(secret, strings.ReplaceAll(sig, " ", "+"), r, expStr, amz, res)
	}
	if match != 1 {
		return "", errSignatureMismatch()
	}
	return ak, nil
}

func lookupSecret(lookup SecretLookup, ak string) (string, bool) {
	if lookup == nil {
		return "", false
	}
	return lookup(ak)
}

// anyMatch returns 1 if sig matches the StringToSign for any of the resource
// candidates. Every candidate is computed and compared in constant time.
func anyMatch(secret, sig string, r *http.Request, dateLine string, amz []byte, res [][]byte) int {
	m := 0
	for _, resource := range res {
		want := signature(secret, buildStringToSign(r, dateLine, amz, resource))
		m |= subtle.ConstantTimeCompare([]byte(want), []byte(sig))
	}
	return m
}

// signature is base64(HMAC-SHA1(secret, sts)).
func signature(secret string, sts []byte) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(sts)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
