package s3

import (
	"strings"
	"testing"
)

func TestCheckTags(t *testing.T) {
	many := func(n int) []Tag {
		var ts []Tag
		for i := 0; i < n; i++ {
			ts = append(ts, Tag{Key: "k" + strings.Repeat("x", i), Value: "v"})
		}
		return ts
	}
	tests := []struct {
		name string
		tags []Tag
		max  int
		ok   bool
	}{
		{"empty set", nil, MaxObjectTags, true},
		{"plain", []Tag{{"project", "blue"}, {"a b", "c:d/e=f+g-h@i_j.k"}}, MaxObjectTags, true},
		{"unicode", []Tag{{"ключ", "値"}}, MaxObjectTags, true},
		{"empty value", []Tag{{"k", ""}}, MaxObjectTags, true},
		{"ten", many(10), MaxObjectTags, true},
		{"eleven", many(11), MaxObjectTags, false},
		{"fifty bucket tags", many(50), MaxBucketTags, true},
		{"fifty-one bucket tags", many(51), MaxBucketTags, false},
		{"empty key", []Tag{{"", "v"}}, MaxObjectTags, false},
		{"key 128", []Tag{{strings.Repeat("k", 128), "v"}}, MaxObjectTags, true},
		{"key 129", []Tag{{strings.Repeat("k", 129), "v"}}, MaxObjectTags, false},
		{"key 65 astral chars is 130 units", []Tag{{strings.Repeat("😀", 65), "v"}}, MaxObjectTags, false},
		{"value 256", []Tag{{"k", strings.Repeat("v", 256)}}, MaxObjectTags, true},
		{"value 257", []Tag{{"k", strings.Repeat("v", 257)}}, MaxObjectTags, false},
		{"aws prefix", []Tag{{"aws:created", "v"}}, MaxObjectTags, false},
		{"AWS prefix", []Tag{{"AWS:x", "v"}}, MaxObjectTags, false},
		{"duplicate", []Tag{{"k", "1"}, {"k", "2"}}, MaxObjectTags, false},
		{"bad key char", []Tag{{"k*", "v"}}, MaxObjectTags, false},
		{"bad value char", []Tag{{"k", "v?"}}, MaxObjectTags, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := CheckTags(tc.tags, tc.max)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !IsTagError(err) {
				t.Fatalf("error %v is not a TagError", err)
			}
			if err == nil && len(m) != len(tc.tags) {
				t.Fatalf("map has %d tags, want %d", len(m), len(tc.tags))
			}
		})
	}
}

func TestParseTaggingHeader(t *testing.T) {
	tags, err := ParseTaggingHeader("a=1&b%20c=d%2Be&empty=")
	if err != nil {
		t.Fatal(err)
	}
	want := []Tag{{"a", "1"}, {"b c", "d+e"}, {"empty", ""}}
	if len(tags) != len(want) {
		t.Fatalf("got %+v", tags)
	}
	for i := range want {
		if tags[i] != want[i] {
			t.Fatalf("tag %d = %+v, want %+v", i, tags[i], want[i])
		}
	}
	if _, err := ParseTaggingHeader("a=%zz"); err == nil {
		t.Fatal("bad escape accepted")
	}
	if got := EncodeTags(map[string]string{"b": "2", "a c": "1"}); got != "a+c=1&b=2" {
		t.Fatalf("EncodeTags = %q", got)
	}
}
