package s3

import (
	"strconv"
	"testing"
)

func TestCheckWebsite(t *testing.T) {
	idx := map[string]bool{"IndexDocument": true}
	withRules := func(rules ...RoutingRule) (Website, map[string]bool) {
		p := map[string]bool{"IndexDocument": true, "RoutingRules": true}
		for i := range rules {
			p["Redirect."+strconv.Itoa(i)] = true
		}
		return Website{IndexSuffix: "index.html", Rules: rules}, p
	}
	many := make([]RoutingRule, MaxRoutingRules+1)
	tests := []struct {
		name    string
		w       Website
		present map[string]bool
		code    string
		msg     string
	}{
		{name: "index", w: Website{IndexSuffix: "index.html"}, present: idx},
		{name: "redirect all", w: Website{RedirectAll: &WebsiteRedirectAll{HostName: "example.com", Protocol: "https"}}, present: map[string]bool{"RedirectAllRequestsTo.HostName": true}},
		{name: "empty", present: map[string]bool{}, code: "InvalidArgument", msg: "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"},
		{name: "slash suffix", w: Website{IndexSuffix: "a/index.html"}, present: idx, code: "InvalidArgument", msg: "The IndexDocument Suffix is not well formed"},
		{name: "empty suffix", w: Website{}, present: idx, code: "InvalidArgument", msg: "The IndexDocument Suffix is not well formed"},
		{name: "redirect and index", w: Website{IndexSuffix: "i", RedirectAll: &WebsiteRedirectAll{HostName: "h"}}, present: map[string]bool{"IndexDocument": true, "RedirectAllRequestsTo.HostName": true},
			code: "InvalidArgument", msg: "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."},
		{name: "redirect no host", w: Website{RedirectAll: &WebsiteRedirectAll{}}, present: map[string]bool{}, code: "MalformedXML"},
		{name: "redirect bad protocol", w: Website{RedirectAll: &WebsiteRedirectAll{HostName: "h", Protocol: "ftp"}}, present: map[string]bool{"RedirectAllRequestsTo.HostName": true},
			code: "InvalidRequest", msg: badProtocol},
		{name: "error doc no key", w: Website{IndexSuffix: "i"}, present: map[string]bool{"IndexDocument": true, "ErrorDocument": true}, code: "MalformedXML"},
		{name: "empty routing rules", w: Website{IndexSuffix: "i"}, present: map[string]bool{"IndexDocument": true, "RoutingRules": true}, code: "MalformedXML"},
	}
	add := func(name string, code, msg string, rules ...RoutingRule) {
		w, p := withRules(rules...)
		tests = append(tests, struct {
			name    string
			w       Website
			present map[string]bool
			code    string
			msg     string
		}{name, w, p, code, msg})
	}
	add("rule ok", "", "", RoutingRule{Condition: &RoutingCondition{KeyPrefixEquals: "a/"}, Redirect: RoutingRedirect{ReplaceKeyPrefixWith: "b/"}})
	add("too many rules", "InvalidRequest", "51 routing rules provided, the number of routing rules in a website configuration is limited to 50.", many...)
	add("both replace", "InvalidRequest", "You can only define ReplaceKeyPrefix or ReplaceKey but not both.", RoutingRule{Redirect: RoutingRedirect{ReplaceKeyWith: "a", ReplaceKeyPrefixWith: "b/"}})
	add("empty condition", "InvalidRequest", "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.", RoutingRule{Condition: &RoutingCondition{}})
	add("error code 302", "InvalidRequest", "The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX.", RoutingRule{Condition: &RoutingCondition{HTTPErrorCodeReturnedEquals: "302"}})
	add("redirect code 300", "InvalidRequest", "The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300.", RoutingRule{Redirect: RoutingRedirect{HTTPRedirectCode: "300"}})
	add("rule bad protocol", "InvalidRequest", badProtocol, RoutingRule{Redirect: RoutingRedirect{Protocol: "gopher"}})
	noRedirect, p := withRules(RoutingRule{})
	delete(p, "Redirect.0")
	tests = append(tests, struct {
		name    string
		w       Website
		present map[string]bool
		code    string
		msg     string
	}{"rule without redirect", noRedirect, p, "MalformedXML", ""})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckWebsite(tc.w, tc.present)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			we, ok := err.(*WebsiteError)
			if !ok || we.Code != tc.code || we.Message != tc.msg {
				t.Fatalf("err = %#v, want %s %q", err, tc.code, tc.msg)
			}
		})
	}
}

func TestWebsiteRouting(t *testing.T) {
	w := Website{IndexSuffix: "index.html", Rules: []RoutingRule{
		{Condition: &RoutingCondition{KeyPrefixEquals: "docs/"}, Redirect: RoutingRedirect{ReplaceKeyPrefixWith: "documents/"}},
		{Condition: &RoutingCondition{HTTPErrorCodeReturnedEquals: "404", KeyPrefixEquals: "img/"}, Redirect: RoutingRedirect{HostName: "cdn.example", Protocol: "https", HTTPRedirectCode: "302"}},
		{Condition: &RoutingCondition{KeyPrefixEquals: "old"}, Redirect: RoutingRedirect{ReplaceKeyWith: "new.html"}},
	}}
	if got := w.IndexKey(""); got != "index.html" {
		t.Errorf("IndexKey(\"\") = %q", got)
	}
	if got := w.IndexKey("a/"); got != "a/index.html" {
		t.Errorf("IndexKey(a/) = %q", got)
	}
	if got := w.IndexKey("a"); got != "a" {
		t.Errorf("IndexKey(a) = %q", got)
	}
	tests := []struct {
		key    string
		status int
		loc    string
		code   int
	}{
		{"docs/a.html", 0, "http://site:8/documents/a.html", 301},
		{"img/x.png", 0, "", 0},
		{"img/x.png", 404, "https://cdn.example/img/x.png", 302},
		{"img/x.png", 403, "", 0},
		{"older/page", 0, "http://site:8/new.html", 301},
		{"other", 0, "", 0},
	}
	for _, tc := range tests {
		r, ok := w.MatchRoutingRule(tc.key, tc.status)
		if !ok {
			if tc.loc != "" {
				t.Errorf("%s/%d: no rule", tc.key, tc.status)
			}
			continue
		}
		loc, code := r.RedirectLocation(tc.key, "site:8", "http")
		if loc != tc.loc || code != tc.code {
			t.Errorf("%s/%d: %s %d, want %s %d", tc.key, tc.status, loc, code, tc.loc, tc.code)
		}
	}
}
