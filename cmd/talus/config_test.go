package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testFlags is a flag set shaped like the server's: strings, numbers,
// durations, booleans, a repeatable flag and a secret.
func testFlags() (*flag.FlagSet, map[string]any) {
	fl := flag.NewFlagSet("server", flag.ContinueOnError)
	fl.SetOutput(new(bytes.Buffer))
	var doms domains
	fl.Var(&doms, "domain", "")
	return fl, map[string]any{
		"region":       fl.String("region", "us-east-1", ""),
		"log-level":    fl.String("log-level", "info", ""),
		"address":      fl.String("address", "127.0.0.1:9000", ""),
		"inline-max":   fl.Int("inline-max", 32<<10, ""),
		"grace":        fl.Duration("shutdown-timeout", 30*time.Second, ""),
		"sse":          fl.Bool("allow-sse-c-over-http", false, ""),
		"token":        fl.String("metrics-token", "", ""),
		"domain":       &doms,
		"lifecycleday": fl.Duration("lifecycle-day", 24*time.Hour, ""),
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "talus.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigPrecedence: command line over environment over file over defaults.
func TestConfigPrecedence(t *testing.T) {
	file := writeConfig(t, `
region = "from-file"
log-level = "debug"
inline-max = 1000
shutdown-timeout = "5s"
allow-sse-c-over-http = true
domain = ["a.example", "b.example"]
metrics-token = "file-token"
lifecycle-day = "1h"
`)
	env := map[string]string{"TALUS_REGION": "from-env", "TALUS_LOG_LEVEL": "warn", "TALUS_LIFECYCLE_DAY": "2h"}
	fl, v := testFlags()
	_, err := parseLayered(fl, []string{"--config", file, "--log-level", "error"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"region (env over file)", *v["region"].(*string), "from-env"},
		{"log-level (flag over env)", *v["log-level"].(*string), "error"},
		{"address (default)", *v["address"].(*string), "127.0.0.1:9000"},
		{"inline-max (file)", *v["inline-max"].(*int), 1000},
		{"shutdown-timeout (file)", *v["grace"].(*time.Duration), 5 * time.Second},
		{"allow-sse-c-over-http (file)", *v["sse"].(*bool), true},
		{"domain (file array)", strings.Join(*v["domain"].(*domains), ","), "a.example,b.example"},
		{"metrics-token (file)", *v["token"].(*string), "file-token"},
		{"lifecycle-day (env over file)", *v["lifecycleday"].(*time.Duration), 2 * time.Hour},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// The printed config masks the secret and reads back to the same settings.
	var out bytes.Buffer
	if err := printConfig(&out, fl); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if strings.Contains(text, "file-token") || !strings.Contains(text, `metrics-token = "********"`) {
		t.Fatalf("secret not masked:\n%s", text)
	}
	for _, line := range []string{`region = "from-env"`, `inline-max = 1000`, `shutdown-timeout = "5s"`, `domain = ["a.example", "b.example"]`, `allow-sse-c-over-http = true`} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("printed config lacks %q:\n%s", line, text)
		}
	}
	again, v2 := testFlags()
	if _, err := parseLayered(again, []string{"--config", writeConfig(t, text)}, func(string) string { return "" }); err != nil {
		t.Fatalf("printed config does not read back: %v\n%s", err, text)
	}
	if *v2["region"].(*string) != "from-env" || *v2["inline-max"].(*int) != 1000 || len(*v2["domain"].(*domains)) != 2 {
		t.Fatalf("round trip lost settings:\n%s", text)
	}
}

// TestConfigErrors: unknown keys and mistyped values are refused, naming the key.
func TestConfigErrors(t *testing.T) {
	for text, want := range map[string]string{
		`regoin = "x"`:        `unknown setting "regoin"`,
		`inline-max = "many"`: `inline-max`,
		`region = ["a", "b"]`: "only for repeatable",
		`region = "x`:         "talus.toml",
	} {
		fl, _ := testFlags()
		_, err := parseLayered(fl, []string{"--config", writeConfig(t, text)}, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: err %v, want it to mention %q", text, err, want)
		}
	}
	// TALUS_CONFIG names the file when --config does not.
	fl, v := testFlags()
	file := writeConfig(t, `region = "via-env-file"`)
	if _, err := parseLayered(fl, nil, func(k string) string {
		if k == "TALUS_CONFIG" {
			return file
		}
		return ""
	}); err != nil || *v["region"].(*string) != "via-env-file" {
		t.Fatalf("TALUS_CONFIG: err %v, region %q", err, *v["region"].(*string))
	}
}

// TestConsoleAddress: the console defaults to the API's host on the next port.
func TestConsoleAddress(t *testing.T) {
	for _, c := range [][3]string{
		{"", "127.0.0.1:9000", "127.0.0.1:9001"},
		{"", "0.0.0.0:8080", "0.0.0.0:8081"},
		{"", "127.0.0.1:0", "127.0.0.1:0"},
		{"off", "127.0.0.1:9000", ""},
		{"10.0.0.1:7000", "127.0.0.1:9000", "10.0.0.1:7000"},
	} {
		if got := consoleAddress(c[0], c[1]); got != c[2] {
			t.Errorf("consoleAddress(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
