package serverlog

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type fakeDeliverer struct {
	got  map[string]string
	fail error
}

func (f *fakeDeliverer) DeliverLog(_ context.Context, d Delivery) error {
	if f.fail != nil {
		return f.fail
	}
	f.got[d.Bucket+"/"+d.Key] = string(d.Data)
	return nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestSpoolSurvivesReopen: entries spooled before Close are delivered by
// the next Sink on the same directory, one object per source bucket; a
// failed delivery keeps them, and delivering the same file again writes
// the same keys.
func TestSpoolSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i, src := range []string{"a", "b", "a"} {
		s.Add(Entry{Target: "logs", Prefix: "p/", SourceBucket: src, SourceAccount: "111122223333", SourceRegion: "us-east-1", Time: at, Line: src + string(rune('0'+i))})
	}
	backlog := func(s *Sink, want int64) {
		t.Helper()
		if n, err := s.Backlog(); err != nil || n != want {
			t.Fatalf("Backlog = %d, %v; want %d", n, err, want)
		}
	}
	backlog(s, 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	boom := &fakeDeliverer{got: map[string]string{}, fail: errors.New("disk full")}
	if _, err := s2.Deliver(context.Background(), boom); err == nil {
		t.Fatal("failed delivery reported no error")
	}
	files, _ := filepath.Glob(filepath.Join(dir, readyPrefix+"*"))
	if len(files) != 1 {
		t.Fatalf("ready files after a failed delivery: %v", files)
	}
	backlog(s2, 3) // the failed delivery's records still wait
	f := &fakeDeliverer{got: map[string]string{}}
	n, err := s2.Deliver(context.Background(), f)
	if err != nil || n != 3 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	if len(f.got) != 2 {
		t.Fatalf("objects %v, want one per source bucket", f.got)
	}
	for k, v := range f.got {
		if !strings.HasPrefix(k, "logs/p/") {
			t.Errorf("key %s", k)
		}
		if v != "a0\na2\n" && v != "b1\n" {
			t.Errorf("object %s = %q", k, v)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, readyPrefix+"*")); len(files) != 0 {
		t.Fatalf("ready files left: %v", files)
	}
	backlog(s2, 0)
	s2.Add(Entry{Target: "logs", SourceBucket: "a", Time: at, Line: "later"})
	backlog(s2, 1)
}

// TestSpoolCrash: a current file left without Close (a crash) is
// delivered after the restart, a torn last line skipped.
func TestSpoolCrash(t *testing.T) {
	dir := t.TempDir()
	line := `{"t":"logs","sb":"a","sa":"1","sr":"r","tm":"2026-01-02T03:04:05Z","l":"x"}` + "\n" + `{"t":"lo`
	if err := os.WriteFile(filepath.Join(dir, currentName), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := &fakeDeliverer{got: map[string]string{}}
	if n, err := s.Deliver(context.Background(), f); err != nil || n != 1 {
		t.Fatalf("delivered %d, %v", n, err)
	}
}

// TestObjectKey: both of S3's key formats.
func TestObjectKey(t *testing.T) {
	at := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	ev := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	e := Entry{Prefix: "logs/", SourceAccount: "111122223333", SourceRegion: "us-east-1", SourceBucket: "src", Time: ev}
	if got := ObjectKey(e, at, "ABC"); got != "logs/2026-12-02-03-04-05-ABC" {
		t.Errorf("simple: %s", got)
	}
	e.Partitioned = true
	if got := ObjectKey(e, at, "ABC"); got != "logs/111122223333/us-east-1/src/2026/12/02/2026-12-02-03-04-05-ABC" {
		t.Errorf("delivery time: %s", got)
	}
	e.EventDate = true
	if got := ObjectKey(e, at, "ABC"); got != "logs/111122223333/us-east-1/src/2026/11/30/2026-12-02-03-04-05-ABC" {
		t.Errorf("event time: %s", got)
	}
}
