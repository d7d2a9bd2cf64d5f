package metatest

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"talus/internal/meta"
)

// testListVersions checks ListVersions against a model: keys ascending,
// newest first within a key, delete markers included, paged by cursor.
func testListVersions(t *testing.T, s meta.Store) {
	mustBucket(t, s, "lv")
	setVersioning(t, s, "lv", meta.Enabled)
	rng := rand.New(rand.NewSource(7))
	keys := []string{"a", "a/b", "a/c", "b", "b/x/y", "c", "é", "z-z"}
	type ver struct {
		key, id string
		marker  bool
		seq     int64
	}
	var all []ver
	for i := 0; i < 120; i++ {
		k := keys[rng.Intn(len(keys))]
		if rng.Intn(4) == 0 {
			d, err := s.DeleteObject(ctx, "lv", k, "", meta.DeleteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ver{k, d.VersionID, true, int64(i)})
		} else {
			r := put(t, s, "lv", k, fmt.Sprint("e", i))
			all = append(all, ver{k, r.VersionID, false, int64(i)})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].key != all[j].key {
			return all[i].key < all[j].key
		}
		return all[i].seq > all[j].seq
	})
	for _, delim := range []string{"", "/"} {
		for _, prefix := range []string{"", "a", "b/"} {
			var want []string
			last := ""
			for _, v := range all {
				if !strings.HasPrefix(v.key, prefix) {
					continue
				}
				e := v.key + "@" + v.id
				if delim != "" {
					if i := strings.Index(v.key[len(prefix):], delim); i >= 0 {
						e = v.key[:len(prefix)+i+len(delim)] + "*"
					}
				}
				if e != last {
					want = append(want, e)
					last = e
				}
			}
			for _, max := range []int{1, 7, 1000} {
				var got []string
				var after meta.VersionCursor
				for page := 0; page < 500; page++ {
					r, err := meta.ListVersions(ctx, s, "lv", meta.VersionListOptions{Prefix: prefix, Delimiter: delim, After: after, MaxKeys: max})
					if err != nil {
						t.Fatal(err)
					}
					if len(r.Entries) > max {
						t.Fatalf("page of %d, max %d", len(r.Entries), max)
					}
					for _, e := range r.Entries {
						if e.Object != nil {
							got = append(got, e.Object.Key+"@"+e.Object.VersionID)
						} else {
							got = append(got, e.CommonPrefix+"*")
						}
					}
					if !r.Truncated {
						break
					}
					// Resume as a client would: from NextKeyMarker / NextVersionIdMarker.
					after = meta.VersionCursor{Key: r.NextKey}
					if r.NextVersionID != "" {
						o, err := s.GetObject(ctx, "lv", r.NextKey, r.NextVersionID)
						if err != nil {
							t.Fatal(err)
						}
						after.Seq = o.Seq
					}
				}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Fatalf("prefix=%q delim=%q max=%d\n got %v\nwant %v", prefix, delim, max, got, want)
				}
			}
		}
	}
	// Exactly one version per key is latest, and it is the newest.
	page, err := s.ScanVersions(ctx, "lv", "", meta.VersionCursor{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, v := range page {
		if v.IsLatest != !seen[v.Key] {
			t.Fatalf("version %s@%s IsLatest=%v", v.Key, v.VersionID, v.IsLatest)
		}
		seen[v.Key] = true
	}
}
