package s3

import (
	"crypto/md5"
	"encoding/hex"
	"testing"
)

func TestETagFromMD5(t *testing.T) {
	sum := md5.Sum([]byte("hello world"))
	if got, want := ETagFromMD5(sum[:]), `"5eb63bbbe01eeed093cb22bb8f5acdc3"`; got != want {
		t.Errorf("ETagFromMD5 = %s, want %s", got, want)
	}
	empty := md5.Sum(nil)
	if got, want := ETagFromMD5(empty[:]), `"d41d8cd98f00b204e9800998ecf8427e"`; got != want {
		t.Errorf("ETagFromMD5(empty) = %s, want %s", got, want)
	}
}

func TestMultipartETag(t *testing.T) {
	p1 := md5.Sum([]byte("part one"))
	p2 := md5.Sum([]byte("part two"))
	concat := append(p1[:], p2[:]...)
	whole := md5.Sum(concat)
	want := `"` + hex.EncodeToString(whole[:]) + `-2"`
	if got := MultipartETag([][]byte{p1[:], p2[:]}); got != want {
		t.Errorf("MultipartETag = %s, want %s", got, want)
	}

	// Fixed vectors, computed independently.
	if want := `"0732917abc3288784e318ac0aab1757a-2"`; want != MultipartETag([][]byte{p1[:], p2[:]}) {
		t.Errorf("MultipartETag two parts != %s", want)
	}
	hw := md5.Sum([]byte("hello world"))
	if got, want := MultipartETag([][]byte{hw[:]}), `"241d8a27c836427bd7f04461b60e7359-1"`; got != want {
		t.Errorf("MultipartETag single part = %s, want %s", got, want)
	}
}
