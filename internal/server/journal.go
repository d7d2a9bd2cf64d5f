package server

import (
	"context"
	"errors"
	"time"

	"talus/internal/meta"
	"talus/internal/worker"
)

// journalTrimInterval is how often retention trims the change journal.
const journalTrimInterval = 10 * time.Minute

// Journal returns the metadata store's change journal (for consumers and tests).
func (s *Server) Journal() meta.Journal { return s.meta }

// journalTrimJob applies the journal's retention; one gateway at a time.
func (s *Server) journalTrimJob() worker.Job {
	return worker.Job{Name: "journal-trim", Shared: true, Delay: time.Minute, Interval: journalTrimInterval,
		Run: func(ctx context.Context, r *worker.Run) error {
			n, err := s.meta.TrimJournal(ctx, s.cfg.JournalRetention)
			r.Done(int(n))
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			if n > 0 {
				s.log.Info("journal trimmed", "records", n)
			}
			return nil
		}}
}
