package main

import (
	"flag"
	"fmt"

	"talus/internal/server"
	"talus/internal/space"
)

// limits are the server flags that protect it from a full disk and from
// slow or stalled clients.
type limits struct {
	minFree, reserve string
}

func limitFlags(fl *flag.FlagSet) *limits {
	l := &limits{}
	fl.StringVar(&l.minFree, "min-free-space", env("TALUS_MIN_FREE_SPACE", "1GiB"),
		"refuse new data (507 InsufficientStorage) when the data directory's file system has less free space: bytes with KiB/MiB/GiB/TiB, or a percentage such as 5%; 0 turns it off (env TALUS_MIN_FREE_SPACE)")
	fl.StringVar(&l.reserve, "space-reserve", env("TALUS_SPACE_RESERVE", "64MiB"),
		"size of the reserve file kept in the data directory and released when the disk fills, so deletes can always commit; 0 keeps none (env TALUS_SPACE_RESERVE)")
	return l
}

func (l *limits) check() error {
	if _, err := space.ParseThreshold(l.minFree); err != nil {
		return fmt.Errorf("--min-free-space: %w", err)
	}
	if _, err := space.ParseSize(l.reserve); err != nil {
		return fmt.Errorf("--space-reserve: %w", err)
	}
	return nil
}

// apply sets the limits in cfg; check has validated them.
func (l *limits) apply(cfg server.Config) server.Config {
	cfg.MinFreeSpace, _ = space.ParseThreshold(l.minFree)
	n, _ := space.ParseSize(l.reserve)
	cfg.SpaceReserve = int64(n)
	return cfg
}
