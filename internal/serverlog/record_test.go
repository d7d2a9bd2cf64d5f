package serverlog

import (
	"testing"
	"time"
)

// awsExample is the first record of the example log in AWS's "Amazon S3
// server access log format" page.
const awsExample = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1`

// TestLineMatchesAWSExample: a record holding the example's values
// formats to the example line byte for byte: every field, in order, with
// the same brackets, quotes and dashes.
func TestLineMatchesAWSExample(t *testing.T) {
	r := Record{
		BucketOwner: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", Bucket: "amzn-s3-demo-bucket1",
		Time: time.Date(2019, 2, 6, 0, 0, 38, 0, time.UTC), RemoteIP: "192.0.2.3",
		Requester: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", RequestID: "3E57427F3EXAMPLE",
		Operation: "REST.GET.VERSIONING", RequestURI: "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1", Status: 200,
		BytesSent: 113, TotalTime: 7 * time.Millisecond, TurnAround: -1, UserAgent: "S3Console/0.4",
		HostID:       "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
		SignatureVer: "SigV4", CipherSuite: "ECDHE-RSA-AES128-GCM-SHA256", AuthType: "AuthHeader",
		HostHeader: "amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com", TLSVersion: "TLSV1.2",
		AccessPointARN: "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP", ACLRequired: true, SourceRegion: "us-east-1",
	}
	got := r.Line()
	if got != awsExample {
		t.Fatalf("line differs from AWS's example:\n got %s\nwant %s", got, awsExample)
	}
	f := Fields(got)
	if len(f) != 27 {
		t.Fatalf("%d fields, want 27: %q", len(f), f)
	}
	for i, want := range map[int]string{2: "06/Feb/2019:00:00:38 +0000", 8: "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1", 15: "-", 16: "S3Console/0.4", 25: "Yes"} {
		if f[i] != want {
			t.Errorf("field %d = %q, want %q", i+1, f[i], want)
		}
	}
}

// TestLineEscapes: keys are URL-encoded, quotes inside quoted fields are
// escaped, and every empty field is a dash.
func TestLineEscapes(t *testing.T) {
	r := Record{Time: time.Unix(0, 0), Key: "a b/c+d", UserAgent: `x"y`, Status: 404, TurnAround: 0}
	want := `- - [01/Jan/1970:00:00:00 +0000] - - - - a%20b/c+d "-" 404 - - - 0 0 "-" "x\"y" - - - - - - - - - -`
	if got := r.Line(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if f := Fields(want); len(f) != 27 || f[16] != `x"y` || f[7] != "a%20b/c+d" {
		t.Fatalf("fields %q", f)
	}
}
