package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"talus/internal/testserver"
)

const roleARN = "arn:aws:iam::000000000000:role/app/reader"

// TestSTSAssumeRole: the trust policy and the caller's identity policy
// both decide; ExternalId, DurationSeconds, session policies, session tags
// and source identity behave as in AWS.
func TestSTSAssumeRole(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := rootIAM(srv)
	admin := srv.Client()
	mustCreateBucket(t, admin, "data")
	mustPut(t, admin, "data", "blue/x", []byte("blue"))
	mustPut(t, admin, "data", "plain", []byte("plain"))

	trust := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/carol"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/carol"},"Action":["sts:TagSession","sts:SetSourceIdentity"]},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/erin"},"Action":"sts:AssumeRole"}]}`
	cr, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String("reads data")})
	mustOK(t, "CreateRole", err)
	if aws.ToString(cr.Role.Arn) != roleARN || !strings.HasPrefix(aws.ToString(cr.Role.RoleId), "AROA") || aws.ToInt32(cr.Role.MaxSessionDuration) != 3600 {
		t.Fatalf("CreateRole = %+v", cr.Role)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)})
	mustCode(t, err, "EntityAlreadyExists")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)})
	mustCode(t, err, "MalformedPolicyDocument")
	gr, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})
	mustOK(t, "GetRole", err)
	if dec, _ := url.QueryUnescape(aws.ToString(gr.Role.AssumeRolePolicyDocument)); dec != trust || aws.ToString(gr.Role.Description) != "reads data" {
		t.Fatalf("GetRole trust = %q", dec)
	}
	if lr, _ := c.ListRoles(ctx, &iam.ListRolesInput{}); len(lr.Roles) != 1 {
		t.Fatalf("ListRoles = %+v", lr.Roles)
	}
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/plain*"},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/blue/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/audited/*","Condition":{"StringEquals":{"aws:SourceIdentity":"carol-laptop"}}}]}`)})
	mustOK(t, "PutRolePolicy", err)
	if lp, _ := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("reader")}); len(lp.PolicyNames) != 1 {
		t.Fatalf("ListRolePolicies = %v", lp.PolicyNames)
	}
	mustPut(t, admin, "data", "audited/y", []byte("audited"))

	canAssume := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"` + roleARN + `"}]}`
	cak, csk := newIAMUser(t, srv, "carol")
	putUserPolicy(t, srv, "carol", "assume", canAssume)
	dak, dsk := newIAMUser(t, srv, "dave") // allowed by his policy, not by the trust policy
	putUserPolicy(t, srv, "dave", "assume", canAssume)
	eak, esk := newIAMUser(t, srv, "erin") // trusted by her ARN, no identity policy
	carol := stsClient(srv, cak, csk, "")
	in := func(mod ...func(*sts.AssumeRoleInput)) *sts.AssumeRoleInput {
		i := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("job-1"), ExternalId: aws.String("ext-1")}
		for _, m := range mod {
			m(i)
		}
		return i
	}

	// Refusals.
	_, err = carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.ExternalId = aws.String("wrong") }))
	mustCode(t, err, "AccessDenied")
	_, err = carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.ExternalId = nil }))
	mustCode(t, err, "AccessDenied")
	_, err = stsClient(srv, dak, dsk, "").AssumeRole(ctx, in())
	mustCode(t, err, "AccessDenied")
	_, err = stsClient(srv, testserver.AccessKey, testserver.SecretKey, "").AssumeRole(ctx, in())
	mustCode(t, err, "AccessDenied")
	_, err = carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.RoleArn = aws.String("arn:aws:iam::000000000000:role/app/none") }))
	mustCode(t, err, "AccessDenied")
	_, err = carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.DurationSeconds = aws.Int32(7200) }))
	mustCode(t, err, "ValidationError")
	_, err = carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.DurationSeconds = aws.Int32(60) }))
	mustCode(t, err, "ValidationError")
	_, err = carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.RoleSessionName = aws.String("bad name") }))
	mustCode(t, err, "ValidationError")
	_, err = carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.Policy = aws.String(`{"Statement":"nope"}`) }))
	mustCode(t, err, "MalformedPolicyDocument")

	// Success: the session is the role's.
	out, err := carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.DurationSeconds = aws.Int32(1800) }))
	mustOK(t, "AssumeRole", err)
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/reader/job-1" ||
		aws.ToString(out.AssumedRoleUser.AssumedRoleId) != aws.ToString(cr.Role.RoleId)+":job-1" || !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") {
		t.Fatalf("AssumeRole = %+v %+v", out.AssumedRoleUser, out.Credentials)
	}
	sess := s3Temp(srv, out.Credentials)
	if got := mustGet(t, sess, "data", "plain"); string(got) != "plain" {
		t.Fatalf("read %q", got)
	}
	mustPut(t, sess, "data", "plain2", []byte("by role"))
	_, err = sess.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("blue/x")})
	mustCode(t, err, "AccessDenied") // no session tag
	_, err = sess.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustCode(t, err, "AccessDenied")
	who, err := stsClient(srv, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustOK(t, "GetCallerIdentity as the role", err)
	if aws.ToString(who.Arn) != aws.ToString(out.AssumedRoleUser.Arn) || aws.ToString(who.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) {
		t.Fatalf("role identity = %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	// carol's own permissions are not the session's.
	_, err = stsClient(srv, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)).AssumeRole(ctx, in())
	mustCode(t, err, "AccessDenied")

	// A session policy narrows the session to the intersection.
	narrow, err := carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) {
		i.Policy = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	}))
	mustOK(t, "AssumeRole with a session policy", err)
	if aws.ToInt32(narrow.PackedPolicySize) <= 0 {
		t.Fatalf("PackedPolicySize = %d", aws.ToInt32(narrow.PackedPolicySize))
	}
	ns := s3Temp(srv, narrow.Credentials)
	mustGet(t, ns, "data", "plain")
	_, err = ns.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("plain3"), Body: strings.NewReader("x")})
	mustCode(t, err, "AccessDenied")
	// Managed session policies narrow it too.
	mp, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("put-only"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)})
	mustOK(t, "CreatePolicy", err)
	putOnly, err := carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.PolicyArns = []ststypes.PolicyDescriptorType{{Arn: mp.Policy.Arn}} }))
	mustOK(t, "AssumeRole with PolicyArns", err)
	ps := s3Temp(srv, putOnly.Credentials)
	mustPut(t, ps, "data", "plain4", []byte("x"))
	_, err = ps.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("plain")})
	mustCode(t, err, "AccessDenied")

	// Session tags and source identity are condition keys.
	tagged, err := carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) {
		i.Tags = []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
		i.SourceIdentity = aws.String("carol-laptop")
	}))
	mustOK(t, "AssumeRole with tags", err)
	if aws.ToString(tagged.SourceIdentity) != "carol-laptop" {
		t.Fatalf("SourceIdentity = %q", aws.ToString(tagged.SourceIdentity))
	}
	ts := s3Temp(srv, tagged.Credentials)
	if got := mustGet(t, ts, "data", "blue/x"); string(got) != "blue" {
		t.Fatalf("tagged read %q", got)
	}
	mustGet(t, ts, "data", "audited/y")
	_, err = sess.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("audited/y")})
	mustCode(t, err, "AccessDenied")
	red, err := carol.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) {
		i.Tags = []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}
	}))
	mustOK(t, "AssumeRole with another tag", err)
	_, err = s3Temp(srv, red.Credentials).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("blue/x")})
	mustCode(t, err, "AccessDenied")
	// Tagging needs sts:TagSession in the trust policy: erin's statement lacks it.
	putUserPolicy(t, srv, "erin", "assume", canAssume)
	erin := stsClient(srv, eak, esk, "")
	_, err = erin.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) {
		i.Tags = []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	}))
	mustCode(t, err, "AccessDenied")
	_, err = erin.AssumeRole(ctx, in())
	mustOK(t, "AssumeRole as erin", err)

	// A bucket policy naming the role grants to its sessions.
	_, err = admin.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::data"}]}`)})
	mustOK(t, "PutBucketPolicy", err)
	_, err = sess.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	mustOK(t, "ListObjects by bucket policy naming the role", err)

	// Changing the trust policy shuts carol out; the session she holds lives on until it expires.
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("reader"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/erin"},"Action":"sts:AssumeRole"}]}`)})
	mustOK(t, "UpdateAssumeRolePolicy", err)
	_, err = carol.AssumeRole(ctx, in())
	mustCode(t, err, "AccessDenied")
	mustGet(t, sess, "data", "plain")
	_, err = c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("reader"), MaxSessionDuration: aws.Int32(7200)})
	mustOK(t, "UpdateRole", err)
	long, err := erin.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.DurationSeconds = aws.Int32(7200) }))
	mustOK(t, "AssumeRole for two hours", err)
	// Role chaining is limited to an hour.
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("reader"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"sts:AssumeRole"}]}`)})
	mustOK(t, "UpdateAssumeRolePolicy to itself", err)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("chain"), PolicyDocument: aws.String(canAssume)})
	mustOK(t, "PutRolePolicy chain", err)
	chain := stsClient(srv, aws.ToString(long.Credentials.AccessKeyId), aws.ToString(long.Credentials.SecretAccessKey), aws.ToString(long.Credentials.SessionToken))
	_, err = chain.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.DurationSeconds = aws.Int32(7200) }))
	mustCode(t, err, "ValidationError")
	chained, err := chain.AssumeRole(ctx, in(func(i *sts.AssumeRoleInput) { i.RoleSessionName = aws.String("hop-2") }))
	mustOK(t, "chained AssumeRole", err)
	if aws.ToString(chained.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/reader/hop-2" {
		t.Fatalf("chained = %+v", chained.AssumedRoleUser)
	}

	// A role with policies cannot be deleted; a deleted role's sessions get nothing.
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")})
	mustCode(t, err, "DeleteConflict")
	for _, p := range []string{"read", "chain"} {
		_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String(p)})
		mustOK(t, "DeleteRolePolicy", err)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")})
	mustOK(t, "DeleteRole", err)
	_, err = sess.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("plain")})
	mustCode(t, err, "AccessDenied")
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})
	mustCode(t, err, "NoSuchEntity")
}

// TestIAMRoleAttachedPolicies: managed policies attached to a role reach its sessions.
func TestIAMRoleAttachedPolicies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := rootIAM(srv)
	mustCreateBucket(t, srv.Client(), "team")
	mustPut(t, srv.Client(), "team", "doc", []byte("d"))
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)})
	mustOK(t, "CreateRole", err)
	ak, sk := newIAMUser(t, srv, "u")
	putUserPolicy(t, srv, "u", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::000000000000:role/r"}]}`)
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team/*"}]}`)})
	mustOK(t, "CreatePolicy", err)
	out, err := stsClient(srv, ak, sk, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), RoleSessionName: aws.String("s1")})
	mustOK(t, "AssumeRole (trust names the account)", err)
	sess := s3Temp(srv, out.Credentials)
	_, err = sess.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String("doc")})
	mustCode(t, err, "AccessDenied")
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.Policy.Arn})
	mustOK(t, "AttachRolePolicy", err)
	mustGet(t, sess, "team", "doc")
	if ar, _ := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r")}); len(ar.AttachedPolicies) != 1 {
		t.Fatalf("ListAttachedRolePolicies = %+v", ar.AttachedPolicies)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")})
	mustCode(t, err, "DeleteConflict")
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.Policy.Arn})
	mustOK(t, "DetachRolePolicy", err)
	_, err = sess.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("team"), Key: aws.String("doc")})
	mustCode(t, err, "AccessDenied")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")})
	mustOK(t, "DeleteRole", err)
}

// TestSTSTransitiveTags: transitive session tags and the source identity
// follow a session into the roles it assumes.
func TestSTSTransitiveTags(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := rootIAM(srv)
	mustCreateBucket(t, srv.Client(), "chain")
	mustPut(t, srv.Client(), "chain", "blue", []byte("b"))
	mk := func(name, principal, policy string) {
		t.Helper()
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`)})
		mustOK(t, "CreateRole "+name, err)
		_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)})
		mustOK(t, "PutRolePolicy "+name, err)
	}
	assumeAny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`
	mk("hop1", "arn:aws:iam::000000000000:user/frank", assumeAny)
	mk("hop2", "arn:aws:iam::000000000000:role/hop1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::chain/*",
		"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue","aws:SourceIdentity":"frank"}}}]}`)
	ak, sk := newIAMUser(t, srv, "frank")
	putUserPolicy(t, srv, "frank", "assume", assumeAny)
	first, err := stsClient(srv, ak, sk, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/hop1"), RoleSessionName: aws.String("one"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}, {Key: aws.String("temp"), Value: aws.String("x")}}, TransitiveTagKeys: []string{"team"},
		SourceIdentity: aws.String("frank")})
	mustOK(t, "AssumeRole hop1", err)
	hop := stsClient(srv, aws.ToString(first.Credentials.AccessKeyId), aws.ToString(first.Credentials.SecretAccessKey), aws.ToString(first.Credentials.SessionToken))
	_, err = hop.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/hop2"), RoleSessionName: aws.String("two"), SourceIdentity: aws.String("someone-else")})
	mustCode(t, err, "AccessDenied") // the source identity cannot change
	second, err := hop.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/hop2"), RoleSessionName: aws.String("two")})
	mustOK(t, "AssumeRole hop2", err)
	if aws.ToString(second.SourceIdentity) != "frank" {
		t.Fatalf("chained SourceIdentity = %q", aws.ToString(second.SourceIdentity))
	}
	mustGet(t, s3Temp(srv, second.Credentials), "chain", "blue")
	_, err = stsClient(srv, ak, sk, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/hop1"), RoleSessionName: aws.String("bad"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}, TransitiveTagKeys: []string{"other"}})
	mustCode(t, err, "InvalidParameterValue")
}
