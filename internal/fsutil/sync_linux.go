package fsutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// SyncData flushes f's data and the metadata needed to read it back (such as
// its size) to stable storage. On Linux it uses fdatasync, which skips
// flushing timestamps; callers that rename the file and fsync the directory
// afterwards still get a durable, complete file.
func SyncData(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		for {
			serr = unix.Fdatasync(int(fd))
			if serr != unix.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
