package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// ErrDone is returned by Commit on a TempFile already committed or aborted.
var ErrDone = errors.New("fsutil: temp file already committed or aborted")

// WriteFileAtomic replaces path with data so that, after a crash, path holds
// either its old contents or data, never a mix. The temp file lives in the
// same directory so the rename cannot cross file systems. perm is applied
// to the new file subject to the umask, as with os.WriteFile.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	t, err := CreateTemp(dir, "."+base+".tmp-", perm)
	if err != nil {
		return err
	}
	defer t.Abort() // no-op once committed
	if _, err := t.Write(data); err != nil {
		return err
	}
	return t.Commit(path)
}

// SyncDir fsyncs a directory so that entries created, renamed or removed in
// it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fsutil: sync dir %s: %w", dir, err)
	}
	return nil
}

// TempFile is a file being written that becomes visible only on Commit.
// It is not safe for concurrent use.
type TempFile struct {
	f    *os.File
	name string
	done bool
}

// CreateTemp creates a new temp file in dir named prefix followed by random
// digits. perm is subject to the umask. dir must be on the same file system
// as the path later passed to Commit.
func CreateTemp(dir, prefix string, perm os.FileMode) (*TempFile, error) {
	// Hand-rolled instead of os.CreateTemp, which forces mode 0600.
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &TempFile{f: f, name: name}, nil
	}
	return nil, fmt.Errorf("fsutil: cannot create temp file in %s: %w", dir, fs.ErrExist)
}

// Name returns the temp file's current path.
func (t *TempFile) Name() string { return t.name }

// File returns the open file, for callers that tune how it is written
// (O_DIRECT in localfs). Writes must still go through the TempFile or the
// file; Commit and Abort own closing it.
func (t *TempFile) File() *os.File { return t.f }

// Write appends p to the temp file.
func (t *TempFile) Write(p []byte) (int, error) { return t.f.Write(p) }

// Commit makes the written data durable and visible at path: fsync, close,
// rename over path, fsync path's directory. If it fails before the rename the
// temp file is removed and path is untouched. If only the final directory
// fsync fails, the data is visible at path but may not survive a crash.
func (t *TempFile) Commit(path string) error {
	if t.done {
		return ErrDone
	}
	t.done = true
	err := SyncData(t.f)
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.name, path)
	}
	if err != nil {
		os.Remove(t.name)
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// Abort closes and removes the temp file. It is a no-op after Commit or a
// previous Abort, so it is safe to defer right after CreateTemp.
func (t *TempFile) Abort() error {
	if t.done {
		return nil
	}
	t.done = true
	t.f.Close()
	if err := os.Remove(t.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
