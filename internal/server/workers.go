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

// startWorkers starts the background jobs. Every job that reads or
// writes shared state is shared: among the gateways on one metadata store
// one at a time runs it, under its lease. The disk watcher (this gateway's
// free-space reserve) and access log delivery (this gateway's spool) are
// each gateway's own.
func (s *Server) startWorkers() {
	s.workers.Start(s.journalTrimJob())
	s.startReports()
	s.workers.Start(s.repl.Job())
	s.workers.Start(s.repl.ExistingJob())
	s.workers.Start(s.notify.Job())
	s.workers.Start(s.mdtables.Job())
	s.workers.Start(lifecycle.New(lifecycle.Config{Meta: s.meta, Blobs: s.blobs, Day: s.cfg.LifecycleDay, ClassTier: s.classTier, Logger: s.log}).Job())
	s.workers.Start(lifecycle.New(lifecycle.Config{Meta: s.meta, Blobs: s.blobs, Day: s.cfg.LifecycleDay, Logger: s.log}).RestoreJob())
	// The sweeper is shared: gateways that share a blob tier share its
	// orphans. Its grace period, measured from each blob's modification
	// time, protects blobs other gateways have written but not committed yet.
	s.workers.Start(worker.Job{Name: "blob-sweep", Shared: true, Delay: time.Minute, Interval: s.cfg.SweepInterval,
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
