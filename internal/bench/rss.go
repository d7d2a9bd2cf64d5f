package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// RSS is the resident memory of the server process, sampled from
// /proc/PID/status (Linux) every 50 ms during the run.
type RSS struct {
	PID     int    `json:"pid"`
	IdleKiB int64  `json:"idle_kib"` // before the run's first request
	PeakKiB int64  `json:"peak_kib"` // largest sample during the run (preparation included)
	EndKiB  int64  `json:"end_kib"`  // after the run (and cleanup)
	HWMKiB  int64  `json:"hwm_kib"`  // VmHWM: the process's peak since it started
	Samples int    `json:"samples"`
	Error   string `json:"error,omitempty"` // why sampling stopped early
}

type rssSampler struct {
	mu   sync.Mutex
	r    RSS
	done chan struct{}
	wg   sync.WaitGroup
}

// readStatus returns VmRSS and VmHWM of pid in KiB.
func readStatus(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	field := func(name string) int64 {
		i := bytes.Index(b, []byte("\n"+name+":"))
		if i < 0 {
			return -1
		}
		line := b[i+len(name)+2:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		f := bytes.Fields(line)
		if len(f) == 0 {
			return -1
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return -1
		}
		return v
	}
	rss, hwm = field("VmRSS"), field("VmHWM")
	if rss < 0 {
		return 0, 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return rss, hwm, nil
}

// startRSS takes the idle sample and starts sampling.
func startRSS(pid int, every time.Duration) (*rssSampler, error) {
	idle, hwm, err := readStatus(pid)
	if err != nil {
		return nil, fmt.Errorf("--server-pid %d: %w", pid, err)
	}
	s := &rssSampler{r: RSS{PID: pid, IdleKiB: idle, PeakKiB: idle, EndKiB: idle, HWMKiB: hwm, Samples: 1}, done: make(chan struct{})}
	s.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				if !s.sample() {
					return
				}
			}
		}
	})
	return s, nil
}

func (s *rssSampler) sample() bool {
	rss, hwm, err := readStatus(s.r.PID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.r.Error = err.Error()
		return false
	}
	s.r.Samples++
	s.r.PeakKiB = max(s.r.PeakKiB, rss)
	s.r.EndKiB = rss
	s.r.HWMKiB = max(s.r.HWMKiB, hwm)
	return true
}

// stop takes a last sample and returns the figures.
func (s *rssSampler) stop() *RSS {
	close(s.done)
	s.wg.Wait()
	if s.r.Error == "" {
		s.sample()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.r
	return &r
}
