package iam

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"talus/internal/policy"
)

// Errors of temporary credentials.
var (
	// ErrExpiredToken: the session token is genuine but past its expiry.
	ErrExpiredToken = errors.New("iam: session token expired")
	// ErrInvalidToken: the token does not open under this data key for
	// the access key it came with.
	ErrInvalidToken = errors.New("iam: session token invalid")
	// ErrUnknownKey: no active access key of that ID.
	ErrUnknownKey = errors.New("iam: unknown access key")
)

// Session is what temporary credentials stand for. It travels inside the
// session token itself, sealed (AES-GCM under the data directory key, the
// access key ID bound in), so every gateway sharing the data directory can
// verify it without a store lookup and nothing needs cleaning up.
type Session struct {
	AccessKey string    `json:"k"`
	Secret    string    `json:"s"`
	Issued    time.Time `json:"i"`
	Expires   time.Time `json:"e"`
	// Account is the account the session acts in: the caller's for
	// GetSessionToken, the role's for AssumeRole*.
	Account string `json:"a,omitempty"`

	// GetSessionToken: the long-term caller the session runs as.
	Root   bool   `json:"r,omitempty"`
	User   string `json:"u,omitempty"`
	UserID string `json:"ui,omitempty"`

	// AssumeRole*: the role and the session's name.
	Role     string `json:"ro,omitempty"`
	RoleID   string `json:"rid,omitempty"`
	RolePath string `json:"rp,omitempty"`
	Name     string `json:"n,omitempty"`
	// Session policies narrow the role's permissions.
	Policy         string            `json:"p,omitempty"`
	PolicyARNs     []string          `json:"pa,omitempty"`
	Tags           map[string]string `json:"t,omitempty"`
	Transitive     []string          `json:"tt,omitempty"` // tag keys chained sessions inherit
	SourceIdentity string            `json:"si,omitempty"`
	// Web identity sessions: the OIDC provider ARN and the token's subject.
	Provider string `json:"f,omitempty"`
	Subject  string `json:"sub,omitempty"`

	// S3 Express sessions (CreateSession): the directory bucket they are
	// for and whether they only read. Such a session's token travels as
	// x-amz-s3session-token and is good for that bucket alone.
	ExpressBucket   string `json:"xb,omitempty"`
	ExpressReadOnly bool   `json:"xro,omitempty"`
}

// ARN returns the assumed-role ARN of a role session.
func (s *Session) ARN() string {
	return "arn:aws:sts::" + s.AccountID() + ":assumed-role/" + s.Role + "/" + s.Name
}

// AccountID is the session's account (the administrator's for a token
// minted before sessions named one).
func (s *Session) AccountID() string {
	if s.Account == "" {
		return AccountID
	}
	return s.Account
}

// RoleARN returns the ARN of the session's role.
func (s *Session) RoleARN() string { return RoleARN(s.AccountID(), s.RolePath, s.Role) }

// RoleARN returns a role's ARN: arn:aws:iam::ACCOUNT:role/PATH/NAME.
func RoleARN(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":role" + path + name
}

// RoleUserID returns aws:userid of a role session (ROLEID:SESSION).
func (s *Session) RoleUserID() string { return s.RoleID + ":" + s.Name }

func (s *Session) policyPrincipal(canonicalID string) policy.Principal {
	t := "AssumedRole"
	if s.Provider != "" {
		t = "WebIdentityUser"
	}
	return policy.Principal{ARN: s.ARN(), Account: s.AccountID(), CanonicalID: canonicalID, UserID: s.RoleUserID(), RoleARN: s.RoleARN(),
		Type: t, Tags: s.Tags, SourceIdentity: s.SourceIdentity}
}

// tokenAD binds a token to its access key and keeps it apart from sealed
// access key secrets (same key, other associated data).
func tokenAD(accessKey string) string { return "session token\x00" + accessKey }

// NewSessionCredentials fills s with a fresh ASIA key pair and returns the
// session token that carries it.
func (r *Resolver) NewSessionCredentials(s *Session) (token string, err error) {
	id, secret := NewAccessKey()
	s.AccessKey, s.Secret = "ASIA"+id[4:], secret
	plain, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(r.sealer.Seal(tokenAD(s.AccessKey), string(plain))), nil
}

// OpenSession returns the session of a token presented with accessKey,
// checking its expiry.
func (r *Resolver) OpenSession(accessKey, token string) (*Session, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, ErrInvalidToken
	}
	plain, err := r.sealer.Open(tokenAD(accessKey), raw)
	if err != nil {
		return nil, ErrInvalidToken
	}
	var s Session
	if err := json.Unmarshal([]byte(plain), &s); err != nil || s.AccessKey != accessKey {
		return nil, ErrInvalidToken
	}
	if !r.clock().Before(s.Expires) {
		return nil, ErrExpiredToken
	}
	return &s, nil
}

func (r *Resolver) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// SetClock replaces the clock that session expiry is checked against.
func (r *Resolver) SetClock(now func() time.Time) { r.now = now }

// LookupToken resolves an access key presented with a session token (""
// for long-term keys): the principal and the signing secret.
func (r *Resolver) LookupToken(ctx context.Context, accessKey, token string) (Principal, string, error) {
	if token == "" {
		p, secret, ok := r.Lookup(ctx, accessKey)
		if !ok {
			return Principal{}, "", ErrUnknownKey
		}
		return p, secret, nil
	}
	if !strings.HasPrefix(accessKey, "ASIA") {
		return Principal{}, "", ErrInvalidToken
	}
	s, err := r.OpenSession(accessKey, token)
	if err != nil {
		return Principal{}, "", err
	}
	// The session acts in its account (a role's, for a role session):
	// its Account and CanonicalID are that account's.
	// (The administrator's account always exists, as for its root key.)
	a, err := r.Account(ctx, s.AccountID())
	if err != nil && s.AccountID() != AccountID {
		return Principal{}, "", ErrInvalidToken
	}
	a.ID = s.AccountID()
	p := Principal{AccessKey: accessKey, Session: s, Root: s.Root, User: s.User, UserID: s.UserID, Account: a.ID, CanonicalID: a.CanonicalID}
	return p, s.Secret, nil
}
