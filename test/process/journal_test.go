package process

import (
	"testing"

	"talus/internal/testserver"
)

// TestJournalRetentionFlags: retention must be positive; valid values start.
func TestJournalRetentionFlags(t *testing.T) {
	mustRefuseStart(t, "--journal-retention and --journal-max-records must be positive", []struct{ env, args []string }{
		{nil, []string{"--journal-retention", "0s"}},
		{nil, []string{"--journal-max-records", "-1"}},
	})
	p := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK, "--journal-retention", "1h", "--journal-max-records", "1000")
	p.Stop(t)
}
