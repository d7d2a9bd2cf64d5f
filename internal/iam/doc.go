// Package iam owns identities: the root account and IAM users, their
// access keys (secrets sealed at rest) and the resolution of an access key
// to a principal and its secret for signature verification.
//
// It must not import net/http or internal/s3api.
package iam
