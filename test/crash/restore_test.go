package crash

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/meta"
	"talus/internal/meta/sqlite"
	"talus/internal/testserver"
)

// restoreRecords reads the stopped server's journal: the restore records
// of bucket/key, and the expiry the Completed record names.
func restoreRecords(t *testing.T, dir, bucket, key string) (counts map[string]int, expiry time.Time) {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(dir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	counts = map[string]int{}
	var after int64
	for {
		recs, err := s.ReadJournal(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return counts, expiry
		}
		for _, r := range recs {
			after = r.Seq
			if r.Bucket == bucket && r.Key == key && strings.HasPrefix(r.Event, "ObjectRestore:") {
				counts[r.Event]++
				if r.Event == meta.EventRestoreCompleted {
					expiry = r.RestoreExpiry
				}
			}
		}
	}
}

// TestRestoreEventsAcrossKills: the server is killed after a restore is
// requested and stays down while it becomes ready; restarted, the restore
// job journals its completion; killed again before the expiry and
// restarted, it journals the expiry. Each event is journaled exactly once.
func TestRestoreEventsAcrossKills(t *testing.T) {
	const day = 8 * time.Second // Standard GLACIER restore: ready after 5/24 day
	dir := t.TempDir()
	flags := []string{"--lifecycle-day", day.String()}
	p := testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, flags...)
	c := testserver.NewClient(p.URL, accessKey, secretKey)
	const b, k = "restore-crash", "cold"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader("ice"), StorageClass: types.StorageClassGlacier}); err != nil {
		t.Fatal(err)
	}
	requested := time.Now()
	if _, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String(b), Key: aws.String(k),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}}); err != nil {
		t.Fatal(err)
	}
	p.Kill(t)
	ready := requested.Add(day * 5 / 24)
	if time.Since(requested) > day*5/24 {
		t.Fatal("the kill came after the restore was ready; lengthen the day")
	}
	if got, _ := restoreRecords(t, dir, b, k); got[meta.EventRestorePost] != 1 || got[meta.EventRestoreCompleted] != 0 {
		t.Fatalf("records before ready: %v", got)
	}
	time.Sleep(time.Until(ready) + 500*time.Millisecond)

	// Ready while down: the restarted server's job records the completion.
	p = testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, flags...)
	time.Sleep(2 * day / 10) // two job intervals
	p.Kill(t)
	got, expiry := restoreRecords(t, dir, b, k)
	if got[meta.EventRestoreCompleted] != 1 || got[meta.EventRestoreDelete] != 0 || expiry.IsZero() {
		t.Fatalf("records after the restart past ready: %v (expiry %v)", got, expiry)
	}
	if !time.Now().Before(expiry) {
		t.Fatal("the restored copy expired before the second kill; lengthen the day")
	}

	// Restarted again; the copy expires while it runs.
	p = testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, flags...)
	time.Sleep(time.Until(expiry) + 2*day/10)
	c = testserver.NewClient(p.URL, accessKey, secretKey)
	out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
	if err != nil || out.Restore != nil {
		t.Fatalf("HeadObject after expiry: %v %v", aws.ToString(out.Restore), err)
	}
	p.Stop(t)
	if got, _ = restoreRecords(t, dir, b, k); got[meta.EventRestorePost] != 1 || got[meta.EventRestoreCompleted] != 1 || got[meta.EventRestoreDelete] != 1 {
		t.Fatalf("records at the end: %v", got)
	}
}
