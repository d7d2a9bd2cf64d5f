package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"talus/internal/oidc"
	"talus/internal/testserver"
)

// cliRunner runs the AWS CLI against srv with the given credentials.
type cliRunner struct {
	t   *testing.T
	bin string
	srv *testserver.Server
	env []string
}

func newAWSCLI(t *testing.T, srv *testserver.Server) *cliRunner {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws binary on PATH")
	}
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_DEFAULT_REGION="+testserver.Region, "AWS_REGION="+testserver.Region,
		"AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true", "HOME="+home)
	return &cliRunner{t: t, bin: bin, srv: srv, env: env}
}

// as runs one command with a key pair (and session token); it returns
// the parsed JSON output, stderr and the error.
func (a *cliRunner) as(ak, sk, token string, args ...string) (map[string]any, string, error) {
	a.t.Helper()
	cmd := exec.Command(a.bin, append([]string{"--endpoint-url", a.srv.URL, "--output", "json"}, args...)...)
	cmd.Env = append(append([]string{}, a.env...), "AWS_ACCESS_KEY_ID="+ak, "AWS_SECRET_ACCESS_KEY="+sk)
	if token != "" {
		cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+token)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var out map[string]any
	if err == nil && strings.HasPrefix(strings.TrimSpace(stdout.String()), "{") {
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
			a.t.Fatalf("aws %v: output is not JSON: %v\n%s", args, jerr, stdout.String())
		}
	}
	if out == nil {
		out = map[string]any{"_text": stdout.String()}
	}
	return out, stderr.String(), err
}

func (a *cliRunner) must(ak, sk, token string, args ...string) map[string]any {
	a.t.Helper()
	out, stderr, err := a.as(ak, sk, token, args...)
	if err != nil {
		a.t.Fatalf("aws %v: %v\n%s", args, err, stderr)
	}
	return out
}

func (a *cliRunner) root(args ...string) map[string]any {
	a.t.Helper()
	return a.must(testserver.AccessKey, testserver.SecretKey, "", args...)
}

// credsOf reads the Credentials of an STS answer.
func credsOf(t *testing.T, out map[string]any) (string, string, string) {
	t.Helper()
	c, _ := out["Credentials"].(map[string]any)
	ak, _ := c["AccessKeyId"].(string)
	sk, _ := c["SecretAccessKey"].(string)
	tok, _ := c["SessionToken"].(string)
	if !strings.HasPrefix(ak, "ASIA") || sk == "" || tok == "" {
		t.Fatalf("no credentials in %v", out)
	}
	return ak, sk, tok
}

// TestSTSAWSCLI: groups, managed policies, roles and every STS call driven
// by the real AWS CLI, the temporary credentials used with 'aws s3'.
func TestSTSAWSCLI(t *testing.T) {
	t.Parallel()
	is := startIssuer(t)
	srv := testserver.Start(t, testserver.WithOIDCProvider(oidc.Provider{Issuer: is.url, ClientIDs: []string{"cli-app"}}))
	a := newAWSCLI(t, srv)
	mustCreateBucket(t, srv.Client(), "cli-data")
	mustPut(t, srv.Client(), "cli-data", "hello.txt", []byte("hi"))
	dir := t.TempDir()
	file := func(name, doc string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(doc), 0o600)
		return "file://" + p
	}

	out := a.root("sts", "get-caller-identity")
	if out["Arn"] != "arn:aws:iam::000000000000:root" || out["Account"] != "000000000000" {
		t.Fatalf("get-caller-identity = %v", out)
	}
	// A user whose permission to assume the role comes from a group's managed policy.
	a.root("iam", "create-user", "--user-name", "cli-carol")
	key := a.root("iam", "create-access-key", "--user-name", "cli-carol")["AccessKey"].(map[string]any)
	ak, sk := key["AccessKeyId"].(string), key["SecretAccessKey"].(string)
	a.root("iam", "create-group", "--group-name", "assumers")
	a.root("iam", "add-user-to-group", "--group-name", "assumers", "--user-name", "cli-carol")
	pol := a.root("iam", "create-policy", "--policy-name", "may-assume", "--policy-document",
		file("assume.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::000000000000:role/cli-reader"}]}`))
	polARN := pol["Policy"].(map[string]any)["Arn"].(string)
	a.root("iam", "attach-group-policy", "--group-name", "assumers", "--policy-arn", polARN)
	if out := a.root("iam", "list-attached-group-policies", "--group-name", "assumers"); len(out["AttachedPolicies"].([]any)) != 1 {
		t.Fatalf("list-attached-group-policies = %v", out)
	}
	a.root("iam", "create-role", "--role-name", "cli-reader", "--assume-role-policy-document",
		file("trust.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/cli-carol"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"cli-ext"}}},
			{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/`+strings.TrimPrefix(is.url, "http://")+`"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`))
	a.root("iam", "put-role-policy", "--role-name", "cli-reader", "--policy-name", "list", "--policy-document",
		file("list.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::cli-data","arn:aws:s3:::cli-data/*"]}]}`))
	if out := a.root("iam", "get-role", "--role-name", "cli-reader"); out["Role"].(map[string]any)["AssumeRolePolicyDocument"] == nil {
		t.Fatalf("get-role = %v", out)
	}

	// Wrong external ID, then the right one.
	_, stderr, err := a.as(ak, sk, "", "sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/cli-reader", "--role-session-name", "cli", "--external-id", "nope")
	if err == nil || !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("assume-role with a wrong external ID: %v %s", err, stderr)
	}
	out = a.must(ak, sk, "", "sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/cli-reader", "--role-session-name", "cli", "--external-id", "cli-ext")
	rak, rsk, rtok := credsOf(t, out)
	if who := a.must(rak, rsk, rtok, "sts", "get-caller-identity"); who["Arn"] != "arn:aws:sts::000000000000:assumed-role/cli-reader/cli" {
		t.Fatalf("get-caller-identity as the role = %v", who)
	}
	ls := a.must(rak, rsk, rtok, "s3", "ls", "s3://cli-data")["_text"].(string)
	if !strings.Contains(ls, "hello.txt") {
		t.Fatalf("aws s3 ls with the role's credentials: %q", ls)
	}
	if _, stderr, err := a.as(rak, rsk, rtok, "s3", "ls"); err == nil || !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("aws s3 ls (ListBuckets) outside the role: %v %s", err, stderr)
	}
	if _, stderr, err := a.as(rak, rsk, rtok+"x", "s3", "ls", "s3://cli-data"); err == nil || !strings.Contains(stderr, "InvalidToken") {
		t.Fatalf("aws s3 ls with a damaged token: %v %s", err, stderr)
	}

	// get-session-token, then its expiry.
	st := a.must(ak, sk, "", "sts", "get-session-token", "--duration-seconds", "900")
	sak, ssk, stok := credsOf(t, st)
	if who := a.must(sak, ssk, stok, "sts", "get-caller-identity"); who["Arn"] != "arn:aws:iam::000000000000:user/cli-carol" {
		t.Fatalf("get-caller-identity with a session token = %v", who)
	}
	srv.Server().Identities().SetClock(func() time.Time { return time.Now().Add(time.Hour) })
	_, stderr, err = a.as(sak, ssk, stok, "sts", "get-caller-identity")
	srv.Server().Identities().SetClock(nil)
	if err == nil || !strings.Contains(stderr, "ExpiredToken") {
		t.Fatalf("expired session with the CLI: %v %s", err, stderr)
	}

	// assume-role-with-web-identity needs no credentials at all.
	tok := is.mint(t, claims(is.url, "cli-user", "cli-app", time.Hour))
	cmd := exec.Command(a.bin, "--endpoint-url", srv.URL, "--output", "json", "--no-sign-request", "sts", "assume-role-with-web-identity",
		"--role-arn", "arn:aws:iam::000000000000:role/cli-reader", "--role-session-name", "web", "--web-identity-token", tok)
	cmd.Env = a.env
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("assume-role-with-web-identity: %v %s", err, b)
	}
	var web map[string]any
	json.Unmarshal(b, &web)
	wak, wsk, wtok := credsOf(t, web)
	if web["SubjectFromWebIdentityToken"] != "cli-user" {
		t.Fatalf("assume-role-with-web-identity = %s", b)
	}
	if ls := a.must(wak, wsk, wtok, "s3", "ls", "s3://cli-data")["_text"].(string); !strings.Contains(ls, "hello.txt") {
		t.Fatalf("aws s3 ls with web identity credentials: %q", ls)
	}

	// The CLI sees each refusal's code: a web identity token for another
	// audience, one with a forged signature, and a user the trust policy
	// does not name (whatever her identity policy allows).
	webFail := func(what, token, code string) {
		t.Helper()
		cmd := exec.Command(a.bin, "--endpoint-url", srv.URL, "--output", "json", "--no-sign-request", "sts", "assume-role-with-web-identity",
			"--role-arn", "arn:aws:iam::000000000000:role/cli-reader", "--role-session-name", "web", "--web-identity-token", token)
		cmd.Env = a.env
		if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), code) {
			t.Fatalf("assume-role-with-web-identity with %s: %v %s, want %s", what, err, b, code)
		}
	}
	webFail("another audience", is.mint(t, claims(is.url, "cli-user", "other-app", time.Hour)), "InvalidIdentityToken")
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	webFail("a forged signature", mintWith(t, forger, is.kid, jose.RS256, claims(is.url, "cli-user", "cli-app", time.Hour)), "InvalidIdentityToken")
	a.root("iam", "create-user", "--user-name", "cli-dave")
	a.root("iam", "add-user-to-group", "--group-name", "assumers", "--user-name", "cli-dave")
	dkey := a.root("iam", "create-access-key", "--user-name", "cli-dave")["AccessKey"].(map[string]any)
	if _, stderr, err := a.as(dkey["AccessKeyId"].(string), dkey["SecretAccessKey"].(string), "", "sts", "assume-role",
		"--role-arn", "arn:aws:iam::000000000000:role/cli-reader", "--role-session-name", "cli", "--external-id", "cli-ext"); err == nil || !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("assume-role by a user the trust policy does not name: %v %s", err, stderr)
	}
}
