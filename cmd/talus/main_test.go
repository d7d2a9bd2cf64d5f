package main

import (
	"os"
	"path/filepath"
	"testing"

	"talus/internal/iam"
)

func TestRootCredentialsGeneratedOnceAndPrivate(t *testing.T) {
	t.Setenv("TALUS_ROOT_ACCESS_KEY", "")
	t.Setenv("TALUS_ROOT_SECRET_KEY", "")
	dir := t.TempDir()
	ak, sk, err := rootCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ak) != 20 || len(sk) != 40 {
		t.Fatalf("generated %q / %d-char secret", ak, len(sk))
	}
	fi, err := os.Stat(filepath.Join(dir, "root-credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode %v, want 0600", fi.Mode().Perm())
	}
	ak2, sk2, err := rootCredentials(dir)
	if err != nil || ak2 != ak || sk2 != sk {
		t.Fatalf("second start gave different credentials: %v", err)
	}
}

func TestRootCredentialsFromEnvironment(t *testing.T) {
	t.Setenv("TALUS_ROOT_ACCESS_KEY", "myaccess")
	t.Setenv("TALUS_ROOT_SECRET_KEY", "mysecretkey")
	ak, sk, err := rootCredentials(t.TempDir())
	if err != nil || ak != "myaccess" || sk != "mysecretkey" {
		t.Fatalf("got %q %q %v", ak, sk, err)
	}
	t.Setenv("TALUS_ROOT_SECRET_KEY", "")
	if _, _, err := rootCredentials(t.TempDir()); err == nil {
		t.Fatal("half-set credentials accepted")
	}
}

func TestRandomStringUsesAlphabet(t *testing.T) {
	s := iam.RandomString(1000, "ab")
	for _, c := range s {
		if c != 'a' && c != 'b' {
			t.Fatalf("character %q outside the alphabet", c)
		}
	}
	if len(s) != 1000 {
		t.Fatalf("length %d", len(s))
	}
}
