package s3xml

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// BenchmarkEncodeListBucketResult encodes a full 1,000-key listing page.
func BenchmarkEncodeListBucketResult(b *testing.B) {
	res := ListBucketResultV2{NS: NS, Name: "bucket", MaxKeys: 1000, KeyCount: 1000, IsTruncated: true, NextContinuationToken: "token"}
	now := Time(time.Now())
	for i := 0; i < 1000; i++ {
		res.Contents = append(res.Contents, Object{Key: fmt.Sprintf("photos/2026/11/%06d.jpg", i), LastModified: now,
			ETag: `"0123456789abcdef0123456789abcdef"`, Size: 123456, StorageClass: "STANDARD"})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := xml.NewEncoder(io.Discard).Encode(&res); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkEncodeError encodes the error document every failed request sends.
func BenchmarkEncodeError(b *testing.B) {
	doc := Error{Code: "NoSuchKey", Message: "The specified key does not exist.", Resource: "/bucket/key", RequestID: "0123456789ABCDEF", HostID: strings.Repeat("h", 32),
		Extra: []Elem{{XMLName: xml.Name{Local: "Key"}, Value: "key"}}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := xml.NewEncoder(io.Discard).Encode(&doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDelete decodes a 1,000-key DeleteObjects request.
func BenchmarkDecodeDelete(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>`)
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sb, "<Object><Key>photos/2026/11/%06d.jpg</Key></Object>", i)
	}
	sb.WriteString(`</Delete>`)
	body := sb.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var d Delete
		if err := Decode(strings.NewReader(body), 4<<20, "Delete", &d); err != nil || len(d.Objects) != 1000 {
			b.Fatal(err)
		}
	}
}
