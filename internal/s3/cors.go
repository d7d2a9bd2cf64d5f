package s3

import (
	"fmt"
	"strings"
)

// MaxCORSRules is how many rules a bucket's CORS configuration may hold.
const MaxCORSRules = 100

// CORSRule is one rule of a bucket's CORS configuration.
type CORSRule struct {
	ID             string
	AllowedOrigins []string
	AllowedMethods []string
	AllowedHeaders []string
	ExposeHeaders  []string
	// MaxAgeSeconds is nil when the rule sets none.
	MaxAgeSeconds *int
}

// CORSError is a configuration S3 refuses: Malformed is MalformedXML
// (the document breaks the schema), otherwise InvalidRequest with Message.
type CORSError struct {
	Malformed bool
	Message   string
}

func (e *CORSError) Error() string { return e.Message }

// corsMethods are the methods a rule may allow.
var corsMethods = map[string]bool{"GET": true, "PUT": true, "HEAD": true, "POST": true, "DELETE": true}

// CORSMethod reports whether m is a method a CORS rule can allow (and so
// a method a preflight may ask about).
func CORSMethod(m string) bool { return corsMethods[m] }

// CheckCORS validates a configuration as PutBucketCors does: 1 to 100
// rules, each with an origin and a method; methods among GET, PUT, HEAD,
// POST and DELETE; at most one '*' in an origin or an allowed header;
// none in an expose header; an ID of at most 255 characters; a
// non-negative MaxAgeSeconds.
func CheckCORS(rules []CORSRule) error {
	if len(rules) == 0 || len(rules) > MaxCORSRules {
		return &CORSError{Malformed: true}
	}
	for _, r := range rules {
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
			return &CORSError{Malformed: true}
		}
		if len(r.ID) > 255 || (r.MaxAgeSeconds != nil && *r.MaxAgeSeconds < 0) {
			return &CORSError{Malformed: true}
		}
		for _, m := range r.AllowedMethods {
			if !corsMethods[m] {
				return &CORSError{Message: "Found unsupported HTTP method in CORS config. Unsupported method is " + m}
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return &CORSError{Message: fmt.Sprintf("AllowedOrigin %q can not have more than one wildcard.", o)}
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return &CORSError{Message: fmt.Sprintf("AllowedHeader %q can not have more than one wildcard.", h)}
			}
		}
		for _, h := range r.ExposeHeaders {
			if strings.Contains(h, "*") {
				return &CORSError{Message: fmt.Sprintf("ExposeHeader %q contains wildcard. We currently do not support wildcard for ExposeHeader.", h)}
			}
		}
	}
	return nil
}

// wildcardMatch matches s against a pattern holding at most one '*',
// which stands for any run of characters (possibly none). The pattern is
// anchored at both ends.
func wildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	i := strings.IndexByte(pattern, '*')
	if i < 0 {
		return pattern == s
	}
	prefix, suffix := pattern[:i], pattern[i+1:]
	return len(s) >= len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

// MatchCORS returns the first rule that allows a request from origin
// with method and every one of headers (matched without regard to case,
// against the rule's allowed headers with their wildcards). Origins are
// matched exactly, scheme, host and port, with the rule's wildcard.
func MatchCORS(rules []CORSRule, origin, method string, headers []string) (*CORSRule, bool) {
	for i := range rules {
		r := &rules[i]
		if !anyMatch(r.AllowedOrigins, origin, false) || !contains(r.AllowedMethods, method) {
			continue
		}
		ok := true
		for _, h := range headers {
			if !anyMatch(r.AllowedHeaders, h, true) {
				ok = false
				break
			}
		}
		if ok {
			return r, true
		}
	}
	return nil, false
}

// AnyOrigin reports whether the rule allows every origin ('*'), in which
// case S3 answers Access-Control-Allow-Origin: * and no credentials.
func (r *CORSRule) AnyOrigin() bool { return contains(r.AllowedOrigins, "*") }

// ParseHeaderList splits an Access-Control-Request-Headers value into
// lowercase header names, dropping empty elements.
func ParseHeaderList(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, strings.ToLower(h))
		}
	}
	return out
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if wildcardMatch(p, s, fold) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
