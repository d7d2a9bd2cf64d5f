package notify

import (
	"testing"
	"time"

	"talus/internal/meta"
)

// BenchmarkEventJSON measures building one event message, the per-event
// cost of delivery.
func BenchmarkEventJSON(b *testing.B) {
	bk := &meta.Bucket{Name: "bucket", Region: "us-east-1", Owner: "owner"}
	r := &meta.Record{Seq: 123456, Time: time.Now(), Type: meta.RecordCreate, Event: meta.EventPut, Bucket: "bucket",
		Key: "photos/2026/12/a picture.jpg", VersionID: "18ed4f1061453d2ccfb8044fe18f2bb8", Size: 4096, ETag: `"5d41402abc4b2a76b9719d911017c592"`,
		Change: meta.Change{Requester: "000000000000", Principal: "arn:aws:iam::000000000000:user/alice", SourceIP: "10.0.0.1", RequestID: "54C7722086D8541A"}}
	b.ReportAllocs()
	for b.Loop() {
		EventJSON(r, bk, "config", "host-id")
	}
}
