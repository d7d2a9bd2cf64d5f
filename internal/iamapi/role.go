package iamapi

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/policy"
)

var roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

func roleXML(ctx context.Context, r meta.Role, withTrust bool) roleInfo {
	out := roleInfo{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: iam.RoleARN(meta.AccountOf(ctx), r.Path, r.Name), CreateDate: isoTime(r.Created),
		Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
	if withTrust {
		out.AssumeRolePolicyDocument = encodeDoc(r.TrustPolicy)
	}
	return out
}

// trustParam reads and validates a trust policy document.
func (h *Handler) trustParam(c *call, name string) (string, error) {
	doc, err := h.param(c.form, name, nil)
	if err != nil {
		return "", err
	}
	if _, err := policy.Parse([]byte(doc), policy.TrustPolicy, ""); err != nil {
		return "", errf(http.StatusBadRequest, "MalformedPolicyDocument", "%s", err.Error())
	}
	return doc, nil
}

// maxSession reads MaxSessionDuration (3600–43200 seconds), def when absent.
func maxSession(c *call, def int) (int, error) {
	v := c.form.Get("MaxSessionDuration")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 3600 || n > 43200 {
		return 0, errf(http.StatusBadRequest, "ValidationError", "The requested MaxSessionDuration %s is invalid: it must be between 3600 and 43200 seconds.", v)
	}
	return n, nil
}

func (h *Handler) createRole(c *call) (response, error) {
	name, err := h.param(c.form, "RoleName", roleName)
	if err != nil {
		return nil, err
	}
	path, err := pathParam(c.form, "Path")
	if err != nil {
		return nil, err
	}
	trust, err := h.trustParam(c, "AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	maxD, err := maxSession(c, 3600)
	if err != nil {
		return nil, err
	}
	if c.form.Get("PermissionsBoundary") != "" || c.form.Get("Tags.member.1.Key") != "" {
		return nil, errf(http.StatusBadRequest, "ValidationError", "Permissions boundaries and role tags are not supported.")
	}
	r := meta.Role{Name: name, ID: "AROA" + iam.RandomString(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), Path: path, TrustPolicy: trust,
		Description: c.form.Get("Description"), MaxSessionDuration: maxD, Created: h.now().UTC()}
	if len(r.Description) > 1000 {
		return nil, errf(http.StatusBadRequest, "ValidationError", "The specified value for description is invalid.")
	}
	if err := h.dir.CreateRole(c.ctx, r); err != nil {
		return nil, roleOwner.entityError(err, name)
	}
	return ok(c, struct {
		Role roleInfo `xml:"Role"`
	}{roleXML(c.ctx, r, true)})
}

func (h *Handler) roleParam(c *call) (meta.Role, error) {
	name, err := h.param(c.form, "RoleName", roleName)
	if err != nil {
		return meta.Role{}, err
	}
	r, err := h.dir.GetRole(c.ctx, name)
	if err != nil {
		return r, roleOwner.entityError(err, name)
	}
	return r, nil
}

func (h *Handler) getRole(c *call) (response, error) {
	r, err := h.roleParam(c)
	if err != nil {
		return nil, err
	}
	return ok(c, struct {
		Role roleInfo `xml:"Role"`
	}{roleXML(c.ctx, r, true)})
}

func (h *Handler) listRoles(c *call) (response, error) {
	prefix := prefixParam(c.form)
	rs, next, err := listPage(c.form, func(after string, n int) ([]meta.Role, error) { return h.dir.ListRoles(c.ctx, after, n) },
		func(r meta.Role) string { return r.Name }, func(r meta.Role) bool { return strings.HasPrefix(r.Path, prefix) })
	if err != nil {
		return nil, err
	}
	out := []roleInfo{}
	for _, r := range rs {
		out = append(out, roleXML(c.ctx, r, true))
	}
	return ok(c, struct {
		Roles       []roleInfo `xml:"Roles>member"`
		IsTruncated bool       `xml:"IsTruncated"`
		Marker      string     `xml:"Marker,omitempty"`
	}{out, next != "", next})
}

func (h *Handler) deleteRole(c *call) (response, error) {
	name, err := h.param(c.form, "RoleName", roleName)
	if err != nil {
		return nil, err
	}
	if err := h.dir.DeleteRole(c.ctx, name); err != nil {
		if errors.Is(err, meta.ErrDeleteConflict) {
			return nil, errf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must delete policies first.")
		}
		return nil, roleOwner.entityError(err, name)
	}
	h.ids.ForgetPolicies(name)
	return ok(c, nil)
}

func (h *Handler) updateAssumeRolePolicy(c *call) (response, error) {
	r, err := h.roleParam(c)
	if err != nil {
		return nil, err
	}
	if r.TrustPolicy, err = h.trustParam(c, "PolicyDocument"); err != nil {
		return nil, err
	}
	if err := h.dir.UpdateRole(c.ctx, r); err != nil {
		return nil, roleOwner.entityError(err, r.Name)
	}
	return ok(c, nil)
}

func (h *Handler) updateRole(c *call) (response, error) {
	r, err := h.roleParam(c)
	if err != nil {
		return nil, err
	}
	if _, set := c.form["Description"]; set {
		r.Description = c.form.Get("Description")
	}
	if r.MaxSessionDuration, err = maxSession(c, r.MaxSessionDuration); err != nil {
		return nil, err
	}
	if err := h.dir.UpdateRole(c.ctx, r); err != nil {
		return nil, roleOwner.entityError(err, r.Name)
	}
	return ok(c, struct{}{})
}
