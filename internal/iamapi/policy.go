package iamapi

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/policy"
)

// IAM's quotas for managed policies.
const (
	maxPolicyVersions   = 5
	maxAttachedPolicies = 10
	maxManagedSize      = 6144
)

var versionID = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)

// policyARN is the ARN of a managed policy of account.
func policyARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":policy" + path + name
}

func policyXML(p meta.ManagedPolicy) policyInfo {
	return policyInfo{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: p.Attachments, IsAttachable: true, Description: p.Description,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated)}
}

func noSuchPolicy(arn string) error {
	return errf(http.StatusNotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
}

// managedDoc validates a managed policy document.
func (h *Handler) managedDoc(c *call) (string, error) {
	doc, err := h.param(c.form, "PolicyDocument", nil)
	if err != nil {
		return "", err
	}
	if err := h.checkPolicy(doc); err != nil {
		return "", err
	}
	if n := policySize(doc); n > maxManagedSize {
		return "", errf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for PolicySize: %d", maxManagedSize)
	}
	return doc, nil
}

func (h *Handler) createPolicy(c *call) (response, error) {
	name, err := h.param(c.form, "PolicyName", policyName)
	if err != nil {
		return nil, err
	}
	path, err := pathParam(c.form, "Path")
	if err != nil {
		return nil, err
	}
	doc, err := h.managedDoc(c)
	if err != nil {
		return nil, err
	}
	if c.form.Get("Tags.member.1.Key") != "" {
		return nil, errf(http.StatusBadRequest, "ValidationError", "Policy tags are not supported.")
	}
	now := h.now().UTC()
	p := meta.ManagedPolicy{ARN: policyARN(meta.AccountOf(c.ctx), path, name), Name: name, ID: "ANPA" + iam.RandomString(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		Path: path, Description: c.form.Get("Description"), DefaultVersion: "v1", Created: now, Updated: now}
	if err := h.dir.CreatePolicy(c.ctx, p, doc); err != nil {
		if errors.Is(err, meta.ErrEntityExists) {
			return nil, errf(http.StatusConflict, "EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
		}
		return nil, err
	}
	return ok(c, struct {
		Policy policyInfo `xml:"Policy"`
	}{policyXML(p)})
}

func (h *Handler) policyParam(c *call) (meta.ManagedPolicy, error) {
	arn, err := h.param(c.form, "PolicyArn", nil)
	if err != nil {
		return meta.ManagedPolicy{}, err
	}
	p, err := h.dir.GetPolicy(c.ctx, arn)
	if errors.Is(err, meta.ErrNoSuchEntity) {
		return p, noSuchPolicy(arn)
	}
	return p, err
}

func (h *Handler) getPolicy(c *call) (response, error) {
	p, err := h.policyParam(c)
	if err != nil {
		return nil, err
	}
	return ok(c, struct {
		Policy policyInfo `xml:"Policy"`
	}{policyXML(p)})
}

func (h *Handler) listPolicies(c *call) (response, error) {
	scope := c.form.Get("Scope")
	if scope != "" && scope != "All" && scope != "Local" && scope != "AWS" {
		return nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	prefix, onlyAttached := prefixParam(c.form), c.form.Get("OnlyAttached") == "true"
	ps, next, err := listPage(c.form, func(after string, n int) ([]meta.ManagedPolicy, error) {
		if scope == "AWS" {
			return nil, nil // no AWS managed policies here
		}
		return h.dir.ListPolicies(c.ctx, after, n)
	}, func(p meta.ManagedPolicy) string { return p.ARN }, func(p meta.ManagedPolicy) bool {
		return strings.HasPrefix(p.Path, prefix) && (!onlyAttached || p.Attachments > 0)
	})
	if err != nil {
		return nil, err
	}
	out := []policyInfo{}
	for _, p := range ps {
		out = append(out, policyXML(p))
	}
	return ok(c, struct {
		Policies    []policyInfo `xml:"Policies>member"`
		IsTruncated bool         `xml:"IsTruncated"`
		Marker      string       `xml:"Marker,omitempty"`
	}{out, next != "", next})
}

func (h *Handler) deletePolicy(c *call) (response, error) {
	p, err := h.policyParam(c)
	if err != nil {
		return nil, err
	}
	if err := h.dir.DeletePolicy(c.ctx, p.ARN); err != nil {
		switch {
		case errors.Is(err, meta.ErrDeleteConflict) && p.Attachments > 0:
			return nil, errf(http.StatusConflict, "DeleteConflict", "Cannot delete a policy attached to entities.")
		case errors.Is(err, meta.ErrDeleteConflict):
			return nil, errf(http.StatusConflict, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		case errors.Is(err, meta.ErrNoSuchEntity):
			return nil, noSuchPolicy(p.ARN)
		}
		return nil, err
	}
	h.ids.ForgetPolicies("")
	return ok(c, nil)
}

func (h *Handler) createPolicyVersion(c *call) (response, error) {
	p, err := h.policyParam(c)
	if err != nil {
		return nil, err
	}
	doc, err := h.managedDoc(c)
	if err != nil {
		return nil, err
	}
	v, err := h.dir.CreatePolicyVersion(c.ctx, p.ARN, doc, c.form.Get("SetAsDefault") == "true", maxPolicyVersions, h.now().UTC())
	switch {
	case errors.Is(err, meta.ErrLimitExceeded):
		return nil, errf(http.StatusConflict, "LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	case errors.Is(err, meta.ErrNoSuchEntity):
		return nil, noSuchPolicy(p.ARN)
	case err != nil:
		return nil, err
	}
	h.ids.ForgetPolicies("")
	return ok(c, struct {
		PolicyVersion versionInfo `xml:"PolicyVersion"`
	}{versionInfo{VersionID: v.ID, IsDefaultVersion: v.Default, CreateDate: isoTime(v.Created)}})
}

// versionParam reads PolicyArn and VersionId.
func (h *Handler) versionParam(c *call) (string, string, error) {
	arn, err := h.param(c.form, "PolicyArn", nil)
	if err != nil {
		return "", "", err
	}
	v, err := h.param(c.form, "VersionId", versionID)
	return arn, v, err
}

func noSuchVersion(arn, v string) error {
	return errf(http.StatusNotFound, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, v)
}

func (h *Handler) getPolicyVersion(c *call) (response, error) {
	arn, id, err := h.versionParam(c)
	if err != nil {
		return nil, err
	}
	v, err := h.dir.GetPolicyVersion(c.ctx, arn, id)
	if errors.Is(err, meta.ErrNoSuchEntity) {
		return nil, noSuchVersion(arn, id)
	}
	if err != nil {
		return nil, err
	}
	return ok(c, struct {
		PolicyVersion versionInfo `xml:"PolicyVersion"`
	}{versionInfo{Document: encodeDoc(v.Document), VersionID: v.ID, IsDefaultVersion: v.Default, CreateDate: isoTime(v.Created)}})
}

func (h *Handler) listPolicyVersions(c *call) (response, error) {
	p, err := h.policyParam(c)
	if err != nil {
		return nil, err
	}
	vs, err := h.dir.ListPolicyVersions(c.ctx, p.ARN)
	if err != nil {
		return nil, err
	}
	out := []versionInfo{}
	for _, v := range vs {
		out = append(out, versionInfo{VersionID: v.ID, IsDefaultVersion: v.Default, CreateDate: isoTime(v.Created)})
	}
	return ok(c, struct {
		Versions    []versionInfo `xml:"Versions>member"`
		IsTruncated bool          `xml:"IsTruncated"`
	}{out, false})
}

func (h *Handler) deletePolicyVersion(c *call) (response, error) {
	arn, id, err := h.versionParam(c)
	if err != nil {
		return nil, err
	}
	switch err := h.dir.DeletePolicyVersion(c.ctx, arn, id); {
	case errors.Is(err, meta.ErrDeleteConflict):
		return nil, errf(http.StatusConflict, "DeleteConflict", "Cannot delete the default version of a policy.")
	case errors.Is(err, meta.ErrNoSuchEntity):
		return nil, noSuchVersion(arn, id)
	case err != nil:
		return nil, err
	}
	return ok(c, nil)
}

func (h *Handler) setDefaultPolicyVersion(c *call) (response, error) {
	arn, id, err := h.versionParam(c)
	if err != nil {
		return nil, err
	}
	switch err := h.dir.SetDefaultPolicyVersion(c.ctx, arn, id, h.now().UTC()); {
	case errors.Is(err, meta.ErrNoSuchEntity):
		return nil, noSuchVersion(arn, id)
	case err != nil:
		return nil, err
	}
	h.ids.ForgetPolicies("")
	return ok(c, nil)
}

// attach serves Attach/Detach/ListAttached policies of users, groups and roles.
type attach owner

func (o attach) names(h *Handler, c *call) (string, string, error) {
	n, err := h.param(c.form, o.param, o.re)
	if err != nil {
		return "", "", err
	}
	arn, err := h.param(c.form, "PolicyArn", nil)
	return n, arn, err
}

func (o attach) attach(h *Handler, c *call) (response, error) {
	n, arn, err := o.names(h, c)
	if err != nil {
		return nil, err
	}
	switch err := h.dir.AttachPolicy(c.ctx, o.kind, n, arn, maxAttachedPolicies); {
	case errors.Is(err, meta.ErrLimitExceeded):
		return nil, errf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for %s: %d", o.quota, maxAttachedPolicies)
	case errors.Is(err, meta.ErrNoSuchEntity) && o.kind != meta.KindUser:
		if _, oerr := h.dir.AttachedPolicies(c.ctx, o.kind, n); oerr != nil {
			return nil, owner(o).missing(n)
		}
		return nil, noSuchPolicy(arn)
	case errors.Is(err, meta.ErrNoSuchEntity):
		return nil, noSuchPolicy(arn)
	case err != nil:
		return nil, owner(o).entityError(err, n)
	}
	h.ids.ForgetPolicies(n)
	return ok(c, nil)
}

func (o attach) detach(h *Handler, c *call) (response, error) {
	n, arn, err := o.names(h, c)
	if err != nil {
		return nil, err
	}
	switch err := h.dir.DetachPolicy(c.ctx, o.kind, n, arn); {
	case errors.Is(err, meta.ErrNoSuchEntity) && o.kind != meta.KindUser:
		if _, oerr := h.dir.AttachedPolicies(c.ctx, o.kind, n); oerr != nil {
			return nil, owner(o).missing(n)
		}
		return nil, errf(http.StatusNotFound, "NoSuchEntity", "Policy %s was not found.", arn)
	case errors.Is(err, meta.ErrNoSuchEntity):
		return nil, errf(http.StatusNotFound, "NoSuchEntity", "Policy %s was not found.", arn)
	case err != nil:
		return nil, owner(o).entityError(err, n)
	}
	h.ids.ForgetPolicies(n)
	return ok(c, nil)
}

func (o attach) list(h *Handler, c *call) (response, error) {
	n, err := h.param(c.form, o.param, o.re)
	if err != nil {
		return nil, err
	}
	ps, err := h.dir.AttachedPolicies(c.ctx, o.kind, n)
	if err != nil {
		return nil, owner(o).entityError(err, n)
	}
	prefix := prefixParam(c.form)
	out := []attachedPolicy{}
	for _, p := range ps {
		if strings.HasPrefix(p.Path, prefix) {
			out = append(out, attachedPolicy{PolicyName: p.Name, PolicyArn: p.ARN})
		}
	}
	return ok(c, struct {
		AttachedPolicies []attachedPolicy `xml:"AttachedPolicies>member"`
		IsTruncated      bool             `xml:"IsTruncated"`
	}{out, false})
}

// resourceOf is the ARN an IAM action is authorized against.
func (h *Handler) resourceOf(c *call) string {
	acct := "arn:aws:iam::" + c.p.AccountID() + ":"
	f := c.form
	switch a := c.action; {
	case accountActions[a]:
		return acct + "account/" + f.Get("AccountId")
	case remoteActions[a]:
		return acct + "replication-remote/" + f.Get("RemoteName")
	case olapActions[a]:
		return acct + "object-lambda-access-point/" + f.Get("Name")
	case a == "ListGroups":
		return acct + "group/*"
	case a == "ListRoles":
		return acct + "role/*"
	case a == "ListPolicies":
		return "*"
	case a == "CreatePolicy":
		p := f.Get("Path")
		if p == "" {
			p = "/"
		}
		return policyARN(c.p.AccountID(), p, f.Get("PolicyName"))
	case strings.Contains(a, "PolicyVersion") || a == "GetPolicy" || a == "DeletePolicy":
		return f.Get("PolicyArn")
	case a == "ListGroupsForUser":
		return acct + "user/" + f.Get("UserName")
	case strings.Contains(a, "Group"):
		return acct + "group/" + f.Get("GroupName")
	case strings.Contains(a, "Role"):
		return acct + "role/" + f.Get("RoleName")
	case a == "GetUser" && f.Get("UserName") == "":
		return acct + "user/" + c.p.User
	}
	return acct + "user/" + f.Get("UserName")
}

func policySize(doc string) int { return policy.PolicySize([]byte(doc)) }
