// Package iam owns identities: the root account and IAM users, their
// access keys (secrets sealed at rest), temporary credentials (sessions
// sealed into self-contained session tokens), the resolution of an access
// key (and token) to a principal and its secret for signature
// verification, and a principal's effective identity policies (user,
// group, attached, role and session policies).
//
// It must not import net/http or internal/s3api.
package iam
