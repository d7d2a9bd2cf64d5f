package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

const (
	readDoc  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team/*"}]}`
	writeDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::team/*"}]}`
	listDoc  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::team"}]}`
)

// TestIAMGroups: group inline and attached policies reach the group's
// members, and leave with them.
func TestIAMGroups(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := rootIAM(srv)
	mustCreateBucket(t, srv.Client(), "team")
	mustPut(t, srv.Client(), "team", "doc.txt", []byte("shared"))
	ak, sk := newIAMUser(t, srv, "bob")
	bob := testserver.NewClient(srv.URL, ak, sk)
	get := func() error {
		_, err := bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String("doc.txt")})
		return err
	}

	g, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("eng"), Path: aws.String("/dev/")})
	mustOK(t, "CreateGroup", err)
	if aws.ToString(g.Group.Arn) != "arn:aws:iam::000000000000:group/dev/eng" || !strings.HasPrefix(aws.ToString(g.Group.GroupId), "AGPA") || aws.ToString(g.Group.Path) != "/dev/" {
		t.Fatalf("CreateGroup = %+v", g.Group)
	}
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("eng")})
	mustCode(t, err, "EntityAlreadyExists")
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")})
	mustOK(t, "CreateGroup ops", err)
	_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nope")})
	mustCode(t, err, "NoSuchEntity")
	lg, err := c.ListGroups(ctx, &iam.ListGroupsInput{})
	mustOK(t, "ListGroups", err)
	if len(lg.Groups) != 2 || aws.ToString(lg.Groups[0].GroupName) != "eng" || aws.ToString(lg.Groups[1].GroupName) != "ops" {
		t.Fatalf("ListGroups = %+v", lg.Groups)
	}
	if lg, _ := c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/dev/")}); len(lg.Groups) != 1 {
		t.Fatalf("ListGroups /dev/ = %+v", lg.Groups)
	}
	if p1, _ := c.ListGroups(ctx, &iam.ListGroupsInput{MaxItems: aws.Int32(1)}); len(p1.Groups) != 1 || !p1.IsTruncated || aws.ToString(p1.Marker) == "" {
		t.Fatalf("ListGroups page = %+v", p1)
	}

	mustCode(t, get(), "AccessDenied")
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("eng"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readDoc)})
	mustOK(t, "PutGroupPolicy", err)
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("eng"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[]}`)})
	mustCode(t, err, "MalformedPolicyDocument")
	gp, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("eng"), PolicyName: aws.String("read")})
	mustOK(t, "GetGroupPolicy", err)
	if dec, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); dec != readDoc || aws.ToString(gp.GroupName) != "eng" {
		t.Fatalf("GetGroupPolicy = %s %q", aws.ToString(gp.GroupName), dec)
	}
	if lp, _ := c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("eng")}); len(lp.PolicyNames) != 1 || lp.PolicyNames[0] != "read" {
		t.Fatalf("ListGroupPolicies = %v", lp.PolicyNames)
	}
	mustCode(t, get(), "AccessDenied") // not a member yet

	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("eng"), UserName: aws.String("bob")})
	mustOK(t, "AddUserToGroup", err)
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("eng"), UserName: aws.String("nobody")})
	mustCode(t, err, "NoSuchEntity")
	mustOK(t, "GetObject as a group member", get())
	gg, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("eng")})
	mustOK(t, "GetGroup", err)
	if len(gg.Users) != 1 || aws.ToString(gg.Users[0].UserName) != "bob" {
		t.Fatalf("GetGroup users = %+v", gg.Users)
	}
	fu, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("bob")})
	mustOK(t, "ListGroupsForUser", err)
	if len(fu.Groups) != 1 || aws.ToString(fu.Groups[0].GroupName) != "eng" {
		t.Fatalf("ListGroupsForUser = %+v", fu.Groups)
	}

	// A member cannot be deleted, nor a group with members or policies.
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})
	mustCode(t, err, "DeleteConflict")
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("eng")})
	mustCode(t, err, "DeleteConflict")

	// A Deny in a group policy wins over the user's own Allow.
	putUserPolicy(t, srv, "bob", "own", readDoc)
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)})
	mustOK(t, "PutGroupPolicy deny", err)
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("bob")})
	mustOK(t, "AddUserToGroup ops", err)
	mustCode(t, get(), "AccessDenied")
	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("ops"), UserName: aws.String("bob")})
	mustOK(t, "RemoveUserFromGroup ops", err)
	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("ops"), UserName: aws.String("bob")})
	mustCode(t, err, "NoSuchEntity")
	mustOK(t, "GetObject after leaving the denying group", get())
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("own")})
	mustOK(t, "DeleteUserPolicy", err)

	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("eng"), UserName: aws.String("bob")})
	mustOK(t, "RemoveUserFromGroup", err)
	mustCode(t, get(), "AccessDenied")
	_, err = c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("eng"), PolicyName: aws.String("read")})
	mustOK(t, "DeleteGroupPolicy", err)
	_, err = c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("eng"), PolicyName: aws.String("read")})
	mustCode(t, err, "NoSuchEntity")
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("eng")})
	mustOK(t, "DeleteGroup", err)
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("eng")})
	mustCode(t, err, "NoSuchEntity")
}

// TestIAMManagedPolicies: versions, default version, attachments to users
// and groups, counts, and the conflicts AWS refuses.
func TestIAMManagedPolicies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := rootIAM(srv)
	mustCreateBucket(t, srv.Client(), "team")
	ak, sk := newIAMUser(t, srv, "carol")
	carol := testserver.NewClient(srv.URL, ak, sk)
	put := func() error {
		_, err := carol.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("team"), Key: aws.String("k"), Body: strings.NewReader("x")})
		return err
	}
	list := func() error {
		_, err := carol.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("team")})
		return err
	}

	cp, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("writers"), Path: aws.String("/team/"), PolicyDocument: aws.String(writeDoc), Description: aws.String("may write")})
	mustOK(t, "CreatePolicy", err)
	arn := aws.ToString(cp.Policy.Arn)
	if arn != "arn:aws:iam::000000000000:policy/team/writers" || aws.ToString(cp.Policy.DefaultVersionId) != "v1" || !strings.HasPrefix(aws.ToString(cp.Policy.PolicyId), "ANPA") || !cp.Policy.IsAttachable {
		t.Fatalf("CreatePolicy = %+v", cp.Policy)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("writers"), Path: aws.String("/team/"), PolicyDocument: aws.String(writeDoc)})
	mustCode(t, err, "EntityAlreadyExists")
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("broken"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Nope","Resource":"*"}]}`)})
	mustCode(t, err, "MalformedPolicyDocument")
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn + "x")})
	mustCode(t, err, "NoSuchEntity")

	mustCode(t, put(), "AccessDenied")
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(arn)})
	mustOK(t, "AttachUserPolicy", err)
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(arn + "x")})
	mustCode(t, err, "NoSuchEntity")
	mustOK(t, "PutObject with an attached policy", put())
	au, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("carol")})
	mustOK(t, "ListAttachedUserPolicies", err)
	if len(au.AttachedPolicies) != 1 || aws.ToString(au.AttachedPolicies[0].PolicyArn) != arn || aws.ToString(au.AttachedPolicies[0].PolicyName) != "writers" {
		t.Fatalf("ListAttachedUserPolicies = %+v", au.AttachedPolicies)
	}

	// A new default version changes what the policy grants at once.
	v2, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(listDoc), SetAsDefault: true})
	mustOK(t, "CreatePolicyVersion", err)
	if aws.ToString(v2.PolicyVersion.VersionId) != "v2" || !v2.PolicyVersion.IsDefaultVersion {
		t.Fatalf("CreatePolicyVersion = %+v", v2.PolicyVersion)
	}
	mustCode(t, put(), "AccessDenied")
	mustOK(t, "ListObjects with v2", list())
	gv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	mustOK(t, "GetPolicyVersion", err)
	if dec, _ := url.QueryUnescape(aws.ToString(gv.PolicyVersion.Document)); dec != writeDoc || gv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion v1 = %q default %v", dec, gv.PolicyVersion.IsDefaultVersion)
	}
	_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	mustOK(t, "SetDefaultPolicyVersion", err)
	mustOK(t, "PutObject with v1 again", put())
	mustCode(t, list(), "AccessDenied")
	_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	mustCode(t, err, "NoSuchEntity")
	for i := 3; i <= 5; i++ {
		_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(listDoc)})
		mustOK(t, "CreatePolicyVersion", err)
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(listDoc)})
	mustCode(t, err, "LimitExceeded")
	lv, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	mustOK(t, "ListPolicyVersions", err)
	if len(lv.Versions) != 5 || aws.ToString(lv.Versions[0].VersionId) != "v5" || !lv.Versions[4].IsDefaultVersion {
		t.Fatalf("ListPolicyVersions = %+v", lv.Versions)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	mustCode(t, err, "DeleteConflict")

	// Attached to a group, it reaches members; counts follow attachments.
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("listers")})
	mustOK(t, "CreateGroup", err)
	lp, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("listers"), PolicyDocument: aws.String(listDoc)})
	mustOK(t, "CreatePolicy listers", err)
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("listers"), PolicyArn: lp.Policy.Arn})
	mustOK(t, "AttachGroupPolicy", err)
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("nope"), PolicyArn: lp.Policy.Arn})
	mustCode(t, err, "NoSuchEntity")
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("listers"), UserName: aws.String("carol")})
	mustOK(t, "AddUserToGroup", err)
	mustOK(t, "ListObjects through the group's attached policy", list())
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("listers"), PolicyArn: aws.String(arn)})
	mustOK(t, "AttachGroupPolicy writers", err)
	gp, _ := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if aws.ToInt32(gp.Policy.AttachmentCount) != 2 {
		t.Fatalf("AttachmentCount = %d, want 2", aws.ToInt32(gp.Policy.AttachmentCount))
	}
	if ag, _ := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("listers")}); len(ag.AttachedPolicies) != 2 {
		t.Fatalf("ListAttachedGroupPolicies = %+v", ag.AttachedPolicies)
	}
	if pl, _ := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local", PathPrefix: aws.String("/team/")}); len(pl.Policies) != 1 || aws.ToString(pl.Policies[0].Arn) != arn {
		t.Fatalf("ListPolicies /team/ = %+v", pl.Policies)
	}
	if pl, _ := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "AWS"}); len(pl.Policies) != 0 {
		t.Fatalf("ListPolicies AWS = %+v", pl.Policies)
	}

	// Deleting needs every attachment and non-default version gone.
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	mustCode(t, err, "DeleteConflict")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")})
	mustCode(t, err, "DeleteConflict")
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(arn)})
	mustOK(t, "DetachUserPolicy", err)
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String(arn)})
	mustCode(t, err, "NoSuchEntity")
	_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("listers"), PolicyArn: aws.String(arn)})
	mustOK(t, "DetachGroupPolicy", err)
	mustCode(t, put(), "AccessDenied")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	mustCode(t, err, "DeleteConflict") // versions remain
	for _, v := range []string{"v2", "v3", "v4", "v5"} {
		_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)})
		mustOK(t, "DeletePolicyVersion "+v, err)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	mustOK(t, "DeletePolicy", err)
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	mustCode(t, err, "NoSuchEntity")

	// GetUser without a name describes the caller.
	putUserPolicy(t, srv, "carol", "self", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::000000000000:user/${aws:username}"}]}`)
	me, err := iamClient(srv, ak, sk).GetUser(ctx, &iam.GetUserInput{})
	mustOK(t, "GetUser without a name", err)
	if aws.ToString(me.User.UserName) != "carol" || aws.ToString(me.User.Arn) != "arn:aws:iam::000000000000:user/carol" {
		t.Fatalf("GetUser self = %+v", me.User)
	}
	_, err = iamClient(srv, ak, sk).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("root-only")})
	mustCode(t, err, "AccessDenied")
	rootMe, err := c.GetUser(ctx, &iam.GetUserInput{})
	mustOK(t, "root GetUser", err)
	if aws.ToString(rootMe.User.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("root GetUser = %+v", rootMe.User)
	}
}
