package main

import (
	"errors"
	"flag"
	"time"

	"talus/internal/meta"
	"talus/internal/server"
)

// journalRetention are the flags bounding the change journal.
type journalRetention struct {
	age        time.Duration
	maxRecords int64
}

func journalFlags(fl *flag.FlagSet) *journalRetention {
	j := &journalRetention{}
	fl.DurationVar(&j.age, "journal-retention", meta.DefaultJournalAge,
		"how long the change journal keeps a record after every consumer's cursor has passed it")
	fl.Int64Var(&j.maxRecords, "journal-max-records", meta.DefaultJournalMaxRecords,
		"most records the change journal keeps, whatever its consumers have read (the oldest go first)")
	return j
}

func (j *journalRetention) check() error {
	if j.age <= 0 || j.maxRecords <= 0 {
		return errors.New("--journal-retention and --journal-max-records must be positive")
	}
	return nil
}

func (j *journalRetention) apply(cfg server.Config) server.Config {
	cfg.JournalRetention = meta.JournalRetention{Age: j.age, MaxRecords: j.maxRecords}
	return cfg
}
