package main

import (
	"flag"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"talus/internal/server"
	"talus/internal/space"
)

// limits are the server flags that protect it from a full disk and from
// slow or stalled clients.
type limits struct {
	minFree, reserve string
	idle             time.Duration
	maxConns         int
}

func limitFlags(fl *flag.FlagSet) *limits {
	l := &limits{}
	fl.StringVar(&l.minFree, "min-free-space", env("TALUS_MIN_FREE_SPACE", "1GiB"),
		"refuse new data (507 InsufficientStorage) when the data directory's file system has less free space: bytes with KiB/MiB/GiB/TiB, or a percentage such as 5%; 0 turns it off (env TALUS_MIN_FREE_SPACE)")
	fl.StringVar(&l.reserve, "space-reserve", env("TALUS_SPACE_RESERVE", "64MiB"),
		"size of the reserve file kept in the data directory and released when the disk fills, so deletes can always commit; 0 keeps none (env TALUS_SPACE_RESERVE)")
	fl.DurationVar(&l.idle, "idle-timeout", 20*time.Second,
		"how long a request body may stop arriving (400 RequestTimeout) or a client may stop reading a response (connection closed); 0 waits forever")
	fl.IntVar(&l.maxConns, "max-connections", defaultMaxConns(),
		"most client connections open at once; more wait to be accepted (4096, or half the open-file limit if lower); 0 is unbounded")
	return l
}

// defaultMaxConns leaves file descriptors for the blob files, the database
// and the listener: each connection may hold a socket and an open blob.
func defaultMaxConns() int {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 2*4096+128 {
		return 4096
	}
	return max(16, (int(rl.Cur)-128)/2)
}

func (l *limits) check() error {
	if _, err := space.ParseThreshold(l.minFree); err != nil {
		return fmt.Errorf("--min-free-space: %w", err)
	}
	if _, err := space.ParseSize(l.reserve); err != nil {
		return fmt.Errorf("--space-reserve: %w", err)
	}
	if l.idle < 0 || l.maxConns < 0 {
		return fmt.Errorf("--idle-timeout and --max-connections cannot be negative")
	}
	return nil
}

// apply sets the limits in cfg; check has validated them.
func (l *limits) apply(cfg server.Config) server.Config {
	cfg.MinFreeSpace, _ = space.ParseThreshold(l.minFree)
	n, _ := space.ParseSize(l.reserve)
	cfg.SpaceReserve = int64(n)
	cfg.IdleTimeout, cfg.MaxConnections = l.idle, l.maxConns
	return cfg
}
