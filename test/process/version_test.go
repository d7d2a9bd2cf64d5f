package process

import (
	"os/exec"
	"strings"
	"testing"
)

// The version is printed by the subcommand and by the usual flags.
func TestVersionCommandAndFlag(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-version"} {
		out, err := exec.Command(talusBin, arg).CombinedOutput()
		if err != nil {
			t.Fatalf("talus %s: %v\n%s", arg, err, out)
		}
		if !strings.HasPrefix(string(out), "talus ") {
			t.Fatalf("talus %s printed %q", arg, out)
		}
	}
	out, err := exec.Command(talusBin, "--no-such-flag").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "unknown command") {
		t.Fatalf("unknown argument: err %v, output %q", err, out)
	}
}
