package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"talus/internal/meta"
	"talus/internal/notify"
	"talus/internal/testserver"
)

// restoreEventsDay is the test lifecycle day: a Standard GLACIER restore
// is ready after 5/24 of it and expires one to two days later.
const restoreEventsDay = time.Second

func putGlacierAndRestore(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("ice"), StorageClass: types.StorageClassGlacier}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}}); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreCompletedAndExpiredJournaled: a GLACIER restore gets one
// ObjectRestore:Completed record when it becomes ready and one
// ObjectRestore:Delete when its copy expires, from S3 as the requester;
// the object is readable between the two and archived again after.
func TestRestoreCompletedAndExpiredJournaled(t *testing.T) {
	srv := testserver.Start(t, testserver.WithLifecycleDay(restoreEventsDay))
	c := srv.Client()
	j := srv.Server().Journal()
	mustCreateBucket(t, c, "rst-events")
	putGlacierAndRestore(t, c, "rst-events", "cold")
	var events []string
	var completed, expired *meta.Record
	var after int64
	deadline := time.Now().Add(20 * time.Second)
	for expired == nil && time.Now().Before(deadline) {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		j.WaitJournal(wctx, after)
		cancel()
		recs, err := j.ReadJournal(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			r := &recs[i]
			after = r.Seq
			if r.Bucket != "rst-events" {
				continue
			}
			events = append(events, r.Event)
			switch r.Event {
			case meta.EventRestoreCompleted:
				completed = r
				// Between completion and expiry the data is readable.
				if expired == nil {
					out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rst-events"), Key: aws.String("cold")})
					if err != nil {
						t.Fatalf("HeadObject after completion: %v", err)
					}
					if r := aws.ToString(out.Restore); !strings.Contains(r, `ongoing-request="false"`) || time.Now().Before(completed.RestoreExpiry) && !strings.Contains(r, "expiry-date") {
						t.Errorf("x-amz-restore after completion: %q", r)
					}
				}
			case meta.EventRestoreDelete:
				expired = r
			}
		}
	}
	if expired == nil {
		t.Fatalf("no ObjectRestore:Delete within 20s; events %v", events)
	}
	want := []string{meta.EventPut, meta.EventRestorePost, meta.EventRestoreCompleted, meta.EventRestoreDelete}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Fatalf("events %v, want %v", events, want)
	}
	if completed.Type != meta.RecordUpdateMetadata || completed.Requester != meta.LifecycleRequester || completed.RestoreClass != "GLACIER" ||
		completed.RestoreExpiry.IsZero() || completed.S3EventName() != "s3:ObjectRestore:Completed" {
		t.Errorf("completed record %+v", completed)
	}
	if expired.Type != meta.RecordUpdateMetadata || expired.Requester != meta.LifecycleRequester || expired.S3EventName() != "s3:ObjectRestore:Delete" {
		t.Errorf("expired record %+v", expired)
	}
	if expired.Time.Before(completed.RestoreExpiry) || expired.Time.After(completed.RestoreExpiry.Add(restoreEventsDay)) {
		t.Errorf("Delete at %v for an expiry at %v", expired.Time, completed.RestoreExpiry)
	}
	out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rst-events"), Key: aws.String("cold")})
	if err != nil || out.Restore != nil {
		t.Fatalf("HeadObject after expiry: %v %v", aws.ToString(out.Restore), err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rst-events"), Key: aws.String("cold")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidObjectState" {
		t.Fatalf("GetObject after expiry: %v", err)
	}
	// Several more job passes add nothing.
	time.Sleep(restoreEventsDay / 2)
	recs, err := j.ReadJournal(ctx, after, 100)
	if err != nil || len(recs) != 0 {
		t.Fatalf("records after the expiry: %+v %v", recs, err)
	}
}

// TestRestoreEventsNotified: a webhook target gets ObjectRestore:Post,
// :Completed (with glacierEventData.restoreEventData) and :Delete.
func TestRestoreEventsNotified(t *testing.T) {
	h := &hook{}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	t.Setenv("TALUS_TEST_HOOK_TOKEN", hookToken)
	srv := testserver.Start(t, testserver.WithLifecycleDay(restoreEventsDay), testserver.WithNotify(&notify.File{
		MinBackoff: notify.Duration(50 * time.Millisecond), MaxBackoff: notify.Duration(200 * time.Millisecond),
		Targets: []notify.TargetConfig{{ARN: hookARN, Type: "webhook", URL: hs.URL + "/events", AuthHeader: "env:TALUS_TEST_HOOK_TOKEN", HMACSecret: hookHMAC}},
	}))
	c := srv.Client()
	mustCreateBucket(t, c, "rst-notify")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("rst-notify"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queueConfig("rst", hookARN, []types.Event{"s3:ObjectRestore:*"}, "", "")}}}); err != nil {
		t.Fatal(err)
	}
	putGlacierAndRestore(t, c, "rst-notify", "cold")
	ev := waitEvents(t, h, 20*time.Second, func(ev []eventRecord) bool { return len(ev) >= 3 })
	want := []string{"ObjectRestore:Post", "ObjectRestore:Completed", "ObjectRestore:Delete"}
	for i, w := range want {
		if ev[i].EventName != w || ev[i].S3.Object.Key != "cold" {
			t.Errorf("event %d: %s %s, want %s", i, ev[i].EventName, ev[i].S3.Object.Key, w)
		}
	}
	h.mu.Lock()
	bodies := append([][]byte(nil), h.bodies...)
	h.mu.Unlock()
	type glacier struct {
		Records []struct {
			EventVersion string `json:"eventVersion"`
			UserIdentity struct {
				PrincipalID string `json:"principalId"`
			} `json:"userIdentity"`
			GlacierEventData *struct {
				RestoreEventData struct {
					Expiry string `json:"lifecycleRestorationExpiryTime"`
					Class  string `json:"lifecycleRestoreStorageClass"`
				} `json:"restoreEventData"`
			} `json:"glacierEventData"`
		} `json:"Records"`
	}
	var docs []glacier
	for _, b := range bodies {
		var d glacier
		if err := json.Unmarshal(b, &d); err != nil || len(d.Records) != 1 {
			continue // the s3:TestEvent
		}
		docs = append(docs, d)
	}
	if len(docs) != 3 {
		t.Fatalf("%d event documents, want 3", len(docs))
	}
	if docs[0].Records[0].GlacierEventData != nil || docs[2].Records[0].GlacierEventData != nil {
		t.Errorf("glacierEventData outside Completed: %s", bodies)
	}
	g := docs[1].Records[0].GlacierEventData
	if g == nil || g.RestoreEventData.Class != "GLACIER" {
		t.Fatalf("Completed without restoreEventData: %+v", docs[1])
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", g.RestoreEventData.Expiry); err != nil {
		t.Errorf("lifecycleRestorationExpiryTime %q: %v", g.RestoreEventData.Expiry, err)
	}
	if v := docs[2].Records[0].EventVersion; v != "2.3" {
		t.Errorf("Delete eventVersion %s", v)
	}
	if p := docs[1].Records[0].UserIdentity.PrincipalID; p != meta.LifecycleRequester {
		t.Errorf("Completed principal %q", p)
	}
}
