package s3

import (
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func i64(n int64) *int64 { return &n }

func TestLifecycleDayEnd(t *testing.T) {
	cases := []struct {
		name string
		t    string
		days int
		day  time.Duration
		want string
	}{
		// The AWS example: created 1/15 10:30 UTC, 3 days → 1/19 00:00 UTC.
		{"aws example", "2014-01-15T10:30:00Z", 3, 0, "2014-01-19T00:00:00Z"},
		{"explicit 24h", "2014-01-15T10:30:00Z", 3, 24 * time.Hour, "2014-01-19T00:00:00Z"},
		{"just after midnight", "2014-01-15T00:00:00.000000001Z", 1, 0, "2014-01-17T00:00:00Z"},
		{"at midnight", "2014-01-15T00:00:00Z", 1, 0, "2014-01-16T00:00:00Z"},
		{"other zone", "2014-01-15T23:30:00-05:00", 1, 0, "2014-01-18T00:00:00Z"},
		{"month end", "2014-01-31T12:00:00Z", 1, 0, "2014-02-02T00:00:00Z"},
		{"leap year", "2016-02-28T12:00:00Z", 1, 0, "2016-03-01T00:00:00Z"},
		{"short day", "2014-01-15T10:30:01Z", 3, time.Second, "2014-01-15T10:30:04Z"},
		{"short day rounds up", "2014-01-15T10:30:01.2Z", 3, time.Second, "2014-01-15T10:30:05Z"},
		{"ten seconds", "2014-01-15T10:30:01Z", 2, 10 * time.Second, "2014-01-15T10:30:30Z"},
		{"ten seconds on boundary", "2014-01-15T10:30:00Z", 2, 10 * time.Second, "2014-01-15T10:30:20Z"},
		{"before epoch", "1969-12-31T23:59:58.5Z", 1, time.Second, "1970-01-01T00:00:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := LifecycleDayEnd(utc(tc.t), tc.days, tc.day)
			if !got.Equal(utc(tc.want)) || got.Location() != time.UTC {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}
}

func TestLifecycleFilterMatches(t *testing.T) {
	obj := LifecycleVersion{Key: "logs/2024/a.txt", Size: 100, Tags: map[string]string{"class": "tmp", "team": "a"}}
	cases := []struct {
		name string
		f    LifecycleFilter
		v    LifecycleVersion
		want bool
	}{
		{"empty", LifecycleFilter{}, obj, true},
		{"prefix", LifecycleFilter{Prefix: "logs/"}, obj, true},
		{"prefix miss", LifecycleFilter{Prefix: "log/2"}, obj, false},
		{"prefix case", LifecycleFilter{Prefix: "Logs/"}, obj, false},
		{"tag", LifecycleFilter{Tags: []Tag{{"class", "tmp"}}}, obj, true},
		{"tag value differs", LifecycleFilter{Tags: []Tag{{"class", "keep"}}}, obj, false},
		{"tag missing", LifecycleFilter{Tags: []Tag{{"owner", "x"}}}, obj, false},
		{"all tags", LifecycleFilter{Tags: []Tag{{"class", "tmp"}, {"team", "a"}}}, obj, true},
		{"all tags one misses", LifecycleFilter{Tags: []Tag{{"class", "tmp"}, {"team", "b"}}}, obj, false},
		{"greater", LifecycleFilter{ObjectSizeGreaterThan: i64(99)}, obj, true},
		{"greater is strict", LifecycleFilter{ObjectSizeGreaterThan: i64(100)}, obj, false},
		{"less", LifecycleFilter{ObjectSizeLessThan: i64(101)}, obj, true},
		{"less is strict", LifecycleFilter{ObjectSizeLessThan: i64(100)}, obj, false},
		{"between", LifecycleFilter{ObjectSizeGreaterThan: i64(10), ObjectSizeLessThan: i64(1000)}, obj, true},
		{"and all", LifecycleFilter{Prefix: "logs/", Tags: []Tag{{"team", "a"}}, ObjectSizeLessThan: i64(1000), Form: LifecycleFilterAnd}, obj, true},
		{"and prefix misses", LifecycleFilter{Prefix: "img/", Tags: []Tag{{"team", "a"}}, Form: LifecycleFilterAnd}, obj, false},
		{"and size misses", LifecycleFilter{Prefix: "logs/", ObjectSizeGreaterThan: i64(500), Form: LifecycleFilterAnd}, obj, false},
		{"marker is empty", LifecycleFilter{ObjectSizeGreaterThan: i64(0)}, LifecycleVersion{Key: "k", DeleteMarker: true}, false},
		{"marker below bound", LifecycleFilter{ObjectSizeLessThan: i64(1)}, LifecycleVersion{Key: "k", DeleteMarker: true}, true},
		{"marker has no tags", LifecycleFilter{Tags: []Tag{{"a", "b"}}}, LifecycleVersion{Key: "k", DeleteMarker: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Matches(&tc.v); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLifecycleNext(t *testing.T) {
	created := utc("2024-03-10T15:00:00Z")
	date := utc("2024-06-01T00:00:00Z")
	expDays := LifecycleRule{ID: "days", Status: LifecycleEnabled, Filter: LifecycleFilter{Prefix: "a/"}, Expiration: &LifecycleExpiration{Days: 2}}
	expDate := LifecycleRule{ID: "date", Status: LifecycleEnabled, Expiration: &LifecycleExpiration{Date: date}}
	disabled := LifecycleRule{ID: "off", Status: LifecycleDisabled, Expiration: &LifecycleExpiration{Days: 1}}
	eodm := LifecycleRule{ID: "eodm", Status: LifecycleEnabled, Expiration: &LifecycleExpiration{ExpiredObjectDeleteMarker: true}}
	nc := LifecycleRule{ID: "nc", Status: LifecycleEnabled, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 5, NewerNoncurrentVersions: 2}}
	nc0 := LifecycleRule{ID: "nc0", Status: LifecycleEnabled, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 1}}
	abort := LifecycleRule{ID: "abort", Status: LifecycleEnabled, AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 7}}

	current := LifecycleVersion{Key: "a/x", Size: 5, Modified: created, IsLatest: true}
	otherKey := LifecycleVersion{Key: "b/x", Size: 5, Modified: created, IsLatest: true}
	marker := LifecycleVersion{Key: "a/x", Modified: created, IsLatest: true, DeleteMarker: true, OnlyVersion: true}
	markerWithVersions := marker
	markerWithVersions.OnlyVersion = false
	old := LifecycleVersion{Key: "a/x", Size: 5, Modified: created, NoncurrentSince: utc("2024-03-12T01:00:00Z"), NewerNoncurrent: 2}
	oldFew := old
	oldFew.NewerNoncurrent = 1

	cases := []struct {
		name   string
		rules  []LifecycleRule
		v      LifecycleVersion
		action LifecycleAction
		id     string
		at     string
	}{
		{"no rules", nil, current, LifecycleNone, "", ""},
		{"days", []LifecycleRule{expDays}, current, LifecycleExpireCurrent, "days", "2024-03-13T00:00:00Z"},
		{"prefix miss", []LifecycleRule{expDays}, otherKey, LifecycleNone, "", ""},
		{"date", []LifecycleRule{expDate}, current, LifecycleExpireCurrent, "date", "2024-06-01T00:00:00Z"},
		{"earliest wins", []LifecycleRule{expDate, expDays}, current, LifecycleExpireCurrent, "days", "2024-03-13T00:00:00Z"},
		{"disabled", []LifecycleRule{disabled}, current, LifecycleNone, "", ""},
		{"noncurrent rule leaves current", []LifecycleRule{nc, nc0, abort}, current, LifecycleNone, "", ""},
		{"eodm removes lone marker at once", []LifecycleRule{eodm}, marker, LifecycleRemoveDeleteMarker, "eodm", "2024-03-10T15:00:00Z"},
		{"eodm keeps marker with versions", []LifecycleRule{eodm}, markerWithVersions, LifecycleNone, "", ""},
		{"days removes lone marker", []LifecycleRule{expDays}, marker, LifecycleRemoveDeleteMarker, "days", "2024-03-13T00:00:00Z"},
		{"date leaves marker", []LifecycleRule{expDate}, marker, LifecycleNone, "", ""},
		{"eodm leaves objects", []LifecycleRule{eodm}, current, LifecycleNone, "", ""},
		{"noncurrent", []LifecycleRule{nc}, old, LifecycleExpireNoncurrent, "nc", "2024-03-18T00:00:00Z"},
		{"noncurrent keeps newest", []LifecycleRule{nc}, oldFew, LifecycleNone, "", ""},
		{"noncurrent no newer bound", []LifecycleRule{nc0}, oldFew, LifecycleExpireNoncurrent, "nc0", "2024-03-14T00:00:00Z"},
		{"current rule leaves noncurrent", []LifecycleRule{expDays, expDate, eodm}, old, LifecycleNone, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := LifecycleNext(tc.rules, 0, &tc.v)
			if got.Action != tc.action || got.RuleID != tc.id {
				t.Fatalf("got %+v, want action %v rule %q", got, tc.action, tc.id)
			}
			if tc.at != "" && !got.At.Equal(utc(tc.at)) {
				t.Fatalf("due at %v, want %s", got.At, tc.at)
			}
		})
	}
}

func TestLifecycleNextShortDay(t *testing.T) {
	rules := []LifecycleRule{{ID: "r", Status: LifecycleEnabled, Expiration: &LifecycleExpiration{Days: 1}}}
	v := LifecycleVersion{Key: "k", Modified: utc("2024-03-10T15:00:00.5Z"), IsLatest: true}
	got := LifecycleNext(rules, 2*time.Second, &v)
	if got.Action != LifecycleExpireCurrent || !got.At.Equal(utc("2024-03-10T15:00:04Z")) {
		t.Fatalf("got %+v", got)
	}
}

func TestLifecycleExpiry(t *testing.T) {
	v := LifecycleVersion{Key: "photos/a.jpg", Size: 10, Tags: map[string]string{"k": "v"}, Modified: utc("2012-12-20T08:00:00Z"), IsLatest: true}
	rules := []LifecycleRule{
		{ID: "nc-only", Status: LifecycleEnabled, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 1}},
		{ID: "later", Status: LifecycleEnabled, Expiration: &LifecycleExpiration{Days: 30}},
		{ID: "picture-deletion-rule", Status: LifecycleEnabled, Filter: LifecycleFilter{Prefix: "photos/", Tags: []Tag{{"k", "v"}}, Form: LifecycleFilterAnd}, Expiration: &LifecycleExpiration{Days: 3}},
		{ID: "off", Status: LifecycleDisabled, Expiration: &LifecycleExpiration{Days: 1}},
		{ID: "other-tag", Status: LifecycleEnabled, Filter: LifecycleFilter{Tags: []Tag{{"k", "w"}}, Form: LifecycleFilterSingle}, Expiration: &LifecycleExpiration{Days: 1}},
	}
	id, at, ok := LifecycleExpiry(rules, 0, &v)
	if !ok || id != "picture-deletion-rule" || !at.Equal(utc("2012-12-24T00:00:00Z")) {
		t.Fatalf("got %q %v %v", id, at, ok)
	}
	// With a 10-second day, 3 days after 08:00:00 is 08:00:30 (already on a boundary).
	if id, at, ok := LifecycleExpiry(rules, 10*time.Second, &v); !ok || id != "picture-deletion-rule" || !at.Equal(utc("2012-12-20T08:00:30Z")) {
		t.Fatalf("short day: got %q %v %v", id, at, ok)
	}
	if _, _, ok := LifecycleExpiry(rules[:1], 0, &v); ok {
		t.Fatal("a noncurrent-only rule must not expire the current version")
	}
}

func TestLifecycleAbortUpload(t *testing.T) {
	initiated := utc("2024-01-01T12:00:00Z")
	rules := []LifecycleRule{
		{ID: "logs", Status: LifecycleEnabled, Filter: LifecycleFilter{Prefix: "logs/"}, AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 1}},
		{ID: "all", Status: LifecycleEnabled, AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 7}},
		{ID: "off", Status: LifecycleDisabled, AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 1}},
	}
	id, at, ok := LifecycleAbortUpload(rules, 0, "logs/a", initiated)
	if !ok || id != "logs" || !at.Equal(utc("2024-01-03T00:00:00Z")) {
		t.Fatalf("got %q %v %v", id, at, ok)
	}
	id, at, ok = LifecycleAbortUpload(rules, 0, "img/a", initiated)
	if !ok || id != "all" || !at.Equal(utc("2024-01-09T00:00:00Z")) {
		t.Fatalf("got %q %v %v", id, at, ok)
	}
	if _, _, ok := LifecycleAbortUpload(rules[2:], 0, "x", initiated); ok {
		t.Fatal("disabled rule aborted an upload")
	}
}

func TestExpirationHeader(t *testing.T) {
	at := utc("2012-12-23T00:00:00Z")
	cases := []struct{ id, want string }{
		{"picture-deletion-rule", `expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"`},
		{"Rule for testfile.txt", `expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="Rule for testfile.txt"`},
		{`say "hi"`, `expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="say%20%22hi%22"`},
		{"règle", `expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="r%C3%A8gle"`},
		{" x", `expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="%20x"`},
	}
	for _, tc := range cases {
		if got := ExpirationHeader(tc.id, at); got != tc.want {
			t.Errorf("%q: got %s", tc.id, got)
		}
	}
	if got := ExpirationHeader("r", utc("2012-12-23T05:00:00+05:00")); got != `expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="r"` {
		t.Errorf("not in UTC: %s", got)
	}
	if got := ExpirationHeader("r", utc("9999-12-31T00:00:00Z").AddDate(0, 0, 1)); got != "" {
		t.Errorf("year 10000: %s", got)
	}
}
