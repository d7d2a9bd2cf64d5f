package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"talus/internal/blob"
	"talus/internal/fsutil"
)

const (
	tmpName  = "tmp"
	filePerm = 0o600 // blobs are user data; the server is their only reader
	dirPerm  = 0o700
	bufSize  = 1 << 20
	// maxEmptyReads bounds how often a reader may return (0, nil) in a row.
	maxEmptyReads = 100
)

// Switches for benchmarks that show what each fast path buys.
var (
	pipelineWrites = true // overlap reading+hashing with writing (copyPipelined)
	directWrites   = true // write whole buffers with O_DIRECT (tempBlob)
)

// ErrClosed is returned by operations on a closed Store.
var ErrClosed = errors.New("localfs: store closed")

// bufPool holds Put's copy buffers so uploads do not allocate 1 MiB each.
// They are aligned for O_DIRECT.
var bufPool = sync.Pool{New: func() any {
	b := alignedBuf(bufSize)
	return &b
}}

// Store is a blob.Store backed by a directory.
type Store struct {
	root   string
	tmp    string
	closed atomic.Bool
	// synced records fan-out dirs ("abcd") already created and fsynced by
	// this process, so only the first Put into each pays for it.
	synced sync.Map
}

var _ blob.Store = (*Store)(nil)

// Open opens the store rooted at dir, creating dir and dir/tmp if needed.
func Open(dir string) (*Store, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	_, statErr := os.Stat(root)
	tmp := filepath.Join(root, tmpName)
	if err := os.MkdirAll(tmp, dirPerm); err != nil {
		return nil, fmt.Errorf("localfs: %w", err)
	}
	// Make tmp's entry durable, and root's if we just created it.
	if err := fsutil.SyncDir(root); err != nil {
		return nil, err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := fsutil.SyncDir(filepath.Dir(root)); err != nil {
			return nil, err
		}
	}
	return &Store{root: root, tmp: tmp}, nil
}

func (s *Store) path(id string) string {
	return filepath.Join(s.root, id[:2], id[2:4], id)
}

// Put implements blob.Store.
func (s *Store) Put(ctx context.Context, id string, r io.Reader) (int64, error) {
	if !blob.ValidID(id) {
		return 0, blob.ErrInvalidID
	}
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	tf, err := createTemp(s.tmp, id+".")
	if err != nil {
		return 0, err
	}
	defer tf.Abort() // no-op after Commit; otherwise nothing becomes visible
	n, err := copyBuffered(ctx, tf, r)
	if err != nil {
		return 0, err
	}
	if err := s.ensureDir(id); err != nil {
		return 0, err
	}
	// Last chance to honour cancellation before the blob becomes visible.
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := tf.Commit(s.path(id)); err != nil {
		return 0, err
	}
	return n, nil
}

// ensureDir creates the blob's fan-out directories and fsyncs their parents
// so that the directory entries survive a crash along with the blob. Done
// once per directory per process: after a restart the first Put re-syncs,
// which also covers a crash between a past mkdir and its fsync.
func (s *Store) ensureDir(id string) error {
	key := id[:4]
	if _, ok := s.synced.Load(key); ok {
		return nil
	}
	top := filepath.Join(s.root, id[:2])
	if err := os.MkdirAll(filepath.Join(top, id[2:4]), dirPerm); err != nil {
		return err
	}
	if err := fsutil.SyncDir(top); err != nil {
		return err
	}
	if err := fsutil.SyncDir(s.root); err != nil {
		return err
	}
	s.synced.Store(key, struct{}{})
	return nil
}

// copyBuffered copies r to w in chunks of up to bufSize, checking ctx
// before every Read. On a read error nothing more is written.
//
// A body that fits one buffer is read and written in turn. A larger one is
// pipelined over two buffers: this goroutine reads (and, through r, hashes)
// the next buffer while another writes the previous one, so a PUT uses up
// to two cores.
func copyBuffered(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	var total int64
	for {
		n, err := fill(ctx, r, *bp)
		if err == nil && pipelineWrites {
			// A full buffer with more to come: pipeline the rest.
			m, err := copyPipelined(ctx, w, r, bp, n)
			return total + m, err
		}
		if err != nil && err != io.EOF {
			bufPool.Put(bp)
			return total, err
		}
		if n > 0 {
			if _, werr := w.Write((*bp)[:n]); werr != nil {
				bufPool.Put(bp)
				return total, werr
			}
			total += int64(n)
		}
		if err == io.EOF {
			bufPool.Put(bp)
			return total, nil
		}
	}
}

// chunk is a filled buffer on its way to the writer.
type chunk struct {
	bp *[]byte
	n  int
}

// copyPipelined finishes copyBuffered once first (n bytes) is full; it
// returns first to the pool.
func copyPipelined(ctx context.Context, w io.Writer, r io.Reader, first *[]byte, n int) (int64, error) {
	full := make(chan chunk, 1)
	free := make(chan *[]byte, 2)
	var (
		written int64
		werr    error
		failed  atomic.Bool // set once a write fails: stop reading
		done    = make(chan struct{})
	)
	go func() {
		defer close(done)
		for c := range full {
			if werr == nil {
				_, werr = w.Write((*c.bp)[:c.n])
				if werr != nil {
					failed.Store(true)
				} else {
					written += int64(c.n)
				}
			}
			free <- c.bp
		}
	}()
	full <- chunk{first, n}
	free <- bufPool.Get().(*[]byte)
	var rerr error
	for !failed.Load() {
		bp := <-free
		n, err := fill(ctx, r, *bp)
		if n > 0 && (err == nil || err == io.EOF) {
			full <- chunk{bp, n}
		} else {
			free <- bp
		}
		if err != nil {
			if err != io.EOF {
				rerr = err
			}
			break
		}
	}
	close(full)
	<-done
	bufPool.Put(<-free)
	bufPool.Put(<-free)
	if rerr != nil {
		return written, rerr
	}
	return written, werr
}

// fill reads into buf until it is full, r reports an error (including
// io.EOF), or ctx is done. Filling whole buffers keeps write syscalls large
// even when r returns small chunks, as network bodies do.
func fill(ctx context.Context, r io.Reader, buf []byte) (int, error) {
	n, empty := 0, 0
	for n < len(buf) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m > 0 {
			empty = 0
		} else if empty++; empty >= maxEmptyReads {
			return n, io.ErrNoProgress
		}
	}
	return n, nil
}

// Open implements blob.Store. A range past the end of the blob is clamped:
// an offset at or beyond the size yields an empty reader.
func (s *Store) Open(ctx context.Context, id string, off, length int64) (io.ReadCloser, error) {
	if !blob.ValidID(id) {
		return nil, blob.ErrInvalidID
	}
	if off < 0 {
		return nil, fmt.Errorf("localfs: negative offset %d", off)
	}
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, blob.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	n := max(fi.Size()-off, 0)
	if length >= 0 && length < n {
		n = length
	}
	if n > 0 && off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	return &reader{f: f, lr: io.LimitedReader{R: f, N: n}, end: off + n}, nil
}

// reader reads a range of a blob file. Blob files are never modified in
// place (Put renames a new inode over them), so the open file stays
// consistent even if the blob is replaced or deleted meanwhile.
type reader struct {
	f   *os.File
	lr  io.LimitedReader
	end int64 // file offset just past the range

	// Window's state (see window_linux.go): the current mapping and the
	// file offset it starts at; reseek is set once Window has consumed
	// bytes the file offset has not moved past.
	mapped []byte
	mapOff int64
	reseek bool
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.syncOffset(); err != nil {
		return 0, err
	}
	return r.lr.Read(p)
}

// WriteTo hands the *os.File, wrapped in an io.LimitedReader, to w's
// ReadFrom: net.TCPConn and http.ResponseWriter recognise that shape and use
// sendfile; *os.File uses copy_file_range. Passing r itself would not.
func (r *reader) WriteTo(w io.Writer) (int64, error) {
	if err := r.syncOffset(); err != nil {
		return 0, err
	}
	return io.Copy(w, &r.lr)
}

// syncOffset moves the file offset past the bytes Window lent.
func (r *reader) syncOffset() error {
	if !r.reseek {
		return nil
	}
	r.reseek = false
	_, err := r.f.Seek(r.end-r.lr.N, io.SeekStart)
	return err
}

func (r *reader) Close() error {
	err := r.unmap()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Delete implements blob.Store. The removal is not fsynced: if a crash
// undoes it, the blob is an orphan that the sweeper finds via Walk. Empty
// fan-out directories are kept; there are at most 65536 and Puts reuse them.
func (s *Store) Delete(ctx context.Context, id string) error {
	if !blob.ValidID(id) {
		return blob.ErrInvalidID
	}
	if s.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Walk implements blob.Store. The stored time is the file's mtime, i.e. when
// its last byte was written, just before the commit. staleTemp <= 0 disables
// the temp sweep, since every in-flight upload would otherwise qualify.
// Entries that do not fit the layout are ignored, never removed.
func (s *Store) Walk(ctx context.Context, staleTemp time.Duration, fn func(id string, stored time.Time) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if staleTemp > 0 {
		if err := s.sweepTemps(ctx, staleTemp); err != nil {
			return err
		}
	}
	tops, err := os.ReadDir(s.root)
	if err != nil {
		return err
	}
	for _, a := range tops {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !a.IsDir() || !isHexByte(a.Name()) {
			continue
		}
		subs, err := readDir(filepath.Join(s.root, a.Name()))
		if err != nil {
			return err
		}
		for _, c := range subs {
			if !c.IsDir() || !isHexByte(c.Name()) {
				continue
			}
			if err := s.walkLeaf(ctx, a.Name(), c.Name(), fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) walkLeaf(ctx context.Context, a, c string, fn func(string, time.Time) error) error {
	ents, err := readDir(filepath.Join(s.root, a, c))
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}
		id := e.Name()
		// A blob in the wrong leaf would be invisible to Open; skip it.
		if !e.Type().IsRegular() || !blob.ValidID(id) || id[:2] != a || id[2:4] != c {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted since ReadDir
		}
		if err != nil {
			return err
		}
		if err := fn(id, fi.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

// sweepTemps removes regular files in tmp/ not modified for staleTemp. An
// upload in progress touches its temp file with every 1 MiB buffer written;
// if one is swept anyway its Put fails at the rename, so nothing half-written
// ever becomes visible.
func (s *Store) sweepTemps(ctx context.Context, staleTemp time.Duration) error {
	ents, err := readDir(s.tmp)
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-staleTemp)
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // committed or aborted since ReadDir
		}
		if err != nil {
			return err
		}
		if fi.ModTime().Before(cutoff) {
			if err := os.Remove(filepath.Join(s.tmp, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// readDir is os.ReadDir that treats a directory removed meanwhile as empty.
func readDir(dir string) ([]os.DirEntry, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return ents, err
}

func isHexByte(name string) bool {
	return len(name) == 2 && isLowerHex(name[0]) && isLowerHex(name[1])
}

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// Close implements blob.Store. Later calls fail with ErrClosed; readers
// already returned by Open stay usable until closed.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}
