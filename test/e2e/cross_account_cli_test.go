package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/testserver"
)

// awsCLI returns a runner of the AWS CLI as one account's credentials
// against srv: it returns the decoded JSON output, stderr and the error.
func awsCLI(t *testing.T, srv *testserver.Server, ak, sk string) func(args ...string) (map[string]any, string, error) {
	cli := newAWSCLI(t, srv)
	return func(args ...string) (map[string]any, string, error) {
		t.Helper()
		return cli.as(ak, sk, "", args...)
	}
}

// TestCrossAccountAWSCLI drives two accounts with the AWS CLI: each lists
// its own buckets and users; B writes into A's bucket with
// bucket-owner-full-control under A's policy, checks the owner it
// expects, and is refused where A granted nothing.
func TestCrossAccountAWSCLI(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	a := adminAccount(srv)
	b := newAccount(t, srv, "bee", "bee@example.com")
	asA, asB := awsCLI(t, srv, a.AK, a.SK), awsCLI(t, srv, b.AK, b.SK)
	must := func(run func(...string) (map[string]any, string, error), args ...string) map[string]any {
		t.Helper()
		out, stderr, err := run(args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		return out
	}
	refused := func(run func(...string) (map[string]any, string, error), code string, args ...string) {
		t.Helper()
		if _, stderr, err := run(args...); err == nil || !strings.Contains(stderr, code) {
			t.Fatalf("aws %v: %v %s, want %s", args, err, stderr, code)
		}
	}
	must(asA, "s3api", "create-bucket", "--bucket", "cli-a", "--object-ownership", "BucketOwnerPreferred")
	must(asB, "s3api", "create-bucket", "--bucket", "cli-b")
	for _, tc := range []struct {
		run  func(...string) (map[string]any, string, error)
		want string
	}{{asA, "cli-a"}, {asB, "cli-b"}} {
		out := must(tc.run, "s3api", "list-buckets")
		bs, _ := out["Buckets"].([]any)
		if len(bs) != 1 || bs[0].(map[string]any)["Name"] != tc.want {
			t.Fatalf("list-buckets = %v, want only %s", out, tc.want)
		}
	}
	must(asB, "iam", "create-user", "--user-name", "bee-user")
	if out := must(asA, "iam", "list-users"); len(out["Users"].([]any)) != 0 {
		t.Fatalf("A sees users %v", out)
	}
	if out := must(asB, "iam", "get-user", "--user-name", "bee-user"); out["User"].(map[string]any)["Arn"] != b.userARN("bee-user") {
		t.Fatalf("B's user = %v", out)
	}

	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, []byte("from bee"), 0o600)
	refused(asB, "AccessDenied", "s3api", "put-object", "--bucket", "cli-a", "--key", "k", "--body", file)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + b.ID + `:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::cli-a/*",
		"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`
	must(asA, "s3api", "put-bucket-policy", "--bucket", "cli-a", "--policy", policy)
	refused(asB, "AccessDenied", "s3api", "put-object", "--bucket", "cli-a", "--key", "k", "--body", file)
	must(asB, "s3api", "put-object", "--bucket", "cli-a", "--key", "k", "--body", file, "--acl", "bucket-owner-full-control", "--expected-bucket-owner", a.ID)
	refused(asB, "AccessDenied", "s3api", "put-object", "--bucket", "cli-a", "--key", "k2", "--body", file, "--acl", "bucket-owner-full-control", "--expected-bucket-owner", b.ID)
	out := must(asA, "s3api", "get-object-acl", "--bucket", "cli-a", "--key", "k")
	if out["Owner"].(map[string]any)["ID"] != a.CanonicalID {
		t.Fatalf("owner of B's bucket-owner-full-control write = %v", out["Owner"])
	}
	must(asA, "s3api", "get-object", "--bucket", "cli-a", "--key", "k", filepath.Join(t.TempDir(), "out"))
	refused(asB, "AccessDenied", "s3api", "get-object", "--bucket", "cli-a", "--key", "k", filepath.Join(t.TempDir(), "out"))
	refused(asB, "UnresolvableGrantByEmailAddress", "s3api", "put-bucket-acl", "--bucket", "cli-b", "--grant-read", "emailAddress=nobody@example.com")
}
