package metatest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"talus/internal/meta"
)

// want fails the test unless err is target (nil for success).
func want(t *testing.T, what string, err, target error) {
	t.Helper()
	if (target == nil && err != nil) || (target != nil && !errors.Is(err, target)) {
		t.Fatalf("%s = %v, want %v", what, err, target)
	}
}

func testGroups(t *testing.T, s meta.Store) {
	now := time.Now()
	want(t, "CreateUser", s.CreateUser(ctx, meta.User{Name: "ann", ID: "AIDA1", Path: "/", Created: now}), nil)
	want(t, "CreateUser", s.CreateUser(ctx, meta.User{Name: "ben", ID: "AIDA2", Path: "/", Created: now}), nil)
	want(t, "CreateGroup", s.CreateGroup(ctx, meta.Group{Name: "eng", ID: "AGPA1", Path: "/x/", Created: now}), nil)
	want(t, "CreateGroup dup", s.CreateGroup(ctx, meta.Group{Name: "eng", ID: "AGPA9", Path: "/"}), meta.ErrEntityExists)
	want(t, "CreateGroup", s.CreateGroup(ctx, meta.Group{Name: "ops", ID: "AGPA2", Path: "/", Created: now}), nil)
	if g, err := s.GetGroup(ctx, "eng"); err != nil || g.ID != "AGPA1" || g.Path != "/x/" || g.Created.IsZero() {
		t.Fatalf("GetGroup = %+v, %v", g, err)
	}
	_, err := s.GetGroup(ctx, "nope")
	want(t, "GetGroup missing", err, meta.ErrNoSuchEntity)
	if gs, _ := s.ListGroups(ctx, "", 1); len(gs) != 1 || gs[0].Name != "eng" {
		t.Fatalf("ListGroups page 1 = %+v", gs)
	}
	if gs, _ := s.ListGroups(ctx, "eng", 10); len(gs) != 1 || gs[0].Name != "ops" {
		t.Fatalf("ListGroups after eng = %+v", gs)
	}

	want(t, "AddUserToGroup", s.AddUserToGroup(ctx, "eng", "ann"), nil)
	want(t, "AddUserToGroup again", s.AddUserToGroup(ctx, "eng", "ann"), nil)
	want(t, "AddUserToGroup", s.AddUserToGroup(ctx, "eng", "ben"), nil)
	want(t, "AddUserToGroup", s.AddUserToGroup(ctx, "ops", "ann"), nil)
	want(t, "AddUserToGroup no user", s.AddUserToGroup(ctx, "eng", "cat"), meta.ErrNoSuchUser)
	want(t, "AddUserToGroup no group", s.AddUserToGroup(ctx, "nope", "ann"), meta.ErrNoSuchEntity)
	if us, _ := s.GroupMembers(ctx, "eng"); len(us) != 2 || us[0].Name != "ann" || us[1].Name != "ben" {
		t.Fatalf("GroupMembers = %+v", us)
	}
	if gs, _ := s.UserGroups(ctx, "ann"); len(gs) != 2 || gs[0].Name != "eng" || gs[1].Name != "ops" {
		t.Fatalf("UserGroups = %+v", gs)
	}
	want(t, "DeleteUser in a group", s.DeleteUser(ctx, "ben"), meta.ErrUserInUse)
	want(t, "DeleteGroup with members", s.DeleteGroup(ctx, "eng"), meta.ErrDeleteConflict)
	want(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, "eng", "ben"), nil)
	want(t, "RemoveUserFromGroup again", s.RemoveUserFromGroup(ctx, "eng", "ben"), meta.ErrNoSuchEntity)
	want(t, "DeleteUser", s.DeleteUser(ctx, "ben"), nil)

	want(t, "PutInlinePolicy", s.PutInlinePolicy(ctx, meta.KindGroup, "ops", "p1", `{"a":1}`), nil)
	want(t, "PutInlinePolicy replace", s.PutInlinePolicy(ctx, meta.KindGroup, "ops", "p1", `{"a":2}`), nil)
	want(t, "PutInlinePolicy", s.PutInlinePolicy(ctx, meta.KindGroup, "ops", "p0", `{}`), nil)
	want(t, "PutInlinePolicy no group", s.PutInlinePolicy(ctx, meta.KindGroup, "nope", "p", `{}`), meta.ErrNoSuchEntity)
	if d, err := s.GetInlinePolicy(ctx, meta.KindGroup, "ops", "p1"); err != nil || d != `{"a":2}` {
		t.Fatalf("GetInlinePolicy = %q, %v", d, err)
	}
	_, err = s.GetInlinePolicy(ctx, meta.KindGroup, "ops", "zz")
	want(t, "GetInlinePolicy missing", err, meta.ErrNoSuchPolicy)
	if ns, _ := s.ListInlinePolicies(ctx, meta.KindGroup, "ops"); strings.Join(ns, ",") != "p0,p1" {
		t.Fatalf("ListInlinePolicies = %v", ns)
	}
	want(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, "ops", "ann"), nil)
	want(t, "DeleteGroup with policies", s.DeleteGroup(ctx, "ops"), meta.ErrDeleteConflict)
	want(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, meta.KindGroup, "ops", "p0"), nil)
	want(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, meta.KindGroup, "ops", "p1"), nil)
	want(t, "DeleteInlinePolicy again", s.DeleteInlinePolicy(ctx, meta.KindGroup, "ops", "p1"), meta.ErrNoSuchPolicy)
	want(t, "DeleteGroup", s.DeleteGroup(ctx, "ops"), nil)
	want(t, "DeleteGroup again", s.DeleteGroup(ctx, "ops"), meta.ErrNoSuchEntity)
}

func testRoles(t *testing.T, s meta.Store) {
	now := time.Now()
	r := meta.Role{Name: "reader", ID: "AROA1", Path: "/svc/", TrustPolicy: `{"t":1}`, Description: "d", MaxSessionDuration: 3600, Created: now}
	want(t, "CreateRole", s.CreateRole(ctx, r), nil)
	want(t, "CreateRole dup", s.CreateRole(ctx, r), meta.ErrEntityExists)
	want(t, "CreateRole", s.CreateRole(ctx, meta.Role{Name: "writer", ID: "AROA2", Path: "/", TrustPolicy: "{}", MaxSessionDuration: 3600, Created: now}), nil)
	got, err := s.GetRole(ctx, "reader")
	if err != nil || got.ID != "AROA1" || got.TrustPolicy != `{"t":1}` || got.Description != "d" || got.MaxSessionDuration != 3600 || got.Path != "/svc/" {
		t.Fatalf("GetRole = %+v, %v", got, err)
	}
	r.TrustPolicy, r.MaxSessionDuration, r.ID = `{"t":2}`, 7200, "ignored"
	want(t, "UpdateRole", s.UpdateRole(ctx, r), nil)
	if got, _ := s.GetRole(ctx, "reader"); got.TrustPolicy != `{"t":2}` || got.MaxSessionDuration != 7200 || got.ID != "AROA1" {
		t.Fatalf("GetRole after update = %+v", got)
	}
	want(t, "UpdateRole missing", s.UpdateRole(ctx, meta.Role{Name: "nope"}), meta.ErrNoSuchEntity)
	if rs, _ := s.ListRoles(ctx, "reader", 5); len(rs) != 1 || rs[0].Name != "writer" {
		t.Fatalf("ListRoles = %+v", rs)
	}
	want(t, "PutInlinePolicy role", s.PutInlinePolicy(ctx, meta.KindRole, "reader", "p", "{}"), nil)
	want(t, "PutInlinePolicy no role", s.PutInlinePolicy(ctx, meta.KindRole, "nope", "p", "{}"), meta.ErrNoSuchEntity)
	want(t, "DeleteRole with policy", s.DeleteRole(ctx, "reader"), meta.ErrDeleteConflict)
	want(t, "DeleteInlinePolicy role", s.DeleteInlinePolicy(ctx, meta.KindRole, "reader", "p"), nil)
	want(t, "DeleteRole", s.DeleteRole(ctx, "reader"), nil)
	_, err = s.GetRole(ctx, "reader")
	want(t, "GetRole deleted", err, meta.ErrNoSuchEntity)
}

func testManagedPolicies(t *testing.T, s meta.Store) {
	now := time.Now()
	const arn = "arn:aws:iam::000000000000:policy/team/read"
	p := meta.ManagedPolicy{ARN: arn, Name: "read", ID: "ANPA1", Path: "/team/", Description: "r", Created: now}
	want(t, "CreatePolicy", s.CreatePolicy(ctx, p, `{"v":1}`), nil)
	want(t, "CreatePolicy dup", s.CreatePolicy(ctx, p, `{}`), meta.ErrEntityExists)
	got, err := s.GetPolicy(ctx, arn)
	if err != nil || got.DefaultVersion != "v1" || got.Name != "read" || got.Attachments != 0 || got.Path != "/team/" || got.Description != "r" {
		t.Fatalf("GetPolicy = %+v, %v", got, err)
	}
	_, err = s.GetPolicy(ctx, arn+"x")
	want(t, "GetPolicy missing", err, meta.ErrNoSuchEntity)
	for i := 2; i <= 5; i++ {
		v, err := s.CreatePolicyVersion(ctx, arn, `{"v":`+string(rune('0'+i))+`}`, i == 3, 5, now.Add(time.Duration(i)*time.Second))
		if err != nil || v.ID != "v"+string(rune('0'+i)) {
			t.Fatalf("CreatePolicyVersion %d = %+v, %v", i, v, err)
		}
	}
	_, err = s.CreatePolicyVersion(ctx, arn, "{}", false, 5, now)
	want(t, "CreatePolicyVersion past 5", err, meta.ErrLimitExceeded)
	if got, _ := s.GetPolicy(ctx, arn); got.DefaultVersion != "v3" {
		t.Fatalf("default after setDefault = %q", got.DefaultVersion)
	}
	vs, _ := s.ListPolicyVersions(ctx, arn)
	if len(vs) != 5 || vs[0].ID != "v5" || vs[4].ID != "v1" || !vs[2].Default || vs[0].Default {
		t.Fatalf("ListPolicyVersions = %+v", vs)
	}
	if v, err := s.GetPolicyVersion(ctx, arn, "v4"); err != nil || v.Document != `{"v":4}` || v.Default {
		t.Fatalf("GetPolicyVersion = %+v, %v", v, err)
	}
	want(t, "DeletePolicyVersion default", s.DeletePolicyVersion(ctx, arn, "v3"), meta.ErrDeleteConflict)
	want(t, "DeletePolicyVersion", s.DeletePolicyVersion(ctx, arn, "v1"), nil)
	want(t, "DeletePolicyVersion missing", s.DeletePolicyVersion(ctx, arn, "v1"), meta.ErrNoSuchEntity)
	want(t, "SetDefaultPolicyVersion", s.SetDefaultPolicyVersion(ctx, arn, "v5", now), nil)
	want(t, "SetDefaultPolicyVersion missing", s.SetDefaultPolicyVersion(ctx, arn, "v1", now), meta.ErrNoSuchEntity)
	if v, err := s.CreatePolicyVersion(ctx, arn, "{}", false, 5, now); err != nil || v.ID != "v6" {
		t.Fatalf("version after a deletion = %+v, %v (IDs are never reused)", v, err)
	}

	want(t, "CreateUser", s.CreateUser(ctx, meta.User{Name: "ann", ID: "AIDA1", Path: "/", Created: now}), nil)
	want(t, "CreateGroup", s.CreateGroup(ctx, meta.Group{Name: "eng", ID: "AGPA1", Path: "/", Created: now}), nil)
	want(t, "CreateRole", s.CreateRole(ctx, meta.Role{Name: "r", ID: "AROA1", Path: "/", TrustPolicy: "{}", MaxSessionDuration: 3600, Created: now}), nil)
	for _, k := range [][2]string{{meta.KindUser, "ann"}, {meta.KindGroup, "eng"}, {meta.KindRole, "r"}} {
		want(t, "AttachPolicy "+k[0], s.AttachPolicy(ctx, k[0], k[1], arn, 10), nil)
		want(t, "AttachPolicy again "+k[0], s.AttachPolicy(ctx, k[0], k[1], arn, 10), nil)
		if ps, _ := s.AttachedPolicies(ctx, k[0], k[1]); len(ps) != 1 || ps[0].ARN != arn {
			t.Fatalf("AttachedPolicies %v = %+v", k, ps)
		}
	}
	want(t, "AttachPolicy no user", s.AttachPolicy(ctx, meta.KindUser, "zed", arn, 10), meta.ErrNoSuchUser)
	want(t, "AttachPolicy no policy", s.AttachPolicy(ctx, meta.KindUser, "ann", arn+"x", 10), meta.ErrNoSuchEntity)
	other := meta.ManagedPolicy{ARN: arn + "2", Name: "read2", ID: "ANPA2", Path: "/team/", Created: now}
	want(t, "CreatePolicy", s.CreatePolicy(ctx, other, "{}"), nil)
	want(t, "AttachPolicy past limit", s.AttachPolicy(ctx, meta.KindUser, "ann", other.ARN, 1), meta.ErrLimitExceeded)
	if got, _ := s.GetPolicy(ctx, arn); got.Attachments != 3 {
		t.Fatalf("attachment count = %d", got.Attachments)
	}
	if ps, _ := s.ListPolicies(ctx, "", 10); len(ps) != 2 || ps[0].ARN != arn || ps[0].Attachments != 3 {
		t.Fatalf("ListPolicies = %+v", ps)
	}
	want(t, "DeleteUser with attachment", s.DeleteUser(ctx, "ann"), meta.ErrUserInUse)
	want(t, "DeleteGroup with attachment", s.DeleteGroup(ctx, "eng"), meta.ErrDeleteConflict)
	want(t, "DeleteRole with attachment", s.DeleteRole(ctx, "r"), meta.ErrDeleteConflict)
	want(t, "DeletePolicy attached", s.DeletePolicy(ctx, arn), meta.ErrDeleteConflict)
	for _, k := range [][2]string{{meta.KindUser, "ann"}, {meta.KindGroup, "eng"}, {meta.KindRole, "r"}} {
		want(t, "DetachPolicy "+k[0], s.DetachPolicy(ctx, k[0], k[1], arn), nil)
		want(t, "DetachPolicy again "+k[0], s.DetachPolicy(ctx, k[0], k[1], arn), meta.ErrNoSuchEntity)
	}
	want(t, "DeletePolicy with versions", s.DeletePolicy(ctx, arn), meta.ErrDeleteConflict)
	for _, v := range []string{"v2", "v3", "v4", "v6"} {
		want(t, "DeletePolicyVersion "+v, s.DeletePolicyVersion(ctx, arn, v), nil)
	}
	want(t, "DeletePolicy", s.DeletePolicy(ctx, arn), nil)
	_, err = s.GetPolicy(ctx, arn)
	want(t, "GetPolicy deleted", err, meta.ErrNoSuchEntity)
	want(t, "DeleteUser", s.DeleteUser(ctx, "ann"), nil)
	want(t, "DeleteGroup", s.DeleteGroup(ctx, "eng"), nil)
	want(t, "DeleteRole", s.DeleteRole(ctx, "r"), nil)
}
