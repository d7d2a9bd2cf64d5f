package s3api

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

const maxConfigBody = 64 << 10

// bucket loads the request's bucket, checking its name first.
func (a *API) bucket(ctx context.Context, req *request) (meta.Bucket, error) {
	if err := s3.CheckAnyBucketName(req.bucket); err != nil {
		// S3 answers a lookup of an impossible name as a missing bucket.
		return meta.Bucket{}, s3err.New(s3err.NoSuchBucket).With("BucketName", req.bucket)
	}
	if req.loaded != nil && req.loaded.Name == req.bucket {
		return *req.loaded, nil // read once per request
	}
	b, err := a.meta.GetBucket(ctx, req.bucket)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return b, s3err.New(s3err.NoSuchBucket).With("BucketName", req.bucket)
	}
	if err != nil {
		return b, err
	}
	// Kept for the rest of the request: the handler, response headers
	// (CORS, lifecycle, encryption) and authorization all read it.
	req.loaded, req.versioning = &b, b.Versioning
	return b, nil
}

// setVersionID sets x-amz-version-id as S3 does: always for a real version
// ID, and "null" only in buckets that have had versioning configured.
func setVersionID(h http.Header, req *request, vid string) {
	if vid != "" && (vid != meta.NullVersion || req.versioning != meta.Unversioned) {
		h.Set("x-amz-version-id", vid)
	}
}

func (a *API) listBuckets(ctx context.Context, req *request) (*response, error) {
	max := 10000
	if v := req.query.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, s3err.Newf(s3err.InvalidArgument, "Argument max-buckets must be an integer between 1 and 10000.")
		}
		max = n
	}
	after := ""
	token := req.query.Get("continuation-token")
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return nil, s3err.Newf(s3err.InvalidArgument, "The continuation token provided is incorrect")
		}
		after = string(b)
	}
	prefix := req.query.Get("prefix")
	// The caller's own buckets only, as S3 lists them.
	owner := req.principal.CanonicalID
	buckets, err := a.listBucketsIn(ctx, owner, req.query.Get("bucket-region"), prefix, after, max+1)
	if err != nil {
		return nil, err
	}
	res := s3xml.ListAllMyBucketsResult{NS: s3xml.NS, Owner: a.ownerXML(ctx, owner), Prefix: prefix}
	res.Buckets = []s3xml.BucketInfo{}
	if len(buckets) > max {
		buckets = buckets[:max]
		res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(buckets[max-1].Name))
	}
	for _, b := range buckets {
		res.Buckets = append(res.Buckets, s3xml.BucketInfo{Name: b.Name, CreationDate: s3xml.Time(b.Created), BucketRegion: b.Region})
	}
	return xmlResponse(http.StatusOK, res), nil
}

func (a *API) createBucket(ctx context.Context, req *request) (*response, error) {
	if err := s3.CheckAnyBucketName(req.bucket); err != nil {
		return nil, s3err.New(s3err.InvalidBucketName).With("BucketName", req.bucket).WithCause(err)
	}
	directory := s3.IsDirectoryBucketName(req.bucket)
	if directory {
		if err := refuseDirectoryCreateHeaders(req); err != nil {
			return nil, err
		}
	}
	ownership := req.Header.Get("x-amz-object-ownership")
	if ownership == "" {
		ownership = a.cfg.DefaultObjectOwnership
	} else if !validOwnership(ownership) {
		return nil, s3err.Newf(s3err.InvalidArgument, "Invalid x-amz-object-ownership header").With("ArgumentName", "x-amz-object-ownership")
	}
	// The bucket belongs to the caller's account (its root or a user of it).
	owner := req.principal.CanonicalID
	grants, aclSet, err := a.headerACL(ctx, req.Header, owner, owner, true)
	if err != nil {
		return nil, err
	}
	if aclSet && ownership == s3.OwnerEnforced {
		if !s3.EnforcedACLAccepted(req.Header.Get("x-amz-acl"), grants, owner, true) {
			return nil, s3err.New(s3err.InvalidBucketAclWithOwnership)
		}
		grants = nil
	}
	lock := strings.EqualFold(req.Header.Get("x-amz-bucket-object-lock-enabled"), "true")
	body, err := a.readSmallBody(req, maxConfigBody)
	if err != nil {
		return nil, err
	}
	var cfg s3xml.CreateBucketConfiguration
	if len(body) > 0 {
		if err := s3xml.Decode(bytesReader(body), maxConfigBody, "CreateBucketConfiguration", &cfg); err != nil {
			return nil, s3err.New(s3err.MalformedXML)
		}
		switch lc := cfg.LocationConstraint; {
		case lc == "":
		case lc == "us-east-1" && a.cfg.Region == "us-east-1":
			// S3 wants us-east-1 expressed by omitting the constraint.
			return nil, s3err.New(s3err.InvalidLocationConstraint).With("LocationConstraint", lc)
		case lc != a.cfg.Region:
			return nil, s3err.Newf(s3err.IllegalLocationConstraint,
				"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", lc)
		}
	}
	nb := meta.Bucket{Name: req.bucket, Created: a.cfg.Now().UTC(), Region: a.cfg.Region, Owner: owner,
		Config: meta.BucketConfig{Ownership: ownership, ACL: toMetaGrants(grants)}}
	switch {
	case directory:
		if nb.Config.Directory, err = directoryBucket(req.bucket, cfg); err != nil {
			return nil, err
		}
		nb.Config.Ownership, nb.Config.ACL = s3.OwnerEnforced, nil
	case cfg.Location != nil || cfg.Bucket != nil:
		// Location and Bucket make a directory bucket, whose name needs its suffix.
		return nil, s3err.Newf(s3err.InvalidBucketName, "A directory bucket's name must end with --zone-id--x-s3.").With("BucketName", req.bucket)
	}
	if lock {
		// Object lock needs versioning, so S3 turns it on with the lock.
		nb.ObjectLock, nb.Versioning = true, meta.Enabled
	}
	err = a.meta.CreateBucket(ctx, nb)
	if errors.Is(err, meta.ErrBucketExists) {
		b, gerr := a.meta.GetBucket(ctx, req.bucket)
		if gerr != nil || b.Owner != owner {
			return nil, s3err.New(s3err.BucketAlreadyExists).With("BucketName", req.bucket)
		}
		err = a.recreateOwnBucket(ctx, req, nb.Config.ACL)
	}
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusOK)
	resp.header.Set("Location", "/"+req.bucket)
	return resp, nil
}

// recreateOwnBucket answers a CreateBucket of a bucket the caller already
// owns. Everywhere but us-east-1 that is BucketAlreadyOwnedByYou; in
// us-east-1 S3 keeps its legacy answer, 200 OK, and resets the bucket's
// ACL to the one the request gives (private when it gives none). Nothing
// else about the bucket changes.
func (a *API) recreateOwnBucket(ctx context.Context, req *request, acl []meta.Grant) error {
	if a.cfg.Region != "us-east-1" {
		return s3err.New(s3err.BucketAlreadyOwnedByYou).With("BucketName", req.bucket)
	}
	return a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		if aclsDisabled(*b) {
			return nil // the ACL is always the owner's alone
		}
		if s3.IsPublicACL(toS3Grants(acl)) && b.Config.PublicAccessBlock.BlockPublicAcls {
			return s3err.New(s3err.AccessDenied)
		}
		b.Config.ACL = acl
		return nil
	})
}

func (a *API) headBucket(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusOK)
	resp.header.Set("x-amz-bucket-region", b.Region)
	resp.header.Set("x-amz-access-point-alias", "false")
	return resp, nil
}

func (a *API) deleteBucket(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := a.meta.DeleteBucket(ctx, req.bucket); err != nil {
		if errors.Is(err, meta.ErrBucketNotEmpty) {
			return nil, s3err.New(s3err.BucketNotEmpty).With("BucketName", req.bucket)
		}
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (a *API) getBucketLocation(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	lc := b.Region
	if lc == "us-east-1" {
		lc = "" // S3 reports us-east-1 as an empty constraint
	}
	return xmlResponse(http.StatusOK, s3xml.LocationConstraint{NS: s3xml.NS, Value: lc}), nil
}

// readXML reads a small configuration document whose root element is
// root into v; anything that is not that document is MalformedXML.
func (a *API) readXML(req *request, root string, v any) error {
	body, err := a.readSmallBody(req, maxConfigBody)
	if err != nil {
		return err
	}
	if err := s3xml.Decode(bytesReader(body), maxConfigBody, root, v); err != nil {
		return s3err.New(s3err.MalformedXML)
	}
	return nil
}

// readSmallBody reads a whole request body of at most limit bytes through
// signature verification and any Content-MD5 or checksum the client sent.
func (a *API) readSmallBody(req *request, limit int64) ([]byte, error) {
	return a.readBody(req, limit, true)
}

func (a *API) readBody(req *request, limit int64, headerSums bool) ([]byte, error) {
	p, err := a.openPayloadWith(req, headerSums)
	if err != nil {
		return nil, err
	}
	if p.size > limit {
		return nil, s3err.Newf(s3err.InvalidRequest, "The request body is too large.")
	}
	body, err := io.ReadAll(io.LimitReader(p, limit+1))
	if err != nil {
		return nil, bodyError(err)
	}
	if int64(len(body)) > limit {
		return nil, s3err.Newf(s3err.InvalidRequest, "The request body is too large.")
	}
	if err := p.verify(); err != nil {
		return nil, bodyError(err)
	}
	return body, nil
}

// clearBucketConfig answers the Delete operations of bucket
// configurations: 204 once clear has removed it, also when there was none.
func (a *API) clearBucketConfig(ctx context.Context, req *request, clear func(*meta.BucketConfig)) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { clear(&b.Config); return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}
