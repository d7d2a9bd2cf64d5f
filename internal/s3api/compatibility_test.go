package s3api

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestCompatibilityTableIsTrue keeps docs/compatibility.md honest: its
// counts add up to its rows, every operation marked supported has a
// handler, and every operation marked NotImplemented has none.
func TestCompatibilityTableIsTrue(t *testing.T) {
	doc, err := os.ReadFile("../../docs/compatibility.md")
	if err != nil {
		t.Fatal(err)
	}
	handled := map[string]bool{
		"ListObjectsV2": true, // ListObjects' list-type=2 form
		// The deprecated forms of the ?lifecycle requests, served by the same handlers.
		"GetBucketLifecycle": true, "PutBucketLifecycle": true,
		"GetBucketNotification": true, "PutBucketNotification": true,
		// GET ?intelligent-tiering without an id.
		"ListBucketIntelligentTieringConfigurations": true,
		// S3 Object Lambda's, recognized before routing (object_lambda.go).
		"WriteGetObjectResponse": true,
	}
	for _, op := range operations {
		handled[op.name] = true
	}
	rows := regexp.MustCompile("(?m)^\\| `([A-Za-z0-9]+)` \\| `[^|]*` \\| (✅ supported|❌ NotImplemented|🚧 [^|]*) \\|").FindAllSubmatch(doc, -1)
	if len(rows) == 0 {
		t.Fatal("no operation rows found")
	}
	counts := map[string]int{}
	for _, r := range rows {
		name, status := string(r[1]), string(r[2])
		switch {
		case status == "✅ supported":
			counts["supported"]++
			if !handled[name] {
				t.Errorf("%s is marked supported but has no handler", name)
			}
		default:
			counts["other"]++
			if handled[name] {
				t.Errorf("%s has a handler but is marked %q", name, status)
			}
		}
	}
	count := func(label string) int {
		m := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(label) + ` \| (\d+) \|`).FindSubmatch(doc)
		if m == nil {
			t.Fatalf("no count row for %q", label)
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	if got := count("✅ supported"); got != counts["supported"] {
		t.Errorf("counts say %d supported, rows say %d", got, counts["supported"])
	}
	if got := count("❌ NotImplemented"); got != counts["other"] {
		t.Errorf("counts say %d NotImplemented, rows say %d", got, counts["other"])
	}
	total := regexp.MustCompile(`(?m)^\| \*\*Total\*\* \| \*\*(\d+)\*\* \|`).FindSubmatch(doc)
	if total == nil {
		t.Fatal("no total row")
	}
	if n, _ := strconv.Atoi(string(total[1])); n != len(rows) {
		t.Errorf("total says %d, there are %d rows", n, len(rows))
	}
	for name := range handled {
		if name == "PostObject" {
			continue // not an SDK operation; covered under Protocol features
		}
		if !regexp.MustCompile("(?m)^\\| `" + name + "` \\|").Match(doc) {
			t.Errorf("handler %s has no row", name)
		}
	}
}
