package kms

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"talus/internal/meta/sqlite"
)

func TestMaterialIsStoredSealed(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := New(bytes.Repeat([]byte{1}, 32), s, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := l.CreateKey(ctx, "k", ""); err != nil {
		t.Fatal(err)
	}
	c, err := l.load(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := s.GetKMSKey(ctx, "k")
	if len(c.material) != 32 || bytes.Contains(rec.Sealed, c.material) {
		t.Fatalf("stored record holds the material in clear (%x in %x)", c.material, rec.Sealed)
	}
	// The key ID is bound in: a sealed record moved to another ID does not open.
	if _, err := l.openMaterial("other", rec.Sealed); err == nil {
		t.Fatal("sealed material opened under another key ID")
	}
	// The canonical context does not depend on map order and separates
	// keys from values.
	a := canonicalContext(nil, map[string]string{"a": "bc", "x": "y"})
	b := canonicalContext(nil, map[string]string{"x": "y", "a": "bc"})
	d := canonicalContext(nil, map[string]string{"ab": "c", "x": "y"})
	if !bytes.Equal(a, b) || bytes.Equal(a, d) {
		t.Fatalf("canonical context: %q %q %q", a, b, d)
	}
}
