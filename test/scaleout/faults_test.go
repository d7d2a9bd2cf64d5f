package scaleout

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Many concurrent PUTs spread over three gateways; one is killed with
// SIGKILL in the middle. Every PUT that was acknowledged (by any gateway,
// the killed one included) reads back whole through the survivors.
func TestKillGatewayUnderLoadLosesNoAcknowledgedPut(t *testing.T) {
	c := startCluster(t, 3)
	if _, err := c.client(0).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("load")}); err != nil {
		t.Fatal(err)
	}
	clients := []*s3.Client{c.client(0), c.client(1), c.client(2)}
	body := func(key string, size int) []byte {
		return bytes.Repeat([]byte(key+"."), size/(len(key)+1)+1)[:size]
	}
	var mu sync.Mutex
	acked := map[string]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("w%02d/%05d", w, n)
				size := []int{100, 4 << 10, 40 << 10, 300 << 10}[n%4] // inline and blob-backed
				_, err := clients[(w+n)%3].PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("load"), Key: aws.String(key), Body: bytes.NewReader(body(key, size))})
				if err == nil {
					mu.Lock()
					acked[key] = size
					mu.Unlock()
				}
			}
		}(w)
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	waitFor(t, 2*time.Minute, "100 acknowledged PUTs", func() bool { return count() >= 100 })
	c.gw[1].Kill(t)
	before := count()
	waitFor(t, 2*time.Minute, "100 more PUTs after the kill", func() bool { return count() >= before+100 })
	close(stop)
	wg.Wait()
	t.Logf("%d PUTs acknowledged, %d before the kill", len(acked), before)
	for key, size := range acked {
		for _, i := range []int{0, 2} {
			if got := get(t, c.client(i), "load", key, ""); !bytes.Equal(got, body(key, size)) {
				t.Fatalf("gateway %d: %s reads %d bytes, want %d", i, key, len(got), size)
			}
		}
	}
}

// A lifecycle expiration rule, with three gateways running the lifecycle
// job, is applied once per object: the actions counted by all three
// gateways add up to the number of objects, and each versioned object
// gets exactly one delete marker.
func TestLifecycleExpirationRunsOnce(t *testing.T) {
	c := startCluster(t, 3, "--lifecycle-day", "2s")
	c0 := c.client(0)
	if _, err := c0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lcy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c0.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lcy"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	const n = 6
	for i := 0; i < n; i++ {
		if _, err := c.client(i%3).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lcy"), Key: aws.String(fmt.Sprintf("tmp/%d", i)), Body: bytes.NewReader([]byte("x"))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c0.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcy"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)},
		}}}}); err != nil {
		t.Fatal(err)
	}
	markers := func() int {
		out, err := c.client(1).ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lcy")})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.DeleteMarkers)
	}
	waitFor(t, 2*time.Minute, "every object expired", func() bool { return markers() >= n })
	// Two more passes (on whichever gateway holds the lease) must add nothing.
	runs := func() float64 {
		r := 0.0
		for i := range c.gw {
			r += c.metric(t, i, `talus_worker_runs_total{job="lifecycle"}`)
		}
		return r
	}
	seen := runs()
	waitFor(t, 2*time.Minute, "two more lifecycle passes", func() bool { return runs() >= seen+2 })
	if m := markers(); m != n {
		t.Fatalf("%d delete markers for %d objects", m, n)
	}
	total := 0.0
	for i := range c.gw {
		total += c.metric(t, i, `talus_worker_items_total{job="lifecycle"}`)
	}
	if total != n {
		t.Fatalf("the gateways applied %v lifecycle actions, want %d", total, n)
	}
}
