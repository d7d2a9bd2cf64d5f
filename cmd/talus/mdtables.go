package main

import (
	"errors"
	"flag"
	"time"

	"talus/internal/mdtables"
	"talus/internal/server"
)

// metadataTableFlags set how fresh the S3 Metadata tables are kept and how
// often they are compacted.
type metadataTableFlags struct {
	interval, compact time.Duration
}

func mdtablesFlags(fl *flag.FlagSet) *metadataTableFlags {
	m := &metadataTableFlags{}
	fl.DurationVar(&m.interval, "metadata-table-interval", mdtables.DefaultInterval,
		"how soon a change is queryable in the S3 Metadata tables (the tables are written this often)")
	fl.DurationVar(&m.compact, "metadata-table-compaction", mdtables.DefaultCompactInterval,
		"how often the S3 Metadata tables are compacted and expired journal records removed")
	return m
}

func (m *metadataTableFlags) check() error {
	if m.interval <= 0 || m.compact <= 0 {
		return errors.New("--metadata-table-interval and --metadata-table-compaction must be positive")
	}
	return nil
}

func (m *metadataTableFlags) apply(cfg server.Config) server.Config {
	cfg.MetadataTableInterval, cfg.MetadataTableCompaction = m.interval, m.compact
	return cfg
}
