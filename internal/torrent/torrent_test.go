package torrent

import (
	"bytes"
	"crypto/sha1"
	"strings"
	"testing"
)

// The examples of BEP 3.
func TestEncodeBEP3(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{"spam", "4:spam"},
		{"", "0:"},
		{3, "i3e"},
		{int64(-3), "i-3e"},
		{0, "i0e"},
		{[]any{"spam", "eggs"}, "l4:spam4:eggse"},
		{Dict{"cow": "moo", "spam": "eggs"}, "d3:cow3:moo4:spam4:eggse"},
		{Dict{"spam": []any{"a", "b"}}, "d4:spaml1:a1:bee"},
	} {
		got, err := Encode(c.v)
		if err != nil || string(got) != c.want {
			t.Errorf("Encode(%v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
	if _, err := Encode(1.5); err == nil {
		t.Error("a float encoded")
	}
}

func TestInfoPieces(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), (PieceLength*2+100)/16+1)[:PieceLength*2+100]
	info, err := Info(bytes.NewReader(data), "f.bin")
	if err != nil {
		t.Fatal(err)
	}
	var pieces []byte
	for off := 0; off < len(data); off += PieceLength {
		s := sha1.Sum(data[off:min(off+PieceLength, len(data))])
		pieces = append(pieces, s[:]...)
	}
	want, _ := Encode(Dict{"length": len(data), "name": "f.bin", "piece length": PieceLength, "pieces": pieces})
	if !bytes.Equal(info, want) {
		t.Fatalf("info = %q", info[:60])
	}
	if !strings.HasPrefix(string(info), "d6:lengthi524388e4:name5:f.bin12:piece lengthi262144e6:pieces60:") {
		t.Fatalf("info = %q", info[:70])
	}
	empty, _ := Info(bytes.NewReader(nil), "e")
	if string(empty) != "d6:lengthi0e4:name1:e12:piece lengthi262144e6:pieces0:e" {
		t.Fatalf("empty info = %q", empty)
	}
}

func TestFileSplicesInfo(t *testing.T) {
	info, _ := Info(strings.NewReader("hello"), "h")
	f := File(info, "http://h.test/b/h")
	want, _ := Encode(Dict{"url-list": []any{"http://h.test/b/h"}, "info": rawDict(t, "hello")})
	if !bytes.Equal(f, want) {
		t.Fatalf("File = %q\nwant %q", f, want)
	}
}

func rawDict(t *testing.T, s string) Dict {
	t.Helper()
	sum := sha1.Sum([]byte(s))
	return Dict{"length": len(s), "name": "h", "piece length": PieceLength, "pieces": sum[:]}
}
