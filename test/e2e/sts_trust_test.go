package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestSTSTrustPolicyAsResourcePolicy: a role's trust policy is a
// resource-based policy, evaluated as AWS does. Within the role's account
// a trust policy naming the caller's user ARN is enough on its own, while
// one naming the account (its ID or root ARN) delegates to the caller's
// identity policies; an explicit deny in those always wins. Across
// accounts both sides must allow, even when the trust names the user.
func TestSTSTrustPolicyAsResourcePolicy(t *testing.T) {
	t.Parallel()
	srv, _, bee, sea := threeAccounts(t)
	bc := iamClient(srv, bee.AK, bee.SK)
	roleARN := func(name string) string { return "arn:aws:iam::" + bee.ID + ":role/" + name }
	role := func(name, trust string) {
		t.Helper()
		_, err := bc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		mustOK(t, "CreateRole "+name, err)
	}
	user := func(c *iam.Client, name, doc string) *sts.Client {
		t.Helper()
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		mustOK(t, "CreateUser "+name, err)
		if doc != "" {
			_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			mustOK(t, "PutUserPolicy "+name, err)
		}
		k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		mustOK(t, "CreateAccessKey "+name, err)
		return stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	}
	assume := func(c *sts.Client, name string) error {
		_, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(name)), RoleSessionName: aws.String("s1")})
		return err
	}
	allowAssume := condDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}`)
	denyAssume := condDoc(`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`)

	// bee's own users.
	bare := user(bc, "bare", "")                // no identity policy
	allowed := user(bc, "allowed", allowAssume) // an identity policy allowing sts:AssumeRole
	denied := user(bc, "denied", denyAssume)    // an identity policy denying it
	role("names-bare", trustOf(bee.userARN("bare"), bee.userARN("denied")))
	role("names-root", trustOf("arn:aws:iam::"+bee.ID+":root"))
	role("names-account", trustOf(bee.ID))
	role("names-other", trustOf(bee.userARN("allowed")))

	if err := assume(bare, "names-bare"); err != nil {
		t.Errorf("same account, trust naming the user, no identity policy: %v (want allowed)", err)
	}
	mustCode(t, assume(denied, "names-bare"), "AccessDenied") // the identity deny wins
	mustCode(t, assume(bare, "names-root"), "AccessDenied")   // the account root delegates to identity policies
	mustCode(t, assume(bare, "names-account"), "AccessDenied")
	mustCode(t, assume(bare, "names-other"), "AccessDenied") // not named, not allowed
	mustOK(t, "same account, trust naming the root, identity policy allowing", assume(allowed, "names-root"))
	mustOK(t, "same account, trust naming the account ID, identity policy allowing", assume(allowed, "names-account"))
	mustOK(t, "same account, trust naming the user, identity policy allowing", assume(allowed, "names-other"))

	// sea's users, across accounts: both sides are needed.
	sc := iamClient(srv, sea.AK, sea.SK)
	xbare := user(sc, "xbare", "")
	xallowed := user(sc, "xallowed", allowAssume)
	role("names-xbare", trustOf(sea.userARN("xbare"), sea.userARN("xallowed")))
	role("names-sea", trustOf("arn:aws:iam::"+sea.ID+":root"))
	mustCode(t, assume(xbare, "names-xbare"), "AccessDenied") // trusted by ARN, but no identity policy
	mustCode(t, assume(xbare, "names-sea"), "AccessDenied")
	mustCode(t, assume(xallowed, "names-bare"), "AccessDenied") // identity allows, trust does not
	mustOK(t, "cross account, trust naming the user, identity policy allowing", assume(xallowed, "names-xbare"))
	mustOK(t, "cross account, trust naming the account root, identity policy allowing", assume(xallowed, "names-sea"))
}
