package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestNotificationLifecycleEvents: the lifecycle worker's expirations and
// transitions reach a webhook as s3:LifecycleExpiration:Delete (event
// version 2.3, principal s3.amazonaws.com) and s3:LifecycleTransition
// with lifecycleEventData.transitionEventData.destinationStorageClass.
func TestNotificationLifecycleEvents(t *testing.T) {
	h := &hook{}
	srv := startNotifyServer(t, h, testserver.WithLifecycleDay(lcaDay))
	c := srv.Client()
	ctx := context.Background()
	mustCreateBucket(t, c, "lc-events")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("lc-events"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queueConfig("lifecycle", hookARN, []types.Event{"s3:LifecycleExpiration:*", "s3:LifecycleTransition"}, "", ""),
		}}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "lc-events", "expire/a", []byte("gone after a day"))
	mustPut(t, c, "lc-events", "move/b", make([]byte, 200<<10)) // over the 128 KiB default transition minimum
	lcaRules(t, c, "lc-events",
		types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("expire/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
		types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("move/")},
			Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacierIr}}})
	ev := waitEvents(t, h, 60*time.Second, func(ev []eventRecord) bool {
		var exp, tr bool
		for _, e := range ev {
			exp = exp || e.EventName == "LifecycleExpiration:Delete" && e.S3.Object.Key == "expire/a"
			tr = tr || e.EventName == "LifecycleTransition" && e.S3.Object.Key == "move/b"
		}
		return exp && tr
	})
	for _, e := range ev {
		if e.EventVersion != "2.3" || e.UserIdentity.PrincipalID != "s3.amazonaws.com" || e.S3.ConfigurationID != "lifecycle" {
			t.Fatalf("lifecycle event %+v", e)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var class string
	for _, b := range h.bodies {
		var doc struct {
			Records []struct {
				EventName     string `json:"eventName"`
				LifecycleData struct {
					Transition struct {
						Class string `json:"destinationStorageClass"`
					} `json:"transitionEventData"`
				} `json:"lifecycleEventData"`
			}
		}
		if json.Unmarshal(b, &doc) == nil {
			for _, r := range doc.Records {
				if r.EventName == "LifecycleTransition" {
					class = r.LifecycleData.Transition.Class
				}
			}
		}
	}
	if class != "GLACIER_IR" {
		t.Fatalf("transition event's destinationStorageClass %q", class)
	}
}
