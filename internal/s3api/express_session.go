package s3api

import (
	"context"
	"net/http"
	"time"

	"talus/internal/iam"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// S3 Express sessions. CreateSession hands out temporary credentials for
// one directory bucket, ReadWrite or ReadOnly, for five minutes. They are
// sealed session tokens (iam.Session with ExpressBucket set), verified on
// every request like STS tokens, but they travel as x-amz-s3session-token
// and are good for their bucket alone. As in S3, a request signed with
// them is authorized by the session: s3express:CreateSession was checked
// when it was created, and ReadOnly sessions may only read.

// DefaultExpressSessionDuration is how long CreateSession's credentials last.
const DefaultExpressSessionDuration = 5 * time.Minute

const (
	sessionReadWrite = "ReadWrite"
	sessionReadOnly  = "ReadOnly"
)

func (a *API) expressSessionDuration() time.Duration {
	if a.cfg.ExpressSessionDuration > 0 {
		return a.cfg.ExpressSessionDuration
	}
	return DefaultExpressSessionDuration
}

// createSession answers CreateSession.
func (a *API) createSession(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if b.Config.Directory == nil {
		return nil, s3err.Newf(s3err.NotImplemented, "CreateSession is only for directory buckets.")
	}
	p := req.principal
	if p.Anonymous {
		return nil, s3err.New(s3err.AccessDenied)
	}
	mode := req.Header.Get("x-amz-create-session-mode")
	switch mode {
	case "":
		mode = sessionReadWrite
	case sessionReadWrite, sessionReadOnly:
	default:
		return nil, s3err.Newf(s3err.InvalidArgument, "Invalid session mode.").With("ArgumentName", "x-amz-create-session-mode").With("ArgumentValue", mode)
	}
	enc := a.bucketDefaultEncryption(&b)
	if err := checkSessionEncryption(req.Header, enc.Algorithm, enc.KMSKeyID); err != nil {
		return nil, err
	}
	now := a.cfg.Now().UTC().Truncate(time.Second)
	expires := now.Add(a.expressSessionDuration())
	var s iam.Session
	if p.Session != nil {
		// Temporary credentials make a session that lasts no longer than
		// they do and acts as they do.
		s = *p.Session
		if s.Expires.Before(expires) {
			expires = s.Expires
		}
	} else {
		s = iam.Session{Account: p.AccountID(), Root: p.Root, User: p.User, UserID: p.UserID}
	}
	s.Issued, s.Expires = now, expires
	s.ExpressBucket, s.ExpressReadOnly = b.Name, mode == sessionReadOnly
	token, err := a.cfg.Identities.NewSessionCredentials(&s)
	if err != nil {
		return nil, err
	}
	resp := xmlResponse(http.StatusOK, s3xml.CreateSessionResult{NS: s3xml.NS, Credentials: s3xml.SessionCredentials{
		AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: token, Expiration: s3xml.Time(expires)}})
	if enc.Algorithm != "" {
		resp.header.Set("x-amz-server-side-encryption", enc.Algorithm)
		if enc.Algorithm != "AES256" {
			resp.header.Set("x-amz-server-side-encryption-aws-kms-key-id", enc.KMSKeyID)
			if enc.BucketKey {
				resp.header.Set("x-amz-server-side-encryption-bucket-key-enabled", "true")
			}
		}
	}
	return resp, nil
}

// checkSessionEncryption: S3 writes a directory bucket's objects with the
// bucket's default encryption, so a CreateSession asking for other
// settings is refused rather than half honoured.
func checkSessionEncryption(h http.Header, alg, keyID string) error {
	want := h.Get("x-amz-server-side-encryption")
	if want != "" && want != alg {
		return s3err.Newf(s3err.InvalidArgument, "The encryption of a session must be the bucket's default encryption (%s).", alg).
			With("ArgumentName", "x-amz-server-side-encryption").With("ArgumentValue", want)
	}
	if k := h.Get("x-amz-server-side-encryption-aws-kms-key-id"); k != "" && k != keyID {
		return s3err.Newf(s3err.InvalidArgument, "The KMS key of a session must be the bucket's default encryption key.").
			With("ArgumentName", "x-amz-server-side-encryption-aws-kms-key-id")
	}
	if h.Get("x-amz-server-side-encryption-context") != "" {
		return notImplementedHeader("x-amz-server-side-encryption-context")
	}
	return nil
}

// expressSession returns the S3 Express session of the request's
// credentials, nil for any other.
func expressSession(req *request) *iam.Session {
	if s := req.principal.Session; s != nil && s.ExpressBucket != "" {
		return s
	}
	return nil
}

// checkSession keeps each kind of credentials to its place: an S3 Express
// session token only as x-amz-s3session-token, only on its bucket, only
// reading when ReadOnly, never to make another session; other session
// tokens never as x-amz-s3session-token; and the s3express signing name
// only for directory buckets.
func (a *API) checkSession(req *request, op operation) error {
	s := expressSession(req)
	switch {
	case s == nil && req.expressToken:
		return s3err.Newf(s3err.InvalidToken, "The x-amz-s3session-token is not an S3 Express session token.")
	case s != nil && !req.expressToken:
		return s3err.Newf(s3err.InvalidToken, "S3 Express session credentials must come with x-amz-s3session-token.")
	case s == nil:
		if req.auth != nil && req.auth.Service == "s3express" && op.name != "ListDirectoryBuckets" && !s3.IsDirectoryBucketName(req.bucket) {
			return s3err.Newf(s3err.AuthorizationHeaderMalformed, "The authorization header is malformed; incorrect service \"s3express\". This endpoint belongs to \"s3\".")
		}
		return nil
	case req.bucket != s.ExpressBucket:
		return s3err.Newf(s3err.AccessDenied, "The session is for another bucket.")
	case op.name == "CreateSession":
		return s3err.Newf(s3err.AccessDenied, "A session cannot create another session.")
	case s.ExpressReadOnly && req.Method != http.MethodGet && req.Method != http.MethodHead:
		return s3err.Newf(s3err.AccessDenied, "The session is ReadOnly.")
	}
	return nil
}

// sessionAllows: a request made with an S3 Express session is authorized
// by the session on its own bucket (checkSession has held it to it).
func sessionAllows(req *request, bucket string) bool {
	s := expressSession(req)
	return s != nil && req.expressToken && bucket == s.ExpressBucket
}
