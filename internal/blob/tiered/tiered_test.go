package tiered

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talus/internal/blob"
	"talus/internal/blob/blobtest"
	"talus/internal/blob/localfs"
)

func open(t *testing.T, dir string) blob.Store {
	t.Helper()
	s, err := localfs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The default tier behaves as any blob store.
func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		dir := t.TempDir()
		s, err := New(open(t, filepath.Join(dir, "d")), map[string]blob.Store{"cold": open(t, filepath.Join(dir, "c"))})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestRouting(t *testing.T) {
	dir := t.TempDir()
	def, cold := open(t, filepath.Join(dir, "d")), open(t, filepath.Join(dir, "c"))
	s, err := New(def, map[string]blob.Store{"cold": cold})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, b := NewID(""), NewID("cold")
	if TierOf(a) != "" || TierOf(b) != "cold" {
		t.Fatalf("TierOf %q %q", TierOf(a), TierOf(b))
	}
	for _, id := range []string{a, b} {
		if _, err := s.Put(t.Context(), id, strings.NewReader(id)); err != nil {
			t.Fatal(err)
		}
	}
	// The tier's own store holds the bare ID; the default one does not.
	if rc, err := cold.Open(t.Context(), strings.TrimSuffix(b, ".cold"), 0, -1); err != nil {
		t.Fatalf("cold tier lacks the blob: %v", err)
	} else {
		rc.Close()
	}
	if rc, err := def.Open(t.Context(), strings.TrimSuffix(b, ".cold"), 0, -1); err == nil {
		rc.Close()
		t.Fatal("default tier holds the cold blob")
	}
	seen := map[string]bool{}
	if err := s.Walk(t.Context(), 0, func(id string, _ time.Time) error { seen[id] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || !seen[a] || !seen[b] {
		t.Fatalf("Walk saw %v", seen)
	}
	for _, bad := range []string{NewID("warm"), strings.Repeat("a", 32) + ".", "x.cold"} {
		if _, err := s.Put(t.Context(), bad, strings.NewReader("x")); err != blob.ErrInvalidID {
			t.Errorf("Put(%q) = %v", bad, err)
		}
	}
	if err := s.Delete(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(t.Context(), b, 0, -1); err != blob.ErrNotFound {
		t.Fatalf("Open after Delete = %v", err)
	}
	for _, n := range []string{"", "Cold", "1x", "a_b", strings.Repeat("a", 33)} {
		if ValidName(n) {
			t.Errorf("ValidName(%q)", n)
		}
	}
}

// BenchmarkOpen measures opening and reading a small blob through the
// tiered store, in the default tier and in another tier, against the
// bare localfs store: the routing is on every GET.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	def, err := localfs.Open(filepath.Join(dir, "d"))
	if err != nil {
		b.Fatal(err)
	}
	cold, err := localfs.Open(filepath.Join(dir, "c"))
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(def, map[string]blob.Store{"cold": cold})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	data := strings.Repeat("x", 4096)
	home, far := NewID(""), NewID("cold")
	for _, id := range []string{home, far} {
		if _, err := s.Put(b.Context(), id, strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		st   blob.Store
		id   string
	}{{"localfs", def, home}, {"tiered-default", s, home}, {"tiered-cold", s, far}} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 8192)
			for i := 0; i < b.N; i++ {
				rc, err := c.st.Open(b.Context(), c.id, 0, -1)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := rc.Read(buf); err != nil {
						break
					}
				}
				rc.Close()
			}
		})
	}
}
