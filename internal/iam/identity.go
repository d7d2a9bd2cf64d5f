package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"talus/internal/meta"
	"talus/internal/policy"
)

// AccountID is the administrator's account, the first of a data
// directory (see meta.AdminAccountID). A caller's own account is
// Principal.AccountID.
const AccountID = meta.AdminAccountID

// Principal is who a request runs as.
type Principal struct {
	Root      bool // an account's root
	Anonymous bool
	User      string // IAM user name; "" for root and anonymous
	UserID    string
	AccessKey string
	// Session is set for temporary credentials (ASIA keys).
	Session *Session
	// Account is the principal's account ID and CanonicalID that
	// account's canonical user ID; both "" for anonymous callers.
	Account     string
	CanonicalID string
}

// AccountID is the principal's account: the one place a caller's account
// comes from. A principal built without one (a user named alone, as the
// IAM API lists them) is the administrator account's.
func (p Principal) AccountID() string {
	if p.Account == "" && !p.Anonymous {
		return AccountID
	}
	return p.Account
}

// Scope returns ctx scoped to the principal's account, as the identity
// store wants it (meta.InAccount).
func (p Principal) Scope(ctx context.Context) context.Context {
	return meta.InAccount(ctx, p.AccountID())
}

// ARN returns the principal's ARN as policies name it.
func (p Principal) ARN() string {
	switch {
	case p.Session != nil && p.Session.Role != "":
		return p.Session.ARN()
	case p.Root:
		return "arn:aws:iam::" + p.AccountID() + ":root"
	case p.User != "":
		return "arn:aws:iam::" + p.AccountID() + ":user/" + p.User
	}
	return ""
}

// Resolver maps access keys to principals and secrets: the root key from
// configuration, user keys from the store (cached briefly, since every
// request needs one).
type Resolver struct {
	rootKey, rootSecret string
	store               Store
	dir                 meta.Directory // nil when the store has no groups, roles or managed policies
	sealer              *Sealer
	now                 func() time.Time
	ttl                 time.Duration
	mu                  sync.Mutex
	cache               map[string]cached
	policies            map[string]cachedPolicies
	accounts            map[string]cachedAccount // by "id:" + ID and "cid:" + canonical ID
	publish             func(kind, key string)   // tells other gateways (SetPublisher)
}

// Store is what the resolver reads: identities and accounts.
type Store interface {
	meta.Identities
	meta.Accounts
}

type cachedPolicies struct {
	docs    []*policy.Document
	expires time.Time
}

type cached struct {
	p       Principal
	secret  string
	ok      bool
	expires time.Time
}

// NewResolver returns a resolver for the root key pair and the user store,
// whose secrets are sealed with sealer.
func NewResolver(rootKey, rootSecret string, sealer *Sealer, store Store) *Resolver {
	dir, _ := store.(meta.Directory)
	return &Resolver{rootKey: rootKey, rootSecret: rootSecret, store: store, dir: dir, sealer: sealer, ttl: 2 * time.Second,
		cache: map[string]cached{}, policies: map[string]cachedPolicies{}, accounts: map[string]cachedAccount{}}
}

// Sealer returns the sealer for new secrets.
func (r *Resolver) Sealer() *Sealer { return r.sealer }

// Lookup returns the principal and secret of an active access key: the
// administrator's root key from configuration, or a key of the store (an
// account's root key when it has no user).
func (r *Resolver) Lookup(ctx context.Context, accessKey string) (Principal, string, bool) {
	if accessKey == r.rootKey {
		a, _ := r.Account(ctx, AccountID)
		return Principal{Root: true, AccessKey: accessKey, Account: AccountID, CanonicalID: a.CanonicalID}, r.rootSecret, true
	}
	now := time.Now()
	r.mu.Lock()
	c, hit := r.cache[accessKey]
	r.mu.Unlock()
	if hit && now.Before(c.expires) {
		return c.p, c.secret, c.ok
	}
	c = cached{expires: now.Add(r.ttl)}
	k, err := r.store.GetAccessKey(ctx, accessKey)
	if err == nil && k.Status == "Active" {
		if secret, err := r.sealer.Open(k.ID, k.SealedSecret); err == nil {
			if a, err := r.Account(ctx, k.Account); err == nil {
				p := Principal{Root: k.User == "", AccessKey: k.ID, Account: a.ID, CanonicalID: a.CanonicalID}
				if k.User == "" {
					c.p, c.secret, c.ok = p, secret, true
				} else if u, err := r.store.GetUser(meta.InAccount(ctx, a.ID), k.User); err == nil {
					p.User, p.UserID = u.Name, u.ID
					c.p, c.secret, c.ok = p, secret, true
				}
			}
		}
	} else if err != nil && !errors.Is(err, meta.ErrNoSuchAccessKey) {
		return Principal{}, "", false // store trouble: do not cache
	}
	r.mu.Lock()
	if len(r.cache) > 10000 {
		r.cache = map[string]cached{}
	}
	r.cache[accessKey] = c
	r.mu.Unlock()
	return c.p, c.secret, c.ok
}

// Forget drops a cached key after it changed in this process, and tells
// the other gateways.
func (r *Resolver) Forget(accessKey string) {
	r.mu.Lock()
	delete(r.cache, accessKey)
	r.mu.Unlock()
	r.published(CacheKey, accessKey)
}

// UserPolicies returns the identity policies of a user of the account ctx
// is scoped to, parsed (cached briefly): inline, attached, and those of the
// user's groups.
func (r *Resolver) UserPolicies(ctx context.Context, user string) ([]*policy.Document, error) {
	return r.cachedDocs("user\x00"+meta.AccountOf(ctx)+"\x00"+user, func() ([]*policy.Document, error) { return r.userDocs(ctx, user) })
}

// cachedDocs returns load's documents, cached under key for the TTL.
func (r *Resolver) cachedDocs(key string, load func() ([]*policy.Document, error)) ([]*policy.Document, error) {
	r.mu.Lock()
	c, ok := r.policies[key]
	r.mu.Unlock()
	if ok && time.Now().Before(c.expires) {
		return c.docs, nil
	}
	docs, err := load()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if len(r.policies) > 10000 {
		r.policies = map[string]cachedPolicies{}
	}
	r.policies[key] = cachedPolicies{docs: docs, expires: time.Now().Add(r.ttl)}
	r.mu.Unlock()
	return docs, nil
}

// ForgetPolicies drops cached policies after a change in this process.
// Managed and group policies reach many principals, so every entry goes.
func (r *Resolver) ForgetPolicies(string) {
	r.mu.Lock()
	r.policies = map[string]cachedPolicies{}
	r.mu.Unlock()
	r.published(CachePolicies, "*")
}

// PolicyPrincipal is p as the policy evaluator sees it.
func (p Principal) PolicyPrincipal() policy.Principal {
	if p.Anonymous {
		return policy.Principal{Anonymous: true}
	}
	if s := p.Session; s != nil && s.Role != "" {
		return s.policyPrincipal(p.CanonicalID)
	}
	pp := policy.Principal{ARN: p.ARN(), Account: p.AccountID(), Username: p.User, UserID: p.UserID, CanonicalID: p.CanonicalID, Type: "User"}
	if p.Root {
		pp.Type, pp.UserID = "Account", p.AccountID()
	}
	return pp
}

// NewAccessKey returns a fresh key pair in AWS's shapes: a 20-character
// ID starting AKIA and a 40-character secret.
func NewAccessKey() (id, secret string) {
	return "AKIA" + RandomString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}

// NewUserID returns a user ID in AWS's shape (AIDA + 17 characters).
func NewUserID() string { return "AIDA" + RandomString(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") }

// RandomString draws n uniform characters from alphabet (rejection sampling).
func RandomString(n int, alphabet string) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	var b [64]byte
	for len(out) < n {
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("iam: crypto/rand failed: %v", err))
		}
		for _, c := range b {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// IdentityAllows evaluates p's identity policies alone for one action on one
// resource, as the IAM, STS and KMS APIs authorize their callers (they have
// no resource policies): the root is always allowed within its account.
func (r *Resolver) IdentityAllows(ctx context.Context, p Principal, action, resource string) (bool, error) {
	return r.IdentityAllowsWith(ctx, p, action, resource, nil)
}

// IdentityAllowsWith is IdentityAllows with extra condition keys.
func (r *Resolver) IdentityAllowsWith(ctx context.Context, p Principal, action, resource string, extra map[string][]string) (bool, error) {
	// Without a resource policy to grant it, nothing reaches another
	// account's resources (an IAM user, a key of the key service).
	if acct := resourceAccount(resource); acct != "" && acct != p.AccountID() {
		return false, nil
	}
	return r.IdentityGrants(ctx, p, action, resource, extra)
}

// IdentityGrants is the identity half of a cross-account decision: p's
// identity policies alone, whatever account the resource is in (the
// resource's own policy, such as a role's trust policy, must allow too).
func (r *Resolver) IdentityGrants(ctx context.Context, p Principal, action, resource string, extra map[string][]string) (bool, error) {
	if p.Root {
		return true, nil
	}
	eff, err := r.Policies(p.Scope(ctx), p)
	if err != nil {
		return false, err
	}
	if extra == nil {
		extra = map[string][]string{}
	}
	req := &policy.Request{Principal: p.PolicyPrincipal(), Action: action, Resource: resource, Context: extra}
	results := make([]policy.Effect, 0, len(eff.Identity))
	for _, d := range eff.Identity {
		results = append(results, d.Evaluate(req))
	}
	return policy.Decide(results...) && eff.SessionAllows(req), nil
}

// IdentityEffect is IdentityGrants as an effect, for combining with a
// resource-based policy: Deny when an identity policy denies or a session
// policy leaves the action out (neither can a resource policy overturn),
// Allow when the identity policies allow, NotApplicable otherwise. The
// root's is Allow.
func (r *Resolver) IdentityEffect(ctx context.Context, p Principal, action, resource string, extra map[string][]string) (policy.Effect, error) {
	if p.Root {
		return policy.Allow, nil
	}
	eff, err := r.Policies(p.Scope(ctx), p)
	if err != nil {
		return policy.Deny, err
	}
	if extra == nil {
		extra = map[string][]string{}
	}
	req := &policy.Request{Principal: p.PolicyPrincipal(), Action: action, Resource: resource, Context: extra}
	if !eff.SessionAllows(req) {
		return policy.Deny, nil
	}
	out := policy.NotApplicable
	for _, d := range eff.Identity {
		switch d.Evaluate(req) {
		case policy.Deny:
			return policy.Deny, nil
		case policy.Allow:
			out = policy.Allow
		}
	}
	return out, nil
}

// resourceAccount is the account field of an ARN (arn:aws:SERVICE:REGION:ACCOUNT:...), "" when none.
func resourceAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
