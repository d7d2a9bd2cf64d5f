package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"talus/internal/oidc"
	"talus/internal/testserver"
)

// trustOf is a trust policy letting principals (ARNs or account IDs) assume a role.
func trustOf(principals ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + strings.Join(principals, `","`) + `"]},"Action":"sts:AssumeRole"}]}`
}

// Two accounts each with a group, a role and a managed policy of the same
// names: each sees only its own, under ARNs of its own account.
func TestIAMAccountsKeepGroupsAndRolesApart(t *testing.T) {
	t.Parallel()
	srv, admin, bee, sea := threeAccounts(t)
	type made struct{ group, role, policy string }
	got := map[string]made{}
	for _, a := range []account{bee, sea} {
		c := iamClient(srv, a.AK, a.SK)
		g, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
		mustOK(t, a.Name+" CreateGroup", err)
		r, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustOf(a.ID))})
		mustOK(t, a.Name+" CreateRole", err)
		p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("shared"), PolicyDocument: aws.String(condDoc(`{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}`))})
		mustOK(t, a.Name+" CreatePolicy", err)
		m := made{aws.ToString(g.Group.Arn), aws.ToString(r.Role.Arn), aws.ToString(p.Policy.Arn)}
		want := made{"arn:aws:iam::" + a.ID + ":group/devs", "arn:aws:iam::" + a.ID + ":role/app", "arn:aws:iam::" + a.ID + ":policy/shared"}
		if m != want {
			t.Fatalf("%s's ARNs = %+v, want %+v", a.Name, m, want)
		}
		got[a.Name] = m
		_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ann")})
		mustOK(t, a.Name+" CreateUser", err)
		_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ann")})
		mustOK(t, a.Name+" AddUserToGroup", err)
		_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: p.Policy.Arn})
		mustOK(t, a.Name+" AttachGroupPolicy", err)
	}
	bc, sc := iamClient(srv, bee.AK, bee.SK), iamClient(srv, sea.AK, sea.SK)
	// Lists hold only the caller's own.
	if lg, err := bc.ListGroups(ctx, &iam.ListGroupsInput{}); err != nil || len(lg.Groups) != 1 || aws.ToString(lg.Groups[0].Arn) != got["bee"].group {
		t.Fatalf("bee's ListGroups = %+v, %v", lg, err)
	}
	if lr, err := sc.ListRoles(ctx, &iam.ListRolesInput{}); err != nil || len(lr.Roles) != 1 || aws.ToString(lr.Roles[0].Arn) != got["sea"].role {
		t.Fatalf("sea's ListRoles = %+v, %v", lr, err)
	}
	if lp, err := sc.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"}); err != nil || len(lp.Policies) != 1 || aws.ToString(lp.Policies[0].Arn) != got["sea"].policy {
		t.Fatalf("sea's ListPolicies = %+v, %v", lp, err)
	}
	root := iamClient(srv, admin.AK, admin.SK)
	if lr, err := root.ListRoles(ctx, &iam.ListRolesInput{}); err != nil || len(lr.Roles) != 0 {
		t.Fatalf("the administrator's ListRoles = %+v, %v", lr, err)
	}
	if gr, err := sc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}); err != nil || aws.ToString(gr.Role.Arn) != got["sea"].role {
		t.Fatalf("sea's GetRole = %+v, %v", gr, err)
	}
	// Another account's managed policy is not attachable, nor readable.
	_, err := sc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(got["bee"].policy)})
	mustCode(t, err, "NoSuchEntity")
	_, err = sc.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(got["bee"].policy)})
	mustCode(t, err, "NoSuchEntity")
	if ag, err := bc.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")}); err != nil || len(ag.AttachedPolicies) != 1 || aws.ToString(ag.AttachedPolicies[0].PolicyArn) != got["bee"].policy {
		t.Fatalf("bee's attached group policies = %+v, %v", ag, err)
	}
	// Emptying and deleting sea's group leaves bee's group and membership.
	_, err = sc.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(got["sea"].policy)})
	mustOK(t, "sea DetachGroupPolicy", err)
	_, err = sc.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ann")})
	mustOK(t, "sea RemoveUserFromGroup", err)
	_, err = sc.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	mustOK(t, "sea DeleteGroup", err)
	if gg, err := bc.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")}); err != nil || len(gg.Users) != 1 || aws.ToString(gg.Users[0].Arn) != bee.userARN("ann") {
		t.Fatalf("bee's group after sea's deletion = %+v, %v", gg, err)
	}
	// Each account's group policy reaches its own user.
	k, err := bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ann")})
	mustOK(t, "bee CreateAccessKey", err)
	beeAnn := testserver.NewClient(srv.URL, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey))
	if _, err := beeAnn.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("bee's ann through the group's managed policy: %v", err)
	}
	// GetUser without a name describes the caller's account root.
	if gu, err := sc.GetUser(ctx, &iam.GetUserInput{}); err != nil || aws.ToString(gu.User.UserId) != sea.ID || aws.ToString(gu.User.Arn) != "arn:aws:iam::"+sea.ID+":root" {
		t.Fatalf("sea's GetUser = %+v, %v", gu, err)
	}
	// An account owning a role cannot be deleted.
	iamRoot(t, srv).fail(409, "DeleteConflict", "TalusDeleteAccount", "AccountId", sea.ID)
}

// A user of one account assumes a role of another when its identity
// policy allows sts:AssumeRole on the role and the role's trust policy
// names the user or its account; the session is the role's account's.
func TestSTSCrossAccountAssumeRole(t *testing.T) {
	t.Parallel()
	srv, admin, bee, sea := threeAccounts(t)
	bc := iamClient(srv, bee.AK, bee.SK)
	roleARN := func(name string) string { return "arn:aws:iam::" + bee.ID + ":role/" + name }
	for name, trust := range map[string]string{
		"by-account": trustOf(sea.ID),
		"by-root":    trustOf("arn:aws:iam::" + sea.ID + ":root"),
		"by-user":    trustOf(sea.userARN("sam")),
		"other":      trustOf(admin.ID), // names another account than the caller's
	} {
		_, err := bc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		mustOK(t, "CreateRole "+name, err)
		_, err = bc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("read"),
			PolicyDocument: aws.String(condDoc(`{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}`))})
		mustOK(t, "PutRolePolicy "+name, err)
	}
	mustCreateBucket(t, bee.Root, "xa-bee")
	mustPut(t, bee.Root, "xa-bee", "k", []byte("bee's"))
	mustCreateBucket(t, sea.Root, "xa-sea")
	mustPut(t, sea.Root, "xa-sea", "k", []byte("sea's"))

	sc := iamClient(srv, sea.AK, sea.SK)
	user := func(name, doc string) *sts.Client {
		_, err := sc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		mustOK(t, "CreateUser "+name, err)
		if doc != "" {
			_, err = sc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			mustOK(t, "PutUserPolicy "+name, err)
		}
		k, err := sc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		mustOK(t, "CreateAccessKey "+name, err)
		return stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	}
	sam := user("sam", condDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::`+bee.ID+`:role/*"}`))
	nopol := user("nopol", "")
	narrow := user("narrow", condDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN("by-user")+`"}`))

	if id, err := sam.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || aws.ToString(id.Account) != sea.ID || aws.ToString(id.Arn) != sea.userARN("sam") {
		t.Fatalf("sam's GetCallerIdentity = %+v, %v", id, err)
	}
	assume := func(c *sts.Client, role string) (*sts.AssumeRoleOutput, error) {
		return c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(role)), RoleSessionName: aws.String("s1")})
	}
	var creds *ststypes.Credentials
	for _, role := range []string{"by-account", "by-root", "by-user"} {
		out, err := assume(sam, role)
		mustOK(t, "sam assumes "+role, err)
		if arn := aws.ToString(out.AssumedRoleUser.Arn); arn != "arn:aws:sts::"+bee.ID+":assumed-role/"+role+"/s1" {
			t.Fatalf("assumed-role ARN = %s", arn)
		}
		if role == "by-account" {
			creds = out.Credentials
		}
	}
	// Refused: a trust policy naming another account; no identity policy;
	// an identity policy for another role; a role of an account that does not exist.
	_, err := assume(sam, "other")
	mustCode(t, err, "AccessDenied")
	_, err = assume(nopol, "by-account")
	mustCode(t, err, "AccessDenied")
	_, err = assume(narrow, "by-account")
	mustCode(t, err, "AccessDenied")
	if _, err := assume(narrow, "by-user"); apiCode(err) != "AccessDenied" {
		t.Fatalf("narrow assuming a role trusting only sam: %v", err)
	}
	_, err = sam.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::987654321098:role/by-account"), RoleSessionName: aws.String("s1")})
	mustCode(t, err, "AccessDenied")
	// The same role name in the caller's own account is another role.
	_, err = sc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("by-account"), AssumeRolePolicyDocument: aws.String(trustOf(admin.ID))})
	mustOK(t, "sea CreateRole", err)
	_, err = sam.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + sea.ID + ":role/by-account"), RoleSessionName: aws.String("s1")})
	mustCode(t, err, "AccessDenied")

	// The session acts in the role's account.
	session := stsClient(srv, aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken))
	id, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != bee.ID || aws.ToString(id.Arn) != "arn:aws:sts::"+bee.ID+":assumed-role/by-account/s1" {
		t.Fatalf("session's GetCallerIdentity = %+v, %v", id, err)
	}
	s3s := s3Temp(srv, creds)
	allowOrDeny(t, "the role session reads its account's bucket", getErr(s3s, "xa-bee", "k"), true)
	allowOrDeny(t, "the role session reads the caller's account's bucket", getErr(s3s, "xa-sea", "k"), false)
	_, err = s3s.ListBuckets(ctx, &s3.ListBucketsInput{}) // not in the role's policy
	mustCode(t, err, "AccessDenied")
}

// A role session of one account reaches another account's bucket only
// when that bucket's policy names the role, the session or its account.
func TestSTSRoleSessionCrossAccountBucket(t *testing.T) {
	t.Parallel()
	srv, admin, bee, sea := threeAccounts(t)
	bc := iamClient(srv, bee.AK, bee.SK)
	_, err := bc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustOf(bee.userARN("ben")))})
	mustOK(t, "CreateRole", err)
	_, err = bc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))})
	mustOK(t, "PutRolePolicy", err)
	_, err = bc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ben")})
	mustOK(t, "CreateUser", err)
	_, err = bc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ben"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(condDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + bee.ID + `:role/reader"}`))})
	mustOK(t, "PutUserPolicy", err)
	k, err := bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ben")})
	mustOK(t, "CreateAccessKey", err)
	out, err := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "").
		AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + bee.ID + ":role/reader"), RoleSessionName: aws.String("job")})
	mustOK(t, "AssumeRole", err)
	s3s := s3Temp(srv, out.Credentials)

	mustCreateBucket(t, sea.Root, "xb-sea")
	mustPut(t, sea.Root, "xb-sea", "k", []byte("sea's"))
	allowOrDeny(t, "no bucket policy", getErr(s3s, "xb-sea", "k"), false)
	grant := func(principal string) string {
		return condDoc(`{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xb-sea/*"}`)
	}
	for _, tc := range []struct {
		principal string
		allowed   bool
	}{
		{"arn:aws:iam::" + bee.ID + ":role/reader", true},
		{"arn:aws:sts::" + bee.ID + ":assumed-role/reader/job", true},
		{bee.ID, true},
		{"arn:aws:iam::" + bee.ID + ":root", true},
		{admin.ID, false},
		{"arn:aws:iam::" + sea.ID + ":role/reader", false}, // the same name in the bucket's account is another role
		{bee.userARN("ben"), false},                        // the user who assumed the role is not the session
	} {
		putBucketPolicy(t, sea.Root, "xb-sea", grant(tc.principal))
		allowOrDeny(t, "bucket policy naming "+tc.principal, getErr(s3s, "xb-sea", "k"), tc.allowed)
	}
	// Granted by the bucket, still bounded by the role's own policies.
	putBucketPolicy(t, sea.Root, "xb-sea", condDoc(`{"Effect":"Allow","Principal":{"AWS":"`+bee.ID+`"},"Action":"s3:*","Resource":["arn:aws:s3:::xb-sea","arn:aws:s3:::xb-sea/*"]}`))
	allowOrDeny(t, "PutObject outside the role's policy", putErr(s3s, "xb-sea", "new", ""), false)
}

// A web identity role of an account other than the administrator's trusts
// the configured issuer under that account's provider ARN; its sessions
// act in that account.
func TestSTSWebIdentityRoleOfAnotherAccount(t *testing.T) {
	t.Parallel()
	is := startIssuer(t)
	srv := testserver.Start(t, testserver.WithOIDCProvider(oidc.Provider{Issuer: is.url, ClientIDs: []string{"talus-app"}}))
	bee := newAccount(t, srv, "bee", "bee@example.com")
	host := strings.TrimPrefix(is.url, "http://")
	trustIn := func(acct string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + acct + `:oidc-provider/` + host + `"},
			"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + host + `:aud":"talus-app"}}}]}`
	}
	bc := iamClient(srv, bee.AK, bee.SK)
	for name, acct := range map[string]string{"web": bee.ID, "admins": "000000000000"} {
		_, err := bc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustIn(acct))})
		mustOK(t, "CreateRole "+name, err)
		_, err = bc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("read"),
			PolicyDocument: aws.String(condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))})
		mustOK(t, "PutRolePolicy "+name, err)
	}
	mustCreateBucket(t, bee.Root, "web-bee")
	mustPut(t, bee.Root, "web-bee", "page", []byte("bee's page"))
	mustCreateBucket(t, srv.Client(), "web-admin")
	mustPut(t, srv.Client(), "web-admin", "page", []byte("admin's page"))

	anon := sts.NewFromConfig(aws.Config{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1})
	assume := func(role string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::" + bee.ID + ":role/" + role),
			RoleSessionName: aws.String("browser"), WebIdentityToken: aws.String(is.mint(t, claims(is.url, "user-1", "talus-app", time.Hour)))})
	}
	out, err := assume("web")
	mustOK(t, "AssumeRoleWithWebIdentity", err)
	if arn := aws.ToString(out.AssumedRoleUser.Arn); arn != "arn:aws:sts::"+bee.ID+":assumed-role/web/browser" {
		t.Fatalf("assumed-role ARN = %s", arn)
	}
	// A trust policy naming the provider in another account does not match.
	_, err = assume("admins")
	mustCode(t, err, "AccessDenied")
	sess := s3Temp(srv, out.Credentials)
	if got := mustGet(t, sess, "web-bee", "page"); string(got) != "bee's page" {
		t.Fatalf("read %q", got)
	}
	allowOrDeny(t, "bee's web session reads the administrator's bucket", getErr(sess, "web-admin", "page"), false)
	id, err := stsClient(srv, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != bee.ID {
		t.Fatalf("web session's GetCallerIdentity = %+v, %v", id, err)
	}
}

// GetSessionToken credentials of another account's user act in its account.
func TestSTSSessionTokenOfAnotherAccount(t *testing.T) {
	t.Parallel()
	srv, _, bee, _ := threeAccounts(t)
	beeRoot := stsClient(srv, bee.AK, bee.SK, "")
	out, err := beeRoot.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	mustOK(t, "GetSessionToken", err)
	c := out.Credentials
	id, err := stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != bee.ID || aws.ToString(id.Arn) != "arn:aws:iam::"+bee.ID+":root" || aws.ToString(id.UserId) != bee.ID {
		t.Fatalf("session's GetCallerIdentity = %+v, %v", id, err)
	}
	mustCreateBucket(t, bee.Root, "st-bee")
	mustPut(t, bee.Root, "st-bee", "k", []byte("x"))
	mustCreateBucket(t, srv.Client(), "st-admin")
	sess := s3Temp(srv, c)
	allowOrDeny(t, "bee's root session reads bee's bucket", getErr(sess, "st-bee", "k"), true)
	if names := bucketNames(t, sess); len(names) != 1 || names[0] != "st-bee" {
		t.Fatalf("bee's root session lists %v", names)
	}
}
