// Package space keeps the data directory's file system from filling up:
// it refuses new data below a free-space threshold and holds a reserve
// file that it gives back when the disk is nearly full, so that deletes,
// aborts and metadata commits (which need a little space themselves, for
// the SQLite WAL) can always run and free space.
//
// It knows nothing of S3 and must not import the stores or the API.
package space

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// ReserveName is the reserve file's name inside the data directory.
const ReserveName = "space.reserve"

// ErrLow is returned by Admit when free space is below the threshold.
var ErrLow = errors.New("space: free space is below the reserve")

// Usage is what a file system has.
type Usage struct {
	Free  uint64 // bytes available to the server
	Total uint64
}

// Statfs reports the usage of the file system holding dir.
func Statfs(dir string) (Usage, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Usage{}, err
	}
	return Usage{Free: st.Bavail * uint64(st.Bsize), Total: st.Blocks * uint64(st.Bsize)}, nil
}

// Threshold is a minimum of free space: Bytes, or Percent of the file
// system's size when Percent > 0. The zero Threshold admits everything.
type Threshold struct {
	Bytes   uint64
	Percent float64
}

// Of returns the threshold in bytes for a file system of total bytes.
func (t Threshold) Of(total uint64) uint64 {
	if t.Percent > 0 {
		return uint64(float64(total) * t.Percent / 100)
	}
	return t.Bytes
}

func (t Threshold) String() string {
	if t.Percent > 0 {
		return strconv.FormatFloat(t.Percent, 'f', -1, 64) + "%"
	}
	return FormatSize(t.Bytes)
}

// ParseThreshold reads "10%", "1GiB", "512MiB", "4096" or "0".
func ParseThreshold(s string) (Threshold, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || v >= 100 {
			return Threshold{}, fmt.Errorf("invalid percentage %q", s)
		}
		return Threshold{Percent: v}, nil
	}
	n, err := ParseSize(s)
	return Threshold{Bytes: n}, err
}

var units = []struct {
	suffix string
	mult   uint64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
	{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1},
}

// ParseSize reads a byte count with an optional unit: KiB, MiB, GiB, TiB
// (and K, M, G, T for the same), or KB, MB, GB, TB (powers of ten).
func ParseSize(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	mult := uint64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return uint64(v * float64(mult)), nil
}

// FormatSize writes n in the largest binary unit that divides it.
func FormatSize(n uint64) string {
	for _, u := range units[:4] {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatUint(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatUint(n, 10)
}

// Config configures a Guard.
type Config struct {
	// Dir is the data directory; the reserve file lives in it.
	Dir string
	// MinFree is the free space below which Admit refuses new data.
	MinFree Threshold
	// Reserve is the reserve file's size; 0 keeps none.
	Reserve int64
	// Statfs reports usage; nil means the real file system (tests inject).
	Statfs func(dir string) (Usage, error)
}

// Guard enforces the threshold and manages the reserve file.
type Guard struct {
	cfg  Config
	path string
	mu   sync.Mutex  // serializes reserve create/release
	busy atomic.Bool // a reserve is being created in the background
	held atomic.Bool // the reserve file exists at full size
}

// New returns a guard for cfg.Dir. It releases the reserve at once if the
// disk is already nearly full (so the stores can open and recover), and
// otherwise creates it if missing.
func New(cfg Config) *Guard {
	if cfg.Statfs == nil {
		cfg.Statfs = Statfs
	}
	g := &Guard{cfg: cfg, path: filepath.Join(cfg.Dir, ReserveName)}
	if fi, err := os.Stat(g.path); err == nil && fi.Size() >= cfg.Reserve && cfg.Reserve > 0 {
		g.held.Store(true)
	} else if err == nil && cfg.Reserve == 0 {
		os.Remove(g.path)
	}
	g.maintain(false /* async */)
	return g
}

// Held reports whether the reserve file is in place.
func (g *Guard) Held() bool { return g.held.Load() }

// Admit returns nil if there is room for new data, else an error wrapping
// ErrLow. It also releases or re-creates the reserve as free space moves.
func (g *Guard) Admit() error {
	if g.cfg.MinFree == (Threshold{}) && g.cfg.Reserve == 0 {
		return nil
	}
	u, err := g.cfg.Statfs(g.cfg.Dir)
	if err != nil {
		return nil // cannot tell: let the write find out
	}
	g.adjust(u, true /* async */)
	if min := g.cfg.MinFree.Of(u.Total); u.Free < min {
		return fmt.Errorf("%w: %s free, %s required", ErrLow, FormatSize(u.Free), FormatSize(min))
	}
	return nil
}

// Maintain releases the reserve when the disk is nearly full and re-creates
// it once space is back. The server calls it periodically.
func (g *Guard) Maintain() { g.maintain(true) }

func (g *Guard) maintain(async bool) {
	u, err := g.cfg.Statfs(g.cfg.Dir)
	if err != nil {
		return
	}
	g.adjust(u, async)
}

// adjust applies the reserve policy: release below the reserve's own size
// of free space; re-create with at least threshold + reserve free, so that
// creating it never pushes free space under the threshold.
func (g *Guard) adjust(u Usage, async bool) {
	size := uint64(g.cfg.Reserve)
	if size == 0 {
		return
	}
	if g.held.Load() {
		if u.Free < size {
			g.Release()
		}
		return
	}
	need := max(g.cfg.MinFree.Of(u.Total), size) + size
	if u.Free < need || !g.busy.CompareAndSwap(false, true) {
		return
	}
	if !async {
		g.create()
		return
	}
	go g.create()
}

// Release deletes the reserve file and reports whether there was one. The
// metadata store calls it when a commit fails for want of space, then
// retries the commit.
func (g *Guard) Release() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.held.Swap(false) {
		return false
	}
	return os.Remove(g.path) == nil
}

// create writes the reserve file, preallocated where the file system can.
func (g *Guard) create() {
	defer g.busy.Store(false)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held.Load() {
		return
	}
	if err := writeReserve(g.path, g.cfg.Reserve); err != nil {
		os.Remove(g.path)
		return
	}
	g.held.Store(true)
}

func writeReserve(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Fallocate(int(f.Fd()), 0, 0, size); err != nil {
		// No fallocate here: write zeros, which allocates just the same.
		if _, err := io.CopyN(f, zeros{}, size); err != nil {
			return err
		}
	}
	return f.Sync()
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
