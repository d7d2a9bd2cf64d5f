package s3api

import (
	"testing"

	"talus/internal/meta"
)

func TestTorrentRefusal(t *testing.T) {
	for _, c := range []struct {
		name       string
		versioning string
		o          meta.Object
		refused    bool
	}{
		{"plain", meta.Unversioned, meta.Object{Size: 10}, false},
		{"SSE-S3", meta.Unversioned, meta.Object{Attrs: meta.Attrs{Enc: &meta.Encryption{Algorithm: "AES256"}}}, false},
		{"just under 5 GiB", meta.Unversioned, meta.Object{Size: 5<<30 - 1}, false},
		{"5 GiB", meta.Unversioned, meta.Object{Size: 5 << 30}, true},
		{"SSE-KMS", meta.Unversioned, meta.Object{Attrs: meta.Attrs{Enc: &meta.Encryption{Algorithm: "aws:kms"}}}, true},
		{"DSSE-KMS", meta.Unversioned, meta.Object{Attrs: meta.Attrs{Enc: &meta.Encryption{Algorithm: "aws:kms:dsse"}}}, true},
		{"SSE-C", meta.Unversioned, meta.Object{Attrs: meta.Attrs{Enc: &meta.Encryption{CustomerKeyMD5: "x"}}}, true},
		{"versioned", meta.Enabled, meta.Object{}, true},
		{"suspended", meta.Suspended, meta.Object{}, true},
	} {
		if err := torrentRefusal(c.versioning, &c.o); (err != nil) != c.refused {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestTorrentCacheBounded(t *testing.T) {
	c := newTorrentCache(10)
	c.put("a", []byte("1234"))
	c.put("b", []byte("5678"))
	c.put("c", []byte("90ab"))
	if _, ok := c.get("a"); ok {
		t.Fatal("oldest entry kept past the bound")
	}
	if v, ok := c.get("c"); !ok || string(v) != "90ab" {
		t.Fatal("newest entry missing")
	}
	c.put("huge", make([]byte, 11))
	if _, ok := c.get("huge"); ok || c.size > 10 {
		t.Fatalf("over-bound entry cached, size %d", c.size)
	}
}

func TestTorrentName(t *testing.T) {
	for k, want := range map[string]string{"a": "a", "d/f.bin": "f.bin", "d/e/": "e", "/": "object"} {
		if got := torrentName(k); got != want {
			t.Errorf("torrentName(%q) = %q, want %q", k, got, want)
		}
	}
}
