package metatest

import (
	"context"
	"testing"
	"time"

	"talus/internal/meta"
)

// testDirectoryAccounts: groups, roles, managed policies and attachments
// belong to the account the context is scoped to; the same names in two
// accounts stay apart, and an account owning any of them cannot be deleted.
func testDirectoryAccounts(t *testing.T, s meta.Store) {
	now := time.Now()
	b := meta.Account{ID: "333333333333", CanonicalID: "cb", Name: "dir-bee", Created: now}
	c := meta.Account{ID: "444444444444", CanonicalID: "cc", Name: "dir-sea", Created: now}
	want(t, "CreateAccount", s.CreateAccount(ctx, b, meta.AccessKey{}), nil)
	want(t, "CreateAccount", s.CreateAccount(ctx, c, meta.AccessKey{}), nil)
	inB, inC := meta.InAccount(ctx, b.ID), meta.InAccount(ctx, c.ID)
	for _, in := range []struct {
		ctx  context.Context
		id   string
		acct string
	}{{inB, "1", b.ID}, {inC, "2", c.ID}} {
		want(t, "CreateUser", s.CreateUser(in.ctx, meta.User{Name: "ann", ID: "AIDAD" + in.id, Path: "/", Created: now}), nil)
		want(t, "CreateGroup", s.CreateGroup(in.ctx, meta.Group{Name: "eng", ID: "AGPAD" + in.id, Path: "/", Created: now}), nil)
		want(t, "AddUserToGroup", s.AddUserToGroup(in.ctx, "eng", "ann"), nil)
		want(t, "CreateRole", s.CreateRole(in.ctx, meta.Role{Name: "app", ID: "AROAD" + in.id, Path: "/", TrustPolicy: "{}", MaxSessionDuration: 3600, Created: now}), nil)
		want(t, "PutInlinePolicy", s.PutInlinePolicy(in.ctx, meta.KindRole, "app", "p", `{"n":`+in.id+`}`), nil)
		arn := "arn:aws:iam::" + in.acct + ":policy/shared"
		want(t, "CreatePolicy", s.CreatePolicy(in.ctx, meta.ManagedPolicy{ARN: arn, Name: "shared", ID: "ANPAD" + in.id, Path: "/", Created: now}, "{}"), nil)
		want(t, "AttachPolicy", s.AttachPolicy(in.ctx, meta.KindGroup, "eng", arn, 10), nil)
	}
	if g, err := s.GetGroup(inC, "eng"); err != nil || g.ID != "AGPAD2" {
		t.Fatalf("C's group = %+v, %v", g, err)
	}
	if r, err := s.GetRole(inB, "app"); err != nil || r.ID != "AROAD1" {
		t.Fatalf("B's role = %+v, %v", r, err)
	}
	if d, err := s.GetInlinePolicy(inC, meta.KindRole, "app", "p"); err != nil || d != `{"n":2}` {
		t.Fatalf("C's role policy = %q, %v", d, err)
	}
	_, err := s.GetRole(ctx, "app")
	want(t, "the admin account sees B's role", err, meta.ErrNoSuchEntity)
	// Another account's managed policy is not there to attach or read.
	bARN := "arn:aws:iam::" + b.ID + ":policy/shared"
	_, err = s.GetPolicy(inC, bARN)
	want(t, "C reads B's policy", err, meta.ErrNoSuchEntity)
	want(t, "C attaches B's policy", s.AttachPolicy(inC, meta.KindRole, "app", bARN, 10), meta.ErrNoSuchEntity)
	if ps, _ := s.ListPolicies(inB, "", 10); len(ps) != 1 || ps[0].ARN != bARN || ps[0].Attachments != 1 {
		t.Fatalf("B's policies = %+v", ps)
	}
	if gs, _ := s.UserGroups(inB, "ann"); len(gs) != 1 || gs[0].ID != "AGPAD1" {
		t.Fatalf("B's ann's groups = %+v", gs)
	}
	// Emptying C's group leaves B's untouched.
	want(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(inC, "eng", "ann"), nil)
	if us, _ := s.GroupMembers(inB, "eng"); len(us) != 1 {
		t.Fatalf("B's members after C's removal = %+v", us)
	}
	want(t, "DetachPolicy", s.DetachPolicy(inC, meta.KindGroup, "eng", "arn:aws:iam::"+c.ID+":policy/shared"), nil)
	want(t, "DeleteGroup", s.DeleteGroup(inC, "eng"), nil)
	if _, err := s.GetGroup(inB, "eng"); err != nil {
		t.Fatalf("B's group after C's deletion: %v", err)
	}
	// An account with a role or a managed policy is in use.
	want(t, "DeleteUser", s.DeleteUser(inC, "ann"), nil)
	want(t, "DeleteAccount with a role", s.DeleteAccount(ctx, c.ID), meta.ErrAccountInUse)
	want(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(inC, meta.KindRole, "app", "p"), nil)
	want(t, "DeleteRole", s.DeleteRole(inC, "app"), nil)
	want(t, "DeleteAccount with a policy", s.DeleteAccount(ctx, c.ID), meta.ErrAccountInUse)
	want(t, "DeletePolicy", s.DeletePolicy(inC, "arn:aws:iam::"+c.ID+":policy/shared"), nil)
	want(t, "DeleteAccount", s.DeleteAccount(ctx, c.ID), nil)
}
