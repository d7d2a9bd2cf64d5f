package serverlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Entry is a formatted record and where it goes.
type Entry struct {
	Target        string    `json:"t"`
	Prefix        string    `json:"p,omitempty"`
	Partitioned   bool      `json:"pp,omitempty"`
	EventDate     bool      `json:"ev,omitempty"` // partition by EventTime
	SourceBucket  string    `json:"sb"`
	SourceAccount string    `json:"sa"`
	SourceRegion  string    `json:"sr"`
	Time          time.Time `json:"tm"`
	Line          string    `json:"l"`
}

const (
	currentName = "current.log"
	readyPrefix = "ready-"
	// rotateSize starts a new spool file before one grows past it, which
	// bounds what one delivery holds in memory.
	rotateSize = 8 << 20
)

// Sink spools entries durably until delivery. Add appends to a buffered
// file; a flusher writes and fsyncs it every FlushInterval, off the
// request path. What "acknowledged" means for a record: records of
// requests answered before a clean shutdown (Close) are never lost; on a
// crash (kill -9) at most the records of the last FlushInterval are.
type Sink struct {
	dir  string
	log  *slog.Logger
	now  func() time.Time
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	size int64
	// spooled counts the records in the current file.
	spooled int64
	dirty   bool
	seq     int
	stop    chan struct{}
	done    chan struct{}
}

// FlushInterval is how often spooled records are made durable.
const FlushInterval = 200 * time.Millisecond

// Open opens (creating) the spool directory. A current file left by a
// crash becomes ready for delivery.
func Open(dir string, log *slog.Logger) (*Sink, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	s := &Sink{dir: dir, log: log, now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.rotateLocked(); err != nil {
		return nil, err
	}
	go s.flusher()
	return s, nil
}

// Add spools one entry. Errors are logged: access logging is best
// effort, as in S3, and never fails the request it describes.
func (s *Sink) Add(e Entry) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	b = append(b, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return
	}
	if _, err := s.w.Write(b); err != nil {
		s.log.Warn("access log spool write failed", "err", err)
		return
	}
	s.size += int64(len(b))
	s.spooled++
	s.dirty = true
	if s.size >= rotateSize {
		if err := s.rotateLocked(); err != nil {
			s.log.Warn("access log spool rotate failed", "err", err)
		}
	}
}

func (s *Sink) flusher() {
	defer close(s.done)
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			if err := s.syncLocked(); err != nil {
				s.log.Warn("access log spool sync failed", "err", err)
			}
			s.mu.Unlock()
		}
	}
}

func (s *Sink) syncLocked() error {
	if s.w == nil || !s.dirty {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	s.dirty = false
	return s.f.Sync()
}

// rotateLocked makes the current file ready for delivery and opens a new one.
func (s *Sink) rotateLocked() error {
	if s.f != nil {
		if err := s.syncLocked(); err != nil {
			return err
		}
		if err := s.f.Close(); err != nil {
			return err
		}
		s.f, s.w = nil, nil
	}
	cur := filepath.Join(s.dir, currentName)
	if st, err := os.Stat(cur); err == nil {
		if st.Size() > 0 {
			s.seq++
			ready := filepath.Join(s.dir, fmt.Sprintf("%s%020d-%04d.log", readyPrefix, s.now().UTC().UnixNano(), s.seq%10000))
			if err := os.Rename(cur, ready); err != nil {
				return err
			}
			if err := syncDir(s.dir); err != nil {
				return err
			}
		}
	}
	f, err := os.OpenFile(cur, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.f, s.w, s.size, s.spooled, s.dirty = f, bufio.NewWriterSize(f, 64<<10), 0, 0, false
	return nil
}

// Backlog counts the records waiting for delivery: those in the current
// file and the lines of the files ready for delivery (none once a
// delivery succeeded; those a failed one left, or a crash).
func (s *Sink) Backlog() (int64, error) {
	s.mu.Lock()
	n := s.spooled
	s.mu.Unlock()
	files, err := s.ready()
	if err != nil {
		return n, err
	}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil {
			return n, err
		}
		n += int64(bytes.Count(data, []byte{'\n'}))
	}
	return n, nil
}

// Rotate makes what was spooled so far ready for delivery.
func (s *Sink) Rotate() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.size == 0 {
		return nil
	}
	return s.rotateLocked()
}

// ready lists the spool files waiting for delivery, oldest first.
func (s *Sink) ready() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), readyPrefix) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Close flushes and fsyncs the spool and stops the flusher.
func (s *Sink) Close() error {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.syncLocked()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f, s.w = nil, nil
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
