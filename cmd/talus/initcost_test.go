package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// maxInitBytes bounds what one of Talus's own packages may allocate while
// it initialises: every server pays it at start-up and usually keeps it
// (package-level regexps with large counted repetitions of a Unicode
// class once cost megabytes). Build such tables on first use instead.
const maxInitBytes = 1 << 20

// initBytesLimit is the bound in force (looser under -race, race_test.go).
var initBytesLimit int64 = maxInitBytes

// TestPackageInitAllocations runs this test binary again, with no tests,
// under GODEBUG=inittrace=1 and reads what each package's init allocated.
// The binary links the same packages as the server.
func TestPackageInitAllocations(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	seen := 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		// init PKG @T ms, C ms clock, N bytes, M allocs
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		n, err := strconv.ParseInt(f[7], 10, 64)
		if err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		seen++
		if strings.HasPrefix(f[1], "talus/") && n > initBytesLimit {
			t.Errorf("package %s allocates %d bytes at init (limit %d)", f[1], n, initBytesLimit)
		}
	}
	if seen < 100 {
		t.Fatalf("read %d init lines; want the whole binary's: %s", seen, stderr.String())
	}
}
