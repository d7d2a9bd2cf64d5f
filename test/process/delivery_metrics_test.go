package process

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestDeliveryMetrics: after one webhook delivery and one same-server
// replication, the scraped metrics count them, with the workers' backlog.
func TestDeliveryMetrics(t *testing.T) {
	var hits atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits.Add(1)
	}))
	defer hs.Close()
	const arn = "arn:aws:sqs:us-east-1:000000000000:metrics-hook"
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "notify.json")
	os.WriteFile(cfgFile, []byte(`{"min_backoff":"50ms","max_backoff":"200ms","targets":[{"arn":"`+arn+`","type":"webhook","url":"`+hs.URL+`"}]}`), 0o600)
	p := testserver.StartProcess(t, talusBin, filepath.Join(dir, "data"), "AKDELIVERY", "delivery-secret-key",
		"--metrics", "open", "--notify-config", cfgFile)
	ctx := context.Background()
	c := testserver.NewClient(p.URL, "AKDELIVERY", "delivery-secret-key")
	for _, b := range []string{"evts", "rsrc", "rdst"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []string{"rsrc", "rdst"} {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("evts"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{QueueArn: aws.String(arn), Events: []types.Event{"s3:ObjectCreated:*"}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("rsrc"),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::000000000000:role/replication"),
			Rules: []types.ReplicationRule{{ID: aws.String("all"), Priority: aws.Int32(1), Status: types.ReplicationRuleStatusEnabled,
				Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
				DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
				Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::rdst")}}}}}); err != nil {
		t.Fatal(err)
	}
	hitsBefore := hits.Load() // the s3:TestEvent sent when the configuration is stored
	for _, b := range []string{"evts", "rsrc"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: bytes.NewReader(bytes.Repeat([]byte("r"), 17))}); err != nil {
			t.Fatal(err)
		}
	}
	url := p.URL + "/_talus/metrics"
	hook := map[string]string{"target": arn, "type": "webhook"}
	deadline := time.Now().Add(20 * time.Second)
	for {
		fams := scrape(t, url, "")
		d, _ := sample(t, fams, "talus_notify_events_delivered_total", hook)
		r, _ := sample(t, fams, "talus_replication_replicated_total", nil)
		if d >= 1 && r >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %v, replicated %v after 20s", d, r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if hits.Load() <= hitsBefore {
		t.Fatalf("the webhook got no event (hits %d, before the put %d)", hits.Load(), hitsBefore)
	}
	// The backlogs settle at zero once both jobs read the journal's end.
	for {
		fams := scrape(t, url, "")
		mustBe := func(name string, labels map[string]string, want float64) bool {
			got, ok := sample(t, fams, name, labels)
			return ok && got == want
		}
		ok := mustBe("talus_notify_events_delivered_total", hook, 1) &&
			mustBe("talus_notify_send_failures_total", hook, 0) &&
			mustBe("talus_notify_records_dropped_total", hook, 0) &&
			mustBe("talus_notify_backlog_records", hook, 0) &&
			mustBe("talus_replication_replicated_total", nil, 1) &&
			mustBe("talus_replication_failures_total", nil, 0) &&
			mustBe("talus_replication_bytes_total", nil, 17) &&
			mustBe("talus_replication_pending_records", nil, 0) &&
			mustBe("talus_replication_lag_seconds", nil, 0) &&
			mustBe("talus_worker_backlog_items", map[string]string{"job": "notify"}, 0) &&
			mustBe("talus_worker_backlog_items", map[string]string{"job": "replication"}, 0)
		if ok {
			break
		}
		if time.Now().After(deadline) {
			for _, n := range []string{"talus_notify_events_delivered_total", "talus_notify_backlog_records", "talus_replication_replicated_total",
				"talus_replication_bytes_total", "talus_replication_pending_records", "talus_replication_lag_seconds", "talus_worker_backlog_items"} {
				t.Logf("%s: %v", n, fams[n])
			}
			t.Fatal("delivery metrics did not settle")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rdst"), Key: aws.String("k")}); err != nil {
		t.Fatalf("the replica: %v", err)
	}
}
