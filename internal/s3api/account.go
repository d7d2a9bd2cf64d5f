package s3api

import (
	"context"
	"net/http"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// ownerAccount returns the account ID of a canonical user ID (a bucket or
// object owner); "" when no account has it.
func (a *API) ownerAccount(ctx context.Context, canonicalID string) string {
	acct, err := a.cfg.Identities.AccountByCanonicalID(ctx, canonicalID)
	if err != nil {
		return ""
	}
	return acct.ID
}

// ownerXML is an Owner element: the canonical ID and its account's
// display name (the ID itself when no account has it).
func (a *API) ownerXML(ctx context.Context, canonicalID string) s3xml.Owner {
	name := canonicalID
	if acct, err := a.cfg.Identities.AccountByCanonicalID(ctx, canonicalID); err == nil {
		name = acct.Name
	}
	return s3xml.Owner{ID: canonicalID, DisplayName: name}
}

// newObjectOwner is who owns an object a request writes into b, as the
// bucket's object ownership decides: the bucket owner under
// BucketOwnerEnforced, and under BucketOwnerPreferred when the writer
// gives it bucket-owner-full-control; otherwise the writer's account.
// Anonymous writes belong to the bucket owner.
func newObjectOwner(p iam.Principal, h http.Header, b meta.Bucket) string {
	switch {
	case p.Anonymous || p.CanonicalID == "":
		return b.Owner
	case b.Config.Ownership == s3.OwnerEnforced:
		return b.Owner
	case b.Config.Ownership == s3.OwnerPreferred && h.Get("x-amz-acl") == "bucket-owner-full-control":
		return b.Owner
	}
	return p.CanonicalID
}

// resolveEmails turns grants to an email address into grants to that
// account's canonical ID, as S3 stores them; an address no account has
// is UnresolvableGrantByEmailAddress.
func (a *API) resolveEmails(ctx context.Context, grants []s3.Grant) ([]s3.Grant, error) {
	for i, g := range grants {
		if g.Email == "" {
			continue
		}
		acct, err := a.meta.GetAccountByEmail(ctx, g.Email)
		if err != nil {
			return nil, s3err.New(s3err.UnresolvableGrantByEmailAddress).With("EmailAddress", g.Email)
		}
		grants[i] = s3.Grant{ID: acct.CanonicalID, Permission: g.Permission}
	}
	return grants, nil
}

// checkExpectedOwner applies x-amz-expected-bucket-owner (and for copies
// x-amz-source-expected-bucket-owner): a bucket owned by another account
// than the one named is AccessDenied.
func (a *API) checkExpectedOwner(ctx context.Context, expected string, b *meta.Bucket) error {
	if expected == "" || b == nil {
		return nil
	}
	if a.ownerAccount(ctx, b.Owner) != expected {
		return s3err.New(s3err.AccessDenied)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
