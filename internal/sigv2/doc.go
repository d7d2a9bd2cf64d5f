// Package sigv2 verifies AWS Signature Version 2 as Amazon S3 applies it, on
// the server side, for legacy clients (s3cmd --signature-v2, boto2, old
// SDKs).
//
// It owns:
//   - authenticating a request signed with the header form
//     "Authorization: AWS AKID:base64(hmac-sha1)" (with a Date or x-amz-date
//     no more than 15 minutes off) or with query parameters AWSAccessKeyId,
//     Expires and Signature (Verify, VerifyOptions);
//   - the StringToSign S3 uses (StringToSign), and client-side signing for
//     tests and tools (Sign, Presign);
//   - the S3 error code, message and HTTP status for each failure (*Error,
//     the same shape as sigv4.Error).
//
// # The signed resource
//
// S3 signs the request path literally as sent, percent-encoding included
// (the docs: "taken literally, including URL-Encoding and capitalization").
// Go decodes r.URL.Path, so the raw path is recovered from r.RequestURI when
// it is in origin form and still decodes to r.URL.Path (that is, no
// middleware rewrote the URL), else from r.URL.EscapedPath(). Because some
// proxies re-encode paths, a signature over the decoded path re-encoded the
// AWS way (unreserved bytes kept, "/" kept, every other byte %XX with
// upper-case hex, as minio-go and the AWS SDKs send it) is accepted too.
// Both forms are unambiguous: neither can contain a literal '?', so a
// signature over one resource can never be replayed for another. The plain
// decoded path is deliberately never tried: "/b/k?acl" would then collide
// with the key "k?acl".
//
// A request on a bucket itself verifies over "/bucket/" (the documented
// form, what s3cmd and boto2 sign) and over "/bucket" (the path botocore
// sends and signs in path style), whichever of the two was sent: both name
// only the bucket, since no key is empty.
//
// Virtual-hosted requests carry the bucket in Host; the caller, which knows
// its domains, passes it in Options.Bucket and the resource becomes
// "/" + bucket + path.
//
// Only the sub-resources S3 and its clients sign are included, sorted
// bytewise, each with its decoded first value and without '=' when empty:
// the S3 documentation's list (acl, delete, lifecycle, location, logging,
// notification, partNumber, policy, requestPayment, the response-*
// overrides, torrent, uploadId, uploads, versionId, versioning, versions,
// website) and the ones the AWS SDKs and minio-go add (accelerate,
// analytics, cors, encryption, inventory, legal-hold, metrics, replication,
// restore, retention, select, select-type, tagging). Other query parameters
// are not signed in Signature Version 2.
//
// # x-amz-date
//
// With an x-amz-date header the Date line is empty and x-amz-date is signed
// among the x-amz-* headers (what S3 and boto do). The S3 documentation's
// own "Delete" example instead puts the x-amz-date value on the Date line
// and leaves it out of the headers; that form is accepted too. Both cover
// the same timestamp.
//
// It does not own credentials storage (the caller supplies a lookup),
// authorisation, Signature Version 4 (package sigv4), or anything HTTP
// handler shaped: it only reads *http.Request values and never reads the
// body.
package sigv2
