//go:build !linux

package fsutil

import "os"

// SyncData flushes f's data to stable storage. Outside Linux it is f.Sync
// (on macOS that is F_FULLFSYNC, the only call that reaches the platter).
func SyncData(f *os.File) error { return f.Sync() }
