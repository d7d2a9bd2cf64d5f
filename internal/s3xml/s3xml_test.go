package s3xml

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func TestDecodeDelete(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr bool
		keys    int
		quiet   bool
	}{
		{"namespaced", `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>`, false, 2, true},
		{"plain", `<Delete><Object><Key>a &amp; b</Key></Object></Delete>`, false, 1, false},
		{"trailing whitespace", "<Delete><Object><Key>a</Key></Object></Delete>\n\n", false, 1, false},
		{"wrong root", `<Remove><Object><Key>a</Key></Object></Remove>`, true, 0, false},
		{"truncated", `<Delete><Object><Key>a</Key></Object>`, true, 0, false},
		{"trailing garbage", `<Delete></Delete><Delete></Delete>`, true, 0, false},
		{"text after root", `<Delete></Delete>junk`, true, 0, false},
		{"empty", ``, true, 0, false},
		{"not xml", `{"Objects":[]}`, true, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d Delete
			err := Decode(strings.NewReader(tc.body), 1<<20, "Delete", &d)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && (len(d.Objects) != tc.keys || d.Quiet != tc.quiet) {
				t.Fatalf("decoded %+v", d)
			}
		})
	}
	var d Delete
	if err := Decode(strings.NewReader(`<Delete>`+strings.Repeat(" ", 100)+`</Delete>`), 50, "Delete", &d); err == nil {
		t.Fatal("body over the limit accepted")
	}
}

func TestErrorDocument(t *testing.T) {
	doc := Error{Code: "NoSuchKey", Message: "m", Resource: "/b/k", RequestID: "R", HostID: "H",
		Extra: []Elem{{XMLName: xml.Name{Local: "Key"}, Value: "k<&>"}}}
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).Encode(doc); err != nil {
		t.Fatal(err)
	}
	want := `<Error><Code>NoSuchKey</Code><Message>m</Message><Key>k&lt;&amp;&gt;</Key><Resource>/b/k</Resource><RequestId>R</RequestId><HostId>H</HostId></Error>`
	if buf.String() != want {
		t.Fatalf("got  %s\nwant %s", buf.String(), want)
	}
}

// FuzzDecode checks that no request body crashes or hangs the decoders.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`<Delete><Object><Key>a</Key></Object><Quiet>true</Quiet></Delete>`,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>&#x0;</Key></Object></Delete>`,
		`<!DOCTYPE x [<!ENTITY a "aaaa">]><Delete>&a;</Delete>`,
		`<Delete><Object><Key><![CDATA[x]]></Key></Object></Delete>`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var d Delete
		if err := Decode(bytes.NewReader(body), 1<<16, "Delete", &d); err == nil && len(body) > 1<<16 {
			t.Fatal("accepted a body over the limit")
		}
		var c CreateBucketConfiguration
		_ = Decode(bytes.NewReader(body), 1<<16, "CreateBucketConfiguration", &c)
	})
}
