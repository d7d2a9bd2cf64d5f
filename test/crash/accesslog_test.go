package crash

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/serverlog"
	"talus/internal/testserver"
)

// TestAccessLogSpoolSurvivesKill: requests to a bucket with server access
// logging are acknowledged, the process is killed with SIGKILL well inside
// the delivery interval (nothing delivered yet), and restarted on the same
// data directory: every acknowledged request's record is delivered, once.
// The spool is fsynced every serverlog.FlushInterval (200 ms), so only
// records of requests answered in the last 200 ms before a crash may be
// lost; the test waits out that window (and the fsync) before the kill.
func TestAccessLogSpoolSurvivesKill(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	// An hour's interval: nothing is delivered before the kill.
	p := testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, "--access-log-interval", "1h")
	c := testserver.NewClient(p.URL, accessKey, secretKey)
	for _, b := range []string{"logsrc", "logdst"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},` +
		`"Action":"s3:PutObject","Resource":"arn:aws:s3:::logdst/l/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logdst"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logsrc"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("logdst"), TargetPrefix: aws.String("l/")}}}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	ids := map[string]int{}
	for i := range n {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logsrc"), Key: aws.String("k" + string(rune('a'+i%26))), Body: bytes.NewReader([]byte("v"))})
		if err != nil {
			t.Fatal(err)
		}
		id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		if !ok || id == "" {
			t.Fatal("no request ID")
		}
		ids[id] = 0
	}
	// Past the flush window (generously, for a loaded machine), then kill.
	time.Sleep(10 * serverlog.FlushInterval)
	if out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logdst")}); err != nil || len(out.Contents) != 0 {
		t.Fatalf("log objects before the kill: %v %v", out, err)
	}
	p.Kill(t)

	p = testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, "--access-log-interval", "1s")
	c = testserver.NewClient(p.URL, accessKey, secretKey)
	deadline := time.Now().Add(60 * time.Second)
	for {
		for id := range ids {
			ids[id] = 0
		}
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logdst"), Prefix: aws.String("l/")})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logdst"), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			buf.ReadFrom(get.Body)
			get.Body.Close()
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if f := serverlog.Fields(line); len(f) > 6 && f[6] == "REST.PUT.OBJECT" {
					if _, ok := ids[f[5]]; ok {
						ids[f[5]]++
					}
				}
			}
		}
		missing, doubled := 0, 0
		for _, k := range ids {
			switch {
			case k == 0:
				missing++
			case k > 1:
				doubled++
			}
		}
		if doubled > 0 {
			t.Fatalf("%d records delivered more than once", doubled)
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged requests have no delivered record after the restart", missing, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
