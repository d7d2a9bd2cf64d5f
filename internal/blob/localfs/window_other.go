//go:build !linux

package localfs

// Outside Linux readers have no Window: callers copy with Read.
func (r *reader) unmap() error { return nil }
