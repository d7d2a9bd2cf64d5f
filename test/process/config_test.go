package process

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/testserver"
)

// TestPrintConfigOfTheBinary: the binary layers flags over environment
// over the config file, prints the result, masks secrets, and exits.
func TestPrintConfigOfTheBinary(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "talus.toml")
	os.WriteFile(cfg, []byte("region = \"file-region\"\ninline-max = 4096\nmetrics-token = \"s3cr3t-token\"\nlog-format = \"json\"\n"), 0o600)
	out, code := runTalus(t, []string{"TALUS_INLINE_MAX=8192", "TALUS_CONFIG=" + cfg}, "server", "--log-format", "text", "--print-config")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{`region = "file-region"`, "inline-max = 8192", `log-format = "text"`, `metrics-token = "********"`} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("print-config lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cr3t-token") {
		t.Fatalf("print-config shows the secret:\n%s", out)
	}
	out, code = runTalus(t, nil, "server", "--config", cfg+".missing", "--print-config")
	if code != 1 || !strings.Contains(out, "talus.toml.missing") {
		t.Fatalf("missing config file: exit %d:\n%s", code, out)
	}
}

// TestConfigFileRunsTheServer: a setting from the config file takes effect
// in a running server, and the environment overrides it.
func TestConfigFileRunsTheServer(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "talus.toml")
	os.WriteFile(cfg, []byte("metrics = \"off\"\n"), 0o600)
	status := func(p *testserver.Process) int {
		resp, err := http.Get(p.URL + "/_talus/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	p := testserver.StartProcess(t, talusBin, filepath.Join(t.TempDir(), "data"), "AKCFG", "cfg-secret-key", "--config", cfg)
	if s := status(p); s != http.StatusNotFound {
		t.Fatalf("metrics off in the file: GET /_talus/metrics = %d", s)
	}
	p.Stop(t)
	t.Setenv("TALUS_METRICS", "open")
	p = testserver.StartProcess(t, talusBin, filepath.Join(t.TempDir(), "data"), "AKCFG", "cfg-secret-key", "--config", cfg)
	if s := status(p); s != http.StatusOK {
		t.Fatalf("TALUS_METRICS=open over the file: GET /_talus/metrics = %d", s)
	}
}

// TestVersionHasCommit: built with VCS stamping, `talus version` reports
// the commit it was built from. The build runs in a fresh clone of HEAD,
// since the Go toolchain stamps only checkouts whose .git is a directory
// (not linked worktrees).
func TestVersionHasCommit(t *testing.T) {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("the tests run from the git checkout: %v", err)
	}
	head, _ := exec.Command("git", "rev-parse", "HEAD").Output()
	clone := filepath.Join(t.TempDir(), "src")
	if out, err := exec.Command("git", "clone", "-q", strings.TrimSpace(string(top)), clone).CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "talus")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/talus")
	build.Dir = clone
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "commit "+strings.TrimSpace(string(head))) {
			t.Fatalf("talus %s = %q (%v), want the commit %s", arg, out, err, head)
		}
	}
}
