package policy

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Kind says which kind of policy a document is; it decides what Parse
// accepts.
type Kind int

const (
	// BucketPolicy is an S3 bucket policy: every statement needs Principal
	// or NotPrincipal, actions must be S3 actions, and resources must be
	// the bucket's own ARNs.
	BucketPolicy Kind = iota
	// IdentityPolicy is an IAM identity (user) policy: statements must not
	// name a principal; actions may be s3: or iam: actions.
	IdentityPolicy
	// TrustPolicy is an IAM role's trust (assume-role) policy: every
	// statement names a principal (AWS or Federated), actions are sts:
	// actions and there is no Resource.
	TrustPolicy
)

func (k Kind) String() string {
	switch k {
	case BucketPolicy:
		return "BucketPolicy"
	case IdentityPolicy:
		return "IdentityPolicy"
	case TrustPolicy:
		return "TrustPolicy"
	}
	return "Kind(?)"
}

// Policy language versions.
const (
	Version2012 = "2012-10-17" // policy variables are substituted
	Version2008 = "2008-10-17" // the default when Version is absent
)

// Size limits applied by Parse.
const (
	// MaxBucketPolicySize is S3's 20 KB limit, applied to the document with
	// insignificant whitespace removed.
	MaxBucketPolicySize = 20 * 1024
	// MaxIdentityPolicySize is the limit, in characters not counting
	// whitespace outside strings, for one identity policy. AWS's quotas
	// are 2,048 for the aggregate of a user's inline policies, 6,144 for a
	// managed policy and 10,240 for a role's inline policies; Parse applies
	// 10,240 to a single document (use PolicySize to enforce an aggregate).
	MaxIdentityPolicySize = 10240
)

// Reasons carried by *Error. They are the texts S3 and IAM use in their
// MalformedPolicy / MalformedPolicyDocument error messages (where known).
const (
	ReasonNotObject              = "Policies must be valid JSON and the first byte must be '{'"
	ReasonInvalidJSON            = "This policy contains invalid Json"
	ReasonSyntax                 = "Invalid policy syntax."
	ReasonBucketPolicyTooLarge   = "Policy exceeds the maximum allowed document size."
	ReasonIdentityPolicyTooLarge = "Cannot exceed quota for PolicySize: 10240"
	ReasonUnknownField           = "Policy has an unknown field"
	ReasonInvalidVersion         = "Invalid Version"
	ReasonMissingStatement       = "Missing required field Statement"
	ReasonDuplicateSid           = "Statement IDs (SID) in a single policy must be unique"
	ReasonInvalidSid             = "Statement IDs (SID) must be alpha-numeric." // identity policies
	ReasonMissingEffect          = "Statement is missing required field Effect"
	ReasonInvalidEffect          = "Invalid effect"
	ReasonMissingPrincipal       = "Missing required field Principal"
	ReasonPrincipalNotAllowed    = "Policy document should not specify a principal."
	ReasonInvalidPrincipal       = "Invalid principal in policy"
	ReasonConflictingPrincipal   = "Conflicting Principal and NotPrincipal"
	ReasonMissingAction          = "Missing required field Action"
	ReasonConflictingAction      = "Conflicting Action and NotAction"
	ReasonInvalidAction          = "Policy has invalid action"
	ReasonMissingResource        = "Missing required field Resource"
	ReasonConflictingResource    = "Conflicting Resource and NotResource"
	ReasonInvalidBucketResource  = "Policy has invalid resource" // bucket policies
	ReasonInvalidResource        = "Invalid resource"            // identity policies
	ReasonActionResourceMismatch = "Action does not apply to any resource(s) in statement"
	ReasonInvalidCondition       = "Invalid Condition block"
	ReasonUnknownOperator        = "Unknown condition operator"
	ReasonInvalidConditionKey    = "Policy has an invalid condition key"
	ReasonInvalidConditionValue  = "Invalid condition value"
	ReasonProhibitedResource     = "Has prohibited field Resource" // trust policies
)

// Error is a policy validation error. Reason is one of the Reason*
// constants; Detail, when set, names the offending element.
type Error struct {
	Reason string
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

func errorf(reason, detail string) *Error { return &Error{Reason: reason, Detail: detail} }

// Document is a parsed, validated policy.
type Document struct {
	Version    string // as written; "" when absent (treated as 2008-10-17)
	ID         string
	Statements []Statement
	Kind       Kind
	Raw        []byte // the document exactly as given to Parse

	vars bool // policy variables are substituted (Version 2012-10-17)
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	Wildcard      bool     // "Principal": "*"
	AWS           []string // "*", account IDs, arn:aws:iam::ACCOUNT:root, user/role ARNs
	CanonicalUser []string // canonical user IDs: each stands for its account
	Service       []string // matches only the server acting as that service (Principal.Service)
	Federated     []string // OIDC provider ARNs (trust policies)

	entries []principalEntry
}

type principalEntry struct {
	any     bool   // "*"
	account string // account ID or :root ARN → every principal of the account
	// canonical is an account's canonical user ID, which AWS reads as the
	// account (every principal of it).
	canonical string
	arn       string // a specific principal
	fed       string // a federated (OIDC) provider
}

// Statement is one statement of a policy. The exported fields hold the
// statement as written; matching uses compiled forms prepared by Parse, so
// a Statement must come from Parse to be evaluated.
type Statement struct {
	Sid                     string
	Effect                  string // "Allow" or "Deny"
	Principal, NotPrincipal *Principals
	Action, NotAction       []string
	Resource, NotResource   []string
	// Condition maps operator → condition key → values, as written.
	Condition map[string]map[string][]string

	deny        bool
	actions     []string // lower-cased escaped globs
	notAction   bool
	resources   []pattern
	notResource bool
	conds       []condition
}

// PolicySize returns the size IAM counts against its quotas: the number of
// characters in the document without whitespace outside strings. It
// returns -1 for malformed JSON.
func PolicySize(data []byte) int {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return -1
	}
	return utf8.RuneCount(buf.Bytes())
}

// Parse decodes and validates a policy document of the given kind. bucket
// is the bucket a bucket policy is attached to (ignored for identity
// policies). Errors are *Error.
func Parse(data []byte, kind Kind, bucket string) (*Document, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errorf(ReasonNotObject, "")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, errorf(ReasonInvalidJSON, "")
	}
	switch kind {
	case BucketPolicy:
		if compact.Len() > MaxBucketPolicySize {
			return nil, errorf(ReasonBucketPolicyTooLarge, "")
		}
	case IdentityPolicy, TrustPolicy:
		if utf8.RuneCount(compact.Bytes()) > MaxIdentityPolicySize {
			return nil, errorf(ReasonIdentityPolicyTooLarge, "")
		}
	default:
		return nil, errorf(ReasonSyntax, "unknown policy kind")
	}
	tree, err := decodeJSON(data)
	if err != nil {
		return nil, errorf(ReasonInvalidJSON, "")
	}
	top, ok := tree.(*jobject)
	if !ok {
		return nil, errorf(ReasonNotObject, "")
	}
	p := &parser{kind: kind, bucket: bucket}
	doc := &Document{Kind: kind, Raw: append([]byte(nil), data...)}
	var stmtVal any
	haveStmt := false
	for i, k := range top.keys {
		v := top.vals[i]
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok {
				return nil, errorf(ReasonInvalidVersion, "")
			}
			switch s {
			case Version2012:
				doc.vars = true
			case Version2008:
			default:
				return nil, errorf(ReasonInvalidVersion, s)
			}
			doc.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, errorf(ReasonSyntax, "Id must be a string")
			}
			doc.ID = s
		case "Statement":
			stmtVal, haveStmt = v, true
		default:
			return nil, errorf(ReasonUnknownField, k)
		}
	}
	p.vars = doc.vars
	if !haveStmt {
		return nil, errorf(ReasonMissingStatement, "")
	}
	var stmts []*jobject
	switch sv := stmtVal.(type) {
	case *jobject:
		stmts = []*jobject{sv}
	case []any:
		for _, e := range sv {
			o, ok := e.(*jobject)
			if !ok {
				return nil, errorf(ReasonSyntax, "Statement must be an object")
			}
			stmts = append(stmts, o)
		}
	default:
		return nil, errorf(ReasonSyntax, "Statement must be an object or array")
	}
	if len(stmts) == 0 {
		return nil, errorf(ReasonMissingStatement, "")
	}
	sids := map[string]bool{}
	for _, so := range stmts {
		st, err := p.statement(so)
		if err != nil {
			return nil, err
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return nil, errorf(ReasonDuplicateSid, st.Sid)
			}
			sids[st.Sid] = true
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

type parser struct {
	kind   Kind
	bucket string
	vars   bool
}

// stringList accepts a string or an array of strings.
func stringList(v any) ([]string, bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func (p *parser) statement(o *jobject) (Statement, error) {
	var st Statement
	var (
		haveEffect                           bool
		principalV, notPrincipalV            any
		actionV, notActionV                  any
		resourceV, notResourceV              any
		conditionV                           any
		hasCond                              bool
		hasPrin, hasNotPrin                  bool
		hasAct, hasNotAct, hasRes, hasNotRes bool
	)
	for i, k := range o.keys {
		v := o.vals[i]
		switch k {
		case "Sid":
			s, ok := v.(string)
			if !ok {
				return st, errorf(ReasonSyntax, "Sid must be a string")
			}
			if p.kind != BucketPolicy && !isAlnum(s) {
				return st, errorf(ReasonInvalidSid, s)
			}
			st.Sid = s
		case "Effect":
			haveEffect = true
			s, ok := v.(string)
			if !ok || (s != "Allow" && s != "Deny") {
				d, _ := v.(string)
				return st, errorf(ReasonInvalidEffect, d)
			}
			st.Effect = s
			st.deny = s == "Deny"
		case "Principal":
			principalV, hasPrin = v, true
		case "NotPrincipal":
			notPrincipalV, hasNotPrin = v, true
		case "Action":
			actionV, hasAct = v, true
		case "NotAction":
			notActionV, hasNotAct = v, true
		case "Resource":
			resourceV, hasRes = v, true
		case "NotResource":
			notResourceV, hasNotRes = v, true
		case "Condition":
			conditionV, hasCond = v, true
		default:
			return st, errorf(ReasonUnknownField, k)
		}
	}
	if !haveEffect {
		return st, errorf(ReasonMissingEffect, "")
	}

	// Principal / NotPrincipal.
	if hasPrin && hasNotPrin {
		return st, errorf(ReasonConflictingPrincipal, "")
	}
	if p.kind == IdentityPolicy && (hasPrin || hasNotPrin) {
		return st, errorf(ReasonPrincipalNotAllowed, "")
	}
	if p.kind != IdentityPolicy && !hasPrin && !hasNotPrin {
		return st, errorf(ReasonMissingPrincipal, "")
	}
	if p.kind == TrustPolicy && (hasRes || hasNotRes) {
		return st, errorf(ReasonProhibitedResource, "")
	}
	if hasPrin {
		ps, err := parsePrincipals(principalV, p.kind)
		if err != nil {
			return st, err
		}
		st.Principal = ps
	}
	if hasNotPrin {
		ps, err := parsePrincipals(notPrincipalV, p.kind)
		if err != nil {
			return st, err
		}
		st.NotPrincipal = ps
	}

	// Action / NotAction.
	if hasAct && hasNotAct {
		return st, errorf(ReasonConflictingAction, "")
	}
	var acts []string
	if hasAct || hasNotAct {
		v := actionV
		if hasNotAct {
			v = notActionV
			st.notAction = true
		}
		l, ok := stringList(v)
		if !ok {
			return st, errorf(ReasonInvalidAction, "")
		}
		acts = l
	}
	if len(acts) == 0 {
		return st, errorf(ReasonMissingAction, "")
	}
	for _, a := range acts {
		g, err := p.action(a)
		if err != nil {
			return st, err
		}
		st.actions = append(st.actions, g)
	}
	if st.notAction {
		st.NotAction = acts
	} else {
		st.Action = acts
	}

	// Resource / NotResource.
	if hasRes && hasNotRes {
		return st, errorf(ReasonConflictingResource, "")
	}
	var ress []string
	if hasRes || hasNotRes {
		v := resourceV
		if hasNotRes {
			v = notResourceV
			st.notResource = true
		}
		l, ok := stringList(v)
		if !ok {
			return st, errorf(p.invalidResourceReason(), "")
		}
		ress = l
	}
	if len(ress) == 0 && p.kind == TrustPolicy {
		ress = []string{"*"} // a trust policy's resource is its role
	}
	if len(ress) == 0 {
		return st, errorf(ReasonMissingResource, "")
	}
	for _, r := range ress {
		pat, err := p.resource(r)
		if err != nil {
			return st, err
		}
		st.resources = append(st.resources, pat)
	}
	if st.notResource {
		st.NotResource = ress
	} else {
		st.Resource = ress
	}

	if p.kind == BucketPolicy && !st.notAction && !st.notResource {
		if err := p.checkApplicability(&st); err != nil {
			return st, err
		}
	}

	if hasCond {
		if err := p.conditions(&st, conditionV); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (p *parser) invalidResourceReason() string {
	if p.kind == BucketPolicy {
		return ReasonInvalidBucketResource
	}
	return ReasonInvalidResource
}

func parsePrincipals(v any, kind Kind) (*Principals, error) {
	ps := &Principals{}
	switch t := v.(type) {
	case string:
		if t != "*" {
			return nil, errorf(ReasonInvalidPrincipal, t)
		}
		ps.Wildcard = true
		ps.entries = []principalEntry{{any: true}}
		return ps, nil
	case *jobject:
		if len(t.keys) == 0 {
			return nil, errorf(ReasonInvalidPrincipal, "")
		}
		for i, k := range t.keys {
			l, ok := stringList(t.vals[i])
			if !ok || len(l) == 0 {
				return nil, errorf(ReasonInvalidPrincipal, k)
			}
			switch k {
			case "AWS":
				for _, a := range l {
					e, ok := parseAWSPrincipal(a)
					if !ok {
						return nil, errorf(ReasonInvalidPrincipal, a)
					}
					ps.entries = append(ps.entries, e)
				}
				ps.AWS = l
			case "CanonicalUser":
				for _, c := range l {
					if c == "" {
						return nil, errorf(ReasonInvalidPrincipal, k)
					}
					ps.entries = append(ps.entries, principalEntry{canonical: c})
				}
				ps.CanonicalUser = l
			case "Service":
				for _, c := range l {
					if c == "" {
						return nil, errorf(ReasonInvalidPrincipal, k)
					}
				}
				ps.Service = l
			case "Federated":
				if kind != TrustPolicy {
					return nil, errorf(ReasonInvalidPrincipal, k)
				}
				for _, f := range l {
					if !strings.HasPrefix(f, "arn:aws:iam::") || !strings.Contains(f, ":oidc-provider/") {
						return nil, errorf(ReasonInvalidPrincipal, f)
					}
					ps.entries = append(ps.entries, principalEntry{fed: f})
				}
				ps.Federated = l
			default:
				return nil, errorf(ReasonInvalidPrincipal, k)
			}
		}
		return ps, nil
	}
	return nil, errorf(ReasonInvalidPrincipal, "")
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseAWSPrincipal validates one "AWS" principal value.
func parseAWSPrincipal(a string) (principalEntry, bool) {
	if a == "*" {
		return principalEntry{any: true}, true
	}
	if isAccountID(a) {
		return principalEntry{account: a}, true
	}
	parts, ok := splitARN(a)
	if !ok || parts[0] != "arn" || !validPartition(parts[1]) || parts[3] != "" || !isAccountID(parts[4]) {
		return principalEntry{}, false
	}
	if strings.ContainsAny(a, "*?") {
		return principalEntry{}, false
	}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" {
			return principalEntry{account: parts[4]}, true
		}
		for _, pre := range []string{"user/", "role/"} {
			if strings.HasPrefix(res, pre) && len(res) > len(pre) && !strings.HasSuffix(res, "/") {
				return principalEntry{arn: a}, true
			}
		}
	case "sts":
		for _, pre := range []string{"assumed-role/", "federated-user/"} {
			if strings.HasPrefix(res, pre) && len(res) > len(pre) {
				return principalEntry{arn: a}, true
			}
		}
	}
	return principalEntry{}, false
}

func validPartition(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// action validates one Action/NotAction entry and returns its lower-cased
// glob.
func (p *parser) action(a string) (string, error) {
	if a == "*" {
		return "*", nil
	}
	i := strings.IndexByte(a, ':')
	if i <= 0 || i == len(a)-1 {
		return "", errorf(ReasonInvalidAction, a)
	}
	service, name := strings.ToLower(a[:i]), a[i+1:]
	for j := 0; j < len(name); j++ {
		c := name[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '*' || c == '?' || c == '-') {
			return "", errorf(ReasonInvalidAction, a)
		}
	}
	g := service + ":" + strings.ToLower(name)
	switch {
	case p.kind == TrustPolicy && service != "sts":
		return "", errorf(ReasonInvalidAction, a)
	case service == "s3":
		lname := strings.ToLower(name)
		if !strings.ContainsAny(lname, "*?") {
			if _, ok := s3Actions[lname]; ok {
				return g, nil
			}
			return "", errorf(ReasonInvalidAction, a)
		}
		for _, known := range s3ActionNames {
			if globMatch(lname, known, false) {
				return g, nil
			}
		}
		return "", errorf(ReasonInvalidAction, a)
	case (service == "iam" || service == "kms" || service == "sts" || service == "s3tables" || service == "s3express" || service == "s3-object-lambda") && p.kind == IdentityPolicy:
		return g, nil
	case service == "sts" && p.kind == TrustPolicy:
		return g, nil
	}
	return "", errorf(ReasonInvalidAction, a)
}

// resource validates one Resource/NotResource entry.
func (p *parser) resource(r string) (pattern, error) {
	pat := compilePattern(r, p.vars)
	if p.kind == BucketPolicy {
		const prefix = "arn:aws:s3:::"
		if !strings.HasPrefix(r, prefix) || len(r) == len(prefix) {
			return pat, errorf(ReasonInvalidBucketResource, r)
		}
		rest := compilePattern(r[len(prefix):], p.vars).staticGlob()
		if !globMatch(rest, p.bucket, false) && !globCanMatchPrefix(rest, p.bucket+"/") {
			return pat, errorf(ReasonInvalidBucketResource, r)
		}
		return pat, nil
	}
	if r == "*" {
		return pat, nil
	}
	parts, ok := splitARN(r)
	if !ok || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return pat, errorf(ReasonInvalidResource, r)
	}
	return pat, nil
}

// checkApplicability enforces that every action of a bucket-policy
// statement applies to at least one of its resources.
func (p *parser) checkApplicability(st *Statement) error {
	const prefix = "arn:aws:s3:::"
	canBucket, canObject := false, false
	for i := range st.resources {
		rest := compilePattern(st.resources[i].raw[len(prefix):], p.vars).staticGlob()
		if globMatch(rest, p.bucket, false) {
			canBucket = true
		}
		if globCanMatchPrefix(rest, p.bucket+"/") {
			canObject = true
		}
	}
	for i, g := range st.actions {
		name := "*"
		if g != "*" {
			name = g[strings.IndexByte(g, ':')+1:]
		}
		ok := false
		if !strings.ContainsAny(name, "*?") {
			t := s3Actions[name]
			ok = t == resBucket && canBucket || t == resObject && canObject
		}
		for known, t := range s3Actions {
			if ok {
				break
			}
			if (t == resBucket && canBucket || t == resObject && canObject) && globMatch(name, known, false) {
				ok = true
				break
			}
		}
		if !ok {
			return errorf(ReasonActionResourceMismatch, st.Action[i])
		}
	}
	return nil
}
