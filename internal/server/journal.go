package server

import (
	"context"
	"errors"
	"time"

	"talus/internal/meta"
	"talus/internal/worker"
)

// journalTrimInterval is how often retention trims the change journal:
// every tenth of the retention period, at most every 10 minutes.
func journalTrimInterval(r meta.JournalRetention) time.Duration {
	return min(r.WithDefaults().Age/10, 10*time.Minute)
}

// Journal returns the metadata store's change journal (for consumers and tests).
func (s *Server) Journal() meta.Journal { return s.meta }

// journalTrimJob applies the journal's retention; one gateway at a time.
func (s *Server) journalTrimJob() worker.Job {
	iv := journalTrimInterval(s.cfg.JournalRetention)
	return worker.Job{Name: "journal-trim", Shared: true, Delay: min(iv, time.Minute), Interval: iv,
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
