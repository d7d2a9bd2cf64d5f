package meta

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"talus/internal/s3"
)

func TestLifecycleRoundTrip(t *testing.T) {
	gt, lt := int64(10), int64(1000)
	rules := []s3.LifecycleRule{
		{
			ID: "a", Status: s3.LifecycleEnabled,
			Filter:                         s3.LifecycleFilter{Prefix: "logs/", Tags: []s3.Tag{{Key: "k", Value: "v"}}, ObjectSizeGreaterThan: &gt, ObjectSizeLessThan: &lt, Form: s3.LifecycleFilterAnd},
			Expiration:                     &s3.LifecycleExpiration{Days: 3},
			NoncurrentVersionExpiration:    &s3.NoncurrentVersionExpiration{NoncurrentDays: 4, NewerNoncurrentVersions: 2},
			AbortIncompleteMultipartUpload: &s3.AbortIncompleteMultipartUpload{DaysAfterInitiation: 5},
		},
		{ID: "b", Status: s3.LifecycleDisabled, Filter: s3.LifecycleFilter{Prefix: "x", Form: s3.LifecycleFilterV1},
			Expiration: &s3.LifecycleExpiration{Date: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)}},
		{ID: "c", Status: s3.LifecycleEnabled, Expiration: &s3.LifecycleExpiration{ExpiredObjectDeleteMarker: true},
			Transitions:                  []s3.LifecycleTransition{{Days: 30, StorageClass: "GLACIER"}},
			NoncurrentVersionTransitions: []s3.NoncurrentVersionTransition{{NoncurrentDays: 30, StorageClass: "GLACIER"}}},
	}
	stored := LifecycleFromS3(rules, "varies_by_storage_class")
	raw, err := json.Marshal(BucketConfig{Lifecycle: stored})
	if err != nil {
		t.Fatal(err)
	}
	var back BucketConfig
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Lifecycle.TransitionMinSize != "varies_by_storage_class" {
		t.Fatalf("transition minimum size lost: %s", raw)
	}
	if got := back.Lifecycle.S3Rules(); !reflect.DeepEqual(got, rules) {
		t.Fatalf("round trip changed the rules:\n got %+v\nwant %+v\njson %s", got, rules, raw)
	}
	if (*Lifecycle)(nil).S3Rules() != nil {
		t.Fatal("nil configuration has rules")
	}
}
