package iamapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"talus/internal/iam"
	"talus/internal/meta"
)

var groupName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// maxGroupsPerUser is IAM's quota.
const maxGroupsPerUser = 10

// directoryActions are the group, role and managed policy actions.
var directoryActions = map[string]func(*Handler, *call) (response, error){
	"CreateGroup": (*Handler).createGroup, "GetGroup": (*Handler).getGroup, "ListGroups": (*Handler).listGroups,
	"DeleteGroup": (*Handler).deleteGroup, "AddUserToGroup": (*Handler).addUserToGroup,
	"RemoveUserFromGroup": (*Handler).removeUserFromGroup, "ListGroupsForUser": (*Handler).listGroupsForUser,
	"PutGroupPolicy": inline(groupOwner).put, "GetGroupPolicy": inline(groupOwner).get,
	"ListGroupPolicies": inline(groupOwner).list, "DeleteGroupPolicy": inline(groupOwner).delete,
	"AttachGroupPolicy": attach(groupOwner).attach, "DetachGroupPolicy": attach(groupOwner).detach,
	"ListAttachedGroupPolicies": attach(groupOwner).list,
	"AttachUserPolicy":          attach(userOwner).attach, "DetachUserPolicy": attach(userOwner).detach,
	"ListAttachedUserPolicies": attach(userOwner).list,

	"CreateRole": (*Handler).createRole, "GetRole": (*Handler).getRole, "ListRoles": (*Handler).listRoles,
	"DeleteRole": (*Handler).deleteRole, "UpdateAssumeRolePolicy": (*Handler).updateAssumeRolePolicy,
	"UpdateRole":    (*Handler).updateRole,
	"PutRolePolicy": inline(roleOwner).put, "GetRolePolicy": inline(roleOwner).get,
	"ListRolePolicies": inline(roleOwner).list, "DeleteRolePolicy": inline(roleOwner).delete,
	"AttachRolePolicy": attach(roleOwner).attach, "DetachRolePolicy": attach(roleOwner).detach,
	"ListAttachedRolePolicies": attach(roleOwner).list,

	"CreatePolicy": (*Handler).createPolicy, "GetPolicy": (*Handler).getPolicy, "ListPolicies": (*Handler).listPolicies,
	"DeletePolicy": (*Handler).deletePolicy, "CreatePolicyVersion": (*Handler).createPolicyVersion,
	"GetPolicyVersion": (*Handler).getPolicyVersion, "ListPolicyVersions": (*Handler).listPolicyVersions,
	"DeletePolicyVersion": (*Handler).deletePolicyVersion, "SetDefaultPolicyVersion": (*Handler).setDefaultPolicyVersion,
}

// owner describes the entity kind an inline or attached policy belongs to.
type owner struct {
	kind, param, noun string
	re                *regexp.Regexp
	quota             string // IAM's attached-policies quota name
	aggregate         int    // IAM's limit on the owner's inline policies together
}

var (
	userOwner  = owner{meta.KindUser, "UserName", "user", userName, "PoliciesPerUser", 2048}
	groupOwner = owner{meta.KindGroup, "GroupName", "group", groupName, "PoliciesPerGroup", 5120}
	roleOwner  = owner{meta.KindRole, "RoleName", "role", roleName, "PoliciesPerRole", 10240}
)

// missing is the NoSuchEntity of an owner.
func (o owner) missing(name string) error {
	return errf(http.StatusNotFound, "NoSuchEntity", "The %s with name %s cannot be found.", o.noun, name)
}

// entityError maps store errors for an owner named name.
func (o owner) entityError(err error, name string) error {
	switch {
	case errors.Is(err, meta.ErrNoSuchUser):
		return userOwner.missing(name)
	case errors.Is(err, meta.ErrNoSuchEntity):
		return o.missing(name)
	case errors.Is(err, meta.ErrNoSuchPolicy):
		return errf(http.StatusNotFound, "NoSuchEntity", "The %s policy with name %s cannot be found.", o.noun, name)
	case errors.Is(err, meta.ErrEntityExists):
		return errf(http.StatusConflict, "EntityAlreadyExists", "%s with name %s already exists.", strings.ToUpper(o.noun[:1])+o.noun[1:], name)
	}
	return err
}

// pathParam reads Path (default "/").
func pathParam(form url.Values, name string) (string, error) {
	path := form.Get(name)
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") || len(path) > 512 {
		return "", errf(http.StatusBadRequest, "ValidationError", "The specified value for %s is invalid.", lowerFirst(name))
	}
	return path, nil
}

// prefixParam reads PathPrefix (default "/").
func prefixParam(form url.Values) string {
	if p := form.Get("PathPrefix"); p != "" {
		return p
	}
	return "/"
}

// groupARN is the ARN of a group of the account ctx is scoped to.
func groupARN(ctx context.Context, g meta.Group) string {
	return "arn:aws:iam::" + meta.AccountOf(ctx) + ":group" + g.Path + g.Name
}

func groupXML(ctx context.Context, g meta.Group) groupInfo {
	return groupInfo{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: groupARN(ctx, g), CreateDate: isoTime(g.Created)}
}

func (h *Handler) createGroup(c *call) (response, error) {
	name, err := h.param(c.form, "GroupName", groupName)
	if err != nil {
		return nil, err
	}
	path, err := pathParam(c.form, "Path")
	if err != nil {
		return nil, err
	}
	g := meta.Group{Name: name, ID: "AGPA" + iam.RandomString(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), Path: path, Created: h.now().UTC()}
	if err := h.dir.CreateGroup(c.ctx, g); err != nil {
		return nil, groupOwner.entityError(err, name)
	}
	return ok(c, struct {
		Group groupInfo `xml:"Group"`
	}{groupXML(c.ctx, g)})
}

func (h *Handler) getGroup(c *call) (response, error) {
	name, err := h.param(c.form, "GroupName", groupName)
	if err != nil {
		return nil, err
	}
	g, err := h.dir.GetGroup(c.ctx, name)
	if err != nil {
		return nil, groupOwner.entityError(err, name)
	}
	members, err := h.dir.GroupMembers(c.ctx, name)
	if err != nil {
		return nil, groupOwner.entityError(err, name)
	}
	users := []*userInfo{}
	for _, u := range members {
		users = append(users, userXML(c.ctx, u))
	}
	return ok(c, struct {
		Group       groupInfo   `xml:"Group"`
		Users       []*userInfo `xml:"Users>member"`
		IsTruncated bool        `xml:"IsTruncated"`
	}{groupXML(c.ctx, g), users, false})
}

// listPage pages through a name-ordered listing, keeping entries keep
// accepts; it returns the page and the marker of the next one.
func listPage[T any](form url.Values, fetch func(after string, limit int) ([]T, error), key func(T) string, keep func(T) bool) ([]T, string, error) {
	marker, max, err := page(form)
	if err != nil {
		return nil, "", err
	}
	var out []T
	after := marker
	for len(out) <= max {
		batch, err := fetch(after, max+1)
		if err != nil {
			return nil, "", err
		}
		for _, e := range batch {
			after = key(e)
			if keep(e) {
				out = append(out, e)
			}
		}
		if len(batch) <= max {
			break
		}
	}
	if len(out) > max {
		out = out[:max]
		return out, key(out[max-1]), nil
	}
	return out, "", nil
}

func (h *Handler) listGroups(c *call) (response, error) {
	prefix := prefixParam(c.form)
	gs, next, err := listPage(c.form, func(after string, n int) ([]meta.Group, error) { return h.dir.ListGroups(c.ctx, after, n) },
		func(g meta.Group) string { return g.Name }, func(g meta.Group) bool { return strings.HasPrefix(g.Path, prefix) })
	if err != nil {
		return nil, err
	}
	out := []groupInfo{}
	for _, g := range gs {
		out = append(out, groupXML(c.ctx, g))
	}
	return ok(c, struct {
		Groups      []groupInfo `xml:"Groups>member"`
		IsTruncated bool        `xml:"IsTruncated"`
		Marker      string      `xml:"Marker,omitempty"`
	}{out, next != "", next})
}

func (h *Handler) deleteGroup(c *call) (response, error) {
	name, err := h.param(c.form, "GroupName", groupName)
	if err != nil {
		return nil, err
	}
	if err := h.dir.DeleteGroup(c.ctx, name); err != nil {
		if errors.Is(err, meta.ErrDeleteConflict) {
			return nil, errf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must remove users from group and delete or detach its policies first.")
		}
		return nil, groupOwner.entityError(err, name)
	}
	return ok(c, nil)
}

// groupAndUser reads GroupName and UserName.
func (h *Handler) groupAndUser(c *call) (string, string, error) {
	g, err := h.param(c.form, "GroupName", groupName)
	if err != nil {
		return "", "", err
	}
	u, err := h.param(c.form, "UserName", userName)
	return g, u, err
}

func (h *Handler) addUserToGroup(c *call) (response, error) {
	g, u, err := h.groupAndUser(c)
	if err != nil {
		return nil, err
	}
	if gs, err := h.dir.UserGroups(c.ctx, u); err == nil && len(gs) >= maxGroupsPerUser {
		return nil, errf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
	}
	if err := h.dir.AddUserToGroup(c.ctx, g, u); err != nil {
		if errors.Is(err, meta.ErrNoSuchUser) {
			return nil, userOwner.missing(u)
		}
		return nil, groupOwner.entityError(err, g)
	}
	h.ids.ForgetPolicies(u)
	return ok(c, nil)
}

func (h *Handler) removeUserFromGroup(c *call) (response, error) {
	g, u, err := h.groupAndUser(c)
	if err != nil {
		return nil, err
	}
	if err := h.dir.RemoveUserFromGroup(c.ctx, g, u); err != nil {
		switch {
		case errors.Is(err, meta.ErrNoSuchUser):
			return nil, userOwner.missing(u)
		case errors.Is(err, meta.ErrNoSuchEntity):
			if _, gerr := h.dir.GetGroup(c.ctx, g); gerr != nil {
				return nil, groupOwner.missing(g)
			}
			return nil, errf(http.StatusNotFound, "NoSuchEntity", "The user with name %s is not a member of group %s.", u, g)
		}
		return nil, err
	}
	h.ids.ForgetPolicies(u)
	return ok(c, nil)
}

func (h *Handler) listGroupsForUser(c *call) (response, error) {
	u, err := h.param(c.form, "UserName", userName)
	if err != nil {
		return nil, err
	}
	gs, err := h.dir.UserGroups(c.ctx, u)
	if err != nil {
		return nil, userOwner.entityError(err, u)
	}
	out := []groupInfo{}
	for _, g := range gs {
		out = append(out, groupXML(c.ctx, g))
	}
	return ok(c, struct {
		Groups      []groupInfo `xml:"Groups>member"`
		IsTruncated bool        `xml:"IsTruncated"`
	}{out, false})
}

// inline serves the inline policy actions of groups and roles.
type inline owner

func (o inline) names(h *Handler, c *call) (string, string, error) {
	n, err := h.param(c.form, o.param, o.re)
	if err != nil {
		return "", "", err
	}
	p, err := h.param(c.form, "PolicyName", policyName)
	return n, p, err
}

func (o inline) put(h *Handler, c *call) (response, error) {
	n, p, err := o.names(h, c)
	if err != nil {
		return nil, err
	}
	doc, err := h.param(c.form, "PolicyDocument", nil)
	if err != nil {
		return nil, err
	}
	if err := h.checkPolicy(doc); err != nil {
		return nil, err
	}
	if err := o.checkAggregate(h, c, n, p, doc); err != nil {
		return nil, err
	}
	if err := h.dir.PutInlinePolicy(c.ctx, o.kind, n, p, doc); err != nil {
		return nil, owner(o).entityError(err, n)
	}
	h.ids.ForgetPolicies(n)
	return ok(c, nil)
}

// checkAggregate applies IAM's limit on the size of an owner's inline
// policies together (characters without whitespace), doc replacing name.
func (o inline) checkAggregate(h *Handler, c *call, owner, name, doc string) error {
	names, err := h.dir.ListInlinePolicies(c.ctx, o.kind, owner)
	if err != nil {
		return nil // the store answers for a missing owner
	}
	total := policySize(doc)
	for _, other := range names {
		if other == name {
			continue
		}
		if d, err := h.dir.GetInlinePolicy(c.ctx, o.kind, owner, other); err == nil {
			total += policySize(d)
		}
	}
	if total > o.aggregate {
		return errf(http.StatusConflict, "LimitExceeded", "Maximum policy size of %d bytes exceeded for %s %s", o.aggregate, o.noun, owner)
	}
	return nil
}

func (o inline) get(h *Handler, c *call) (response, error) {
	n, p, err := o.names(h, c)
	if err != nil {
		return nil, err
	}
	doc, err := h.dir.GetInlinePolicy(c.ctx, o.kind, n, p)
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchPolicy) {
			return nil, errf(http.StatusNotFound, "NoSuchEntity", "The %s policy with name %s cannot be found.", o.noun, p)
		}
		return nil, owner(o).entityError(err, n)
	}
	return ok(c, namedPolicy{o.param, n, p, encodeDoc(doc)})
}

func (o inline) list(h *Handler, c *call) (response, error) {
	n, err := h.param(c.form, o.param, o.re)
	if err != nil {
		return nil, err
	}
	names, err := h.dir.ListInlinePolicies(c.ctx, o.kind, n)
	if err != nil {
		return nil, owner(o).entityError(err, n)
	}
	return ok(c, struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool     `xml:"IsTruncated"`
	}{append([]string{}, names...), false})
}

func (o inline) delete(h *Handler, c *call) (response, error) {
	n, p, err := o.names(h, c)
	if err != nil {
		return nil, err
	}
	if err := h.dir.DeleteInlinePolicy(c.ctx, o.kind, n, p); err != nil {
		if errors.Is(err, meta.ErrNoSuchPolicy) {
			return nil, errf(http.StatusNotFound, "NoSuchEntity", "The %s policy with name %s cannot be found.", o.noun, p)
		}
		return nil, owner(o).entityError(err, n)
	}
	h.ids.ForgetPolicies(n)
	return ok(c, nil)
}

// encodeDoc URL-encodes a policy document as IAM returns it (RFC 3986: a
// space is %20; QueryEscape writes a literal '+' as %2B, so every '+'
// left is a space).
func encodeDoc(doc string) string { return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") }

// checkPolicy validates an identity policy document.
func (h *Handler) checkPolicy(doc string) error {
	if h.check != nil {
		if err := h.check(doc); err != nil {
			return errf(http.StatusBadRequest, "MalformedPolicyDocument", "%s", err.Error())
		}
	}
	return nil
}
