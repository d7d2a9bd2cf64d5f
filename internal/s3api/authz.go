package s3api

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/policy"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// authorizer decides requests the way AWS does for one account: the
// principal's identity policies and the bucket policy are evaluated
// together; an explicit Deny wins, then any Allow, else the request is
// denied. The root principal is allowed everything the bucket policy does
// not explicitly deny it (rootAllowed).
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

// allowed evaluates one action on one resource for the request's principal.
// extra adds condition keys known only to the handler.
func (a *API) allowed(ctx context.Context, req *request, action, resource string, extra map[string][]string) error {
	if req.principal.Root {
		return a.rootAllowed(ctx, req, action, resource, extra)
	}
	docs, b, eff, err := a.policiesFor(ctx, req)
	if err != nil {
		return err
	}
	pr := a.policyRequest(ctx, req, docs, action, resource, extra)
	if !eff.SessionAllows(&pr) {
		// A role session's permissions are the intersection of the
		// role's and its session policies.
		return s3err.New(s3err.AccessDenied)
	}
	deny, allow := false, false
	for _, d := range docs {
		switch d.Evaluate(&pr) {
		case policy.Deny:
			deny = true
		case policy.Allow:
			allow = true
		}
	}
	switch {
	case deny:
		return s3err.New(s3err.AccessDenied)
	case allow:
		return nil
	case b != nil:
		ok, answer := a.aclAllows(ctx, req, b, action, resource)
		if ok {
			return nil
		}
		if answer != nil {
			return answer
		}
	}
	return s3err.New(s3err.AccessDenied)
}

// rootAllowed authorizes the account's root: everything is allowed but
// what the bucket policy explicitly denies it. As in S3, the root keeps
// GetBucketPolicy, PutBucketPolicy and DeleteBucketPolicy whatever the
// policy says, so an owner can never lock itself out of its bucket.
func (a *API) rootAllowed(ctx context.Context, req *request, action, resource string, extra map[string][]string) error {
	if req.bucket == "" || policyLockoutExempt[action] {
		return nil
	}
	b := a.requestBucket(ctx, req)
	if b == nil || b.Config.Policy == "" {
		return nil
	}
	d := a.authz.bucketPolicy(b.Name, b.Config.Policy)
	if d == nil {
		return nil
	}
	docs := []*policy.Document{d}
	pr := a.policyRequest(ctx, req, docs, action, resource, extra)
	if d.Evaluate(&pr) == policy.Deny {
		return s3err.New(s3err.AccessDenied)
	}
	return nil
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
func (a *API) aclAllows(ctx context.Context, req *request, b *meta.Bucket, action, resource string) (ok bool, answer error) {
	if aclsDisabled(*b) {
		return false, nil
	}
	perm, onBucket, known := s3.ACLPermission(action)
	if !known {
		return false, nil
	}
	// A grant to the account's canonical ID is the account's (root's), not
	// its IAM users': they need a policy, as in S3. Only the group grants
	// reach them.
	g := s3.Grantee{Anonymous: req.principal.Anonymous}
	if req.principal.Root {
		g.ID = a.cfg.Owner
	}
	ignore := b.Config.PublicAccessBlock.IgnorePublicAcls
	if onBucket {
		return s3.ACLAllows(toS3Grants(b.Config.ACL), g, perm, ignore), nil
	}
	key := strings.TrimPrefix(resource, "arn:aws:s3:::"+b.Name+"/")
	o, err := a.meta.GetObject(ctx, b.Name, key, req.query.Get("versionId"))
	if err == nil && !o.DeleteMarker {
		return s3.ACLAllows(toS3Grants(o.Attrs.ACL), g, perm, ignore), nil
	}
	missing := errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) || err == nil
	if !missing || perm != s3.PermRead || b.Name != req.bucket || key != req.key || !s3.ACLAllows(toS3Grants(b.Config.ACL), g, s3.PermRead, ignore) {
		return false, nil
	}
	if err == nil {
		return false, deleteMarkerError(req, o)
	}
	_, answer = a.lookupObject(ctx, req) // the 404 (or 400) a lookup gives
	return false, answer
}

// policiesFor returns the identity policies of the principal and the
// bucket's policy, parsed, and the bucket (nil when none). With
// RestrictPublicBuckets, a public bucket policy grants nothing to callers
// outside the account (here: anonymous ones).
func (a *API) policiesFor(ctx context.Context, req *request) ([]*policy.Document, *meta.Bucket, iam.Effective, error) {
	eff, err := a.cfg.Identities.Policies(ctx, req.principal)
	if err != nil {
		return nil, nil, eff, err
	}
	docs := append([]*policy.Document(nil), eff.Identity...)
	if req.bucket == "" {
		return docs, nil, eff, nil
	}
	lb := a.requestBucket(ctx, req)
	if lb == nil {
		return docs, nil, eff, nil
	}
	b := *lb
	if b.Config.Policy != "" {
		if d := a.authz.bucketPolicy(b.Name, b.Config.Policy); d != nil {
			restricted := b.Config.PublicAccessBlock.RestrictPublicBuckets && req.principal.Anonymous && bucketPolicyIsPublic(d)
			if !restricted {
				docs = append(docs, d)
			}
		}
	}
	return docs, &b, eff, nil
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
	if v := req.Header.Get("Referer"); v != "" {
		c["aws:Referer"] = []string{v}
	}
	if v := req.Header.Get("User-Agent"); v != "" {
		c["aws:UserAgent"] = []string{v}
	}
	switch {
	case req.auth != nil && req.auth.Presigned:
		c["s3:authType"] = []string{"REST-QUERY-STRING"}
	case req.principal.Anonymous:
	default:
		c["s3:authType"] = []string{"REST-HEADER"}
	}
	if v := req.Header.Get("x-amz-content-sha256"); v != "" {
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
		if v := req.Header.Get(h); v != "" {
			c["s3:"+h] = []string{v}
		}
	}
	a.sseConditionKeys(ctx, c, req.Header.Get)
	if v := req.Header.Get("x-amz-object-lock-mode"); v != "" {
		c["s3:object-lock-mode"] = []string{v}
	}
	if v := req.Header.Get("x-amz-object-lock-retain-until-date"); v != "" {
		c["s3:object-lock-retain-until-date"] = []string{v}
		if until, err := parseLockDate(v); err == nil {
			days := int64(until.Sub(now).Hours() / 24)
			c["s3:object-lock-remaining-retention-days"] = []string{strconv.FormatInt(max(days, 0), 10)}
		}
	}
	if v := req.Header.Get("x-amz-object-lock-legal-hold"); v != "" {
		c["s3:object-lock-legal-hold"] = []string{v}
	}
	if v := req.Header.Get("x-amz-tagging"); v != "" {
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
