package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"talus/internal/lifecycle"
	"talus/internal/worker"
)

// startWorkers starts the background jobs. Blob sweeping and the disk
// watcher look after this gateway's own disk, so every gateway runs them;
// lifecycle is shared: one gateway at a time applies the rules.
func (s *Server) startWorkers() {
	s.workers.Start(s.journalTrimJob())
	s.startReports()
	s.workers.Start(s.repl.Job())
	s.workers.Start(s.repl.ExistingJob())
	s.workers.Start(s.notify.Job())
	s.workers.Start(s.mdtables.Job())
	s.workers.Start(lifecycle.New(lifecycle.Config{Meta: s.meta, Blobs: s.blobs, Day: s.cfg.LifecycleDay, ClassTier: s.classTier, Logger: s.log}).Job())
	s.workers.Start(lifecycle.New(lifecycle.Config{Meta: s.meta, Blobs: s.blobs, Day: s.cfg.LifecycleDay, Logger: s.log}).RestoreJob())
	s.workers.Start(worker.Job{Name: "blob-sweep", Delay: time.Minute, Interval: s.cfg.SweepInterval,
		Run: func(ctx context.Context, r *worker.Run) error {
			n, err := s.Sweep(ctx)
			r.Done(n)
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			if n > 0 {
				s.log.Info("orphan sweep", "removed", n)
			}
			return nil
		}})
	// The disk watcher releases the reserve when the disk fills from
	// outside the server (no write of ours would notice) and re-creates it later.
	s.workers.Start(worker.Job{Name: "free-space", Delay: spaceInterval, Interval: spaceInterval,
		Run: func(ctx context.Context, r *worker.Run) error {
			s.space.Maintain()
			return nil
		}})
}

// Workers returns the background jobs' pool (for progress reports).
func (s *Server) Workers() *worker.Pool { return s.workers }

// gatewayID names this gateway in lease rows: host and data directory, so
// a restarted server (the directory lock makes it the only one) takes its
// own leases back at once instead of waiting for them to expire.
func gatewayID(dir string) string {
	host, _ := os.Hostname()
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return host + ":" + dir
}
