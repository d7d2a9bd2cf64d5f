package server

import (
	"context"
	"time"
)

// Sweep runs one pass of the orphan sweeper, which removes orphan blobs:
// blobs a crash left behind between the data write and the metadata
// commit, or whose delete failed after a commit. Only blobs older than the
// grace period are considered, so a write in flight (blob stored, metadata
// about to commit) is never touched. It returns how many blobs it removed.
func (s *Server) Sweep(ctx context.Context) (int, error) {
	cutoff := time.Now().Add(-s.cfg.SweepGrace)
	removed := 0
	err := s.blobs.Walk(ctx, s.cfg.SweepGrace, func(id string, stored time.Time) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if stored.After(cutoff) {
			return nil
		}
		ref, err := s.meta.BlobReferenced(ctx, id)
		if err != nil || ref {
			return err
		}
		if err := s.blobs.Delete(ctx, id); err != nil {
			return err
		}
		removed++
		return nil
	})
	return removed, err
}
