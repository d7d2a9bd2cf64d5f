// Package policy implements AWS IAM policy documents as Amazon S3 and IAM
// evaluate them: S3 bucket policies and IAM identity (user) policies. It
// evaluates one document against one request; combining the identity and
// resource sides within and across accounts is the caller's (s3api).
//
// Parse decodes and validates a document, returning *Error values whose
// Reason is the text S3 (MalformedPolicy) or IAM (MalformedPolicyDocument)
// put in their error messages. Document.Evaluate matches one request against
// one document and reports Deny, Allow or NotApplicable; Decide combines the
// results of every document that applies to a request using AWS's rule: an
// explicit Deny anywhere wins, otherwise any Allow allows, otherwise the
// request is implicitly denied.
//
// The package is pure: it does no I/O and knows nothing about HTTP or the
// rest of the server. Callers describe the request (principal, action,
// resource ARN and condition context keys) in a Request.
//
// Semantics follow the IAM User Guide:
//
//   - Action and NotAction match case-insensitively with * and ? wildcards.
//   - Resource and NotResource match case-sensitively, ARN segment by ARN
//     segment, with * and ? wildcards.
//   - Policy variables (${aws:username}, ${s3:prefix}, any context key, with
//     an optional default as in ${aws:username, 'anon'}, and the escapes
//     ${*}, ${?}, ${$}) are substituted in Resource, NotResource and in the
//     values of String, Arn and Bool conditions, only for Version
//     "2012-10-17". A variable whose key is missing (or multivalued) and has
//     no default makes that one resource or condition value match nothing.
//   - Condition keys are case-insensitive. Operators in one block are ANDed,
//     keys under one operator are ANDed, values for one key are ORed
//     (negated operators: NORed). For a key missing from the request a
//     positive operator is false and a negated operator (StringNotEquals,
//     NotIpAddress, ArnNotLike, ...) is true; ...IfExists makes the
//     condition true; ForAllValues is true and ForAnyValue is false.
package policy
