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

const maxACLBody = 64 << 10

func toMetaGrants(gs []s3.Grant) []meta.Grant {
	out := make([]meta.Grant, len(gs))
	for i, g := range gs {
		out[i] = meta.Grant{ID: g.ID, URI: g.URI, Email: g.Email, Permission: g.Permission}
	}
	return out
}

func toS3Grants(gs []meta.Grant) []s3.Grant {
	out := make([]s3.Grant, len(gs))
	for i, g := range gs {
		out[i] = s3.Grant{ID: g.ID, URI: g.URI, Email: g.Email, Permission: g.Permission}
	}
	return out
}

// aclsDisabled reports whether the bucket's ownership setting disables ACLs.
func aclsDisabled(b meta.Bucket) bool { return b.Config.Ownership == s3.OwnerEnforced }

// headerACL reads x-amz-acl or x-amz-grant-* of a write to a resource
// owned by owner in a bucket owned by bucketOwner. It returns nil when the
// request sets no ACL (the owner keeps full control).
func (a *API) headerACL(ctx context.Context, h http.Header, owner, bucketOwner string, bucketLevel bool) ([]s3.Grant, bool, error) {
	canned := h.Get("x-amz-acl")
	grants, hasGrants, err := s3.GrantHeaders(h.Get, owner)
	if err != nil {
		return nil, true, s3err.Newf(s3err.InvalidArgument, "Invalid grant header").With("ArgumentName", "x-amz-grant")
	}
	switch {
	case canned != "" && hasGrants:
		return nil, true, s3err.Newf(s3err.InvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed")
	case canned != "":
		g, err := s3.CannedACL(canned, owner, bucketOwner, bucketLevel)
		if err != nil {
			return nil, true, s3err.Newf(s3err.InvalidArgument, "Invalid canned ACL").With("ArgumentName", "x-amz-acl").With("ArgumentValue", canned)
		}
		return g, true, nil
	case hasGrants:
		grants, err := a.resolveEmails(ctx, grants)
		if err != nil {
			return nil, true, err
		}
		return append([]s3.Grant{{ID: owner, Permission: s3.PermFullControl}}, grants...), true, nil
	}
	return nil, false, nil
}

// objectACL applies a write's ACL headers under the bucket's ownership and
// public access block settings, and returns the new object's owner (see
// newObjectOwner).
func (a *API) objectACL(ctx context.Context, p iam.Principal, h http.Header, b meta.Bucket, attrs *meta.Attrs) (string, error) {
	owner := newObjectOwner(p, h, b)
	grants, set, err := a.headerACL(ctx, h, owner, b.Owner, false)
	if err != nil || !set {
		return owner, err
	}
	if aclsDisabled(b) {
		if !s3.EnforcedACLAccepted(h.Get("x-amz-acl"), grants, b.Owner, false) {
			return owner, s3err.New(s3err.AccessControlListNotSupported)
		}
		return owner, nil
	}
	if s3.IsPublicACL(grants) && b.Config.PublicAccessBlock.BlockPublicAcls {
		return owner, s3err.New(s3err.AccessDenied)
	}
	attrs.ACL = toMetaGrants(grants)
	return owner, nil
}

// aclDoc is the AccessControlPolicy of a resource owned by owner; no
// grants stand for the owner's full control.
func (a *API) aclDoc(ctx context.Context, owner string, grants []meta.Grant) s3xml.AccessControlPolicy {
	doc := s3xml.AccessControlPolicy{NS: s3xml.NS, Owner: a.ownerXML(ctx, owner)}
	if len(grants) == 0 {
		grants = []meta.Grant{{ID: owner, Permission: s3.PermFullControl}}
	}
	for _, g := range grants {
		ge := s3xml.Grantee{XSI: s3xml.XSI}
		switch {
		case g.URI != "":
			ge.Type, ge.URI = "Group", g.URI
		case g.Email != "":
			ge.Type, ge.EmailAddress = "AmazonCustomerByEmail", g.Email
		default:
			ge.Type, ge.ID = "CanonicalUser", g.ID
			if acct, err := a.cfg.Identities.AccountByCanonicalID(ctx, g.ID); err == nil {
				ge.DisplayName = acct.Name
			}
		}
		doc.Grants = append(doc.Grants, s3xml.GrantXML{Grantee: ge, Permission: g.Permission})
	}
	return doc
}

// requestACL reads an AccessControlPolicy body, or the headers when there
// is no body, for a resource owned by owner in a bucket owned by bucketOwner.
func (a *API) requestACL(ctx context.Context, req *request, owner, bucketOwner string, bucketLevel bool) ([]s3.Grant, error) {
	grants, set, err := a.headerACL(ctx, req.Header, owner, bucketOwner, bucketLevel)
	if err != nil {
		return nil, err
	}
	body, err := a.readSmallBody(req, maxACLBody)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		if !set {
			return nil, s3err.New(s3err.MissingRequestBodyError)
		}
		return grants, nil
	}
	if set {
		return nil, s3err.Newf(s3err.UnexpectedContent, "This request does not support content")
	}
	var doc s3xml.AccessControlPolicy
	if err := s3xml.Decode(bytesReader(body), maxACLBody, "AccessControlPolicy", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedACLError)
	}
	for _, g := range doc.Grants {
		gr := s3.Grant{ID: g.Grantee.ID, URI: g.Grantee.URI, Email: g.Grantee.EmailAddress, Permission: g.Permission}
		switch g.Permission {
		case s3.PermFullControl, s3.PermRead, s3.PermWrite, s3.PermReadACP, s3.PermWriteACP:
		default:
			return nil, s3err.New(s3err.MalformedACLError)
		}
		if gr.ID == "" && gr.URI == "" && gr.Email == "" {
			return nil, s3err.New(s3err.MalformedACLError)
		}
		grants = append(grants, gr)
	}
	return a.resolveEmails(ctx, grants)
}

func (a *API) getBucketACL(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if aclsDisabled(b) {
		// S3 shows the bucket owner's full control whatever is stored.
		return xmlResponse(http.StatusOK, a.aclDoc(ctx, b.Owner, nil)), nil
	}
	return xmlResponse(http.StatusOK, a.aclDoc(ctx, b.Owner, b.Config.ACL)), nil
}

func (a *API) putBucketACL(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	grants, err := a.requestACL(ctx, req, b.Owner, b.Owner, true)
	if err != nil {
		return nil, err
	}
	if aclsDisabled(b) {
		if !s3.EnforcedACLAccepted(req.Header.Get("x-amz-acl"), grants, b.Owner, true) {
			return nil, s3err.New(s3err.AccessControlListNotSupported)
		}
		grants = nil // ACLs are disabled: the owner's full control, as stored by default
	}
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		if s3.IsPublicACL(grants) && b.Config.PublicAccessBlock.BlockPublicAcls {
			return s3err.New(s3err.AccessDenied)
		}
		b.Config.ACL = toMetaGrants(grants)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) getObjectACL(ctx context.Context, req *request) (*response, error) {
	o, err := a.lookupVersion(ctx, req)
	if err != nil {
		return nil, err
	}
	grants, owner := o.Attrs.ACL, o.Owner
	if b, err := a.bucket(ctx, req); err == nil && aclsDisabled(b) {
		// the bucket owner's full control, whatever is stored
		grants, owner = nil, b.Owner
	}
	resp := xmlResponse(http.StatusOK, a.aclDoc(ctx, owner, grants))
	setVersionID(resp.header, req, o.VersionID)
	return resp, nil
}

func (a *API) putObjectACL(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	cur, err := a.lookupVersion(ctx, req)
	if err != nil {
		return nil, err
	}
	owner := cur.Owner
	if aclsDisabled(b) {
		owner = b.Owner
	}
	grants, err := a.requestACL(ctx, req, owner, b.Owner, false)
	if err != nil {
		return nil, err
	}
	if aclsDisabled(b) {
		if !s3.EnforcedACLAccepted(req.Header.Get("x-amz-acl"), grants, b.Owner, false) {
			return nil, s3err.New(s3err.AccessControlListNotSupported)
		}
		grants = nil // ACLs are disabled: the owner's full control, as stored by default
	}
	if s3.IsPublicACL(grants) && b.Config.PublicAccessBlock.BlockPublicAcls {
		return nil, s3err.New(s3err.AccessDenied)
	}
	o, err := a.updateVersion(ctx, req, func(o *meta.Object) error {
		o.Attrs.ACL = toMetaGrants(grants)
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusOK)
	setVersionID(resp.header, req, o.VersionID)
	return resp, nil
}

func (a *API) getBucketOwnershipControls(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if b.Config.Ownership == "" {
		return nil, s3err.New(s3err.OwnershipControlsNotFound).With("BucketName", req.bucket)
	}
	return xmlResponse(http.StatusOK, s3xml.OwnershipControls{NS: s3xml.NS, Rules: []s3xml.OwnershipControlsRule{{ObjectOwnership: b.Config.Ownership}}}), nil
}

func validOwnership(v string) bool { return s3.ValidObjectOwnership(v) }

func (a *API) putBucketOwnershipControls(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	var doc s3xml.OwnershipControls
	if err := a.readXML(req, "OwnershipControls", &doc); err != nil {
		return nil, err
	}
	if len(doc.Rules) != 1 || !validOwnership(doc.Rules[0].ObjectOwnership) {
		return nil, s3err.New(s3err.MalformedXML)
	}
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		b.Config.Ownership = doc.Rules[0].ObjectOwnership
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) deleteBucketOwnershipControls(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.Ownership = ""; return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (a *API) getPublicAccessBlock(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	p := b.Config.PublicAccessBlock
	if !p.Set {
		return nil, s3err.New(s3err.NoSuchPublicAccessBlock).With("BucketName", req.bucket)
	}
	return xmlResponse(http.StatusOK, s3xml.PublicAccessBlockConfiguration{NS: s3xml.NS, BlockPublicAcls: p.BlockPublicAcls,
		IgnorePublicAcls: p.IgnorePublicAcls, BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}), nil
}

func (a *API) putPublicAccessBlock(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	var doc s3xml.PublicAccessBlockConfiguration
	if err := a.readXML(req, "PublicAccessBlockConfiguration", &doc); err != nil {
		return nil, err
	}
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		b.Config.PublicAccessBlock = meta.PublicAccessBlock{BlockPublicAcls: doc.BlockPublicAcls, IgnorePublicAcls: doc.IgnorePublicAcls,
			BlockPublicPolicy: doc.BlockPublicPolicy, RestrictPublicBuckets: doc.RestrictPublicBuckets, Set: true}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) deletePublicAccessBlock(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		b.Config.PublicAccessBlock = meta.PublicAccessBlock{}
		return nil
	}); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}
