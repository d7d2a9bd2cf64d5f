package s3select

import (
	"strings"
	"testing"
)

func TestInputs(t *testing.T) {
	i64 := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		name    string
		req     *Request
		data    string
		want    string
		errCode string // an error message mid-stream
	}{
		{"crlf", csvReq("SELECT b FROM S3Object"), "a,b\r\n1,2\r\n3,4\r\n", "2\n4\n", ""},
		{"empty fields", csvReq("SELECT _3, _1 FROM S3Object"), "a,b,c\n,x,\n", ",\n", ""},
		{"unclosed quote", &Request{Expression: "SELECT * FROM S3Object", ExpressionType: "SQL", Inputs: 1, Outputs: 1,
			CSVIn: &CSVInput{AllowQuotedRecordDelimiter: true}, CSVOut: &CSVOutput{}}, "1,ok\n2,\"open\nstill open\n", "1,ok\n", "CSVParsingError"},
		{"record too long", csvReq("SELECT * FROM S3Object"), "a\n" + strings.Repeat("x", MaxRecordSize+10) + "\n", "", "OverMaxRecordSize"},
		{"scan range keeps the header", &Request{Expression: "SELECT name FROM S3Object", ExpressionType: "SQL", Inputs: 1, Outputs: 1,
			CSVIn: &CSVInput{FileHeaderInfo: "USE"}, CSVOut: &CSVOutput{}, ScanRange: &ScanRange{Start: i64(12)}}, "id,name\n1,a\n2,b\n3,c\n", "b\nc\n", ""},
		{"json document values", &Request{Expression: "SELECT s.a FROM S3Object s WHERE s.a > 1", ExpressionType: "SQL", Inputs: 1, Outputs: 1,
			JSONIn: &JSONInput{Type: "DOCUMENT"}, CSVOut: &CSVOutput{}}, "{\"a\":1} {\"a\":2}\n\n  {\"a\":3}", "2\n3\n", ""},
		{"json star csv out", &Request{Expression: "SELECT * FROM S3Object", ExpressionType: "SQL", Inputs: 1, Outputs: 1,
			JSONIn: &JSONInput{Type: "LINES"}, CSVOut: &CSVOutput{}}, "{\"a\":1,\"b\":\"x,y\",\"c\":[1,2]}\n", "1,\"x,y\",\"[1,2]\"\n", ""},
		{"json document record too big", &Request{Expression: "SELECT * FROM S3Object[*]", ExpressionType: "SQL", Inputs: 1, Outputs: 1,
			JSONIn: &JSONInput{Type: "DOCUMENT"}, JSONOut: &JSONOutput{}}, "{\"a\":1}[" + strings.Repeat("{\"b\":2},", 400000) + "1]", "{\"a\":1}\n", "OverMaxRecordSize"},
		{"json truncated", &Request{Expression: "SELECT * FROM S3Object", ExpressionType: "SQL", Inputs: 1, Outputs: 1,
			JSONIn: &JSONInput{Type: "DOCUMENT"}, JSONOut: &JSONOutput{}}, "{\"a\":1}{\"a\":", "{\"a\":1}\n", "JSONParsingError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, evs, err := run(t, tc.req, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			last := evs[len(evs)-1]
			if tc.errCode != "" {
				if last.typ != "error" || last.code != tc.errCode {
					t.Fatalf("last event %+v, want error %s", last, tc.errCode)
				}
			} else if last.typ != "End" {
				t.Fatalf("last event %+v", last)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
