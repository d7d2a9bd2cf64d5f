package s3

import (
	"encoding/base64"
	"strings"
	"testing"
)

func sp(s string) *string { return &s }

func np(n int64) *int64 { return &n }

// v2Rule is a valid rule of the current form: objects under logs/ expire
// after a day.
func v2Rule(id string) LifecycleRuleInput {
	return LifecycleRuleInput{
		ID: id, Status: "Enabled",
		Filter:     &LifecycleFilterInput{Prefix: sp("logs/"), Members: 1},
		Expiration: &LifecycleExpirationInput{Days: np(1)},
	}
}

// v1Rule is a valid rule of the deprecated form.
func v1Rule(id, prefix string) LifecycleRuleInput {
	return LifecycleRuleInput{ID: id, Status: "Enabled", Prefix: sp(prefix), Expiration: &LifecycleExpirationInput{Days: np(1)}}
}

func with(r LifecycleRuleInput, f func(*LifecycleRuleInput)) LifecycleRuleInput {
	f(&r)
	return r
}

func TestCheckLifecycleRefuses(t *testing.T) {
	tags := &LifecycleFilterInput{And: &LifecycleAndInput{Prefix: sp("a"), Tags: []Tag{{"k", "v"}}}, Members: 1}
	size := &LifecycleFilterInput{ObjectSizeGreaterThan: np(10), Members: 1}
	many := make([]LifecycleRuleInput, 1001)
	for i := range many {
		many[i] = v2Rule("")
	}
	cases := []struct {
		name  string
		rules []LifecycleRuleInput
		kind  LifecycleErrorKind
		msg   string
	}{
		{"no rules", nil, LifecycleInvalidRequest, "At least one lifecycle rule must be specified."},
		{"too many rules", many, LifecycleInvalidRequest, "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."},
		{"id too long", []LifecycleRuleInput{v2Rule(strings.Repeat("a", 256))}, LifecycleInvalidArgument, "ID length should not exceed allowed limit of 255"},
		{"same id", []LifecycleRuleInput{v2Rule("r"), v2Rule("r")}, LifecycleInvalidArgument, "Rule ID must be unique. Found same ID for more than one rule"},
		{"bad status", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Status = "enabled" })}, LifecycleMalformed, ""},
		{"no filter nor prefix", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Filter = nil })}, LifecycleMalformed, ""},
		{"prefix in v2", []LifecycleRuleInput{v2Rule("a"), v1Rule("b", "x")}, LifecycleInvalidRequest, "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter."},
		{"filter in v1", []LifecycleRuleInput{v1Rule("a", "x"), v2Rule("b")}, LifecycleInvalidRequest, "Filter element can only be used in Lifecycle V2."},
		{"prefix and tag outside and", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{Prefix: sp("a"), Tag: &Tag{"k", "v"}, Members: 2}
		})}, LifecycleMalformed, ""},
		{"no action", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Expiration = nil })}, LifecycleInvalidRequest, "At least one action needs to be specified in a rule"},
		{"days and date", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Expiration.Date = sp("2030-01-01T00:00:00Z") })}, LifecycleMalformed, ""},
		{"empty expiration", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Expiration = &LifecycleExpirationInput{} })}, LifecycleMalformed, ""},
		{"marker with days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Expiration.ExpiredObjectDeleteMarker = sp("true") })}, LifecycleMalformed, ""},
		{"marker not boolean", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Expiration = &LifecycleExpirationInput{ExpiredObjectDeleteMarker: sp("yes")}
		})}, LifecycleMalformed, ""},
		{"zero days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Expiration.Days = np(0) })}, LifecycleInvalidArgument, "'Days' for Expiration action must be a positive integer"},
		{"negative days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) { r.Expiration.Days = np(-3) })}, LifecycleInvalidArgument, "'Days' for Expiration action must be a positive integer"},
		{"date not midnight", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Expiration = &LifecycleExpirationInput{Date: sp("2030-01-01T12:00:00Z")}
		})}, LifecycleInvalidArgument, "'Date' must be at midnight GMT"},
		{"date midnight elsewhere", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Expiration = &LifecycleExpirationInput{Date: sp("2030-01-01T00:00:00+02:00")}
		})}, LifecycleInvalidArgument, "'Date' must be at midnight GMT"},
		{"date not a date", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Expiration = &LifecycleExpirationInput{Date: sp("tomorrow")}
		})}, LifecycleMalformed, ""},
		{"noncurrent without days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.NoncurrentVersionExpiration = &NoncurrentVersionExpirationInput{NewerNoncurrentVersions: np(2)}
		})}, LifecycleMalformed, ""},
		{"noncurrent zero days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.NoncurrentVersionExpiration = &NoncurrentVersionExpirationInput{NoncurrentDays: np(0)}
		})}, LifecycleInvalidArgument, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"},
		{"newer zero", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.NoncurrentVersionExpiration = &NoncurrentVersionExpirationInput{NoncurrentDays: np(1), NewerNoncurrentVersions: np(0)}
		})}, LifecycleInvalidArgument, "'NewerNoncurrentVersions' must be a positive integer"},
		{"newer in v1", []LifecycleRuleInput{with(v1Rule("r", "a"), func(r *LifecycleRuleInput) {
			r.NoncurrentVersionExpiration = &NoncurrentVersionExpirationInput{NoncurrentDays: np(1), NewerNoncurrentVersions: np(3)}
		})}, LifecycleInvalidRequest, "NewerNoncurrentVersions element can only be used in Lifecycle V2."},
		{"abort without days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.AbortIncompleteMultipartUpload = &AbortIncompleteMultipartUploadInput{}
		})}, LifecycleMalformed, ""},
		{"abort zero days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.AbortIncompleteMultipartUpload = &AbortIncompleteMultipartUploadInput{DaysAfterInitiation: np(0)}
		})}, LifecycleInvalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"},
		{"marker with tags", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter, r.Expiration = tags, &LifecycleExpirationInput{ExpiredObjectDeleteMarker: sp("true")}
		})}, LifecycleInvalidRequest, "ExpiredObjectDeleteMarker cannot be specified with Tags."},
		{"marker with size", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter, r.Expiration = size, &LifecycleExpirationInput{ExpiredObjectDeleteMarker: sp("false")}
		})}, LifecycleInvalidRequest, "ExpiredObjectDeleteMarker cannot be specified with Object Size."},
		{"abort with tags", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter, r.AbortIncompleteMultipartUpload = tags, &AbortIncompleteMultipartUploadInput{DaysAfterInitiation: np(1)}
		})}, LifecycleInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Tags."},
		{"abort with size", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter, r.AbortIncompleteMultipartUpload = size, &AbortIncompleteMultipartUploadInput{DaysAfterInitiation: np(1)}
		})}, LifecycleInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Object Size."},
		{"duplicate tag keys", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{And: &LifecycleAndInput{Tags: []Tag{{"k", "1"}, {"k", "2"}}}, Members: 1}
		})}, LifecycleInvalidRequest, "Duplicate Tag Keys are not allowed."},
		{"empty tag key", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{Tag: &Tag{"", "v"}, Members: 1}
		})}, LifecycleMalformed, ""},
		{"size greater negative", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{ObjectSizeGreaterThan: np(-1), Members: 1}
		})}, LifecycleInvalidRequest, "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000."},
		{"size less zero", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{ObjectSizeLessThan: np(0), Members: 1}
		})}, LifecycleInvalidRequest, "'ObjectSizeLessThan' should be between 1 and 1099511627776000."},
		{"size less too big", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{ObjectSizeLessThan: np(MaxLifecycleObjSize + 1), Members: 1}
		})}, LifecycleInvalidRequest, "'ObjectSizeLessThan' should be between 1 and 1099511627776000."},
		{"size bounds reversed", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{And: &LifecycleAndInput{ObjectSizeGreaterThan: np(100), ObjectSizeLessThan: np(50)}, Members: 1}
		})}, LifecycleInvalidRequest, "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."},
		{"size bounds equal", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{And: &LifecycleAndInput{ObjectSizeGreaterThan: np(100), ObjectSizeLessThan: np(100)}, Members: 1}
		})}, LifecycleInvalidRequest, "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."},
		{"v1 overlapping prefixes", []LifecycleRuleInput{v1Rule("a", "logs/"), v1Rule("b", "img/"), v1Rule("c", "logs/2024/")}, LifecycleInvalidRequest,
			"Found overlapping prefixes 'logs/' and 'logs/2024/' for same action type 'Expiration'"},
		{"transition to IA too early", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Transitions = []LifecycleTransitionInput{{Days: np(29), StorageClass: sp("STANDARD_IA")}}
		})}, LifecycleInvalidArgument, "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
		{"noncurrent transition to IA too early", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.NoncurrentVersionTransitions = []LifecycleTransitionInput{{Days: np(1), StorageClass: sp("ONEZONE_IA")}}
		})}, LifecycleInvalidArgument, "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'"},
		{"expiration not after transition", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Expiration = &LifecycleExpirationInput{Days: np(60)}
			r.Transitions = []LifecycleTransitionInput{{Days: np(60), StorageClass: sp("GLACIER")}}
		})}, LifecycleInvalidArgument, "'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action for StorageClass 'GLACIER' for filter '(prefix=logs/)'"},
		{"noncurrent expiration not after transition", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.NoncurrentVersionExpiration = &NoncurrentVersionExpirationInput{NoncurrentDays: np(5)}
			r.NoncurrentVersionTransitions = []LifecycleTransitionInput{{Days: np(10), StorageClass: sp("DEEP_ARCHIVE")}}
		})}, LifecycleInvalidArgument, "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=logs/)' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass 'DEEP_ARCHIVE' for filter '(prefix=logs/)'"},
		{"out of IA within 30 days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Expiration = &LifecycleExpirationInput{Days: np(365)}
			r.Transitions = []LifecycleTransitionInput{{Days: np(30), StorageClass: sp("STANDARD_IA")}, {Days: np(59), StorageClass: sp("GLACIER")}}
		})}, LifecycleInvalidArgument, "'Days' in the Transition action for StorageClass 'GLACIER' for filter '(prefix=logs/)' must be 30 days more than filter '(prefix=logs/)' in the Transition action for StorageClass 'STANDARD_IA'"},
		{"transition bad class", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Transitions = []LifecycleTransitionInput{{Days: np(30), StorageClass: sp("COLD")}}
		})}, LifecycleMalformed, ""},
		{"transition date not midnight", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Expiration = nil
			r.Transitions = []LifecycleTransitionInput{{Date: sp("2030-01-01T01:00:00Z"), StorageClass: sp("GLACIER")}}
		})}, LifecycleInvalidArgument, "'Date' must be at midnight GMT"},
		{"transition mixed date and days", []LifecycleRuleInput{with(v2Rule("r"), func(r *LifecycleRuleInput) {
			r.Transitions = []LifecycleTransitionInput{{Date: sp("2030-01-01T00:00:00Z"), StorageClass: sp("GLACIER")}}
		})}, LifecycleInvalidRequest, "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckLifecycle(tc.rules)
			le, ok := err.(*LifecycleError)
			if !ok {
				t.Fatalf("got %v, want a LifecycleError", err)
			}
			if le.Kind != tc.kind || le.Message != tc.msg {
				t.Fatalf("got kind %d %q, want kind %d %q", le.Kind, le.Message, tc.kind, tc.msg)
			}
		})
	}
}

func TestCheckLifecycleAccepts(t *testing.T) {
	got, err := CheckLifecycle([]LifecycleRuleInput{
		v2Rule("given"),
		with(v2Rule(""), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{And: &LifecycleAndInput{Prefix: sp("p/"), Tags: []Tag{{"a", "1"}, {"b", "2"}}, ObjectSizeGreaterThan: np(0), ObjectSizeLessThan: np(10)}, Members: 1}
			r.Expiration = &LifecycleExpirationInput{Date: sp("2030-01-01T00:00:00.000Z")}
			r.NoncurrentVersionExpiration = &NoncurrentVersionExpirationInput{NoncurrentDays: np(3), NewerNoncurrentVersions: np(500)}
		}),
		with(v2Rule("marker"), func(r *LifecycleRuleInput) {
			r.Status = "Disabled"
			r.Filter = &LifecycleFilterInput{}
			r.Expiration = &LifecycleExpirationInput{ExpiredObjectDeleteMarker: sp("true")}
			r.AbortIncompleteMultipartUpload = &AbortIncompleteMultipartUploadInput{DaysAfterInitiation: np(7)}
		}),
		with(v2Rule("tag"), func(r *LifecycleRuleInput) {
			r.Filter = &LifecycleFilterInput{Tag: &Tag{"k", "v"}, Members: 1}
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ID != "given" || got[0].Filter.Form != LifecycleFilterSingle || got[0].Filter.Prefix != "logs/" || got[0].Expiration.Days != 1 {
		t.Errorf("rule 0: %+v", got[0])
	}
	id, err := base64.StdEncoding.DecodeString(got[1].ID)
	if err != nil || len(id) != 36 || strings.Count(string(id), "-") != 4 {
		t.Errorf("generated ID %q is not a base64 UUID", got[1].ID)
	}
	f := got[1].Filter
	if f.Form != LifecycleFilterAnd || f.Prefix != "p/" || len(f.Tags) != 2 || *f.ObjectSizeGreaterThan != 0 || *f.ObjectSizeLessThan != 10 {
		t.Errorf("rule 1 filter: %+v", f)
	}
	if got[1].Expiration.Date.Format("2006-01-02T15:04:05Z07:00") != "2030-01-01T00:00:00Z" {
		t.Errorf("rule 1 date: %v", got[1].Expiration.Date)
	}
	if n := got[1].NoncurrentVersionExpiration; n.NoncurrentDays != 3 || n.NewerNoncurrentVersions != 500 {
		t.Errorf("rule 1 noncurrent: %+v", n)
	}
	if r := got[2]; r.Status != LifecycleDisabled || r.Filter.Form != LifecycleFilterEmpty || !r.Expiration.ExpiredObjectDeleteMarker || r.AbortIncompleteMultipartUpload.DaysAfterInitiation != 7 {
		t.Errorf("rule 2: %+v", r)
	}
	if f := got[3].Filter; f.Form != LifecycleFilterSingle || len(f.Tags) != 1 || f.Tags[0] != (Tag{"k", "v"}) {
		t.Errorf("rule 3 filter: %+v", f)
	}

	v1, err := CheckLifecycle([]LifecycleRuleInput{v1Rule("a", "logs/"), v1Rule("b", "img/"),
		with(v1Rule("c", "logs/old/"), func(r *LifecycleRuleInput) {
			r.Expiration = nil
			r.NoncurrentVersionExpiration = &NoncurrentVersionExpirationInput{NoncurrentDays: np(2)}
		})})
	if err != nil {
		t.Fatal(err)
	}
	if v1[0].Filter.Form != LifecycleFilterV1 || v1[0].Filter.Prefix != "logs/" || v1[2].NoncurrentVersionExpiration.NoncurrentDays != 2 {
		t.Errorf("v1 rules: %+v", v1)
	}
}

func TestCheckTransitionMinSize(t *testing.T) {
	for _, v := range []string{"", "all_storage_classes_128K", "varies_by_storage_class"} {
		if got, err := CheckTransitionMinSize(v); err != nil || got != v {
			t.Errorf("%q: %q %v", v, got, err)
		}
	}
	_, err := CheckTransitionMinSize("all")
	if le, ok := err.(*LifecycleError); !ok || le.Kind != LifecycleInvalidRequest || le.Message != "Invalid TransitionDefaultMinimumObjectSize found: all" {
		t.Fatalf("got %v", err)
	}
}
