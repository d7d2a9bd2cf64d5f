package s3

import (
	"errors"
	"strings"
)

// ACL permissions.
const (
	PermFullControl = "FULL_CONTROL"
	PermRead        = "READ"
	PermWrite       = "WRITE"
	PermReadACP     = "READ_ACP"
	PermWriteACP    = "WRITE_ACP"
)

// Predefined groups.
const (
	AllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// Object ownership settings.
const (
	OwnerEnforced  = "BucketOwnerEnforced"
	OwnerPreferred = "BucketOwnerPreferred"
	ObjectWriter   = "ObjectWriter"
)

// ValidObjectOwnership reports whether v is one of the object ownership settings.
func ValidObjectOwnership(v string) bool {
	return v == OwnerEnforced || v == OwnerPreferred || v == ObjectWriter
}

// Grant is one ACL entry (mirrors meta.Grant without importing it).
type Grant struct {
	ID, URI, Email, Permission string
}

// ErrInvalidACL is returned for unknown canned ACLs and malformed grant headers.
var ErrInvalidACL = errors.New("s3: invalid ACL")

// CannedACL expands a canned ACL for a resource owned by owner in a
// bucket owned by bucketOwner (the same for a bucket's own ACL).
func CannedACL(name, owner, bucketOwner string, bucket bool) ([]Grant, error) {
	own := Grant{ID: owner, Permission: PermFullControl}
	switch name {
	case "private":
		return []Grant{own}, nil
	case "bucket-owner-full-control", "bucket-owner-read":
		if bucket || bucketOwner == owner || bucketOwner == "" {
			return []Grant{own}, nil
		}
		perm := PermFullControl
		if name == "bucket-owner-read" {
			perm = PermRead
		}
		return []Grant{own, {ID: bucketOwner, Permission: perm}}, nil
	case "public-read":
		return []Grant{own, {URI: AllUsers, Permission: PermRead}}, nil
	case "public-read-write":
		return []Grant{own, {URI: AllUsers, Permission: PermRead}, {URI: AllUsers, Permission: PermWrite}}, nil
	case "authenticated-read":
		return []Grant{own, {URI: AuthenticatedUsers, Permission: PermRead}}, nil
	case "aws-exec-read":
		return []Grant{own}, nil
	case "log-delivery-write":
		if !bucket {
			return nil, ErrInvalidACL
		}
		return []Grant{own, {URI: LogDelivery, Permission: PermWrite}, {URI: LogDelivery, Permission: PermReadACP}}, nil
	}
	return nil, ErrInvalidACL
}

// grantHeaders maps x-amz-grant-* headers to permissions.
var grantHeaders = [][2]string{
	{"x-amz-grant-full-control", PermFullControl},
	{"x-amz-grant-read", PermRead},
	{"x-amz-grant-write", PermWrite},
	{"x-amz-grant-read-acp", PermReadACP},
	{"x-amz-grant-write-acp", PermWriteACP},
}

// GrantHeaders parses the x-amz-grant-* headers (get returns a header's
// value) into grants; the owner keeps FULL_CONTROL. ok is false when no
// grant header is present.
func GrantHeaders(get func(string) string, owner string) (grants []Grant, ok bool, err error) {
	for _, gh := range grantHeaders {
		v := get(gh[0])
		if v == "" {
			continue
		}
		ok = true
		for _, item := range strings.Split(v, ",") {
			k, val, found := strings.Cut(strings.TrimSpace(item), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if !found || val == "" {
				return nil, true, ErrInvalidACL
			}
			g := Grant{Permission: gh[1]}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "id":
				g.ID = val
			case "uri":
				g.URI = val
			case "emailaddress":
				g.Email = val
			default:
				return nil, true, ErrInvalidACL
			}
			grants = append(grants, g)
		}
	}
	return grants, ok, nil
}

// IsPublicACL reports whether grants give anything to AllUsers or
// AuthenticatedUsers (what public access block treats as public).
func IsPublicACL(grants []Grant) bool {
	for _, g := range grants {
		if g.URI == AllUsers || g.URI == AuthenticatedUsers {
			return true
		}
	}
	return false
}

// Grantee is who asks, as ACLs see it.
type Grantee struct {
	Anonymous bool
	ID        string // canonical ID of an authenticated caller
}

// ACLAllows reports whether grants give perm to g. FULL_CONTROL implies
// every permission. ignorePublic drops grants to the public groups.
func ACLAllows(grants []Grant, g Grantee, perm string, ignorePublic bool) bool {
	for _, gr := range grants {
		if gr.Permission != perm && gr.Permission != PermFullControl {
			continue
		}
		switch {
		case gr.URI == AllUsers:
			if !ignorePublic {
				return true
			}
		case gr.URI == AuthenticatedUsers:
			if !ignorePublic && !g.Anonymous {
				return true
			}
		case gr.ID != "" && !g.Anonymous && gr.ID == g.ID:
			return true
		}
	}
	return false
}

// ACLPermission is the ACL permission that grants an action, and whether
// the bucket's ACL (rather than the object's) decides it.
func ACLPermission(action string) (perm string, onBucket bool, ok bool) {
	switch action {
	case "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads":
		return PermRead, true, true
	case "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts":
		return PermWrite, true, true
	case "s3:GetBucketAcl":
		return PermReadACP, true, true
	case "s3:PutBucketAcl":
		return PermWriteACP, true, true
	case "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes":
		return PermRead, false, true
	case "s3:GetObjectAcl", "s3:GetObjectVersionAcl":
		return PermReadACP, false, true
	case "s3:PutObjectAcl", "s3:PutObjectVersionAcl":
		return PermWriteACP, false, true
	}
	return "", false, false
}

// OwnerFullControlOnly reports whether grants give FULL_CONTROL to owner
// and nothing to anyone else.
func OwnerFullControlOnly(grants []Grant, owner string) bool {
	for _, g := range grants {
		if g.ID != owner || g.URI != "" || g.Email != "" || g.Permission != PermFullControl {
			return false
		}
	}
	return len(grants) > 0
}

// EnforcedACLAccepted reports whether a request that sets an ACL (canned
// is its x-amz-acl, "" for none; grants what it expands to) is accepted by
// a bucket whose ownership is BucketOwnerEnforced, where ACLs are disabled.
// S3 accepts only the bucket owner's full control: on objects the
// bucket-owner-full-control canned ACL or grants equal to it (private, for
// one, is refused); on the bucket itself any ACL that expands to it.
// Everything else is AccessControlListNotSupported.
func EnforcedACLAccepted(canned string, grants []Grant, owner string, bucket bool) bool {
	if canned != "" && !bucket && canned != "bucket-owner-full-control" {
		return false
	}
	return OwnerFullControlOnly(grants, owner)
}
