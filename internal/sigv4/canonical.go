package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const upperhex = "0123456789ABCDEF"

// shouldKeep reports whether AWS UriEncode leaves b as is.
func shouldKeep(b byte, keepSlash bool) bool {
	switch {
	case 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		return true
	case b == '-' || b == '_' || b == '.' || b == '~':
		return true
	case b == '/':
		return keepSlash
	}
	return false
}

// appendURIEncode appends AWS UriEncode(s): unreserved bytes kept, every other
// byte (including each byte of multi-byte UTF-8) as %XX with upper-case hex.
func appendURIEncode(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if shouldKeep(b, keepSlash) {
			dst = append(dst, b)
		} else {
			dst = append(dst, '%', upperhex[b>>4], upperhex[b&15])
		}
	}
	return dst
}

func uriEncode(s string, keepSlash bool) string {
	for i := 0; i < len(s); i++ {
		if !shouldKeep(s[i], keepSlash) {
			return string(appendURIEncode(make([]byte, 0, len(s)+16), s, keepSlash))
		}
	}
	return s
}

// canonicalURI is S3's: the decoded path re-encoded, never normalised, because
// object keys may legitimately contain "..", "//" and trailing slashes.
func canonicalURI(r *http.Request) string {
	p := r.URL.Path
	if p == "" {
		return "/"
	}
	return uriEncode(p, true)
}

// canonicalURIFor is the canonical URI for service: S3's (for S3 Object
// Lambda too, which the SDKs sign as S3), or for every other service the escaped path encoded once more, as the AWS SDKs sign
// them (an Iceberg REST path holding an escaped ARN differs).
func canonicalURIFor(r *http.Request, service string) string {
	if service == "" || service == "s3" || service == "s3express" || service == "s3-object-lambda" {
		return canonicalURI(r) // S3, directory buckets and Object Lambda: the path encoded once
	}
	p := r.URL.EscapedPath()
	if p == "" {
		return "/"
	}
	return uriEncode(p, true)
}

// QueryParam is one decoded query pair, in wire order.
type QueryParam struct{ Key, Value string }

// ParseQuery splits a raw query into decoded pairs, keeping order and
// duplicates. Unlike url.ParseQuery it accepts ';' inside values and keys
// without '='; undecodable escapes are kept verbatim (the signature will then
// simply not match) instead of failing the whole request.
func ParseQuery(raw string) []QueryParam {
	if raw == "" {
		return nil
	}
	params := make([]QueryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		params = append(params, QueryParam{unescapeQuery(k), unescapeQuery(v)})
	}
	return params
}

func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// canonicalQuery encodes every pair except skip (X-Amz-Signature for
// presigned requests), then sorts after encoding, as SigV4 specifies: by key,
// then by value. With byValue false, pairs sharing a key keep their wire
// order instead, which is what clients built on url.Values.Encode (minio-go
// among them) sign.
func canonicalQuery(params []QueryParam, skip string, byValue bool) string {
	if len(params) == 0 {
		return ""
	}
	enc := make([]QueryParam, 0, len(params))
	for _, p := range params {
		if skip != "" && p.Key == skip {
			continue
		}
		enc = append(enc, QueryParam{uriEncode(p.Key, false), uriEncode(p.Value, false)})
	}
	slices.SortStableFunc(enc, func(a, b QueryParam) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 || !byValue {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	var sb strings.Builder
	for i, p := range enc {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(p.Key)
		sb.WriteByte('=')
		sb.WriteString(p.Value)
	}
	return sb.String()
}

// valueOrderMatters reports whether some key repeats with values not already
// in sorted order, i.e. whether the two canonicalQuery orders differ.
func valueOrderMatters(params []QueryParam, skip string) bool {
	last := map[string]string{}
	for _, p := range params {
		if p.Key == skip {
			continue
		}
		if prev, ok := last[p.Key]; ok && uriEncode(p.Value, false) < prev {
			return true
		}
		last[p.Key] = uriEncode(p.Value, false)
	}
	return false
}

// FirstParam returns the value of key and how many times it occurs.
func FirstParam(params []QueryParam, key string) (string, int) {
	var v string
	n := 0
	for _, p := range params {
		if p.Key == key {
			if n == 0 {
				v = p.Value
			}
			n++
		}
	}
	return v, n
}

// appendTrimAll appends s with leading/trailing spaces removed and inner runs
// of spaces collapsed to one (SigV4 "Trimall").
func appendTrimAll(dst []byte, s string) []byte {
	s = strings.Trim(s, " \t")
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if !space {
				dst = append(dst, ' ')
			}
			space = true
			continue
		}
		space = false
		dst = append(dst, c)
	}
	return dst
}

// headerValues returns the values a client signed for name. Go's server moves
// Host, and sometimes Content-Length and Transfer-Encoding, out of r.Header.
func headerValues(r *http.Request, name string) []string {
	switch name {
	case "host":
		h := r.Host
		if h == "" {
			h = r.URL.Host
		}
		return []string{h}
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			return v
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if v := r.Header.Values("Transfer-Encoding"); len(v) > 0 {
			return v
		}
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
		return nil
	}
	return r.Header.Values(name)
}

// parseSignedHeaders lower-cases and sorts the list, rejecting empty or
// duplicate names. The normalised list is what goes into the canonical
// request, so a client that sent an unsorted list still has to have signed
// the sorted one.
func parseSignedHeaders(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	names := strings.Split(strings.ToLower(s), ";")
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, " \t:") {
			return nil, false
		}
	}
	slices.Sort(names)
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			return nil, false
		}
	}
	return names, true
}

// checkSignedHeaders enforces what S3 does: host must be signed, and so must
// every x-amz-* header present (so e.g. x-amz-copy-source or x-amz-acl cannot
// be injected into a captured request). x-amz-content-sha256 is exempt: its
// value is the payload-hash line of the canonical request anyway.
func checkSignedHeaders(r *http.Request, signed []string) *Error {
	if _, ok := slices.BinarySearch(signed, "host"); !ok {
		return errHeadersNotSigned()
	}
	for k := range r.Header {
		if len(k) < 6 || !strings.EqualFold(k[:6], "x-amz-") {
			continue
		}
		lk := strings.ToLower(k)
		if lk == "x-amz-content-sha256" {
			continue
		}
		if _, ok := slices.BinarySearch(signed, lk); !ok {
			return errHeadersNotSigned()
		}
	}
	return nil
}

// canonicalRequest builds the S3 canonical request for r.
func canonicalRequest(r *http.Request, uri, query string, signed []string, signedList, payloadHash string) []byte {
	b := make([]byte, 0, 512)
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTrimAll(b, v)
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, signedList...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	return b
}
