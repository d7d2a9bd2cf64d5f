package s3

import (
	"strings"
	"testing"
)

func TestCheckCORS(t *testing.T) {
	ok := CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}
	neg := -1
	many := make([]CORSRule, MaxCORSRules+1)
	for i := range many {
		many[i] = ok
	}
	tests := []struct {
		name      string
		rules     []CORSRule
		malformed bool
		msg       string
	}{
		{name: "ok", rules: []CORSRule{ok}},
		{name: "hundred", rules: many[:MaxCORSRules]},
		{name: "none", rules: nil, malformed: true},
		{name: "too many", rules: many, malformed: true},
		{name: "no origin", rules: []CORSRule{{AllowedMethods: []string{"GET"}}}, malformed: true},
		{name: "no method", rules: []CORSRule{{AllowedOrigins: []string{"*"}}}, malformed: true},
		{name: "negative max age", rules: []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: &neg}}, malformed: true},
		{name: "long id", rules: []CORSRule{{ID: strings.Repeat("a", 256), AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}, malformed: true},
		{name: "bad method", rules: []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "OPTIONS"}}},
			msg: "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS"},
		{name: "lowercase method", rules: []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"get"}}},
			msg: "Found unsupported HTTP method in CORS config. Unsupported method is get"},
		{name: "two origin wildcards", rules: []CORSRule{{AllowedOrigins: []string{"http://*.*.com"}, AllowedMethods: []string{"GET"}}},
			msg: `AllowedOrigin "http://*.*.com" can not have more than one wildcard.`},
		{name: "two header wildcards", rules: []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"x-*-*"}}},
			msg: `AllowedHeader "x-*-*" can not have more than one wildcard.`},
		{name: "expose wildcard", rules: []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, ExposeHeaders: []string{"x-*"}}},
			msg: `ExposeHeader "x-*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckCORS(tc.rules)
			if !tc.malformed && tc.msg == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			ce, isCE := err.(*CORSError)
			if !isCE || ce.Malformed != tc.malformed || ce.Message != tc.msg {
				t.Fatalf("err = %#v, want malformed=%v msg=%q", err, tc.malformed, tc.msg)
			}
		})
	}
}

func TestMatchCORS(t *testing.T) {
	rules := []CORSRule{
		{ID: "exact", AllowedOrigins: []string{"http://www.example1.com"}, AllowedMethods: []string{"PUT", "POST"}, AllowedHeaders: []string{"*"}},
		{ID: "wild", AllowedOrigins: []string{"http://*.sample.com", "*suffix"}, AllowedMethods: []string{"GET", "DELETE"}, AllowedHeaders: []string{"x-amz-*", "Content-*"}},
		{ID: "any", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
	}
	tests := []struct {
		origin, method string
		headers        []string
		want           string // rule ID, "" for none
	}{
		{"http://www.example1.com", "PUT", nil, "exact"},
		{"http://www.example1.com", "PUT", []string{"x-anything", "authorization"}, "exact"},
		{"https://www.example1.com", "PUT", nil, ""},
		{"http://www.example1.com:80", "PUT", nil, ""},
		{"http://www.example1.com", "GET", nil, ""},
		{"http://this.sample.com", "DELETE", []string{"x-amz-date", "content-length"}, "wild"},
		{"http://this.sample.com", "DELETE", []string{"X-AMZ-DATE"}, "wild"},
		{"http://this.sample.com", "DELETE", []string{"x-amz-date", "date"}, ""},
		{"http://.sample.com", "GET", nil, "wild"},
		{"suffix", "GET", nil, "wild"},
		{"http://sample.com", "GET", nil, ""},
		{"http://other.example", "HEAD", nil, "any"},
		{"http://other.example", "HEAD", []string{"x-a"}, ""},
	}
	for _, tc := range tests {
		r, ok := MatchCORS(rules, tc.origin, tc.method, tc.headers)
		got := ""
		if ok {
			got = r.ID
		}
		if got != tc.want {
			t.Errorf("MatchCORS(%q, %q, %v) = %q, want %q", tc.origin, tc.method, tc.headers, got, tc.want)
		}
	}
	if !rules[2].AnyOrigin() || rules[0].AnyOrigin() {
		t.Error("AnyOrigin wrong")
	}
	if got := ParseHeaderList(" X-Amz-Date,content-type , ,"); strings.Join(got, "|") != "x-amz-date|content-type" {
		t.Errorf("ParseHeaderList = %v", got)
	}
}
