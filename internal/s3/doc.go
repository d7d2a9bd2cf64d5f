// Package s3 holds S3 protocol rules that do not depend on HTTP: range
// parsing, conditional-request precedence, bucket and key naming, user
// metadata limits and ETag formats. Callers pass plain header values and
// map the results onto HTTP status codes themselves.
//
// It must not import net/http or other talus packages.
package s3
