package replicate

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/notify"
	"talus/internal/testserver"
)

// replEvent is the part of an s3:Replication:* event record the test reads.
type replEvent struct {
	EventVersion string `json:"eventVersion"`
	EventName    string `json:"eventName"`
	S3           struct {
		Bucket struct{ Name string }
		Object struct {
			Key       string
			VersionID string `json:"versionId"`
		}
	} `json:"s3"`
	Data *struct {
		RuleID          string `json:"replicationRuleId"`
		Destination     string `json:"destinationBucket"`
		Operation       string `json:"s3Operation"`
		RequestTime     string `json:"requestTime"`
		FailureReason   string `json:"failureReason"`
		Threshold       string `json:"threshold"`
		ReplicationTime string `json:"replicationTime"`
	} `json:"replicationEventData"`
}

// TestReplicationEvents: with a notification configuration for
// s3:Replication:* to a webhook, a version a destination refuses (its
// bucket does not exist) sends OperationFailedReplication; with
// ReplicationTime (RTC) on, a version still pending past the threshold
// (15 minutes, on a test clock where a minute is 100 ms) sends
// OperationMissedThreshold, and once its destination is back and it is
// copied, OperationReplicatedAfterThreshold. Each event has S3's
// replicationEventData.
func TestReplicationEvents(t *testing.T) {
	var mu sync.Mutex
	var got []replEvent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var doc struct{ Records []replEvent }
		if json.Unmarshal(b, &doc) == nil {
			mu.Lock()
			got = append(got, doc.Records...)
			mu.Unlock()
		}
	}))
	defer hook.Close()
	arn := "arn:aws:sqs:us-east-1:000000000000:replication-events"
	cfg := filepath.Join(t.TempDir(), "notify.json")
	f := &notify.File{MinBackoff: notify.Duration(50 * time.Millisecond), MaxBackoff: notify.Duration(500 * time.Millisecond),
		Timeout: notify.Duration(5 * time.Second), Targets: []notify.TargetConfig{{ARN: arn, Type: "webhook", URL: hook.URL}}}
	b, _ := json.Marshal(f)
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	dstDir, dstAddr := t.TempDir(), freeAddr(t)
	dstProc, dst := talus(t, dstDir, dstAddr)
	versioned(t, dst, "dst")
	// A lifecycle day of 144 s makes a replication minute 100 ms.
	srcProc := testserver.StartProcess(t, talusBin, t.TempDir(), rootAK, rootSK, "--address", freeAddr(t), "--notify-config", cfg, "--lifecycle-day", "144s")
	src := testserver.NewClient(srcProc.URL, rootAK, rootSK)
	versioned(t, src, "src")
	admin(t, srcProc.URL, "remote", "add", "peer", "--endpoint", dstProc.URL, "--access-key", rootAK, "--secret-key", rootSK, "--path-style")
	if _, err := src.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("src"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{Id: aws.String("repl"),
			QueueArn: aws.String(arn), Events: []types.Event{"s3:Replication:*"}}}}}); err != nil {
		t.Fatal(err)
	}
	metrics := &types.Metrics{Status: types.MetricsStatusEnabled, EventThreshold: &types.ReplicationTimeValue{Minutes: aws.Int32(15)}}
	fail := rule("fail", 1, "arn:talus:s3:peer::missing")
	fail.Filter.Prefix = aws.String("fail/")
	fail.Destination.Metrics = &types.Metrics{Status: types.MetricsStatusEnabled}
	rtc := rule("rtc", 2, "arn:talus:s3:peer::dst")
	rtc.Filter.Prefix = aws.String("rtc/")
	rtc.Destination.Metrics = metrics
	rtc.Destination.ReplicationTime = &types.ReplicationTime{Status: types.ReplicationTimeStatusEnabled, Time: &types.ReplicationTimeValue{Minutes: aws.Int32(15)}}
	if _, err := src.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("src"),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::000000000000:role/r"), Rules: []types.ReplicationRule{fail, rtc}}}); err != nil {
		t.Fatal(err)
	}
	wait := func(name, key string, within time.Duration) replEvent {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			mu.Lock()
			for _, e := range got {
				if e.EventName == name && e.S3.Object.Key == key {
					mu.Unlock()
					return e
				}
			}
			mu.Unlock()
			if time.Now().After(deadline) {
				t.Fatalf("no %s event for %s within %s (got %+v)", name, key, within, got)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	fvid := put(t, src, "src", "fail/x", []byte("refused"))
	waitStatus(t, src, "src", "fail/x", fvid, types.ReplicationStatusFailed, 30*time.Second)
	e := wait("Replication:OperationFailedReplication", "fail/x", 30*time.Second)
	if e.EventVersion != "2.2" || e.S3.Bucket.Name != "src" || e.S3.Object.VersionID != fvid || e.Data == nil || e.Data.RuleID != "fail" ||
		e.Data.Destination != "arn:talus:s3:peer::missing" || e.Data.Operation != "OBJECT_PUT" || e.Data.FailureReason != "DstBucketNotFound" ||
		!validTime(e.Data.RequestTime) {
		t.Fatalf("failed-replication event %+v %+v", e, e.Data)
	}

	dstProc.Kill(t)
	rvid := put(t, src, "src", "rtc/y", []byte("late"))
	e = wait("Replication:OperationMissedThreshold", "rtc/y", 60*time.Second)
	if e.Data == nil || e.Data.RuleID != "rtc" || e.Data.Destination != "arn:talus:s3:peer::dst" || e.Data.Threshold != "900" || e.S3.Object.VersionID != rvid {
		t.Fatalf("missed-threshold event %+v %+v", e, e.Data)
	}
	if st := status(src, "src", "rtc/y", rvid); st != types.ReplicationStatusPending {
		t.Fatalf("status while the destination is down: %q", st)
	}
	talus(t, dstDir, dstAddr)
	waitStatus(t, src, "src", "rtc/y", rvid, types.ReplicationStatusCompleted, 120*time.Second)
	e = wait("Replication:OperationReplicatedAfterThreshold", "rtc/y", 30*time.Second)
	if e.Data == nil || e.Data.RuleID != "rtc" || e.Data.Threshold != "900" || !validTime(e.Data.ReplicationTime) {
		t.Fatalf("after-threshold event %+v %+v", e, e.Data)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range got {
		if e.S3.Object.Key == "fail/x" && e.EventName != "Replication:OperationFailedReplication" {
			t.Fatalf("unexpected event %s for fail/x", e.EventName)
		}
	}
}

func validTime(s string) bool {
	_, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	return err == nil
}
