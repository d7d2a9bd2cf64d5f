package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/iam"
	"talus/internal/testserver"
)

func TestRootCredentialsGeneratedOnceAndPrivate(t *testing.T) {
	t.Setenv("TALUS_ROOT_ACCESS_KEY", "")
	t.Setenv("TALUS_ROOT_SECRET_KEY", "")
	dir := t.TempDir()
	ak, sk, err := rootCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ak) != 20 || len(sk) != 40 {
		t.Fatalf("generated %q / %d-char secret", ak, len(sk))
	}
	fi, err := os.Stat(filepath.Join(dir, "root-credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode %v, want 0600", fi.Mode().Perm())
	}
	ak2, sk2, err := rootCredentials(dir)
	if err != nil || ak2 != ak || sk2 != sk {
		t.Fatalf("second start gave different credentials: %v", err)
	}
}

// TestRootCredentialsNotGeneratedForUsedDirectory: a directory that holds
// data, or records its root key, never gets a generated second pair.
func TestRootCredentialsNotGeneratedForUsedDirectory(t *testing.T) {
	t.Setenv("TALUS_ROOT_ACCESS_KEY", "")
	t.Setenv("TALUS_ROOT_SECRET_KEY", "")
	legacy := t.TempDir()
	os.WriteFile(filepath.Join(legacy, "meta.db"), nil, 0o600)
	if _, _, err := rootCredentials(legacy); err == nil || !strings.Contains(err.Error(), "holds data but no root credentials") {
		t.Fatalf("directory with data: %v", err)
	}
	recorded := t.TempDir()
	os.Mkdir(filepath.Join(recorded, "keys"), 0o700)
	os.WriteFile(filepath.Join(recorded, "keys", "root.json"), []byte(`{"access_key":"AKOWNER","secret_verifier":"ab","canonical_id":"AKOWNER"}`), 0o600)
	if _, _, err := rootCredentials(recorded); err == nil || !strings.Contains(err.Error(), "belongs to root access key AKOWNER") {
		t.Fatalf("recorded directory: %v", err)
	}
	for _, dir := range []string{legacy, recorded} {
		if _, err := os.Stat(filepath.Join(dir, "root-credentials.json")); err == nil {
			t.Fatalf("credentials generated in %s", dir)
		}
	}
}

func TestRootCredentialsFromEnvironment(t *testing.T) {
	t.Setenv("TALUS_ROOT_ACCESS_KEY", "myaccess")
	t.Setenv("TALUS_ROOT_SECRET_KEY", "mysecretkey")
	ak, sk, err := rootCredentials(t.TempDir())
	if err != nil || ak != "myaccess" || sk != "mysecretkey" {
		t.Fatalf("got %q %q %v", ak, sk, err)
	}
	t.Setenv("TALUS_ROOT_SECRET_KEY", "")
	if _, _, err := rootCredentials(t.TempDir()); err == nil {
		t.Fatal("half-set credentials accepted")
	}
}

func TestRandomStringUsesAlphabet(t *testing.T) {
	s := iam.RandomString(1000, "ab")
	for _, c := range s {
		if c != 'a' && c != 'b' {
			t.Fatalf("character %q outside the alphabet", c)
		}
	}
	if len(s) != 1000 {
		t.Fatalf("length %d", len(s))
	}
}

func TestAdminCommands(t *testing.T) {
	srv := testserver.Start(t)
	run := adminRunner(t, srv)
	if out := run("user", "create", "alice"); !strings.Contains(out, "arn:aws:iam::000000000000:user/alice") {
		t.Fatalf("user create: %q", out)
	}
	if out := run("user", "list"); !strings.HasPrefix(out, "alice\t") {
		t.Fatalf("user list: %q", out)
	}
	out := run("key", "create", "alice")
	var id, secret string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "access key: "); ok {
			id = v
		}
		if v, ok := strings.CutPrefix(line, "secret key: "); ok {
			secret = v
		}
	}
	if len(id) != 20 || len(secret) != 40 {
		t.Fatalf("key create: %q", out)
	}
	doc := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(doc, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`), 0o600)
	run("policy", "put", "alice", "list", doc)
	if out := run("policy", "get", "alice", "list"); !strings.Contains(out, "s3:ListAllMyBuckets") {
		t.Fatalf("policy get: %q", out)
	}
	// The new key works, within its policy.
	c := testserver.NewClient(srv.URL, id, secret)
	if _, err := c.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("alice ListBuckets: %v", err)
	}
	run("key", "disable", "alice", id)
	if out := run("key", "list", "alice"); !strings.Contains(out, id+"\tInactive") {
		t.Fatalf("key list: %q", out)
	}
	var out2 strings.Builder
	if err := runAdmin([]string{"--endpoint", srv.URL, "user", "delete", "alice"}, &out2); err == nil || !strings.Contains(err.Error(), "DeleteConflict") {
		t.Fatalf("deleting a user with keys: %v", err)
	}
	run("key", "delete", "alice", id)
	run("policy", "delete", "alice", "list")
	run("user", "delete", "alice")
	if out := run("user", "list"); out != "" {
		t.Fatalf("users left: %q", out)
	}
}

func TestAdminKMSCommands(t *testing.T) {
	srv := testserver.Start(t)
	t.Setenv("TALUS_ROOT_ACCESS_KEY", testserver.AccessKey)
	t.Setenv("TALUS_ROOT_SECRET_KEY", testserver.SecretKey)
	run := func(args ...string) (string, error) {
		t.Helper()
		var out strings.Builder
		err := runAdmin(append([]string{"--endpoint", srv.URL, "kms"}, args...), &out)
		return out.String(), err
	}
	out, err := run("create-key", "--key-id", "backups", "--description", "nightly backups")
	if err != nil || !strings.HasPrefix(out, "backups\tarn:aws:kms:us-east-1:000000000000:key/backups\tEnabled\tCUSTOMER\t") ||
		!strings.HasSuffix(out, "\tnightly backups\n") {
		t.Fatalf("create-key --key-id = %q, %v", out, err)
	}
	if _, err := run("create-key", "--key-id", "backups"); err == nil || !strings.Contains(err.Error(), "AlreadyExistsException") {
		t.Fatalf("reused key ID: %v", err)
	}
	if _, err := run("create-key", "--key-id", "bad id"); err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Fatalf("invalid key ID: %v", err)
	}
	out, err = run("create-key")
	if err != nil || len(strings.Split(out, "\t")[0]) != 36 {
		t.Fatalf("create-key = %q, %v", out, err)
	}
	out, err = run("describe-key", "arn:aws:kms:us-east-1:000000000000:key/backups")
	if err != nil || !strings.HasPrefix(out, "backups\t") {
		t.Fatalf("describe-key = %q, %v", out, err)
	}
	if _, err := run("describe-key", "nope"); err == nil || !strings.Contains(err.Error(), "NotFoundException") {
		t.Fatalf("describe-key missing: %v", err)
	}
	out, err = run("list-keys")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); err != nil || len(lines) != 2 || !strings.Contains(out, "backups\t") {
		t.Fatalf("list-keys = %q, %v", out, err)
	}
	// The key works with the SDK's KMS client under its chosen ID.
	c := kms.NewFromConfig(aws.Config{Region: testserver.Region, Credentials: credentials.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")},
		func(o *kms.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	enc, err := c.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String("backups"), Plaintext: []byte("x")})
	if err != nil || aws.ToString(enc.KeyId) != "arn:aws:kms:us-east-1:000000000000:key/backups" {
		t.Fatalf("Encrypt under the chosen key = %+v, %v", enc, err)
	}
}
