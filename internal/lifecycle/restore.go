package lifecycle

import (
	"context"
	"errors"
	"time"

	"talus/internal/meta"
	"talus/internal/worker"
)

// RestoreJobName is the restore-event job (and lease) name.
const RestoreJobName = "restore-events"

// RestoreJob returns the job that journals restore completions and
// removes expired restored copies (ObjectRestore:Completed and :Delete),
// at most Interval after they fall due, on one gateway at a time. The
// store's index of due restores is its checkpoint: an event applied
// leaves the index in the same transaction, so a pass cut short resumes
// where it stopped and never applies an event twice.
func (w *Worker) RestoreJob() worker.Job {
	iv := w.Interval()
	return worker.Job{Name: RestoreJobName, Shared: true, Interval: iv, Delay: min(iv, time.Minute), Run: w.RestorePass}
}

// errNotDue: the version changed since the index was read; nothing to do.
var errNotDue = errors.New("lifecycle: restore event not due")

// RestorePass applies every restore event due now.
func (w *Worker) RestorePass(ctx context.Context, r *worker.Run) error {
	for {
		now := w.cfg.Now()
		due, err := w.cfg.Meta.DueRestores(ctx, now, w.cfg.Batch)
		if err != nil {
			return err
		}
		applied := 0
		for _, d := range due {
			ok, err := w.restoreEvent(ctx, d, now)
			if err != nil {
				r.Error(err)
				continue
			}
			if ok {
				applied++
			}
		}
		r.Done(applied)
		// An entry whose event the version does not confirm yet (the
		// index rounds up to the millisecond) waits for the next pass.
		if len(due) < w.cfg.Batch || applied == 0 {
			r.Backlog(int64(len(due) - applied)) // due, left for the next pass
			return nil
		}
	}
}

// restoreEvent applies d's event if the version still has it due at now.
func (w *Worker) restoreEvent(ctx context.Context, d meta.DueRestore, now time.Time) (bool, error) {
	o, err := w.cfg.Meta.GetObject(ctx, d.Bucket, d.Key, d.VersionID)
	if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	op := restoreOp(o, d.Seq, now)
	if op == "" {
		return false, nil
	}
	ctx = meta.WithChange(ctx, meta.Change{Requester: meta.LifecycleRequester, Operation: op})
	_, err = w.cfg.Meta.UpdateObject(ctx, d.Bucket, d.Key, d.VersionID, func(o *meta.Object) error {
		// Decided again inside the transaction: a RestoreObject or another
		// gateway may have changed the version since it was read.
		if restoreOp(o, d.Seq, now) != op {
			return errNotDue
		}
		if op == meta.OpRestoreCompleted {
			o.Attrs.Restore.Completed = true
		} else {
			o.Attrs.Restore = nil
		}
		return nil
	})
	switch {
	case errors.Is(err, errNotDue), errors.Is(err, meta.ErrNoSuchKey), errors.Is(err, meta.ErrNoSuchVersion):
		return false, nil
	case err != nil:
		return false, err
	}
	w.cfg.Logger.Debug("restore event", "bucket", d.Bucket, "key", d.Key, "version", d.VersionID, "op", op)
	return true, nil
}

// restoreOp is the restore event version o (incarnation seq) has due at
// now: its completion, its expiry, or "" for none.
func restoreOp(o *meta.Object, seq int64, now time.Time) string {
	rs := o.Attrs.Restore
	switch {
	case o.Seq != seq || rs == nil:
		return ""
	case !rs.Completed && !now.Before(rs.Ready):
		return meta.OpRestoreCompleted
	case rs.Completed && !rs.Expires.IsZero() && !now.Before(rs.Expires):
		return meta.OpRestoreExpired
	}
	return ""
}
