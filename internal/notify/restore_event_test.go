package notify

import (
	"encoding/json"
	"testing"
	"time"

	"talus/internal/meta"
)

// TestRestoreAndTieringEventData: Completed carries glacierEventData,
// IntelligentTiering intelligentTieringEventData, and the EventBridge
// forms carry their detail fields.
func TestRestoreAndTieringEventData(t *testing.T) {
	b := &meta.Bucket{Name: "b", Region: "us-east-1", Owner: "owner-id"}
	tm := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	exp := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	done := &meta.Record{Seq: 7, Time: tm, Type: meta.RecordUpdateMetadata, Event: meta.EventRestoreCompleted, Bucket: "b", Key: "k", VersionID: "null",
		RestoreClass: "DEEP_ARCHIVE", RestoreExpiry: exp, Change: meta.Change{Requester: meta.LifecycleRequester}}
	var doc struct {
		Records []struct {
			EventName string `json:"eventName"`
			Glacier   *struct {
				Restore map[string]string `json:"restoreEventData"`
			} `json:"glacierEventData"`
			Tiering map[string]string `json:"intelligentTieringEventData"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(EventJSON(done, b, "c", "H"), &doc); err != nil {
		t.Fatal(err)
	}
	if g := doc.Records[0].Glacier; g == nil || g.Restore["lifecycleRestorationExpiryTime"] != "2026-12-04T00:00:00.000Z" || g.Restore["lifecycleRestoreStorageClass"] != "DEEP_ARCHIVE" {
		t.Errorf("Completed: %+v", doc.Records[0])
	}
	it := &meta.Record{Seq: 8, Time: tm, Type: meta.RecordUpdateMetadata, Event: meta.EventIntelligentTiering, Bucket: "b", Key: "k", VersionID: "null",
		StorageClass: "INTELLIGENT_TIERING", AccessTier: "DEEP_ARCHIVE_ACCESS"}
	doc.Records = nil
	json.Unmarshal(EventJSON(it, b, "c", "H"), &doc)
	if r := doc.Records[0]; r.Glacier != nil || r.Tiering["destinationAccessTier"] != "DEEP_ARCHIVE_ACCESS" {
		t.Errorf("IntelligentTiering: %+v", r)
	}
	var eb struct {
		Type   string         `json:"detail-type"`
		Detail map[string]any `json:"detail"`
	}
	json.Unmarshal(EventBridgeJSON(done, b), &eb)
	if eb.Type != "Object Restore Completed" || eb.Detail["source-storage-class"] != "DEEP_ARCHIVE" || eb.Detail["restore-expiry-time"] != "2026-12-04T00:00:00Z" {
		t.Errorf("EventBridge Completed: %+v", eb)
	}
	json.Unmarshal(EventBridgeJSON(it, b), &eb)
	if eb.Type != "Object Access Tier Changed" || eb.Detail["destination-access-tier"] != "DEEP_ARCHIVE_ACCESS" {
		t.Errorf("EventBridge tier: %+v", eb)
	}
	gone := &meta.Record{Seq: 9, Time: tm, Type: meta.RecordUpdateMetadata, Event: meta.EventRestoreDelete, Bucket: "b", Key: "k", VersionID: "null"}
	json.Unmarshal(EventBridgeJSON(gone, b), &eb)
	if eb.Type != "Object Restore Expired" {
		t.Errorf("EventBridge expiry: %+v", eb)
	}
}
