package notify_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/notify"
	"talus/internal/testserver"
)

// TestTargetOutage: Redis is down for a minute while objects are written;
// the writes are not slowed, and once Redis is back every event arrives,
// in order (the failed batch is retried with backoff capped at
// max_backoff; the cursor does not move meanwhile).
func TestTargetOutage(t *testing.T) {
	r := startRedis(t)
	arn := "arn:aws:sqs:us-east-1:000000000000:redis-outage"
	srv := testserver.Start(t, testserver.WithNotify(fastDelivery(notify.TargetConfig{ARN: arn, Type: "redis", URL: r.url(), Key: "outage"})))
	c := srv.Client()
	configure(t, c, "outage", arn)
	r.kill()
	start := time.Now()
	want := writes(t, c, "outage", 60)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("61 writes took %v with the target down", d)
	}
	time.Sleep(time.Minute - time.Since(start))
	var failures int64
	for _, st := range srv.Server().Notify().Stats() {
		if st.ARN == arn {
			failures = st.Failures
			if st.Delivered > 1 { // the test event at most
				t.Errorf("delivered %d while down", st.Delivered)
			}
		}
	}
	if failures == 0 {
		t.Error("no failed sends counted while the target was down")
	}
	r.start()
	// The test event went to the list before the outage; Redis kept it
	// (appendonly), but only the outage's events matter here.
	consume := redisList(t, r, "outage")
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, events := parse(t, consume())
		if got := dedupe(events); len(got) >= len(want) {
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("after the outage:\ngot  %q\nwant %q", got, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events after the outage: %d of %d", len(events), len(want))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestKilledDuringBurst: Talus is killed with SIGKILL while writers put
// objects; after a restart on the same data, every write that was
// acknowledged has its event at the webhook (at least once).
func TestKilledDuringBurst(t *testing.T) {
	var mu sync.Mutex
	received := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var doc struct{ Records []event }
		if json.Unmarshal(b, &doc) == nil {
			mu.Lock()
			for _, e := range doc.Records {
				received[e.S3.Object.Key]++
			}
			mu.Unlock()
		}
	}))
	defer hook.Close()
	arn := "arn:aws:sqs:us-east-1:000000000000:crash-hook"
	cfg := filepath.Join(t.TempDir(), "notify.json")
	f := fastDelivery(notify.TargetConfig{ARN: arn, Type: "webhook", URL: hook.URL})
	b, _ := json.Marshal(f)
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	const ak, sk = "AKIATALUSNOTIFY00001", "talus-notify-secret-key-0123456789abcd"
	dir := t.TempDir()
	p := testserver.StartProcess(t, talusBin, dir, ak, sk, "--notify-config", cfg)
	c := testserver.NewClient(p.URL, ak, sk)
	configure(t, c, "burst", arn)

	var acked sync.Map
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("w%d-%05d", w, i)
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("burst"), Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
					return // the server is gone
				}
				acked.Store(key, true)
				n.Add(1)
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	p.Kill(t)
	close(stop)
	wg.Wait()
	if n.Load() < 50 {
		t.Fatalf("only %d writes acknowledged before the kill", n.Load())
	}
	mu.Lock()
	before := len(received)
	mu.Unlock()
	t.Logf("%d writes acknowledged, %d events received before the kill", n.Load(), before)

	p = testserver.StartProcess(t, talusBin, dir, ak, sk, "--notify-config", cfg)
	defer p.Stop(t)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var missing []string
		mu.Lock()
		acked.Range(func(k, _ any) bool {
			if received[k.(string)] == 0 {
				missing = append(missing, k.(string))
			}
			return true
		})
		mu.Unlock()
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acknowledged writes have no event, e.g. %v", len(missing), missing[:min(5, len(missing))])
		}
		time.Sleep(200 * time.Millisecond)
	}
}
