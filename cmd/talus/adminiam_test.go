package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/testserver"
)

// adminRunner returns a 'talus admin' runner against srv as its root;
// a failing command fails the test.
func adminRunner(t *testing.T, srv *testserver.Server) func(args ...string) string {
	t.Setenv("TALUS_ROOT_ACCESS_KEY", testserver.AccessKey)
	t.Setenv("TALUS_ROOT_SECRET_KEY", testserver.SecretKey)
	return func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := runAdmin(append([]string{"--endpoint", srv.URL}, args...), &out); err != nil {
			t.Fatalf("admin %v: %v", args, err)
		}
		return out.String()
	}
}

// TestAdminDirectoryCommands drives groups, roles and managed policies
// through 'talus admin' against a real server.
func TestAdminDirectoryCommands(t *testing.T) {
	srv := testserver.Start(t)
	run := adminRunner(t, srv)
	dir := t.TempDir()
	file := func(name, doc string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(doc), 0o600)
		return p
	}
	read := file("read.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	trust := file("trust.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)

	run("user", "create", "ann")
	if out := run("group", "create", "eng"); !strings.Contains(out, "arn:aws:iam::000000000000:group/eng") {
		t.Fatalf("group create: %q", out)
	}
	run("group", "add-user", "eng", "ann")
	if out := run("group", "get", "eng"); !strings.Contains(out, "member\tann") {
		t.Fatalf("group get: %q", out)
	}
	run("group-policy", "put", "eng", "read", read)
	if out := run("group-policy", "list", "eng"); out != "read\n" {
		t.Fatalf("group-policy list: %q", out)
	}
	if out := run("role", "create", "app", trust); !strings.Contains(out, "arn:aws:iam::000000000000:role/app") {
		t.Fatalf("role create: %q", out)
	}
	if out := run("role", "get", "app"); !strings.Contains(out, `"sts:AssumeRole"`) {
		t.Fatalf("role get: %q", out)
	}
	out := run("managed", "create", "readers", read)
	arn := "arn:aws:iam::000000000000:policy/readers"
	if !strings.HasPrefix(out, arn+"\tv1") {
		t.Fatalf("managed create: %q", out)
	}
	run("attach", "role", "app", arn)
	run("attach", "group", "eng", arn)
	if out := run("attached", "role", "app"); out != arn+"\n" {
		t.Fatalf("attached role: %q", out)
	}
	if out := run("managed", "update", arn, read); out != "version v2 (default)\n" {
		t.Fatalf("managed update: %q", out)
	}
	if out := run("managed", "list"); !strings.Contains(out, arn+"\tv2\tattached 2") {
		t.Fatalf("managed list: %q", out)
	}
	var sink strings.Builder
	if err := runAdmin([]string{"--endpoint", srv.URL, "managed", "delete", arn}, &sink); err == nil || !strings.Contains(err.Error(), "DeleteConflict") {
		t.Fatalf("managed delete while attached: %v", err)
	}
	run("detach", "role", "app", arn)
	run("detach", "group", "eng", arn)
	run("managed", "delete-version", arn, "v1")
	run("managed", "delete", arn)
	run("role", "delete", "app")
	run("group-policy", "delete", "eng", "read")
	run("group", "remove-user", "eng", "ann")
	run("group", "delete", "eng")
	if out := run("group", "list"); out != "" {
		t.Fatalf("group list after delete: %q", out)
	}
}
