package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"talus/internal/meta"
	"talus/internal/meta/metatest"
)

func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) meta.Store {
		s, err := Open(filepath.Join(t.TempDir(), "meta.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceReopen(t *testing.T) {
	metatest.RunReopen(t, func(t *testing.T) func() meta.Store {
		path := filepath.Join(t.TempDir(), "meta.db")
		return func() meta.Store {
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "root"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutObject(ctx, &meta.Object{Bucket: "b", Key: "k", ETag: "e", Inline: []byte("hi")}, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.GetObject(ctx, "b", "k", "")
	if err != nil || string(o.Inline) != "hi" {
		t.Fatalf("after reopen: %+v, %v", o, err)
	}
}
