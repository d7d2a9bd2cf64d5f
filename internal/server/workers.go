package server

import (
	"context"
	"errors"
	"time"

	"talus/internal/worker"
)

// startWorkers starts the background jobs. Blob sweeping and the disk
// watcher look after this gateway's own disk, so every gateway runs them.
func (s *Server) startWorkers() {
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
