package meta

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestJournalEvents(t *testing.T) {
	for op, want := range map[string]string{"PutObject": EventPut, "": EventPut, "CopyObject": EventCopy, "PostObject": EventPost,
		"CompleteMultipartUpload": EventCompleteMultipartUpload} {
		if got := CreateEvent(op); got != want {
			t.Errorf("CreateEvent(%q) = %q, want %q", op, got, want)
		}
	}
	if DeleteEvent("DeleteObject", true) != EventDeleteMarkerCreated || DeleteEvent("DeleteObjects", false) != EventDelete ||
		DeleteEvent(OpLifecycleExpire, true) != EventLifecycleDeleteMarker || DeleteEvent(OpLifecycleExpire, false) != EventLifecycleDelete {
		t.Error("DeleteEvent")
	}
	base := Attrs{Tags: map[string]string{"a": "1"}, Enc: &Encryption{Algorithm: "AES256"}}
	cases := []struct {
		op     string
		change func(*Attrs)
		want   string
	}{
		{"PutObjectTagging", func(*Attrs) {}, EventTaggingPut}, // same tags again: still a tagging put
		{"", func(a *Attrs) { a.Tags["a"] = "2" }, EventTaggingPut},
		{"", func(a *Attrs) { a.Tags = nil }, EventTaggingDelete},
		{"", func(a *Attrs) { a.ACL = []Grant{{ID: "x", Permission: "READ"}} }, EventACLPut},
		{"", func(a *Attrs) { a.LockMode, a.LockUntil = "GOVERNANCE", time.Now() }, EventRetentionPut},
		{"", func(a *Attrs) { a.LockLegalHold = "ON" }, EventLegalHoldPut},
		{"", func(a *Attrs) { a.Enc.Algorithm = "aws:kms" }, EventEncryptionUpdate},
		{"", func(a *Attrs) { a.ContentType = "x" }, EventMetadataUpdate},
		{OpLifecycleTransition, func(*Attrs) {}, EventLifecycleTransition},
	}
	for _, c := range cases {
		after := base.Clone()
		before := after.Clone()
		c.change(&after)
		if got := UpdateEvent(c.op, &before, &after); got != c.want {
			t.Errorf("UpdateEvent(%q) = %q, want %q", c.op, got, c.want)
		}
	}
	if base.Tags["a"] != "1" || base.Enc.Algorithm != "AES256" {
		t.Fatalf("Clone shares state: %+v", base)
	}
	r := Record{Event: EventLegalHoldPut}
	if r.S3EventName() != "" {
		t.Error("legal hold has no S3 event")
	}
	r.Event = EventTaggingDelete
	if r.S3EventName() != "s3:ObjectTagging:Delete" {
		t.Error(r.S3EventName())
	}
}

func TestRecordEncryptionStatus(t *testing.T) {
	for _, c := range []struct {
		enc  *Encryption
		want string
	}{{nil, ""}, {&Encryption{Algorithm: "AES256"}, "SSE-S3"}, {&Encryption{Algorithm: "aws:kms"}, "SSE-KMS"},
		{&Encryption{Algorithm: "aws:kms:dsse"}, "DSSE-KMS"}, {&Encryption{CustomerKeyMD5: "m"}, "SSE-C"}} {
		r := NewRecord(context.Background(), RecordCreate, EventPut, &Object{Key: "k", Attrs: Attrs{Enc: c.enc}})
		if r.Encryption != c.want {
			t.Errorf("%+v: %q, want %q", c.enc, r.Encryption, c.want)
		}
	}
}

// BenchmarkJournalRecord: what appending a record costs a PUT outside
// SQLite: building the record and encoding it.
func BenchmarkJournalRecord(b *testing.B) {
	ctx := WithChange(context.Background(), Change{Requester: "000000000000", Principal: "arn:aws:iam::000000000000:root",
		SourceIP: "127.0.0.1", RequestID: "0123456789ABCDEF", Operation: "PutObject"})
	o := &Object{Bucket: "b", Key: "k/000000001", VersionID: NullVersion, Seq: 1, ETag: `"0123456789abcdef0123456789abcdef"`, Size: 4096,
		StorageClass: "STANDARD", Modified: time.Now(), Attrs: Attrs{UserMeta: map[string]string{"a": "b"},
			Checksums: map[string]string{"CRC32": "AAAAAA=="}, Enc: &Encryption{Algorithm: "AES256"}}}
	b.ReportAllocs()
	for b.Loop() {
		r := NewRecord(ctx, RecordCreate, CreateEvent("PutObject"), o)
		if _, err := json.Marshal(&r); err != nil {
			b.Fatal(err)
		}
	}
}
