package sigv2

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"talus/internal/sigv4"
)

// signedSubresources are the query parameters that Signature Version 2
// includes in the CanonicalizedResource, sorted bytewise as they are signed.
// It is the list in the S3 documentation (acl, lifecycle, location, logging,
// notification, partNumber, policy, requestPayment, uploadId, uploads,
// versionId, versioning, versions, website, delete and the response-*
// overrides) and the further ones S3 clients sign (the AWS SDKs for Java and
// JavaScript, minio-go): accelerate, analytics, cors, encryption, inventory,
// legal-hold, metrics, replication, restore, retention, select, select-type,
// tagging and torrent.
var signedSubresources = []string{
	"accelerate",
	"acl",
	"analytics",
	"cors",
	"delete",
	"encryption",
	"inventory",
	"legal-hold",
	"lifecycle",
	"location",
	"logging",
	"metrics",
	"notification",
	"partNumber",
	"policy",
	"replication",
	"requestPayment",
	"response-cache-control",
	"response-content-disposition",
	"response-content-encoding",
	"response-content-language",
	"response-content-type",
	"response-expires",
	"restore",
	"retention",
	"select",
	"select-type",
	"tagging",
	"torrent",
	"uploadId",
	"uploads",
	"versionId",
	"versioning",
	"versions",
	"website",
}

// appendSubresources appends "?a&b=v" for the signed sub-resources present in
// q, in signedSubresources order, each with its first (decoded) value; an
// empty value is written without '='. Values are not encoded, as the S3
// documentation specifies.
func appendSubresources(dst []byte, q []sigv4.QueryParam) []byte {
	sep := byte('?')
	for _, name := range signedSubresources {
		v, n := sigv4.FirstParam(q, name)
		if n == 0 {
			continue
		}
		dst = append(dst, sep)
		sep = '&'
		dst = append(dst, name...)
		if v != "" {
			dst = append(dst, '=')
			dst = append(dst, v...)
		}
	}
	return dst
}

// rawPath returns the path as the client sent it (see the package doc).
func rawPath(r *http.Request) string {
	if ru := r.RequestURI; strings.HasPrefix(ru, "/") {
		p, _, _ := strings.Cut(ru, "?")
		if d, err := url.PathUnescape(p); err == nil && d == r.URL.Path {
			return p
		}
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

const upperhex = "0123456789ABCDEF"

// awsEncodePath is AWS UriEncode with '/' kept: unreserved bytes as is, every
// other byte (each byte of multi-byte UTF-8 too) as %XX, upper-case hex.
func awsEncodePath(s string) string {
	if s == "" {
		return "/"
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b = append(b, c)
		default:
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return string(b)
}

// resources returns the CanonicalizedResource candidates: the raw path form
// first, then the re-encoded form when it differs.
func resources(r *http.Request, q []sigv4.QueryParam, bucket string) [][]byte {
	build := func(path string) []byte {
		b := make([]byte, 0, len(bucket)+len(path)+32)
		if bucket != "" {
			b = append(b, '/')
			b = append(b, bucket...)
		}
		b = append(b, path...)
		return appendSubresources(b, q)
	}
	raw := rawPath(r)
	paths := []string{raw}
	if enc := awsEncodePath(r.URL.Path); enc != raw {
		paths = append(paths, enc)
	}
	out := make([][]byte, 0, 2*len(paths))
	for _, p := range paths {
		out = append(out, build(p))
		if alt, ok := bucketAlias(bucket, p); ok {
			out = append(out, build(alt))
		}
	}
	return out
}

// bucketAlias returns the other spelling of a bucket-level resource:
// "/bucket" for "/bucket/" and the reverse. S3 documents "/bucket/" for a
// request on a bucket, but path-style clients sign the path they send, which
// is "/bucket" for botocore (HmacV1Auth) and "/bucket/" for s3cmd and boto2,
// so both name the bucket. They cannot name anything else: a key is never
// empty.
func bucketAlias(bucket, path string) (string, bool) {
	full := path
	if bucket != "" {
		full = "/" + bucket + path
	}
	name, ok := strings.CutPrefix(full, "/")
	if !ok || name == "" || name == "/" {
		return "", false
	}
	trimmed := strings.TrimSuffix(name, "/")
	if trimmed == "" || strings.Contains(trimmed, "/") {
		return "", false
	}
	var alt string
	if trimmed == name {
		alt = full + "/"
	} else {
		alt = strings.TrimSuffix(full, "/")
	}
	if bucket != "" {
		// The bucket prefix is added back by the caller.
		alt = strings.TrimPrefix(alt, "/"+bucket)
	}
	return alt, true
}

// amzHeaders returns the CanonicalizedAmzHeaders: every x-amz-* header,
// lower-cased, sorted, values trimmed and joined with ',', one
// "name:value\n" line each. skip names one header to leave out ("" for
// none).
func amzHeaders(h http.Header, skip string) []byte {
	var names []string
	vals := map[string][]string{}
	for k, vv := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-") || lk == skip {
			continue
		}
		if _, ok := vals[lk]; !ok {
			names = append(names, lk)
		}
		vals[lk] = append(vals[lk], vv...)
	}
	slices.Sort(names)
	var b []byte
	for _, n := range names {
		b = append(b, n...)
		b = append(b, ':')
		for i, v := range vals[n] {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, unfold(v)...)
		}
		b = append(b, '\n')
	}
	return b
}

// unfold trims a header value and replaces each folded line break (with the
// blanks around it) by one space.
func unfold(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	lines := strings.FieldsFunc(v, func(c rune) bool { return c == '\r' || c == '\n' })
	for i := range lines {
		lines[i] = strings.Trim(lines[i], " \t")
	}
	return strings.Join(lines, " ")
}

// buildStringToSign assembles Method\nContent-MD5\nContent-Type\nDate\n +
// amz headers + resource.
func buildStringToSign(r *http.Request, dateLine string, amz, resource []byte) []byte {
	md5 := r.Header.Get("Content-Md5")
	ct := r.Header.Get("Content-Type")
	b := make([]byte, 0, len(r.Method)+len(md5)+len(ct)+len(dateLine)+len(amz)+len(resource)+4)
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, md5...)
	b = append(b, '\n')
	b = append(b, ct...)
	b = append(b, '\n')
	b = append(b, dateLine...)
	b = append(b, '\n')
	b = append(b, amz...)
	return append(b, resource...)
}

// StringToSign returns the primary StringToSign Verify computes for r: the
// raw path form of the resource; for header auth the Date header, or "" when
// x-amz-date is present; for query auth (no Authorization header, V2 query
// parameters) the Expires parameter. It is what S3 echoes in
// SignatureDoesNotMatch errors, meant for debugging and logging.
func StringToSign(r *http.Request, opts Options) string {
	q := sigv4.ParseQuery(r.URL.RawQuery)
	if r.Header.Get("Authorization") == "" && hasV2Query(q) {
		exp, _ := sigv4.FirstParam(q, "Expires")
		return stringToSign(r, q, exp, opts)
	}
	return stringToSign(r, q, headerDateLine(r), opts)
}

func headerDateLine(r *http.Request) string {
	if r.Header.Get("X-Amz-Date") != "" {
		return ""
	}
	return r.Header.Get("Date")
}

func stringToSign(r *http.Request, q []sigv4.QueryParam, dateLine string, opts Options) string {
	return string(buildStringToSign(r, dateLine, amzHeaders(r.Header, ""), resources(r, q, opts.Bucket)[0]))
}
