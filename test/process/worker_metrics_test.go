package process

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestWorkerBacklogAndLagMetrics: after known lifecycle work (two objects
// expired by a one-day rule on a two-second test day), the scraped metrics
// show every background job that has run with its backlog and lag: the
// lifecycle job's backlog counted down to 0, its items counting the two
// expirations, its lag under the pass interval's order.
func TestWorkerBacklogAndLagMetrics(t *testing.T) {
	dir := t.TempDir()
	p := testserver.StartProcess(t, talusBin, filepath.Join(dir, "data"), "AKWORKERS", "workers-secret-key",
		"--metrics", "open", "--lifecycle-day", "2s", "--access-log-interval", "1s")
	ctx := context.Background()
	c := testserver.NewClient(p.URL, "AKWORKERS", "workers-secret-key")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lcm")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lcm"), Key: aws.String(k), Body: bytes.NewReader([]byte("x"))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcm"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("exp"),
			Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lcm")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lifecycle left %d objects", len(out.Contents))
		}
		time.Sleep(200 * time.Millisecond)
	}

	var missing []string
	for {
		fams := scrape(t, p.URL+"/_talus/metrics", "")
		missing = missing[:0]
		lc := map[string]string{"job": "lifecycle"}
		items, _ := sample(t, fams, "talus_worker_items_total", lc)
		backlog, hasBacklog := sample(t, fams, "talus_worker_backlog_items", lc)
		lag, hasLag := sample(t, fams, "talus_worker_lag_seconds", lc)
		if items < 2 || !hasBacklog || backlog != 0 || !hasLag || lag > 30 {
			missing = append(missing, "lifecycle: items, backlog 0 and lag")
		}
		// Every job that has finished a run reports a backlog and a lag.
		ran := 0
		for _, m := range fams["talus_worker_runs_total"].GetMetric() {
			job := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "job" {
					job = l.GetValue()
				}
			}
			running, _ := sample(t, fams, "talus_worker_running", map[string]string{"job": job})
			if m.GetCounter().GetValue() < 2 && running == 1 {
				continue // its first run is still going
			}
			if m.GetCounter().GetValue() == 0 {
				continue // not due yet (a long first delay)
			}
			ran++
			if _, ok := sample(t, fams, "talus_worker_backlog_items", map[string]string{"job": job}); !ok {
				missing = append(missing, job+": backlog")
			}
			if _, ok := sample(t, fams, "talus_worker_lag_seconds", map[string]string{"job": job}); !ok {
				missing = append(missing, job+": lag")
			}
		}
		if ran < 4 {
			missing = append(missing, "fewer than four jobs have run")
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker metrics missing: %s", strings.Join(missing, "; "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
