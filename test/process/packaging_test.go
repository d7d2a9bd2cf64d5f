package process

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/testserver"
)

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSystemdUnit: the unit parses (systemd-analyze verify when the
// machine has it, with ExecStart pointed at the built binary), runs the
// server from the config file as its own user, and keeps its hardening.
func TestSystemdUnit(t *testing.T) {
	unit := repoFile(t, "packaging/systemd/talus.service")
	keys := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(unit))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("not a unit file line: %q", line)
			}
			keys[section+k] = append(keys[section+k], v)
		}
	}
	for k, want := range map[string]string{
		"[Service]ProtectSystem": "strict", "[Service]NoNewPrivileges": "yes", "[Service]PrivateTmp": "yes",
		"[Service]ReadWritePaths": "/var/lib/talus", "[Service]User": "talus", "[Service]ProtectHome": "yes",
		"[Service]CapabilityBoundingSet": "", "[Install]WantedBy": "multi-user.target",
	} {
		if got := keys[k]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	exec0 := keys["[Service]ExecStart"]
	if len(exec0) != 1 || !strings.Contains(exec0[0], "server --config /etc/talus/talus.toml --data /var/lib/talus") {
		t.Errorf("ExecStart = %q", exec0)
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: parse check only")
		return
	}
	path := filepath.Join(t.TempDir(), "talus.service")
	os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/talus", talusBin)), 0o644)
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestDockerfile: multi-stage, static build, non-root, a data volume, and
// a health check run by the binary itself.
func TestDockerfile(t *testing.T) {
	df := repoFile(t, "packaging/docker/Dockerfile")
	var froms, users, volumes, health []string
	for _, line := range strings.Split(df, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "FROM":
			froms = append(froms, line)
		case "USER":
			users = append(users, f[1])
		case "VOLUME":
			volumes = append(volumes, line)
		case "HEALTHCHECK":
			health = append(health, line)
		}
	}
	if len(froms) < 2 || !strings.Contains(froms[0], " AS build") || !strings.Contains(df, "COPY --from=build") {
		t.Errorf("not a multi-stage build: %q", froms)
	}
	if !strings.Contains(df, "CGO_ENABLED=0 go build") {
		t.Error("the binary is not built static (CGO_ENABLED=0)")
	}
	if len(users) != 1 || strings.HasPrefix(users[0], "0") || users[0] == "root" {
		t.Errorf("USER = %q, want one non-root user", users)
	}
	if len(volumes) != 1 || !strings.Contains(volumes[0], `"/data"`) || !strings.Contains(df, "TALUS_DATA=/data") {
		t.Errorf("data volume: %q", volumes)
	}
	if len(health) != 1 || !strings.Contains(df, `CMD ["/usr/local/bin/talus", "health"]`) || strings.Contains(df, "curl") {
		t.Errorf("HEALTHCHECK must run talus health: %q", health)
	}
}

// TestHealthCommand: `talus health` exits 0 against a ready server and 1
// when nothing answers, so the container health check means something.
func TestHealthCommand(t *testing.T) {
	p := testserver.StartProcess(t, talusBin, filepath.Join(t.TempDir(), "data"), "AKHEALTH", "health-secret-key")
	if out, code := runTalus(t, []string{"TALUS_ADDRESS=" + p.Host}, "health"); code != 0 || !strings.Contains(out, "ready") {
		t.Fatalf("health of a ready server: exit %d: %s", code, out)
	}
	_, port, _ := strings.Cut(p.Host, ":")
	if out, code := runTalus(t, nil, "health", "--address", "0.0.0.0:"+port); code != 0 {
		t.Fatalf("health on the unspecified address: exit %d: %s", code, out)
	}
	p.Stop(t)
	if out, code := runTalus(t, nil, "health", "--address", p.Host, "--timeout", "2s"); code != 1 {
		t.Fatalf("health of a stopped server: exit %d: %s", code, out)
	}
}

// TestExampleConfig: the shipped example config is accepted by the binary.
func TestExampleConfig(t *testing.T) {
	out, code := runTalus(t, []string{"TALUS_METRICS_TOKEN=example-token"}, "server", "--config", filepath.Join("..", "..", "packaging", "talus.toml"), "--print-config")
	if code != 0 || !strings.Contains(out, `log-format = "json"`) || strings.Contains(out, "example-token") {
		t.Fatalf("example config: exit %d:\n%s", code, out)
	}
}
