//go:build unix

package localfs

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"talus/internal/blob"
)

func TestMap(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), 3000) // crosses pages
	id := blob.NewID()
	if _, err := s.Put(ctx, id, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	var m blob.Mapper = s
	for _, r := range [][2]int64{{0, -1}, {0, int64(len(data))}, {5000, 10000}, {4096, 1}, {int64(len(data)) - 3, 100}, {int64(len(data)), 10}} {
		b, unmap, err := m.Map(ctx, id, r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		end := int64(len(data))
		if r[1] >= 0 {
			end = min(end, r[0]+r[1])
		}
		if !bytes.Equal(b, data[r[0]:end]) {
			t.Fatalf("range %v: %d bytes", r, len(b))
		}
		if err := unmap(); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := m.Map(ctx, blob.NewID(), 0, -1); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, _, err := m.Map(ctx, "../x", 0, -1); !errors.Is(err, blob.ErrInvalidID) {
		t.Fatalf("bad id: %v", err)
	}
}
