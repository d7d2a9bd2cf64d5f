package policy

import "strings"

// Principal identifies who makes a request.
type Principal struct {
	Anonymous bool   // unauthenticated request
	ARN       string // arn:aws:iam::ACCOUNT:user/NAME, or arn:aws:iam::ACCOUNT:root
	Account   string // 12-digit account ID; derived from ARN when empty
	Username  string // aws:username
	UserID    string // aws:userid
	// CanonicalID is the canonical user ID of the principal's account,
	// which a CanonicalUser principal names.
	CanonicalID string
	// RoleARN is the role of a role session (ARN is then the
	// assumed-role ARN): a policy naming the role matches its sessions.
	RoleARN string
	// Federated is the OIDC provider ARN of a web identity caller.
	Federated      string
	Type           string            // aws:PrincipalType (User, AssumedRole, Account, WebIdentityUser)
	Tags           map[string]string // aws:PrincipalTag/KEY (session tags)
	SourceIdentity string            // aws:SourceIdentity
	// Service is an AWS service principal (logging.s3.amazonaws.com) the
	// server acts as when it delivers reports; only "*" and a Service
	// entry naming it match it.
	Service string
}

func (p *Principal) account() string {
	if p.Account != "" {
		return p.Account
	}
	if parts, ok := splitARN(p.ARN); ok {
		return parts[4]
	}
	return ""
}

// Request is what a policy is evaluated against.
type Request struct {
	Principal Principal
	Action    string // e.g. "s3:GetObject"
	Resource  string // e.g. "arn:aws:s3:::bucket/key" or "arn:aws:s3:::bucket"
	// Context holds condition keys (aws:SourceIp, s3:prefix, ...). Key
	// names are case-insensitive. aws:username, aws:userid,
	// aws:PrincipalArn and aws:PrincipalAccount default to the values in
	// Principal (for non-anonymous principals) when absent.
	Context map[string][]string
}

// Effect is the outcome of evaluating a document.
type Effect int

const (
	NotApplicable Effect = iota // no statement matched
	Allow                       // an Allow statement matched and no Deny did
	Deny                        // a Deny statement matched
)

func (e Effect) String() string {
	switch e {
	case NotApplicable:
		return "NotApplicable"
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Effect(?)"
}

// Decide combines the results of every policy that applies to a request:
// it is true only if none is Deny and at least one is Allow.
func Decide(results ...Effect) bool {
	allowed := false
	for _, r := range results {
		switch r {
		case Deny:
			return false
		case Allow:
			allowed = true
		}
	}
	return allowed
}

// Evaluate returns Deny if any statement with Effect Deny matches the
// request, otherwise Allow if any Allow statement matches, otherwise
// NotApplicable. A nil document is NotApplicable.
func (d *Document) Evaluate(r *Request) Effect {
	if d == nil || r == nil {
		return NotApplicable
	}
	e := evalCtx{r: r}
	allowed := false
	for i := range d.Statements {
		s := &d.Statements[i]
		if allowed && !s.deny {
			continue
		}
		if s.matches(&e) {
			if s.deny {
				return Deny
			}
			allowed = true
		}
	}
	if allowed {
		return Allow
	}
	return NotApplicable
}

// EvaluateResource is Evaluate for a resource-based policy (a bucket
// policy, a role's trust policy) that also reports whether an Allow named
// the principal itself: its ARN, its role's ARN, its identity provider, its
// service, or "*". An Allow reaching the principal only through its
// account (the account ID or its root ARN) is not direct. Within one
// account AWS lets a direct grant stand without an identity policy, while
// a grant to the account delegates the decision to the account's identity
// policies.
func (d *Document) EvaluateResource(r *Request) (eff Effect, direct bool) {
	if d == nil || r == nil {
		return NotApplicable, false
	}
	e := evalCtx{r: r}
	allowed := false
	for i := range d.Statements {
		s := &d.Statements[i]
		if allowed && direct && !s.deny {
			continue
		}
		k := s.match(&e)
		if k == noMatch {
			continue
		}
		if s.deny {
			return Deny, false
		}
		allowed = true
		if k == directMatch {
			direct = true
		}
	}
	if allowed {
		return Allow, direct
	}
	return NotApplicable, false
}

type evalCtx struct {
	r   *Request
	one [1]string
}

// lookup returns the values of a (lower-case) condition key, or nil.
func (e *evalCtx) lookup(key string) []string {
	ctx := e.r.Context
	if v, ok := ctx[key]; ok {
		return v
	}
	for k, v := range ctx {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return v
		}
	}
	p := &e.r.Principal
	if p.Anonymous {
		return nil
	}
	var v string
	if t, ok := strings.CutPrefix(key, "aws:principaltag/"); ok {
		for k, tv := range p.Tags {
			if strings.EqualFold(k, t) {
				return []string{tv}
			}
		}
		return nil
	}
	switch key {
	case "aws:sourceidentity":
		v = p.SourceIdentity
	case "aws:principaltype":
		v = p.Type
	case "aws:username":
		v = p.Username
	case "aws:userid":
		v = p.UserID
	case "aws:principalarn":
		v = p.ARN
	case "aws:principalaccount":
		v = p.account()
	}
	if v == "" {
		return nil
	}
	return []string{v}
}

// matchKind is how a statement's principal element reached a principal.
type matchKind int

const (
	noMatch      matchKind = iota
	accountMatch           // through the principal's account, or no Principal element
	directMatch            // the principal itself, or "*"
)

// matches reports whether p is one of the principals. In Principal an
// account entry stands for every principal of the account; in
// NotPrincipal (exact) it names only the account itself, as AWS reads it
// ("Deny, NotPrincipal [user/Bob, :root]" denies everyone but Bob).
func (ps *Principals) matches(p *Principal, exact bool) bool {
	return ps.match(p, exact) != noMatch
}

// match is matches saying how p matched: an entry naming p itself wins
// over one naming only p's account.
func (ps *Principals) match(p *Principal, exact bool) matchKind {
	kind := noMatch
	for i := range ps.entries {
		en := &ps.entries[i]
		switch {
		case en.any:
			return directMatch
		case p.Anonymous || p.Service != "":
		case en.account != "":
			if p.account() == en.account && (!exact || p.ARN == "arn:aws:iam::"+en.account+":root") {
				kind = accountMatch
			}
		case en.canonical != "":
			if p.CanonicalID == en.canonical && (!exact || strings.HasSuffix(p.ARN, ":root")) {
				kind = accountMatch
			}
		case en.arn != "":
			if p.ARN == en.arn || (p.RoleARN != "" && p.RoleARN == en.arn) {
				return directMatch
			}
		case en.fed != "":
			if p.Federated == en.fed {
				return directMatch
			}
		}
	}
	if p.Service != "" {
		for _, sv := range ps.Service {
			if sv == p.Service {
				return directMatch
			}
		}
	}
	return kind
}

func (s *Statement) matches(e *evalCtx) bool { return s.match(e) != noMatch }

// match is matches saying how the statement's principal element reached
// the request's principal (accountMatch when it has none).
func (s *Statement) match(e *evalCtx) matchKind {
	r := e.r
	kind := accountMatch
	if s.Principal != nil {
		if kind = s.Principal.match(&r.Principal, false); kind == noMatch {
			return noMatch
		}
	}
	if s.NotPrincipal != nil && s.NotPrincipal.matches(&r.Principal, true) {
		return noMatch
	}
	if !s.matchesRest(e) {
		return noMatch
	}
	return kind
}

// matchesRest checks everything but the principal: action, resource and conditions.
func (s *Statement) matchesRest(e *evalCtx) bool {
	r := e.r
	hit := false
	for _, a := range s.actions {
		if globMatch(a, r.Action, true) {
			hit = true
			break
		}
	}
	if hit == s.notAction {
		return false
	}
	hit = false
	for i := range s.resources {
		g, ok := s.resources[i].expand(e, true)
		if ok && arnMatch(g, r.Resource) {
			hit = true
			break
		}
	}
	if hit == s.notResource {
		return false
	}
	for i := range s.conds {
		if !s.conds[i].eval(e) {
			return false
		}
	}
	return true
}
