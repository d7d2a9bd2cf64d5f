package crash

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestLifecycleKilledMidPass kills the server with SIGKILL while a
// lifecycle pass is adding delete markers, restarts it and checks that the
// pass resumed from its checkpoint, that every due key got exactly one
// delete marker and that no key outside the rule was touched.
func TestLifecycleKilledMidPass(t *testing.T) {
	const due, keep = 3000, 300
	dir := t.TempDir()
	flags := []string{"--lifecycle-day", "2s"}
	p := testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, flags...)
	c := testserver.NewClient(p.URL, accessKey, secretKey)
	const b = "lc-crash"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	keys := make(chan string)
	var wg sync.WaitGroup
	var failed sync.Once
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: bytes.NewReader([]byte(k))}); err != nil {
					failed.Do(func() { t.Errorf("put %s: %v", k, err) })
				}
			}
		}()
	}
	for i := 0; i < due; i++ {
		keys <- fmt.Sprintf("due/%05d", i)
	}
	for i := 0; i < keep; i++ {
		keys <- fmt.Sprintf("keep/%05d", i)
	}
	close(keys)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	time.Sleep(4 * time.Second) // two lifecycle days: every object is past Days: 1
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(b),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("due"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("due/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)},
		}}}}); err != nil {
		t.Fatal(err)
	}
	// Kill once the pass is well under way but not done.
	deadline := time.Now().Add(60 * time.Second)
	for {
		n := countLive(t, c, b, "due/")
		if n < due*9/10 && n > 0 {
			t.Logf("killing with %d of %d due keys still live", n, due)
			break
		}
		if n == 0 {
			t.Fatal("the pass finished before the kill; make it longer")
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lifecycle pass did not start: %d live", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Kill(t)

	p = testserver.StartProcess(t, talusBin, dir, accessKey, secretKey, flags...)
	c = testserver.NewClient(p.URL, accessKey, secretKey)
	deadline = time.Now().Add(90 * time.Second)
	for countLive(t, c, b, "due/") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("due keys still live after the restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(600 * time.Millisecond) // a few more passes: nothing may be repeated
	if !strings.Contains(p.Log(), "lifecycle pass resumes") {
		t.Errorf("the pass after the restart did not resume from a checkpoint:\n%s", p.Log())
	}
	markers, versions := map[string]int{}, map[string]int{}
	var km, vm *string
	for {
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b), KeyMarker: km, VersionIdMarker: vm})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.DeleteMarkers {
			markers[*m.Key]++
		}
		for _, v := range out.Versions {
			versions[*v.Key]++
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		km, vm = out.NextKeyMarker, out.NextVersionIdMarker
	}
	for i := 0; i < due; i++ {
		k := fmt.Sprintf("due/%05d", i)
		if markers[k] != 1 || versions[k] != 1 {
			t.Fatalf("%s: %d delete markers and %d versions, want 1 and 1", k, markers[k], versions[k])
		}
	}
	for i := 0; i < keep; i++ {
		k := fmt.Sprintf("keep/%05d", i)
		if markers[k] != 0 || versions[k] != 1 {
			t.Fatalf("%s: %d delete markers and %d versions, want 0 and 1", k, markers[k], versions[k])
		}
	}
	if len(markers) != due || len(versions) != due+keep {
		t.Fatalf("%d keys with markers, %d with versions", len(markers), len(versions))
	}
}

// countLive counts the keys under prefix whose latest version is not a delete marker.
func countLive(t *testing.T, c *s3.Client, b, prefix string) int {
	t.Helper()
	n := 0
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(prefix)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Contents)
	}
	return n
}
