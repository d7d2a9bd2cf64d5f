package e2e

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// lcaDay is the test clock: one lifecycle day lasts two seconds, so
// Days: 1 falls due two to four seconds after a write.
const lcaDay = 2 * time.Second

func lcaRules(t *testing.T, c *s3.Client, bucket string, rules ...types.LifecycleRule) {
	t.Helper()
	for i := range rules {
		if rules[i].ID == nil {
			rules[i].ID = aws.String(fmt.Sprint("rule-", i))
		}
		rules[i].Status = types.ExpirationStatusEnabled
		if rules[i].Filter == nil {
			rules[i].Filter = &types.LifecycleRuleFilter{}
		}
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}}); err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration: %v", err)
	}
}

func lcaVersioning(t *testing.T, c *s3.Client, bucket string, st types.BucketVersioningStatus) {
	t.Helper()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: st}}); err != nil {
		t.Fatal(err)
	}
}

// lcaState describes a bucket's versions per key, in key order:
// "key:<versions>v<markers>m" plus "*" when the latest is a delete marker
// and "n" for each version or marker with version ID null.
func lcaState(t *testing.T, c *s3.Client, bucket string) string {
	t.Helper()
	type st struct {
		v, m, null   int
		markerLatest bool
	}
	keys := map[string]*st{}
	get := func(k string) *st {
		if keys[k] == nil {
			keys[k] = &st{}
		}
		return keys[k]
	}
	var km, vm *string
	for {
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), KeyMarker: km, VersionIdMarker: vm})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			s := get(*v.Key)
			s.v++
			if aws.ToString(v.VersionId) == "null" {
				s.null++
			}
		}
		for _, m := range out.DeleteMarkers {
			s := get(*m.Key)
			s.m++
			s.markerLatest = s.markerLatest || aws.ToBool(m.IsLatest)
			if aws.ToString(m.VersionId) == "null" {
				s.null++
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		km, vm = out.NextKeyMarker, out.NextVersionIdMarker
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	for _, k := range names {
		s := keys[k]
		e := fmt.Sprintf("%s:%dv%dm", k, s.v, s.m)
		if s.markerLatest {
			e += "*"
		}
		e += strings.Repeat("n", s.null)
		out = append(out, e)
	}
	return strings.Join(out, " ")
}

// lcaSettle waits until the bucket's state is want, then checks that
// further passes change nothing.
func lcaSettle(t *testing.T, c *s3.Client, bucket, want string) {
	t.Helper()
	deadline := time.Now().Add(8 * lcaDay)
	got := lcaState(t, c, bucket)
	for got != want {
		if time.Now().After(deadline) {
			t.Fatalf("bucket %s:\n got %s\nwant %s", bucket, got, want)
		}
		time.Sleep(100 * time.Millisecond)
		got = lcaState(t, c, bucket)
	}
	time.Sleep(lcaDay / 2) // five more passes
	if got := lcaState(t, c, bucket); got != want {
		t.Fatalf("bucket %s changed after settling:\n got %s\nwant %s", bucket, got, want)
	}
}

func lcaPut(t *testing.T, c *s3.Client, bucket, key string, size int, tagging string) string {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(make([]byte, size))}
	if tagging != "" {
		in.Tagging = aws.String(tagging)
	}
	out, err := c.PutObject(ctx, in)
	if err != nil {
		t.Fatalf("PutObject(%s): %v", key, err)
	}
	return aws.ToString(out.VersionId)
}

// TestLifecycleApplied runs the lifecycle worker with a two-second day
// over buckets exercising each action.
func TestLifecycleApplied(t *testing.T) {
	srv := testserver.Start(t, testserver.WithLifecycleDay(lcaDay))
	c := srv.Client()
	days := func(n int32) *types.LifecycleExpiration { return &types.LifecycleExpiration{Days: aws.Int32(n)} }

	// The actions run in parallel, each on its own bucket; Run returns
	// when all are done.
	t.Run("Actions", func(t *testing.T) { lcaActions(t, c, days) })
	var found bool
	for _, st := range srv.Server().Workers().Status() {
		if st.Name == "lifecycle" {
			found = true
			if !st.Holder || st.Runs == 0 || st.TotalItems == 0 || st.LastError != "" {
				t.Fatalf("lifecycle status %+v", st)
			}
		}
	}
	if !found {
		t.Fatal("no lifecycle job")
	}
}

func lcaActions(t *testing.T, c *s3.Client, days func(int32) *types.LifecycleExpiration) {
	t.Run("UnversionedFilters", func(t *testing.T) {
		t.Parallel()
		const b = "lca-plain"
		mustCreateBucket(t, c, b)
		lcaRules(t, c, b,
			types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")}, Expiration: days(1)},
			types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("tmp"), Value: aws.String("yes")}}, Expiration: days(1)},
			types.LifecycleRule{Filter: &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(100)}, Expiration: days(1)},
			types.LifecycleRule{Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("both/"),
				Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}, ObjectSizeLessThan: aws.Int64(50)}}, Expiration: days(1)},
			types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("old/")},
				Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))}},
		)
		lcaPut(t, c, b, "logs/a", 1, "")
		lcaPut(t, c, b, "keep/a", 1, "")
		lcaPut(t, c, b, "tag/yes", 1, "tmp=yes")
		lcaPut(t, c, b, "tag/no", 1, "tmp=no")
		lcaPut(t, c, b, "size/big", 101, "")
		lcaPut(t, c, b, "size/edge", 100, "")
		lcaPut(t, c, b, "both/hit", 10, "a=1")
		lcaPut(t, c, b, "both/big", 60, "a=1")
		lcaPut(t, c, b, "both/untagged", 10, "")
		lcaPut(t, c, b, "old/a", 1, "")
		lcaSettle(t, c, b, "both/big:1v0mn both/untagged:1v0mn keep/a:1v0mn size/edge:1v0mn tag/no:1v0mn")
	})

	t.Run("VersionedExpirationAddsOneMarker", func(t *testing.T) {
		t.Parallel()
		const b = "lca-versioned"
		mustCreateBucket(t, c, b)
		lcaVersioning(t, c, b, types.BucketVersioningStatusEnabled)
		lcaRules(t, c, b, types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("x/")}, Expiration: days(1)})
		for i := 0; i < 5; i++ {
			lcaPut(t, c, b, fmt.Sprint("x/", i), 1, "")
		}
		lcaPut(t, c, b, "y", 1, "")
		lcaSettle(t, c, b, "x/0:1v1m* x/1:1v1m* x/2:1v1m* x/3:1v1m* x/4:1v1m* y:1v0m")
	})

	t.Run("NoncurrentAndExpiredMarkers", func(t *testing.T) {
		t.Parallel()
		const b = "lca-noncurrent"
		mustCreateBucket(t, c, b)
		lcaVersioning(t, c, b, types.BucketVersioningStatusEnabled)
		lcaRules(t, c, b,
			types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("keep1/")},
				NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1), NewerNoncurrentVersions: aws.Int32(1)}},
			types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("all/")},
				NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)},
				Expiration:                  &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}},
		)
		for i := 0; i < 4; i++ {
			lcaPut(t, c, b, "keep1/k", 1, "")
		}
		// all/gone: two versions under a delete marker; all of it goes.
		lcaPut(t, c, b, "all/gone", 1, "")
		lcaPut(t, c, b, "all/gone", 1, "")
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("all/gone")}); err != nil {
			t.Fatal(err)
		}
		lcaPut(t, c, b, "all/live", 1, "")
		lcaPut(t, c, b, "all/live", 1, "")
		lcaSettle(t, c, b, "all/live:1v0m keep1/k:2v0m")
	})

	t.Run("Suspended", func(t *testing.T) {
		t.Parallel()
		const b = "lca-suspended"
		mustCreateBucket(t, c, b)
		lcaVersioning(t, c, b, types.BucketVersioningStatusEnabled)
		lcaPut(t, c, b, "versioned", 1, "")
		lcaVersioning(t, c, b, types.BucketVersioningStatusSuspended)
		lcaPut(t, c, b, "null", 1, "")
		lcaRules(t, c, b, types.LifecycleRule{Expiration: days(1)})
		// versioned keeps its version under a null marker; null's version is replaced by the marker.
		lcaSettle(t, c, b, "null:0v1m*n versioned:1v1m*n")
	})

	t.Run("LockedVersionsKept", func(t *testing.T) {
		t.Parallel()
		const b = "lca-locked"
		lkBucket(t, c, b)
		until := time.Now().Add(time.Hour)
		lkPut(t, c, b, "ret", types.ObjectLockModeCompliance, until, "")
		lkPut(t, c, b, "hold", "", time.Time{}, types.ObjectLockLegalHoldStatusOn)
		lkPut(t, c, b, "gov", types.ObjectLockModeGovernance, until, "")
		lkPut(t, c, b, "free", "", time.Time{}, "")
		for _, k := range []string{"ret", "hold", "gov", "free"} {
			lkPut(t, c, b, k, "", time.Time{}, "")
		}
		lcaRules(t, c, b, types.LifecycleRule{NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}})
		lcaSettle(t, c, b, "free:1v0m gov:2v0m hold:2v0m ret:2v0m")
	})

	t.Run("AbortIncompleteUploads", func(t *testing.T) {
		t.Parallel()
		const b = "lca-uploads"
		mustCreateBucket(t, c, b)
		lcaRules(t, c, b, types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}})
		ids := map[string]string{}
		for _, k := range []string{"tmp/a", "tmp/b", "keep/a"} {
			out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(k)})
			if err != nil {
				t.Fatal(err)
			}
			ids[k] = *out.UploadId
			if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(k), UploadId: out.UploadId,
				PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))}); err != nil {
				t.Fatal(err)
			}
		}
		uploads := func() string {
			out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
			if err != nil {
				t.Fatal(err)
			}
			var ks []string
			for _, u := range out.Uploads {
				ks = append(ks, *u.Key)
			}
			return strings.Join(ks, " ")
		}
		deadline := time.Now().Add(8 * lcaDay)
		for uploads() != "keep/a" {
			if time.Now().After(deadline) {
				t.Fatalf("uploads left: %s", uploads())
			}
			time.Sleep(100 * time.Millisecond)
		}
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("tmp/a"), UploadId: aws.String(ids["tmp/a"])})
		mustCode(t, err, "NoSuchUpload")
		if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("keep/a"), UploadId: aws.String(ids["keep/a"])}); err != nil {
			t.Fatalf("kept upload: %v", err)
		}
	})
}
