// Package oidc verifies OpenID Connect ID tokens for STS
// AssumeRoleWithWebIdentity against the issuers the operator configures:
// signatures against the issuer's JWKS (from a URL, a file, or the
// issuer's discovery document), and iss, aud, exp and nbf. It names the
// provider ARN and the condition keys (ISSUER:aud, ISSUER:sub, ...) a
// trust policy sees.
//
// It must not import iamapi, s3api or server.
package oidc
