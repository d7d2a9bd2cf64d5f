package process

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

// runTalus runs the binary to completion with only PATH, HOME and env set
// and returns its combined output and exit code.
func runTalus(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(talusBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("talus %v: %v", args, err)
	return "", 0
}

func rootEnv(ak, sk string) []string {
	return []string{"TALUS_ROOT_ACCESS_KEY=" + ak, "TALUS_ROOT_SECRET_KEY=" + sk}
}

// startRefused runs `talus server` over dir, expects it to exit non-zero
// during startup and returns what it printed.
func startRefused(t *testing.T, dir string, env []string) string {
	t.Helper()
	out, code := runTalus(t, env, "server", "--address", "127.0.0.1:0", "--data", dir)
	if code == 0 || strings.Contains(out, "talus listening") {
		t.Fatalf("server started (exit %d) where it must refuse:\n%s", code, out)
	}
	return out
}

// TestRootCredentialsRefusedWhenNotTheDirectorys: a directory started with
// credentials from the environment refuses to start without them (instead
// of generating a second set), with other ones, or with a wrong secret, and
// says what to do.
func TestRootCredentialsRefusedWhenNotTheDirectorys(t *testing.T) {
	dir := t.TempDir()
	p := testserver.StartProcess(t, talusBin, dir, "AKFIRST", "first-secret-key")
	c := testserver.NewClient(p.URL, "AKFIRST", "first-secret-key")
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("mine")}); err != nil {
		t.Fatal(err)
	}
	p.Stop(t)

	out := startRefused(t, dir, nil)
	for _, want := range []string{"belongs to root access key AKFIRST", "TALUS_ROOT_ACCESS_KEY", "talus admin rotate-root --data " + dir} {
		if !strings.Contains(out, want) {
			t.Fatalf("refusal without credentials does not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "root-credentials.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a second set of credentials was generated: %v", err)
	}
	out = startRefused(t, dir, rootEnv("AKOTHER", "other-secret-key"))
	if !strings.Contains(out, "belongs to root access key AKFIRST, not AKOTHER") || !strings.Contains(out, "rotate-root") {
		t.Fatalf("refusal of other credentials:\n%s", out)
	}
	out = startRefused(t, dir, rootEnv("AKFIRST", "wrong-secret-key"))
	if !strings.Contains(out, "root secret key is not the one of root access key AKFIRST") {
		t.Fatalf("refusal of a wrong secret:\n%s", out)
	}
	testserver.StartProcess(t, talusBin, dir, "AKFIRST", "first-secret-key").Stop(t)
}

var (
	accessKeyRE = regexp.MustCompile(`access key: (\S+)`)
	secretKeyRE = regexp.MustCompile(`secret key: (\S+)`)
)

// TestRotateRootKeepsUsersAndBuckets: rotate-root refuses while a server
// runs; offline it prints new credentials once, after which the old ones
// are refused, the new ones work, root still owns its buckets and an IAM
// user's key still works.
func TestRotateRootKeepsUsersAndBuckets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const ak, sk = "AKBEFORE", "before-rotation-secret"
	p := testserver.StartProcess(t, talusBin, dir, ak, sk)
	root := testserver.NewClient(p.URL, ak, sk)
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kept"), Key: aws.String("k"), Body: strings.NewReader("kept bytes")}); err != nil {
		t.Fatal(err)
	}
	admin := func(args ...string) string {
		t.Helper()
		out, code := runTalus(t, rootEnv(ak, sk), append([]string{"admin", "--endpoint", p.URL}, args...)...)
		if code != 0 {
			t.Fatalf("admin %v: exit %d:\n%s", args, code, out)
		}
		return out
	}
	admin("user", "create", "alice")
	keyOut := admin("key", "create", "alice")
	policy := filepath.Join(t.TempDir(), "read.json")
	os.WriteFile(policy, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::kept/*"}]}`), 0o600)
	admin("policy", "put", "alice", "read", policy)
	userAK, userSK := accessKeyRE.FindStringSubmatch(keyOut), secretKeyRE.FindStringSubmatch(keyOut)
	if userAK == nil || userSK == nil {
		t.Fatalf("key create printed:\n%s", keyOut)
	}

	if out, code := runTalus(t, nil, "admin", "rotate-root", "--data", dir); code == 0 || !strings.Contains(out, "in use") {
		t.Fatalf("rotate-root with the server running: exit %d:\n%s", code, out)
	}
	p.Stop(t)

	out, code := runTalus(t, nil, "admin", "rotate-root", "--data", dir)
	newAK, newSK := accessKeyRE.FindStringSubmatch(out), secretKeyRE.FindStringSubmatch(out)
	if code != 0 || newAK == nil || newSK == nil || newAK[1] == ak {
		t.Fatalf("rotate-root: exit %d:\n%s", code, out)
	}
	var file struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "root-credentials.json"))
	if json.Unmarshal(b, &file); file.AccessKey != newAK[1] || file.SecretKey != newSK[1] {
		t.Fatalf("root-credentials.json holds %+v after rotation", file)
	}
	if out := startRefused(t, dir, rootEnv(ak, sk)); !strings.Contains(out, "belongs to root access key "+newAK[1]) {
		t.Fatalf("old credentials after rotation:\n%s", out)
	}

	p = testserver.StartProcess(t, talusBin, dir, newAK[1], newSK[1])
	root = testserver.NewClient(p.URL, newAK[1], newSK[1])
	buckets, err := root.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 1 || aws.ToString(buckets.Buckets[0].Name) != "kept" {
		t.Fatalf("ListBuckets after rotation = %+v, %v", buckets, err)
	}
	acl, err := root.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("kept")})
	if err != nil || aws.ToString(acl.Owner.ID) != aws.ToString(buckets.Owner.ID) || aws.ToString(acl.Owner.ID) != ak {
		t.Fatalf("bucket owner after rotation = %v (account %v), %v; want the directory's first key %s", acl.Owner, buckets.Owner, err, ak)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kept"), Key: aws.String("new"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("root writes into its bucket after rotation: %v", err)
	}
	user := testserver.NewClient(p.URL, userAK[1], userSK[1])
	got, err := user.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kept"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("IAM user's key after rotation: %v", err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "kept bytes" {
		t.Fatalf("user read %q", body)
	}
	p.Stop(t)

	// Without the environment the rotated file is used.
	p = testserver.StartProcess(t, talusBin, dir, "", "")
	if !strings.Contains(p.Log(), "access_key="+newAK[1]) {
		t.Fatalf("start from root-credentials.json after rotation:\n%s", p.Log())
	}
	p.Stop(t)
}

// mustRefuseStart runs talus server with each environment/arguments pair
// and fails unless it exits 1 with want in its output and wrote nothing
// into its data directory.
func mustRefuseStart(t *testing.T, want string, cases []struct{ env, args []string }) {
	t.Helper()
	for _, c := range cases {
		dir := t.TempDir()
		out, code := runTalus(t, append(rootEnv(procAK, procSK), c.env...), append([]string{"server", "--address", "127.0.0.1:0", "--data", dir}, c.args...)...)
		if code != 1 || !strings.Contains(out, want) {
			t.Fatalf("%v %v: exit %d:\n%s", c.env, c.args, code, out)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatalf("refused start wrote %d entries into the data directory", len(entries))
		}
	}
}
