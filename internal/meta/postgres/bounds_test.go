package postgres

import (
	"context"
	"fmt"
	"testing"
	"unicode/utf8"

	"talus/internal/meta"
)

func TestCeilText(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"a\x00", "a\x01", true},         // key + NUL: the next key after "a"
		{"a\x00b", "a\x01", true},        // NUL inside
		{"\xc3", "\xc3\x80", true},       // truncated é: every \xc3 character stays above
		{"\xc3\x28", "\xc3\x80", true},   // bad continuation below the range
		{"\xc4\xc0", "\xc5\x80", true},   // bad continuation above the range: next lead
		{"a\x80", "a\u0080", true},       // stray continuation byte
		{"\xed\xa0\x80", "\ue000", true}, // an encoded surrogate: the first character after them
		{"a\xf4\x90", "b", true},         // above U+10FFFF after "a": the next prefix
		{"\xff", "", false},              // above every string
		{"z\xf5", "{", true},             // invalid lead after "z"
		{"\xf4\x8f\xbf\xbf\x00", "\U0010FFFF\x01", true},
	} {
		got, ok := ceilText(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ceilText(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok && (!utf8.ValidString(got) || got < tc.in) {
			t.Errorf("ceilText(%q) = %q: not storable or below", tc.in, got)
		}
	}
}

// TestUnstorableBounds: listings whose bounds are no valid text (a
// truncated multi-byte prefix, a marker with invalid bytes) answer as the
// byte order says instead of failing.
func TestUnstorableBounds(t *testing.T) {
	s := openStore(t, freshDSN(t))
	defer s.Close()
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"d", "é1", "é2", "ê", "z"} {
		if _, err := s.PutObject(ctx, &meta.Object{Bucket: "b", Key: k, ETag: `"e"`}, meta.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUpload(ctx, meta.Upload{Bucket: "b", Key: k, UploadID: "u-" + k}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := meta.ListObjects(ctx, s, "b", meta.ListOptions{Prefix: "\xc3", MaxKeys: 100})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range res.Entries {
		keys = append(keys, e.Object.Key)
	}
	if fmt.Sprint(keys) != "[é1 é2 ê]" {
		t.Fatalf("prefix \\xc3 listed %q", keys)
	}
	res, err = meta.ListObjects(ctx, s, "b", meta.ListOptions{After: "\xc3\xa9\xff", MaxKeys: 100})
	if err != nil || len(res.Entries) != 1 || res.Entries[0].Object.Key != "ê" { // "z" sorts before "é"
		t.Fatalf("after an invalid marker: %+v, %v", res.Entries, err)
	}
	ups, err := s.ListUploads(ctx, "b", meta.UploadListOptions{KeyMarker: "\xc3\xa9\xff", UploadIDMarker: "\xff", Limit: 100})
	if err != nil || len(ups) != 1 || ups[0].Key != "ê" {
		t.Fatalf("uploads after an invalid marker: %+v, %v", ups, err)
	}
	if bs, err := s.ListBuckets(ctx, "", "", "\xff", 10); err != nil || len(bs) != 0 {
		t.Fatalf("buckets after \\xff: %+v, %v", bs, err)
	}
}
