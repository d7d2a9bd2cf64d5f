package s3api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"talus/internal/meta"
	"talus/internal/policy"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// authorizer keeps parsed bucket policies for allowed, which decides
// requests the way AWS does within and across accounts.
type authorizer struct {
	mu     sync.Mutex
	parsed map[string]*policy.Document // bucket policy text → parsed
}

func newAuthorizer() *authorizer {
	return &authorizer{parsed: map[string]*policy.Document{}}
}

// arn returns the S3 resource ARN of a bucket or object.
func arn(bucket, key string, objectLevel bool) string {
	switch {
	case bucket == "":
		return "arn:aws:s3:::*"
	case objectLevel:
		return "arn:aws:s3:::" + bucket + "/" + key
	}
	return "arn:aws:s3:::" + bucket
}

// authorize checks the request's operation before its handler runs.
func (a *API) authorize(ctx context.Context, req *request, op operation) error {
	if op.action == "" {
		return nil
	}
	return a.allowed(ctx, req, op.iamAction(req), arn(req.bucket, req.key, isObjectOp(req)), nil)
}

func isObjectOp(req *request) bool { return req.key != "" }

// allowed evaluates one action on one resource for the request's
// principal the way AWS evaluates it across accounts. The resource's
// owner is its bucket's, or, for the reads of an object that ACLs let
// another account own, that object's. An explicit Deny in the identity
// or the bucket policy wins. Within the owner's account, an allow of
// either suffices (the root is allowed everything); from another account
// both are needed: the caller's identity (its root, or an allow in the
// user's policies) and the resource's (the bucket policy or an ACL grant).
// A bucket policy grants nothing on objects another account owns.
// extra adds condition keys known only to the handler.
func (a *API) allowed(ctx context.Context, req *request, action, resource string, extra map[string][]string) error {
	p := req.principal
	bucketName, key := splitResource(resource)
	if sessionAllows(req, bucketName) {
		return nil
	}
	b := a.resourceBucket(ctx, req, action, bucketName)
	owner, foreign := p.CanonicalID, false
	if b != nil {
		owner = b.Owner
		if key != "" && !aclsDisabled(*b) && objectOwnerActions[action] {
			if o, err := a.meta.GetObject(ctx, b.Name, key, versionFor(req, b.Name, key)); err == nil && !o.DeleteMarker && o.Owner != "" && o.Owner != b.Owner {
				owner, foreign = o.Owner, true
			}
		}
	}
	same := !p.Anonymous && owner == p.CanonicalID
	// As in S3, the bucket owner's root keeps GetBucketPolicy,
	// PutBucketPolicy and DeleteBucketPolicy whatever the policy says, so
	// it can never lock itself out of its bucket.
	if p.Root && same && (b == nil || policyLockoutExempt[action]) {
		return nil
	}
	// The identity's policies: a user's (with its groups' and attached
	// ones) or a role session's role's, in the principal's account.
	eff, err := a.cfg.Identities.Policies(p.Scope(ctx), p)
	if err != nil {
		return err
	}
	docs := append([]*policy.Document(nil), eff.Identity...)
	identityDocs := len(docs)
	if b != nil && b.Config.Policy != "" {
		if d := a.authz.bucketPolicy(b.Name, b.Config.Policy); d != nil {
			// RestrictPublicBuckets: a public policy grants nothing to
			// callers outside the bucket owner's account.
			if !(b.Config.PublicAccessBlock.RestrictPublicBuckets && p.CanonicalID != b.Owner && bucketPolicyIsPublic(d)) {
				docs = append(docs, d)
			}
		}
	}
	identityAllow, resourceAllow := p.Root, false
	// With no policy to evaluate (the common case of an owner's own
	// bucket without a bucket policy) the condition keys are not built.
	if len(docs) > 0 || eff.Narrowed {
		pr := a.policyRequest(ctx, req, docs, action, resource, extra)
		if b != nil {
			acct := a.ownerAccount(ctx, b.Owner)
			pr.Context["s3:ResourceAccount"] = []string{acct}
			pr.Context["aws:ResourceAccount"] = []string{acct}
			addResourceTags(b, pr.Context)
		}
		if !eff.SessionAllows(&pr) {
			// A role session's permissions are the intersection of the
			// role's and its session policies.
			return s3err.New(s3err.AccessDenied)
		}
		for i, d := range docs {
			switch d.Evaluate(&pr) {
			case policy.Deny:
				return s3err.New(s3err.AccessDenied).WithCause(fmt.Errorf("explicit deny of %s on %s", action, resource))
			case policy.Allow:
				if i < identityDocs {
					identityAllow = true
				} else if !foreign {
					resourceAllow = true
				}
			}
		}
	}
	switch {
	case same && (identityAllow || resourceAllow):
		return nil
	case !same && !p.Anonymous && !identityAllow:
		return s3err.New(s3err.AccessDenied).WithCause(fmt.Errorf("%s on %s in another account needs an allow in the caller's own policies", action, resource))
	case !same && resourceAllow:
		return nil
	case b != nil:
		ok, answer := a.aclAllows(ctx, req, b, action, resource, same)
		if ok {
			req.aclRequired = true
			return nil
		}
		if answer != nil {
			return answer
		}
	}
	return s3err.New(s3err.AccessDenied).WithCause(fmt.Errorf("no policy or ACL allows %s on %s", action, resource))
}

// objectOwnerActions are the object actions decided in the context of the
// object's owner when that is not the bucket's (ACLs enabled): reading it,
// its ACL and its tags. Writes and deletes stay the bucket owner's.
var objectOwnerActions = map[string]bool{
	"s3:GetObject": true, "s3:GetObjectVersion": true, "s3:GetObjectAttributes": true, "s3:GetObjectVersionAttributes": true,
	"s3:GetObjectAcl": true, "s3:GetObjectVersionAcl": true, "s3:PutObjectAcl": true, "s3:PutObjectVersionAcl": true,
	"s3:GetObjectTagging": true, "s3:GetObjectVersionTagging": true, "s3:PutObjectTagging": true, "s3:PutObjectVersionTagging": true,
	"s3:DeleteObjectTagging": true, "s3:DeleteObjectVersionTagging": true,
}

// splitResource returns the bucket and key an S3 resource ARN names.
func splitResource(resource string) (bucket, key string) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(resource, "arn:aws:s3:::"), "/")
	if bucket == "*" {
		bucket = ""
	}
	return bucket, key
}

// resourceBucket returns the bucket an action is on: the request's
// (read once per request) or another one (a copy's source); nil when it
// does not exist.
func (a *API) resourceBucket(ctx context.Context, req *request, action, name string) *meta.Bucket {
	if name == "" {
		return nil
	}
	if action == "s3:CreateBucket" {
		return nil // the caller's own, to be: a name taken by anyone is BucketAlreadyExists
	}
	if name == req.bucket {
		return a.requestBucket(ctx, req)
	}
	b, err := a.meta.GetBucket(ctx, name)
	if err != nil {
		return nil
	}
	return &b
}

// versionFor is the version of bucket/key a request names: its versionId
// for its own key, else the latest.
func versionFor(req *request, bucket, key string) string {
	if bucket == req.bucket && key == req.key {
		return req.query.Get("versionId")
	}
	return ""
}

// policyLockoutExempt are the actions a bucket policy cannot deny the
// bucket owner's root.
var policyLockoutExempt = map[string]bool{
	"s3:GetBucketPolicy":    true,
	"s3:PutBucketPolicy":    true,
	"s3:DeleteBucketPolicy": true,
}

func (a *API) policyRequest(ctx context.Context, req *request, docs []*policy.Document, action, resource string, extra map[string][]string) policy.Request {
	pr := policy.Request{Principal: req.principal.PolicyPrincipal(), Action: action, Resource: resource, Context: a.conditionContext(ctx, req, docs)}
	for k, v := range extra {
		pr.Context[k] = v
	}
	return pr
}

// requestBucket returns the request's bucket, read once per request and
// kept for the handler; nil when it does not exist.
func (a *API) requestBucket(ctx context.Context, req *request) *meta.Bucket {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil
	}
	return req.loaded
}

// hideMissing applies S3's rule for reads of a key or version that is not
// there: the 404 is only for callers who may list the bucket
// (s3:ListBucket, by policy or ACL); anyone else gets 403 AccessDenied, so
// that keys cannot be probed. Other errors pass through.
func (a *API) hideMissing(ctx context.Context, req *request, err error) error {
	var e *s3err.Error
	if err == nil || !errors.As(err, &e) || (e.Code != s3err.NoSuchKey && e.Code != s3err.NoSuchVersion) {
		return err
	}
	if a.allowed(ctx, req, "s3:ListBucket", arn(req.bucket, "", false), nil) != nil {
		return s3err.New(s3err.AccessDenied)
	}
	return err
}

// aclAllows is the ACL part of authorization: with ACLs enabled (ownership
// not BucketOwnerEnforced), a grant on the bucket or the object allows
// what no policy allowed. IgnorePublicAcls drops grants to the public groups.
// A read of the request's own key that names nothing readable (no such
// key or version, or a delete marker) has no object grants to consult;
// for a caller the bucket ACL lets list the bucket it returns the 404 S3
// answers, as answer, and for anyone else nothing (so 403).
func (a *API) aclAllows(ctx context.Context, req *request, b *meta.Bucket, action, resource string, same bool) (ok bool, answer error) {
	if aclsDisabled(*b) {
		return false, nil
	}
	perm, onBucket, known := s3.ACLPermission(action)
	if !known {
		return false, nil
	}
	// A grant to an account's canonical ID is the account's: its root's,
	// and from another account its users' (whose own policies must allow
	// the action too, checked before). The owner account's IAM users need
	// a policy, as in S3: only the group grants reach them.
	p := req.principal
	g := s3.Grantee{Anonymous: p.Anonymous}
	if !p.Anonymous && (p.Root || !same) {
		g.ID = p.CanonicalID
	}
	ignore := b.Config.PublicAccessBlock.IgnorePublicAcls
	if onBucket {
		return s3.ACLAllows(withOwner(b.Config.ACL, b.Owner), g, perm, ignore), nil
	}
	key := strings.TrimPrefix(resource, "arn:aws:s3:::"+b.Name+"/")
	o, err := a.meta.GetObject(ctx, b.Name, key, versionFor(req, b.Name, key))
	if err == nil && !o.DeleteMarker {
		return s3.ACLAllows(withOwner(o.Attrs.ACL, o.Owner), g, perm, ignore), nil
	}
	missing := errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) || err == nil
	if !missing || perm != s3.PermRead || b.Name != req.bucket || key != req.key || !s3.ACLAllows(withOwner(b.Config.ACL, b.Owner), g, s3.PermRead, ignore) {
		return false, nil
	}
	if err == nil {
		return false, deleteMarkerError(req, o)
	}
	_, answer = a.lookupObject(ctx, req) // the 404 (or 400) a lookup gives
	return false, answer
}

// withOwner is an ACL as S3 reads it: none stored means the owner's full control.
func withOwner(acl []meta.Grant, owner string) []s3.Grant {
	if len(acl) == 0 {
		return []s3.Grant{{ID: owner, Permission: s3.PermFullControl}}
	}
	return toS3Grants(acl)
}

func (z *authorizer) bucketPolicy(bucket, text string) *policy.Document {
	z.mu.Lock()
	defer z.mu.Unlock()
	if d, ok := z.parsed[text]; ok {
		return d
	}
	d, err := policy.Parse([]byte(text), policy.BucketPolicy, bucket)
	if err != nil {
		return nil // validated when stored; a bad one grants nothing
	}
	if len(z.parsed) > 1000 {
		z.parsed = map[string]*policy.Document{}
	}
	z.parsed[text] = d
	return d
}

// conditionContext collects the condition keys of a request.
func (a *API) conditionContext(ctx context.Context, req *request, docs []*policy.Document) map[string][]string {
	now := a.cfg.Now().UTC()
	c := map[string][]string{
		"aws:SourceIp":        {remoteIP(req.Request)},
		"aws:SecureTransport": {strconv.FormatBool(req.TLS != nil)},
		"aws:CurrentTime":     {now.Format(time.RFC3339)},
		"aws:EpochTime":       {strconv.FormatInt(now.Unix(), 10)},
		"s3:signatureversion": {"AWS4-HMAC-SHA256"},
	}
	if req.sigV2 {
		c["s3:signatureversion"] = []string{"AWS"}
	}
	if v := headerValue(req.Header, "Referer"); v != "" {
		c["aws:Referer"] = []string{v}
	}
	if v := headerValue(req.Header, "User-Agent"); v != "" {
		c["aws:UserAgent"] = []string{v}
	}
	switch {
	case req.auth != nil && req.auth.Presigned:
		c["s3:authType"] = []string{"REST-QUERY-STRING"}
	case req.principal.Anonymous:
	default:
		c["s3:authType"] = []string{"REST-HEADER"}
	}
	if v := headerValue(req.Header, "x-amz-content-sha256"); v != "" {
		c["s3:x-amz-content-sha256"] = []string{v}
	}
	if req.key == "" {
		for _, k := range []string{"prefix", "delimiter", "max-keys"} {
			if v, ok := req.query[k]; ok {
				c["s3:"+k] = v[:1]
			}
		}
	}
	if v, ok := req.query["versionId"]; ok {
		c["s3:VersionId"] = v[:1]
	}
	for _, h := range []string{"x-amz-acl", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-full-control", "x-amz-storage-class", "x-amz-metadata-directive", "x-amz-copy-source"} {
		if v := headerValue(req.Header, h); v != "" {
			c["s3:"+h] = []string{v}
		}
	}
	a.sseConditionKeys(ctx, c, func(name string) string { return headerValue(req.Header, name) })
	if v := headerValue(req.Header, "x-amz-object-lock-mode"); v != "" {
		c["s3:object-lock-mode"] = []string{v}
	}
	if v := headerValue(req.Header, "x-amz-object-lock-retain-until-date"); v != "" {
		c["s3:object-lock-retain-until-date"] = []string{v}
		if until, err := parseLockDate(v); err == nil {
			days := int64(until.Sub(now).Hours() / 24)
			c["s3:object-lock-remaining-retention-days"] = []string{strconv.FormatInt(max(days, 0), 10)}
		}
	}
	if v := headerValue(req.Header, "x-amz-object-lock-legal-hold"); v != "" {
		c["s3:object-lock-legal-hold"] = []string{v}
	}
	if v := headerValue(req.Header, "x-amz-tagging"); v != "" {
		if tags, err := s3.ParseTaggingHeader(v); err == nil {
			addRequestTags(c, tags)
		}
	}
	// Existing object tags cost a lookup, so only when a policy asks.
	if req.key != "" && mentions(docs, "existingobjecttag") {
		if o, err := a.meta.GetObject(ctx, req.bucket, req.key, req.query.Get("versionId")); err == nil && !o.DeleteMarker {
			for k, v := range o.Attrs.Tags {
				c["s3:ExistingObjectTag/"+k] = []string{v}
			}
		}
	}
	return c
}

func addRequestTags(c map[string][]string, tags []s3.Tag) {
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		c["s3:RequestObjectTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	c["s3:RequestObjectTagKeys"] = keys
}

func mentions(docs []*policy.Document, word string) bool {
	for _, d := range docs {
		if strings.Contains(strings.ToLower(string(d.Raw)), word) {
			return true
		}
	}
	return false
}

// bucketPolicyIsPublic applies AWS's definition: a policy is public if it
// allows a wildcard principal without a condition that pins the caller
// (source IP ranges, accounts, ARNs, VPCs, user IDs).
func bucketPolicyIsPublic(d *policy.Document) bool {
	for _, st := range d.Statements {
		if st.Effect != "Allow" || st.Principal == nil {
			continue
		}
		wild := st.Principal.Wildcard
		for _, p := range st.Principal.AWS {
			wild = wild || p == "*"
		}
		if !wild || pinned(st.Condition) {
			continue
		}
		return true
	}
	return false
}

var pinningKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourceaccount": true, "aws:sourceowner": true, "aws:principalaccount": true, "aws:principalarn": true,
	"aws:principalorgid": true, "aws:userid": true, "aws:username": true, "s3:dataaccesspointaccount": true,
	"s3:dataaccesspointarn": true,
}

func pinned(cond map[string]map[string][]string) bool {
	for op, keys := range cond {
		lop := strings.ToLower(op)
		if strings.HasPrefix(lop, "not") || strings.Contains(lop, "notequals") || strings.Contains(lop, "notlike") || strings.HasSuffix(lop, "ifexists") {
			continue // negative or optional conditions do not pin the caller
		}
		for k, vals := range keys {
			if !pinningKeys[strings.ToLower(k)] {
				continue
			}
			open := false
			for _, v := range vals {
				if v == "*" || v == "0.0.0.0/0" || v == "::/0" {
					open = true
				}
			}
			if !open {
				return true
			}
		}
	}
	return false
}
