// Package postpolicy implements the server side of S3 browser-based uploads
// (PostObject): a multipart/form-data POST to a bucket carrying form fields,
// a base64 policy document signed with Signature Version 4 or 2, and the
// file.
//
// It owns:
//   - reading the form without buffering the file (Parse): fields are read,
//     up to a byte budget, until the part named "file", which is handed back
//     as a stream; fields after the file are ignored, as S3 ignores them;
//   - authenticating the form (Form.Verify): x-amz-algorithm,
//     x-amz-credential, x-amz-date and x-amz-signature (hex HMAC-SHA256 of
//     the base64 policy with the SigV4 signing key), or AWSAccessKeyId and
//     signature (base64 HMAC-SHA1 of the base64 policy); no signature fields
//     at all is an anonymous form that the caller decides on;
//   - the policy document (ParsePolicy, Policy.CheckFields): expiration,
//     exact, eq, starts-with and content-length-range conditions, and the
//     rule that every form field must be covered by a condition (but for
//     the exempt ones: see Policy.exempt);
//   - the S3 success response (SuccessResponse): success_action_redirect
//     (or the legacy redirect), else success_action_status 200, 201 with a
//     PostResponse XML body, or 204.
//
// Errors are *sigv4.Error values (Error is an alias), so the S3 layer maps
// them like any other authentication failure.
//
// The caller owns the HTTP handler: it sets Form.Bucket to the bucket the
// POST addresses before Verify, enforces Policy.LengthRange while streaming
// Form.File (Policy.CheckLength), and stores the object under Form.Key.
package postpolicy
