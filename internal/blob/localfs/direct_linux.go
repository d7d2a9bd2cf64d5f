package localfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// errDirectRefused is what a write returns when O_DIRECT cannot be used
// for it (alignment, or a file system that accepts the flag but not the I/O).
var errDirectRefused = unix.EINVAL

// setDirect turns O_DIRECT on or off for f. It fails (EINVAL) on file
// systems without direct I/O.
func setDirect(f *os.File, on bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		var fl int
		fl, serr = unix.FcntlInt(fd, unix.F_GETFL, 0)
		if serr != nil {
			return
		}
		if on {
			fl |= unix.O_DIRECT
		} else {
			fl &^= unix.O_DIRECT
		}
		_, serr = unix.FcntlInt(fd, unix.F_SETFL, fl)
	})
	if err != nil {
		return err
	}
	return serr
}
