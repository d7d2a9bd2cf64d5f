package postpolicy

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
)

func TestSuccessResponse(t *testing.T) {
	const loc = "http://s3.local/b/k%20x"
	for _, tc := range []struct {
		name     string
		fields   map[string]string
		status   int
		redirect string
		body     bool
	}{
		{"default", nil, 204, "", false},
		{"204", map[string]string{"success_action_status": "204"}, 204, "", false},
		{"200", map[string]string{"success_action_status": "200"}, 200, "", false},
		{"201", map[string]string{"success_action_status": "201"}, 201, "", true},
		{"invalid status", map[string]string{"success_action_status": "302"}, 204, "", false},
		{"redirect", map[string]string{"success_action_redirect": "https://app.test/done", "success_action_status": "201"}, 303,
			"https://app.test/done?bucket=b&key=k+x&etag=%22abc%22", false},
		{"redirect with query", map[string]string{"Success_Action_Redirect": "https://app.test/done?x=1"}, 303,
			"https://app.test/done?x=1&bucket=b&key=k+x&etag=%22abc%22", false},
		{"legacy redirect", map[string]string{"redirect": "http://app.test/"}, 303,
			"http://app.test/?bucket=b&key=k+x&etag=%22abc%22", false},
		{"success_action_redirect wins", map[string]string{"redirect": "http://a.test/", "success_action_redirect": "http://b.test/"}, 303,
			"http://b.test/?bucket=b&key=k+x&etag=%22abc%22", false},
		{"invalid redirect ignored", map[string]string{"success_action_redirect": "not a url", "success_action_status": "200"}, 200, "", false},
		{"relative redirect ignored", map[string]string{"success_action_redirect": "/done"}, 204, "", false},
		{"javascript redirect ignored", map[string]string{"success_action_redirect": "javascript:alert(1)"}, 204, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, redirect, body := SuccessResponse(tc.fields, "b", "k x", "abc", loc)
			if status != tc.status || redirect != tc.redirect || (body != nil) != tc.body {
				t.Fatalf("got %d %q body=%v, want %d %q body=%v", status, redirect, body != nil, tc.status, tc.redirect, tc.body)
			}
			if redirect != "" {
				if _, err := url.Parse(redirect); err != nil {
					t.Fatal(err)
				}
			}
			if !tc.body {
				return
			}
			if !strings.HasPrefix(string(body), "<?xml") {
				t.Fatalf("body %s", body)
			}
			var pr struct {
				XMLName                     xml.Name `xml:"PostResponse"`
				Location, Bucket, Key, ETag string
			}
			if err := xml.Unmarshal(body, &pr); err != nil {
				t.Fatal(err)
			}
			if pr.Location != loc || pr.Bucket != "b" || pr.Key != "k x" || pr.ETag != `"abc"` {
				t.Fatalf("%+v", pr)
			}
		})
	}
	// A quoted etag stays as is.
	_, redirect, _ := SuccessResponse(map[string]string{"redirect": "http://a.test/"}, "b", "k", `"q"`, "")
	if !strings.HasSuffix(redirect, "etag=%22q%22") {
		t.Fatal(redirect)
	}
}
