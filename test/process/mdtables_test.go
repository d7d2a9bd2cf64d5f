package process

import (
	"testing"

	"talus/internal/testserver"
)

// TestMetadataTableFlags: the intervals must be positive; valid values start.
func TestMetadataTableFlags(t *testing.T) {
	mustRefuseStart(t, "--metadata-table-interval and --metadata-table-compaction must be positive", []struct{ env, args []string }{
		{nil, []string{"--metadata-table-interval", "0s"}},
		{nil, []string{"--metadata-table-compaction", "-1m"}},
	})
	p := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK, "--metadata-table-interval", "5s", "--metadata-table-compaction", "10m")
	p.Stop(t)
}
