package iam

import (
	"context"
	"errors"

	"talus/internal/meta"
	"talus/internal/policy"
)

// Effective is what a principal's requests are evaluated against.
type Effective struct {
	// Identity are the principal's identity policies: a user's inline and
	// attached policies and those of its groups, or a role's.
	Identity []*policy.Document
	// Session are a role session's session policies; when Narrowed, a
	// request is allowed only if they allow it too (the intersection).
	Session  []*policy.Document
	Narrowed bool
}

// SessionAllows reports whether the session policies (if any) allow req.
func (e Effective) SessionAllows(req *policy.Request) bool {
	if !e.Narrowed {
		return true
	}
	results := make([]policy.Effect, 0, len(e.Session))
	for _, d := range e.Session {
		results = append(results, d.Evaluate(req))
	}
	return policy.Decide(results...)
}

// Policies returns p's effective policies (none for root and anonymous).
func (r *Resolver) Policies(ctx context.Context, p Principal) (Effective, error) {
	var eff Effective
	var err error
	switch s := p.Session; {
	case s != nil && s.Role != "":
		eff.Identity, err = r.cachedDocs("role\x00"+meta.AccountOf(ctx)+"\x00"+s.Role, func() ([]*policy.Document, error) {
			return r.ownerDocs(ctx, meta.KindRole, s.Role)
		})
		if err != nil {
			return eff, err
		}
		if s.Policy != "" || len(s.PolicyARNs) > 0 {
			eff.Narrowed = true
			eff.Session, err = r.cachedDocs("session\x00"+s.AccessKey, func() ([]*policy.Document, error) {
				return r.sessionDocs(ctx, s)
			})
		}
	case p.User != "":
		eff.Identity, err = r.UserPolicies(ctx, p.User)
	}
	return eff, err
}

func parseIdentity(text string) *policy.Document {
	d, err := policy.Parse([]byte(text), policy.IdentityPolicy, "")
	if err != nil {
		return nil // validated when stored; a bad one grants nothing
	}
	return d
}

// userDocs loads a user's inline, attached and group policies.
func (r *Resolver) userDocs(ctx context.Context, user string) ([]*policy.Document, error) {
	names, err := r.store.ListUserPolicies(ctx, user)
	if err != nil {
		return nil, err
	}
	var docs []*policy.Document
	for _, n := range names {
		if text, err := r.store.GetUserPolicy(ctx, user, n); err == nil {
			if d := parseIdentity(text); d != nil {
				docs = append(docs, d)
			}
		}
	}
	if r.dir == nil {
		return docs, nil
	}
	attached, err := r.attachedDocs(ctx, meta.KindUser, user)
	if err != nil {
		return nil, err
	}
	docs = append(docs, attached...)
	groups, err := r.dir.UserGroups(ctx, user)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		gd, err := r.ownerDocs(ctx, meta.KindGroup, g.Name)
		if err != nil && !errors.Is(err, meta.ErrNoSuchEntity) {
			return nil, err
		}
		docs = append(docs, gd...)
	}
	return docs, nil
}

// ownerDocs loads a group's or role's inline and attached policies.
func (r *Resolver) ownerDocs(ctx context.Context, kind, owner string) ([]*policy.Document, error) {
	if r.dir == nil {
		return nil, nil
	}
	names, err := r.dir.ListInlinePolicies(ctx, kind, owner)
	if errors.Is(err, meta.ErrNoSuchEntity) {
		return nil, nil // deleted: it grants nothing
	}
	if err != nil {
		return nil, err
	}
	var docs []*policy.Document
	for _, n := range names {
		if text, err := r.dir.GetInlinePolicy(ctx, kind, owner, n); err == nil {
			if d := parseIdentity(text); d != nil {
				docs = append(docs, d)
			}
		}
	}
	attached, err := r.attachedDocs(ctx, kind, owner)
	return append(docs, attached...), err
}

func (r *Resolver) attachedDocs(ctx context.Context, kind, owner string) ([]*policy.Document, error) {
	ps, err := r.dir.AttachedPolicies(ctx, kind, owner)
	if errors.Is(err, meta.ErrNoSuchEntity) || errors.Is(err, meta.ErrNoSuchUser) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var docs []*policy.Document
	for _, p := range ps {
		if d := r.managedDoc(ctx, p.ARN); d != nil {
			docs = append(docs, d)
		}
	}
	return docs, nil
}

// managedDoc returns the default version of a managed policy, parsed.
func (r *Resolver) managedDoc(ctx context.Context, arn string) *policy.Document {
	p, err := r.dir.GetPolicy(ctx, arn)
	if err != nil {
		return nil
	}
	v, err := r.dir.GetPolicyVersion(ctx, arn, p.DefaultVersion)
	if err != nil {
		return nil
	}
	return parseIdentity(v.Document)
}

// sessionDocs parses a session's inline policy and loads its managed
// session policies. A managed policy gone since grants nothing.
func (r *Resolver) sessionDocs(ctx context.Context, s *Session) ([]*policy.Document, error) {
	var docs []*policy.Document
	if s.Policy != "" {
		if d := parseIdentity(s.Policy); d != nil {
			docs = append(docs, d)
		}
	}
	if r.dir != nil {
		for _, arn := range s.PolicyARNs {
			if d := r.managedDoc(ctx, arn); d != nil {
				docs = append(docs, d)
			}
		}
	}
	return docs, nil
}

// Directory returns the store of groups, roles and managed policies.
func (r *Resolver) Directory() meta.Directory { return r.dir }
