// Package sigv4 verifies AWS Signature Version 4 as Amazon S3 applies it,
// on the server side.
//
// It owns:
//   - authenticating a request signed with the Authorization header or with
//     presigned query parameters (Verifier.Verify), including the S3 flavour
//     of the canonical request (no path normalisation, decoded path
//     re-encoded, x-amz-content-sha256 as the payload hash);
//   - the payload that follows: checking a signed payload's SHA-256 and
//     decoding aws-chunked bodies (signed chunks, signed and unsigned
//     trailers) while verifying every chunk and trailer signature
//     (Auth.Body);
//   - the S3 error code, message and HTTP status for each failure (*Error).
//
// It does not own credentials storage (the caller supplies a SecretLookup),
// authorisation (what an authenticated key may do), Signature Version 2, or
// anything HTTP-handler shaped: it only reads *http.Request values.
package sigv4
