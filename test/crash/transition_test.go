package crash

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/server"
	"talus/internal/testserver"
)

// TestTransitionKilledMidPass kills the server with SIGKILL while a
// lifecycle pass moves objects to a directory tier, restarts it, and
// checks that every object reads back its bytes, that each ends in the
// tier exactly once, and that what the crash left over is only orphans
// the sweeper removes (nothing referenced is deleted, nothing leaks).
func TestTransitionKilledMidPass(t *testing.T) {
	const n, size = 800, 130 << 10
	dir, cold := t.TempDir(), t.TempDir()
	flags := []string{"--lifecycle-day", "2s", "--tier", "cold=dir:" + cold, "--storage-class-tier", "GLACIER_IR=cold"}
	p := testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, flags...)
	c := testserver.NewClient(p.URL, accessKey, secretKey)
	const b = "tr-crash"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	sums := make([][16]byte, n)
	keys := make(chan int)
	var wg sync.WaitGroup
	var failed sync.Once
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, size)
			for i := range keys {
				fillRandom(rand.New(rand.NewPCG(uint64(i), 7)), buf)
				sums[i] = md5.Sum(buf)
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(fmt.Sprintf("t/%05d", i)), Body: bytes.NewReader(buf)}); err != nil {
					failed.Do(func() { t.Errorf("put %d: %v", i, err) })
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		keys <- i
	}
	close(keys)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	time.Sleep(4 * time.Second) // two lifecycle days: every object is past Days: 1
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(b),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("cold"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacierIr}},
		}}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		moved, _ := blobFiles(t, cold)
		if moved > n/20 && moved < n*9/10 {
			t.Logf("killing with %d of %d blobs in the tier", moved, n)
			break
		}
		if moved >= n*9/10 {
			t.Fatal("the pass (nearly) finished before the kill; make it longer")
		}
		if time.Now().After(deadline) {
			t.Fatalf("the transitions did not start: %d in the tier", moved)
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.Kill(t)

	p = testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, flags...)
	c = testserver.NewClient(p.URL, accessKey, secretKey)
	classes := func() (cold int) {
		pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range out.Contents {
				if o.StorageClass == "GLACIER_IR" {
					cold++
				}
			}
		}
		return cold
	}
	deadline = time.Now().Add(90 * time.Second)
	for classes() != n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d objects transitioned after the restart", classes(), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := 0; i < n; i++ {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(fmt.Sprintf("t/%05d", i))})
		if err != nil {
			t.Fatalf("object %d after the crash: %v", i, err)
		}
		h := md5.New()
		if _, err := io.Copy(h, out.Body); err != nil {
			t.Fatal(err)
		}
		out.Body.Close()
		if !bytes.Equal(h.Sum(nil), sums[i][:]) {
			t.Fatalf("object %d reads back different bytes", i)
		}
	}
	p.Stop(t)

	// Leftovers are unreferenced blobs only: at most one per action in
	// flight at the kill (eight run at once), and the sweeper removes them.
	inTier, _ := blobFiles(t, cold)
	atHome, _ := blobFiles(t, filepath.Join(dir, "blobs"))
	t.Logf("after the restart: %d blobs in the tier, %d at home", inTier, atHome)
	if inTier < n || inTier+atHome > n+8 {
		t.Fatalf("%d blobs in the tier and %d at home for %d objects", inTier, atHome, n)
	}
	srv, err := server.New(server.Config{
		Address: "127.0.0.1:0", DataDir: dir, Region: testserver.Region, AccessKey: accessKey, SecretKey: secretKey,
		SweepGrace: time.Nanosecond, Tiers: []server.TierConfig{{Name: "cold", Dir: cold}}, ClassTiers: map[string]string{"GLACIER_IR": "cold"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	removed, err := srv.Sweep(ctx)
	srv.Shutdown(ctx)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	inTier, _ = blobFiles(t, cold)
	atHome, _ = blobFiles(t, filepath.Join(dir, "blobs"))
	if inTier != n || atHome != 0 {
		t.Fatalf("after the sweep (%d removed): %d blobs in the tier, %d at home; want %d and 0", removed, inTier, atHome, n)
	}
}
