package mdtables

import (
	"testing"
	"time"
)

// BenchmarkJournalBatch measures turning journal rows into an Arrow batch
// of the journal table's schema, the per-record work of a run.
func BenchmarkJournalBatch(b *testing.B) {
	rb, err := newRecordBuilder(kindJournal, tableSchema(kindJournal))
	if err != nil {
		b.Fatal(err)
	}
	defer rb.release()
	now := time.Now()
	r := Row{Bucket: "photos", Key: "2026/12/02/img_0001.jpg", Seq: seqString(123456), RecordType: "CREATE", RecordTime: now,
		Requester: "000000000000", SourceIP: "192.0.2.1", RequestID: "0123456789ABCDEF", VersionID: "null", Full: true,
		Size: 123456, Modified: now, ETag: "d41d8cd98f00b204e9800998ecf8427e", StorageClass: "STANDARD", Encryption: "SSE-S3",
		ChecksumAlgorithm: "CRC64NVME", Tags: map[string]string{"team": "a"}, UserMeta: map[string]string{"camera": "x"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := rb.add(&r); err != nil {
			b.Fatal(err)
		}
		if rb.n == batchRows {
			rb.flush().Release()
		}
	}
}
