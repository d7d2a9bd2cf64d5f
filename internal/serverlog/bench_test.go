package serverlog

import (
	"testing"
	"time"
)

// BenchmarkRecord measures what every request to a logged bucket costs on
// the request path: formatting its record and appending it to the spool.
func BenchmarkRecord(b *testing.B) {
	s, err := Open(b.TempDir(), quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := Record{BucketOwner: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", Bucket: "bucket", Time: time.Now(),
		RemoteIP: "192.0.2.3", RequestID: "3E57427F3EXAMPLE", Operation: "REST.GET.OBJECT", Key: "photos/2026/a b.jpg",
		RequestURI: "GET /bucket/photos/2026/a%20b.jpg HTTP/1.1", Status: 200, BytesSent: 1 << 20, ObjectSize: 1 << 20,
		UserAgent: "aws-sdk-go-v2/1.0", HostID: "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
		SignatureVer: "SigV4", AuthType: "AuthHeader", HostHeader: "127.0.0.1:9000"}
	b.ReportAllocs()
	for b.Loop() {
		s.Add(Entry{Target: "logs", SourceBucket: "bucket", SourceAccount: "000000000000", SourceRegion: "us-east-1", Time: r.Time, Line: r.Line()})
	}
}
