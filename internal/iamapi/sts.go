package iamapi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/oidc"
	"talus/internal/policy"
)

// STSNS is STS's XML namespace.
const STSNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// stsActions are the actions answered as STS.
var stsActions = map[string]bool{
	"GetCallerIdentity": true, "GetSessionToken": true, "AssumeRole": true, "AssumeRoleWithWebIdentity": true,
	// STS actions Talus does not serve: routed as STS so they are refused
	// in STS's terms rather than failing IAM's signature check.
	"AssumeRoleWithSAML": true, "AssumeRoot": true, "DecodeAuthorizationMessage": true, "GetAccessKeyInfo": true,
	"GetFederationToken": true, "GetDelegatedAccessToken": true, "GetWebIdentityToken": true,
}

// unsignedActions may come without a signature: the web identity token
// is the credential.
var unsignedActions = map[string]bool{"AssumeRoleWithWebIdentity": true}

// SetWebIdentity sets the OIDC issuers AssumeRoleWithWebIdentity trusts.
func (h *Handler) SetWebIdentity(p *oidc.Providers) { h.oidc = p }

func (h *Handler) dispatchSTS(c *call) (response, error) {
	switch c.action {
	case "GetCallerIdentity":
		return h.getCallerIdentity(c)
	case "GetSessionToken":
		return h.getSessionToken(c)
	case "AssumeRole":
		return h.assumeRole(c)
	case "AssumeRoleWithWebIdentity":
		return h.assumeRoleWithWebIdentity(c)
	}
	return nil, errf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", c.action)
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type callerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	respMeta
}

type sessionTokenResponse struct {
	XMLName xml.Name `xml:"GetSessionTokenResponse"`
	Result  struct {
		Credentials stsCredentials `xml:"Credentials"`
	} `xml:"GetSessionTokenResult"`
	respMeta
}

type assumeRoleResult struct {
	Credentials                 stsCredentials  `xml:"Credentials"`
	AssumedRoleUser             assumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize            int             `xml:"PackedPolicySize"`
	SourceIdentity              string          `xml:"SourceIdentity,omitempty"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken,omitempty"`
	Provider                    string          `xml:"Provider,omitempty"`
	Audience                    string          `xml:"Audience,omitempty"`
}

type assumeRoleResponse struct {
	XMLName xml.Name         `xml:"AssumeRoleResponse"`
	Result  assumeRoleResult `xml:"AssumeRoleResult"`
	respMeta
}

type assumeRoleWebResponse struct {
	XMLName xml.Name         `xml:"AssumeRoleWithWebIdentityResponse"`
	Result  assumeRoleResult `xml:"AssumeRoleWithWebIdentityResult"`
	respMeta
}

func (h *Handler) getCallerIdentity(c *call) (response, error) {
	out := &callerIdentityResponse{}
	out.Result.Arn, out.Result.Account = c.p.ARN(), c.p.AccountID()
	switch s := c.p.Session; {
	case s != nil && s.Role != "":
		out.Result.UserID = s.RoleUserID()
	case c.p.Root:
		out.Result.UserID = c.p.AccountID()
	default:
		out.Result.UserID = c.p.UserID
	}
	return out, nil
}

// duration reads DurationSeconds within [900, max], def when absent.
func duration(form url.Values, def, max int, tooLong string) (time.Duration, error) {
	v := form.Get("DurationSeconds")
	if v == "" {
		return time.Duration(min(def, max)) * time.Second, nil
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 900:
		return 0, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", v)
	case n > max:
		return 0, errf(http.StatusBadRequest, "ValidationError", "%s", tooLong)
	}
	return time.Duration(n) * time.Second, nil
}

// refuseMFA: Talus has no MFA devices, so an MFA-bound request cannot be honoured.
func refuseMFA(form url.Values) error {
	if form.Get("SerialNumber") != "" || form.Get("TokenCode") != "" {
		return errf(http.StatusBadRequest, "ValidationError", "MFA devices are not supported: SerialNumber and TokenCode cannot be honoured.")
	}
	return nil
}

func (h *Handler) issue(s *iam.Session) (stsCredentials, error) {
	token, err := h.ids.NewSessionCredentials(s)
	if err != nil {
		return stsCredentials{}, err
	}
	return stsCredentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: token, Expiration: isoTime(s.Expires)}, nil
}

func (h *Handler) getSessionToken(c *call) (response, error) {
	if c.p.Session != nil {
		return nil, errf(http.StatusForbidden, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	if err := refuseMFA(c.form); err != nil {
		return nil, err
	}
	max := 129600
	if c.p.Root {
		max = 3600
	}
	d, err := duration(c.form, 43200, max, "The requested DurationSeconds exceeds the allowed maximum of "+strconv.Itoa(max)+" seconds.")
	if err != nil {
		return nil, err
	}
	now := h.now().UTC().Truncate(time.Second)
	s := &iam.Session{Issued: now, Expires: now.Add(d), Account: c.p.AccountID(), Root: c.p.Root, User: c.p.User, UserID: c.p.UserID}
	out := &sessionTokenResponse{}
	if out.Result.Credentials, err = h.issue(s); err != nil {
		return nil, err
	}
	return out, nil
}

var sessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
var externalID = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // 2–1224 characters, checked apart

// tagText reports whether s is a session tag key or value: min to max
// letters, spaces, digits and _.:/=+-@ (what STS allows). It is a loop,
// not a regexp: a Unicode class repeated 256 times compiles to megabytes
// that every server would keep from start-up.
func tagText(s string, min, max int) bool {
	n := 0
	for _, r := range s {
		n++
		if n > max || !(unicode.In(r, unicode.L, unicode.Z, unicode.N) || strings.ContainsRune("_.:/=+-@", r)) {
			return false
		}
	}
	return n >= min
}

// roleRequest is what AssumeRole and AssumeRoleWithWebIdentity share.
type roleRequest struct {
	ctx     context.Context // scoped to the role's account
	account string
	role    meta.Role
	roleARN string
	session *iam.Session
	trust   *policy.Document
	packed  int
}

// prepareRole reads the parameters both AssumeRole calls share and builds
// the session (not yet issued).
func (h *Handler) prepareRole(c *call, chained bool) (*roleRequest, error) {
	if err := refuseMFA(c.form); err != nil {
		return nil, err
	}
	arn, err := h.param(c.form, "RoleArn", nil)
	if err != nil {
		return nil, err
	}
	name, err := h.param(c.form, "RoleSessionName", sessionName)
	if err != nil {
		return nil, err
	}
	// The role may be another account's: it is looked up, and its
	// session acts, in the account its ARN names.
	acct, rest, ok := roleARNParts(arn)
	if !ok || h.dir == nil {
		return nil, errf(http.StatusBadRequest, "ValidationError", "RoleArn %s is not the ARN of a role", arn)
	}
	if _, err := h.ids.Account(c.ctx, acct); err != nil {
		if errors.Is(err, meta.ErrNoSuchAccount) {
			return nil, h.notAuthorized(c, arn)
		}
		return nil, err
	}
	rr := &roleRequest{ctx: meta.InAccount(c.ctx, acct), account: acct, roleARN: arn}
	role, err := h.dir.GetRole(rr.ctx, rest[strings.LastIndexByte(rest, '/')+1:])
	if err != nil || iam.RoleARN(acct, role.Path, role.Name) != arn {
		if err == nil || errors.Is(err, meta.ErrNoSuchEntity) {
			return nil, h.notAuthorized(c, arn)
		}
		return nil, err
	}
	rr.role = role
	maxD := role.MaxSessionDuration
	if chained {
		maxD = 3600 // role chaining is limited to one hour
	}
	d, err := duration(c.form, 3600, maxD, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	if err != nil {
		return nil, err
	}
	if rr.trust, err = policy.Parse([]byte(role.TrustPolicy), policy.TrustPolicy, ""); err != nil {
		return nil, h.notAuthorized(c, arn)
	}
	now := h.now().UTC().Truncate(time.Second)
	s := &iam.Session{Issued: now, Expires: now.Add(d), Account: acct, Role: role.Name, RoleID: role.ID, RolePath: role.Path, Name: name}
	if doc := c.form.Get("Policy"); doc != "" {
		if n := policy.PolicySize([]byte(doc)); n > 2048 {
			return nil, errf(http.StatusBadRequest, "PackedPolicyTooLarge", "%s", "Packed size of consumed policies exceeds 100% of allowed value")
		} else {
			rr.packed = n * 100 / 2048
		}
		if _, err := policy.Parse([]byte(doc), policy.IdentityPolicy, ""); err != nil {
			return nil, errf(http.StatusBadRequest, "MalformedPolicyDocument", "%s", err.Error())
		}
		s.Policy = doc
	}
	for i := 1; ; i++ {
		pa := c.form.Get("PolicyArns.member." + strconv.Itoa(i) + ".arn")
		if pa == "" {
			break
		}
		if i > 10 {
			return nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
		}
		if _, err := h.dir.GetPolicy(rr.ctx, pa); err != nil {
			return nil, errf(http.StatusBadRequest, "InvalidParameterValue", "The policy %s does not exist or is not attachable.", pa)
		}
		s.PolicyARNs = append(s.PolicyARNs, pa)
	}
	rr.session = s
	return rr, nil
}

// roleARNParts splits arn:aws:iam::ACCOUNT:role/PATH/NAME into the
// account and PATH/NAME.
func roleARNParts(arn string) (account, rest string, ok bool) {
	const prefix = "arn:aws:iam::"
	if !strings.HasPrefix(arn, prefix) {
		return "", "", false
	}
	account, rest, ok = strings.Cut(arn[len(prefix):], ":role/")
	if !ok || len(account) != 12 || strings.Trim(account, "0123456789") != "" || rest == "" {
		return "", "", false
	}
	return account, rest, true
}

// notAuthorized is AssumeRole's refusal, which says nothing of why.
func (h *Handler) notAuthorized(c *call, arn string) error {
	who := c.p.ARN()
	if who == "" {
		return errf(http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:%s", c.action)
	}
	return errf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:%s on resource: %s", who, c.action, arn)
}

// tags reads Tags.member.N and TransitiveTagKeys.member.N.
func tags(form url.Values) (map[string]string, []string, error) {
	var out map[string]string
	for i := 1; ; i++ {
		k := form.Get("Tags.member." + strconv.Itoa(i) + ".Key")
		if k == "" {
			break
		}
		v := form.Get("Tags.member." + strconv.Itoa(i) + ".Value")
		if i > 50 || !tagText(k, 1, 128) || !tagText(v, 0, 256) || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: a tag key or value is invalid, or there are more than 50 tags")
		}
		if out == nil {
			out = map[string]string{}
		}
		for ek := range out {
			if strings.EqualFold(ek, k) {
				return nil, nil, errf(http.StatusBadRequest, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
		out[k] = v
	}
	var transitive []string
	for i := 1; ; i++ {
		k := form.Get("TransitiveTagKeys.member." + strconv.Itoa(i))
		if k == "" {
			break
		}
		if _, ok := out[k]; !ok {
			return nil, nil, errf(http.StatusBadRequest, "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.")
		}
		transitive = append(transitive, k)
	}
	return out, transitive, nil
}

func (h *Handler) assumeRole(c *call) (response, error) {
	if c.p.Root {
		return nil, errf(http.StatusForbidden, "AccessDenied", "Roles may not be assumed by root accounts.")
	}
	caller := c.p.Session
	chained := caller != nil && caller.Role != ""
	rr, err := h.prepareRole(c, chained)
	if err != nil {
		return nil, err
	}
	s := rr.session
	reqTags, transitive, err := tags(c.form)
	if err != nil {
		return nil, err
	}
	ext := c.form.Get("ExternalId")
	if ext != "" && (len(ext) < 2 || len(ext) > 1224 || !externalID.MatchString(ext)) {
		return nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
	}
	src := c.form.Get("SourceIdentity")
	if src != "" && !sessionName.MatchString(src) {
		return nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	// A chained session keeps the caller's source identity and transitive tags.
	if chained {
		if caller.SourceIdentity != "" {
			if src != "" && src != caller.SourceIdentity {
				return nil, errf(http.StatusForbidden, "AccessDenied", "The source identity of the session cannot be changed.")
			}
			src = caller.SourceIdentity
		}
		for _, k := range caller.Transitive {
			if reqTags == nil {
				reqTags = map[string]string{}
			}
			if _, ok := reqTags[k]; !ok {
				reqTags[k] = caller.Tags[k]
				transitive = append(transitive, k)
			}
		}
	}
	s.Tags, s.Transitive, s.SourceIdentity = reqTags, transitive, src

	ctxKeys := map[string][]string{"sts:RoleSessionName": {s.Name}}
	if ext != "" {
		ctxKeys["sts:ExternalId"] = []string{ext}
	}
	if src != "" {
		ctxKeys["sts:SourceIdentity"] = []string{src}
	}
	var keys []string
	for k, v := range reqTags {
		ctxKeys["aws:RequestTag/"+k] = []string{v}
		keys = append(keys, k)
	}
	if len(keys) > 0 {
		ctxKeys["aws:TagKeys"] = keys
	}
	if len(transitive) > 0 {
		ctxKeys["sts:TransitiveTagKeys"] = transitive
	}
	// The role's trust policy must allow each action. Across accounts the
	// caller's identity policies must allow it too; within the role's
	// account a trust policy naming the caller itself (its user or role
	// ARN) is enough, while one naming only the account leaves the
	// decision to the identity policies, as AWS evaluates it. An explicit
	// deny in the identity policies always wins.
	actions := []string{"sts:AssumeRole"}
	if len(reqTags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if src != "" && (caller == nil || caller.SourceIdentity == "") {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	pp := c.p.PolicyPrincipal()
	sameAccount := c.p.AccountID() == rr.account
	for _, a := range actions {
		req := &policy.Request{Principal: pp, Action: a, Resource: rr.roleARN, Context: ctxKeys}
		trust, direct := rr.trust.EvaluateResource(req)
		if trust != policy.Allow {
			return nil, h.notAuthorized(c, rr.roleARN)
		}
		ident, err := h.ids.IdentityEffect(c.ctx, c.p, a, rr.roleARN, ctxKeys)
		if err != nil {
			return nil, err
		}
		if ident == policy.Allow || (ident == policy.NotApplicable && sameAccount && direct) {
			continue
		}
		return nil, h.notAuthorized(c, rr.roleARN)
	}
	out := &assumeRoleResponse{}
	out.Result.Credentials, err = h.issue(s)
	if err != nil {
		return nil, err
	}
	out.Result.AssumedRoleUser = assumedRoleUser{AssumedRoleID: s.RoleUserID(), Arn: s.ARN()}
	out.Result.PackedPolicySize, out.Result.SourceIdentity = rr.packed, src
	return out, nil
}

func (h *Handler) assumeRoleWithWebIdentity(c *call) (response, error) {
	rr, err := h.prepareRole(c, false)
	if err != nil {
		return nil, err
	}
	raw, err := h.param(c.form, "WebIdentityToken", nil)
	if err != nil {
		return nil, err
	}
	if h.oidc == nil {
		return nil, errf(http.StatusBadRequest, "InvalidIdentityToken", "No OpenIDConnect provider is configured.")
	}
	id, err := h.oidc.Verify(c.ctx, raw)
	if err != nil {
		var oe *oidc.Error
		if errors.As(err, &oe) {
			return nil, errf(oe.Status, oe.Code, "%s", oe.Message)
		}
		return nil, err
	}
	if c.form.Get("ProviderId") != "" {
		return nil, errf(http.StatusBadRequest, "InvalidParameterValue", "ProviderId is only for OAuth 2.0 providers; OpenID Connect tokens name their issuer.")
	}
	id.InAccount(rr.account)
	ctxKeys := id.ConditionKeys()
	req := &policy.Request{Principal: policy.Principal{Federated: id.ProviderARN}, Action: "sts:AssumeRoleWithWebIdentity", Resource: rr.roleARN, Context: ctxKeys}
	if rr.trust.Evaluate(req) != policy.Allow {
		return nil, errf(http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	}
	s := rr.session
	s.Provider, s.Subject = id.ProviderARN, id.Subject
	out := &assumeRoleWebResponse{}
	if out.Result.Credentials, err = h.issue(s); err != nil {
		return nil, err
	}
	out.Result.AssumedRoleUser = assumedRoleUser{AssumedRoleID: s.RoleUserID(), Arn: s.ARN()}
	out.Result.PackedPolicySize = rr.packed
	out.Result.SubjectFromWebIdentityToken, out.Result.Provider, out.Result.Audience = id.Subject, id.Issuer, id.Audience
	return out, nil
}
