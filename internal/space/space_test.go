package space

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Threshold
		bad  bool
	}{
		{in: "0", want: Threshold{}},
		{in: "4096", want: Threshold{Bytes: 4096}},
		{in: "1GiB", want: Threshold{Bytes: 1 << 30}},
		{in: "1G", want: Threshold{Bytes: 1 << 30}},
		{in: "1.5 MiB", want: Threshold{Bytes: 3 << 19}},
		{in: "2GB", want: Threshold{Bytes: 2e9}},
		{in: "5%", want: Threshold{Percent: 5}},
		{in: "0.5%", want: Threshold{Percent: 0.5}},
		{in: "100%", bad: true},
		{in: "-1", bad: true},
		{in: "lots", bad: true},
		{in: "", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseThreshold(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseThreshold(%q) = %v, want error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseThreshold(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	if s := (Threshold{Bytes: 1 << 30}).String(); s != "1GiB" {
		t.Errorf("String = %q", s)
	}
	if n := (Threshold{Percent: 10}).Of(1000); n != 100 {
		t.Errorf("10%% of 1000 = %d", n)
	}
}

// TestGuard drives the reserve policy with an injected statfs.
func TestGuard(t *testing.T) {
	dir := t.TempDir()
	var free atomic.Uint64
	free.Store(100 << 20)
	g := New(Config{Dir: dir, MinFree: Threshold{Bytes: 10 << 20}, Reserve: 4 << 20,
		Statfs: func(string) (Usage, error) { return Usage{Free: free.Load(), Total: 200 << 20}, nil }})
	path := filepath.Join(dir, ReserveName)
	if fi, err := os.Stat(path); err != nil || fi.Size() != 4<<20 || !g.Held() {
		t.Fatalf("reserve after New: %v %v held=%v", fi, err, g.Held())
	}
	if err := g.Admit(); err != nil {
		t.Fatalf("Admit with room: %v", err)
	}
	free.Store(9 << 20) // under the threshold, over the reserve's size
	if err := g.Admit(); !errors.Is(err, ErrLow) {
		t.Fatalf("Admit below threshold = %v, want ErrLow", err)
	}
	if !g.Held() {
		t.Fatal("reserve released while free space still exceeds it")
	}
	free.Store(1 << 20) // nearly full: the reserve goes
	g.Maintain()
	if _, err := os.Stat(path); !os.IsNotExist(err) || g.Held() {
		t.Fatalf("reserve not released when nearly full: %v", err)
	}
	if g.Release() {
		t.Fatal("second Release reported a release")
	}
	free.Store(12 << 20) // above the threshold but not threshold+reserve: no re-create yet
	if err := g.Admit(); err != nil {
		t.Fatalf("Admit above threshold: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if g.Held() {
		t.Fatal("reserve re-created before threshold+reserve was free")
	}
	free.Store(50 << 20)
	g.Maintain()
	deadline := time.Now().Add(5 * time.Second)
	for !g.Held() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 4<<20 {
		t.Fatalf("reserve not re-created: %v %v", fi, err)
	}
	// A restart on a nearly full disk releases the reserve before anything opens.
	free.Store(1 << 20)
	g2 := New(Config{Dir: dir, MinFree: Threshold{Bytes: 10 << 20}, Reserve: 4 << 20,
		Statfs: func(string) (Usage, error) { return Usage{Free: free.Load(), Total: 200 << 20}, nil }})
	if _, err := os.Stat(path); !os.IsNotExist(err) || g2.Held() {
		t.Fatalf("reserve kept at start on a full disk: %v", err)
	}
}

func TestStatfs(t *testing.T) {
	u, err := Statfs(t.TempDir())
	if err != nil || u.Total == 0 || u.Free > u.Total {
		t.Fatalf("Statfs = %+v, %v", u, err)
	}
}
