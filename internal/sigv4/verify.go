package sigv4

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm        = "AWS4-HMAC-SHA256"
	algorithmV4a     = "AWS4-ECDSA-P256-SHA256"
	iso8601          = "20060102T150405Z"
	yyyymmdd         = "20060102"
	maxPresignExpiry = 7 * 24 * 60 * 60 // 604800 seconds

	unsignedPayload       = "UNSIGNED-PAYLOAD"
	streamingPayload      = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingTrailer      = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrlr = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	emptySHA256           = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// SecretLookup returns the secret key for an access key.
type SecretLookup func(accessKey string) (secret string, ok bool)

// Verifier authenticates SigV4 requests for one region.
type Verifier struct {
	Region  string // e.g. "us-east-1"; credential scope region must match. "" accepts any region.
	Lookup  SecretLookup
	Now     func() time.Time // nil = time.Now
	MaxSkew time.Duration    // 0 = 15 minutes
	// Service is the credential scope's service: "" means "s3"; the IAM
	// API on the same endpoint verifies with "iam".
	Service string
	// AlsoServices are further scope services accepted (the S3 API also
	// takes "s3express", the signing name of directory bucket requests);
	// Auth.Service says which one a request used.
	AlsoServices []string
}

// PayloadMode says how the request body is protected.
type PayloadMode int

const (
	PayloadSigned                   PayloadMode = iota // x-amz-content-sha256 is a hex SHA-256 of the body
	PayloadUnsigned                                    // UNSIGNED-PAYLOAD
	PayloadStreamingSigned                             // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
	PayloadStreamingSignedTrailer                      // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
	PayloadStreamingUnsignedTrailer                    // STREAMING-UNSIGNED-PAYLOAD-TRAILER
)

func (m PayloadMode) String() string {
	switch m {
	case PayloadSigned:
		return "signed"
	case PayloadUnsigned:
		return unsignedPayload
	case PayloadStreamingSigned:
		return streamingPayload
	case PayloadStreamingSignedTrailer:
		return streamingTrailer
	case PayloadStreamingUnsignedTrailer:
		return streamingUnsignedTrlr
	}
	return "PayloadMode(" + strconv.Itoa(int(m)) + ")"
}

func (m PayloadMode) streaming() bool { return m >= PayloadStreamingSigned }

// Auth is the outcome of a successful Verify.
type Auth struct {
	Anonymous     bool // no Authorization header and no presigned query: caller decides
	Presigned     bool
	AccessKey     string
	Payload       PayloadMode
	PayloadSHA256 string // lowercase hex, only for PayloadSigned
	// Service is the credential scope's service the request was signed for.
	Service string

	// What chunk and trailer signatures are computed from.
	key      []byte
	seed     string // the request signature
	amzDate  string // ISO8601 basic
	scope    string // date/region/s3/aws4_request
	trailers []string
}

// Verify authenticates r (header auth or presigned query). It never reads
// r.Body. Every returned error is an *Error.
func (v *Verifier) Verify(r *http.Request) (*Auth, error) {
	a, e := v.verify(r)
	if e != nil {
		return nil, e
	}
	return a, nil
}

// IsV2 reports whether r is signed with Signature Version 2 (header or
// presigned query).
func IsV2(r *http.Request) bool {
	if h := r.Header.Get("Authorization"); h != "" {
		return strings.HasPrefix(h, "AWS ")
	}
	q := ParseQuery(r.URL.RawQuery)
	return isPresignV2(q)
}

func isPresignV2(q []QueryParam) bool {
	_, a := FirstParam(q, "AWSAccessKeyId")
	_, s := FirstParam(q, "Signature")
	return a > 0 && s > 0
}

func isPresignV4(q []QueryParam) bool {
	for _, p := range q {
		switch p.Key {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature":
			return true
		}
	}
	return false
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) skew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return 15 * time.Minute
}

func (v *Verifier) verify(r *http.Request) (*Auth, *Error) {
	q := ParseQuery(r.URL.RawQuery)
	authz := r.Header.Values("Authorization")
	if len(authz) > 0 {
		if isPresignV4(q) || isPresignV2(q) {
			return nil, errInvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		}
		if len(authz) > 1 {
			return nil, errInvalidArgument("Only one Authorization header is allowed")
		}
		h := strings.TrimLeft(authz[0], " ")
		switch {
		case hasAlgorithm(h, algorithm):
			return v.verifyHeader(r, q, h)
		case strings.HasPrefix(h, "AWS "):
			return nil, errNotImplementedV2()
		case hasAlgorithm(h, algorithmV4a):
			return nil, newErr(http.StatusNotImplemented, "NotImplemented", "Signature Version 4A is not supported")
		}
		return nil, errInvalidArgument("Unsupported Authorization Type")
	}
	if isPresignV4(q) {
		return v.verifyPresigned(r, q)
	}
	if isPresignV2(q) {
		return nil, errNotImplementedV2()
	}
	return anonymous(r)
}

func errNotImplementedV2() *Error {
	return newErr(http.StatusNotImplemented, "NotImplemented", "Signature Version 2 is not supported yet")
}

func hasAlgorithm(h, alg string) bool {
	return strings.HasPrefix(h, alg) && (len(h) == len(alg) || h[len(alg)] == ' ' || h[len(alg)] == ',')
}

func anonymous(r *http.Request) (*Auth, *Error) {
	a := &Auth{Anonymous: true, Payload: PayloadUnsigned}
	if v := r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		if err := a.setPayload(v); err != nil {
			return nil, err
		}
		if a.Payload == PayloadStreamingSigned || a.Payload == PayloadStreamingSignedTrailer {
			// Chunk signatures chain from a request signature there is none of.
			return nil, errInvalidRequest("A signed streaming payload requires a signed request")
		}
	}
	a.trailers = declaredTrailers(r)
	return a, nil
}

// setPayload interprets an x-amz-content-sha256 value.
func (a *Auth) setPayload(v string) *Error {
	switch v {
	case unsignedPayload:
		a.Payload = PayloadUnsigned
	case streamingPayload:
		a.Payload = PayloadStreamingSigned
	case streamingTrailer:
		a.Payload = PayloadStreamingSignedTrailer
	case streamingUnsignedTrlr:
		a.Payload = PayloadStreamingUnsignedTrailer
	default:
		if len(v) != 64 || !isHex(v) {
			return errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
		}
		a.Payload = PayloadSigned
		a.PayloadSHA256 = strings.ToLower(v)
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func declaredTrailers(r *http.Request) []string {
	var names []string
	for _, v := range r.Header.Values("X-Amz-Trailer") {
		for n := range strings.SplitSeq(v, ",") {
			if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

// authHeader is a parsed "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." value.
type authHeader struct {
	credential, signedHeaders, signature string
}

// parseAuthorization is tolerant of layout the way S3 is: components may be
// separated by commas, spaces or both, in any order.
func parseAuthorization(h string) (authHeader, *Error) {
	var ah authHeader
	h = strings.TrimLeft(h, " ")
	if !hasAlgorithm(h, algorithm) {
		return ah, errInvalidArgument("Unsupported Authorization Type")
	}
	var seen [3]bool
	rest := h[len(algorithm):]
	for rest != "" {
		// Split on runs of ',', ' ' and '\t' (none occurs inside a value).
		i := 0
		for i < len(rest) && (rest[i] == ',' || rest[i] == ' ' || rest[i] == '\t') {
			i++
		}
		rest = rest[i:]
		j := 0
		for j < len(rest) && rest[j] != ',' && rest[j] != ' ' && rest[j] != '\t' {
			j++
		}
		f := rest[:j]
		rest = rest[j:]
		if f == "" {
			continue
		}
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			return ah, errHeaderMalformed("the authorization component \"" + clip(f) + "\" is malformed.")
		}
		var c int
		switch k {
		case "Credential":
			c, ah.credential = 0, val
		case "SignedHeaders":
			c, ah.signedHeaders = 1, val
		case "Signature":
			c, ah.signature = 2, val
		default:
			return ah, errHeaderMalformed("the authorization component \"" + clip(f) + "\" is malformed.")
		}
		if seen[c] {
			return ah, errHeaderMalformed("duplicate authorization component \"" + k + "\".")
		}
		seen[c] = true
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return ah, errHeaderMalformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	return ah, nil
}

// clip bounds attacker-controlled text echoed in error messages.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// credential is a parsed "AK/yyyymmdd/region/s3/aws4_request".
type credential struct {
	accessKey, date, region, service, terminal string
}

func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + c.terminal
}

// parseCredential splits from the right so an access key containing '/'
// still parses.
func parseCredential(s string) (credential, bool) {
	var c credential
	parts := strings.Split(s, "/")
	n := len(parts)
	if n < 5 {
		return c, false
	}
	c.accessKey = strings.Join(parts[:n-4], "/")
	c.date, c.region, c.service, c.terminal = parts[n-4], parts[n-3], parts[n-2], parts[n-1]
	if c.accessKey == "" || c.region == "" {
		return c, false
	}
	if _, err := time.Parse(yyyymmdd, c.date); err != nil || len(c.date) != 8 {
		return c, false
	}
	return c, true
}

// checkScope validates a credential scope against the region and the request
// time. mk builds the error for the auth style (header or query).
func (v *Verifier) checkScope(credStr string, t time.Time, mk func(string) *Error) (credential, *Error) {
	c, ok := parseCredential(credStr)
	if !ok {
		return c, mk("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if v.Region != "" && c.region != v.Region {
		return c, mk("the region '" + clip(c.region) + "' is wrong; expecting '" + v.Region + "'")
	}
	if service := cmp.Or(v.Service, "s3"); c.service != service && !slices.Contains(v.AlsoServices, c.service) {
		return c, mk("incorrect service \"" + clip(c.service) + "\". This endpoint belongs to \"" + service + "\".")
	}
	if c.terminal != "aws4_request" {
		return c, mk("incorrect terminal \"" + clip(c.terminal) + "\". This endpoint uses \"aws4_request\".")
	}
	// S3 rejects this as malformed rather than as a signature mismatch: the
	// signing key would be derived from a date that is not the request's.
	if c.date != t.UTC().Format(yyyymmdd) {
		return c, mk("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	return c, nil
}

// requestTime reads X-Amz-Date, falling back to Date. A present but
// unparsable X-Amz-Date does not fall back.
func requestTime(r *http.Request) (time.Time, bool) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(iso8601, v)
		return t, err == nil
	}
	v := r.Header.Get("Date")
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(iso8601, v); err == nil {
		return t, true
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

func (v *Verifier) verifyHeader(r *http.Request, q []QueryParam, h string) (*Auth, *Error) {
	ah, err := parseAuthorization(h)
	if err != nil {
		return nil, err
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		return nil, errInvalidRequest("Missing required header for this request: x-amz-content-sha256")
	}
	a := &Auth{}
	if err := a.setPayload(payload); err != nil {
		return nil, err
	}
	t, ok := requestTime(r)
	if !ok {
		return nil, errMissingDate()
	}
	cred, err := v.checkScope(ah.credential, t, errHeaderMalformed)
	if err != nil {
		return nil, err
	}
	signed, ok := parseSignedHeaders(ah.signedHeaders)
	if !ok {
		return nil, errHeaderMalformed("the SignedHeaders component is malformed.")
	}
	if err := checkSignedHeaders(r, signed); err != nil {
		return nil, err
	}
	if d := v.now().Sub(t); d > v.skew() || d < -v.skew() {
		return nil, newErr(http.StatusForbidden, "RequestTimeTooSkewed",
			"The difference between the request time and the current time is too large.")
	}
	return v.finish(r, a, cred, t, q, "", signed, payload, ah.signature)
}

func (v *Verifier) verifyPresigned(r *http.Request, q []QueryParam) (*Auth, *Error) {
	var vals [6]string
	for i, k := range [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
		val, n := FirstParam(q, k)
		if n == 0 || val == "" {
			return nil, errQueryParams("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
		if n > 1 {
			return nil, errQueryParams("Query-string authentication parameter " + k + " must not be repeated.")
		}
		vals[i] = val
	}
	alg, credStr, date, expStr, signedStr, sig := vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
	if alg != algorithm {
		return nil, errQueryParams("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	t, perr := time.Parse(iso8601, date)
	if perr != nil {
		return nil, errQueryParams("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	exp, perr := strconv.ParseInt(expStr, 10, 64)
	switch {
	case perr != nil && !isDigits(expStr):
		return nil, errQueryParams("X-Amz-Expires should be a number")
	case perr != nil || exp > maxPresignExpiry: // overflowing digits are "too long" too
		return nil, errQueryParams("X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds")
	case exp < 0:
		return nil, errQueryParams("X-Amz-Expires must be non-negative")
	case exp == 0:
		return nil, errQueryParams("X-Amz-Expires must be greater than 0")
	}
	cred, err := v.checkScope(credStr, t, func(m string) *Error {
		return errQueryParams("Error parsing the X-Amz-Credential parameter; " + m)
	})
	if err != nil {
		return nil, err
	}
	signed, ok := parseSignedHeaders(signedStr)
	if !ok {
		return nil, errQueryParams("X-Amz-SignedHeaders is malformed")
	}
	if err := checkSignedHeaders(r, signed); err != nil {
		return nil, err
	}
	now := v.now()
	if t.Sub(now) > v.skew() {
		return nil, errAccessDenied("Request is not valid yet")
	}
	if now.After(t.Add(time.Duration(exp) * time.Second)) {
		return nil, errAccessDenied("Request has expired")
	}
	a := &Auth{Presigned: true, Payload: PayloadUnsigned}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload != "" {
		if err := a.setPayload(payload); err != nil {
			return nil, err
		}
	} else {
		payload = unsignedPayload
	}
	return v.finish(r, a, cred, t, q, "X-Amz-Signature", signed, payload, sig)
}

func isDigits(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// finish looks up the secret and checks the request signature.
func (v *Verifier) finish(r *http.Request, a *Auth, cred credential, t time.Time, q []QueryParam,
	skip string, signed []string, payload, sig string,
) (*Auth, *Error) {
	if v.Lookup == nil {
		return nil, invalidAccessKey()
	}
	secret, ok := v.Lookup(cred.accessKey)
	if !ok {
		return nil, invalidAccessKey()
	}
	a.AccessKey = cred.accessKey
	a.amzDate = t.UTC().Format(iso8601)
	a.scope = cred.scope()
	a.Service = cred.service
	a.key = serviceKey(secret, cred.date, cred.region, cred.service)
	a.trailers = declaredTrailers(r)

	signedList := strings.Join(signed, ";")
	sign := func(query string) [64]byte {
		creq := canonicalRequest(r, canonicalURIFor(r, cred.service), query, signed, signedList, payload)
		sum := sha256.Sum256(creq)
		var hexSum [64]byte
		hex.Encode(hexSum[:], sum[:])
		sts := make([]byte, 0, len(algorithm)+len(a.amzDate)+len(a.scope)+67)
		sts = append(sts, algorithm+"\n"...)
		sts = append(sts, a.amzDate...)
		sts = append(sts, '\n')
		sts = append(sts, a.scope...)
		sts = append(sts, '\n')
		sts = append(sts, hexSum[:]...)
		return hexHMAC(a.key, sts)
	}
	want := sign(canonicalQuery(q, skip, true))
	ok = subtle.ConstantTimeCompare(want[:], []byte(sig)) == 1
	if !ok && valueOrderMatters(q, skip) {
		// Same parameters, other order: tolerated because every value is
		// still covered by the signature.
		want = sign(canonicalQuery(q, skip, false))
		ok = subtle.ConstantTimeCompare(want[:], []byte(sig)) == 1
	}
	if !ok {
		return nil, errSignatureMismatch()
	}
	a.seed = sig
	return a, nil
}

func invalidAccessKey() *Error {
	return newErr(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
}
