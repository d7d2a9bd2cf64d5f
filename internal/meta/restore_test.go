package meta

import (
	"context"
	"testing"
	"time"
)

// TestRecordRestoreAndTierFields: restore records carry the archived class
// and the copy's expiry; Intelligent-Tiering records the tier moved to.
func TestRecordRestoreAndTierFields(t *testing.T) {
	exp := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	o := &Object{Bucket: "b", Key: "k", VersionID: "v", StorageClass: "GLACIER", Attrs: Attrs{Restore: &Restore{Expires: exp, Completed: true}}}
	ctx := WithChange(context.Background(), Change{Operation: OpRestoreCompleted})
	r := NewRecord(ctx, RecordUpdateMetadata, UpdateEvent(OpRestoreCompleted, &o.Attrs, &o.Attrs), o)
	if r.Event != EventRestoreCompleted || r.RestoreClass != "GLACIER" || !r.RestoreExpiry.Equal(exp) || r.S3EventName() != "s3:ObjectRestore:Completed" {
		t.Errorf("completed record %+v", r)
	}
	if e := UpdateEvent(OpRestoreExpired, &o.Attrs, &o.Attrs); e != EventRestoreDelete {
		t.Errorf("expiry event %s", e)
	}
	it := &Object{Bucket: "b", Key: "k", VersionID: "v", StorageClass: "INTELLIGENT_TIERING", Attrs: Attrs{ArchiveStatus: "ARCHIVE_ACCESS"}}
	if r := NewRecord(ctx, RecordUpdateMetadata, EventIntelligentTiering, it); r.AccessTier != "ARCHIVE_ACCESS" || !r.RestoreExpiry.IsZero() {
		t.Errorf("tiering record %+v", r)
	}
}
