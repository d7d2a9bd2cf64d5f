package authn

import (
	"context"
	"errors"
	"net/http"

	"talus/internal/iam"
	"talus/internal/sigv2"
	"talus/internal/sigv4"
)

// Token returns the session token r carries: the X-Amz-Security-Token
// header or query parameter (SigV4 presigned URLs; SigV2 ones spell it in
// lower case).
func Token(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	q := r.URL.Query()
	if t := q.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	return q.Get("x-amz-security-token")
}

// ExpressToken returns the S3 Express session token r carries
// (x-amz-s3session-token, which CreateSession's credentials sign with).
func ExpressToken(r *http.Request) string { return r.Header.Get("X-Amz-S3session-Token") }

// Credentials resolves one request's access key with its session token.
// Its Lookup is the secret lookup the signature verifiers take; after a
// successful verification Principal is who signed.
type Credentials struct {
	ctx       context.Context
	ids       *iam.Resolver
	token     string
	Principal iam.Principal
	err       error
}

// New returns the credentials of a request carrying token ("" for none).
func New(ctx context.Context, ids *iam.Resolver, token string) *Credentials {
	return &Credentials{ctx: ctx, ids: ids, token: token}
}

// Lookup returns the signing secret of accessKey.
func (c *Credentials) Lookup(accessKey string) (string, bool) {
	p, secret, err := c.ids.LookupToken(c.ctx, accessKey, c.token)
	if err != nil {
		c.err = err
		return "", false
	}
	c.Principal, c.err = p, nil
	return secret, true
}

// Error returns the error to answer for a failed verification: S3's
// ExpiredToken or InvalidToken (400) when the session token was the
// trouble, else err as it is.
func (c *Credentials) Error(err error) error {
	var se *sigv4.Error
	var s2 *sigv2.Error
	if !(errors.As(err, &se) && se.Code == "InvalidAccessKeyId") && !(errors.As(err, &s2) && s2.Code == "InvalidAccessKeyId") {
		return err
	}
	switch {
	case errors.Is(c.err, iam.ErrExpiredToken):
		return &sigv4.Error{Code: "ExpiredToken", Message: "The provided token has expired.", Status: http.StatusBadRequest}
	case errors.Is(c.err, iam.ErrInvalidToken):
		return &sigv4.Error{Code: "InvalidToken", Message: "The provided token is malformed or otherwise invalid.", Status: http.StatusBadRequest}
	}
	return err
}

// Verify checks r's SigV4 signature with v's region and service, resolving
// its credentials (session token included) through ids.
func Verify(r *http.Request, v *sigv4.Verifier, ids *iam.Resolver) (*sigv4.Auth, iam.Principal, error) {
	c := New(r.Context(), ids, Token(r))
	vc := *v
	vc.Lookup = c.Lookup
	auth, err := vc.Verify(r)
	if err != nil {
		return nil, iam.Principal{}, c.Error(err)
	}
	if auth.Anonymous {
		return auth, iam.Principal{Anonymous: true}, nil
	}
	return auth, c.Principal, nil
}

// ServiceError maps an authentication failure to the codes the IAM and STS
// query APIs answer: an unknown key or bad token is 403
// InvalidClientTokenId, an expired token 403 ExpiredToken.
func ServiceError(se *sigv4.Error) (status int, code, msg string) {
	switch se.Code {
	case "InvalidAccessKeyId", "InvalidToken":
		return http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."
	case "ExpiredToken":
		return http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired"
	}
	return se.Status, se.Code, se.Message
}
