package lifecycle

import (
	"context"
	"errors"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
)

// Kind is what a lifecycle action does.
type Kind string

// Lifecycle action kinds.
const (
	// ExpireCurrent expires the current version: it is deleted in an
	// unversioned bucket; a versioned or suspended one gets a delete
	// marker (suspended: with ID null, replacing the null version).
	ExpireCurrent Kind = "ExpireCurrent"
	// ExpireNoncurrent permanently deletes a noncurrent version.
	ExpireNoncurrent Kind = "ExpireNoncurrent"
	// RemoveDeleteMarker removes an expired object delete marker.
	RemoveDeleteMarker Kind = "RemoveDeleteMarker"
	// AbortUpload aborts an incomplete multipart upload.
	AbortUpload Kind = "AbortUpload"
	// Transition moves a version to storage class Class (and its bytes
	// to that class's tier).
	Transition Kind = "Transition"
	// Archive moves an INTELLIGENT_TIERING version to archive tier Class
	// (ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS).
	Archive Kind = "Archive"
)

// Action is one change lifecycle makes.
type Action struct {
	Kind   Kind
	Bucket string
	Key    string
	// VersionID and Seq name the version acted on (not for AbortUpload).
	VersionID string
	Seq       int64
	UploadID  string
	RuleID    string
	// Class is the storage class (Transition) or archive tier (Archive)
	// the version moves to.
	Class string
	// Versioning is the bucket's versioning state when the action was decided.
	Versioning string
	// Filled in once applied: when, and the delete marker created (ExpireCurrent
	// in a versioned bucket).
	Time            time.Time
	DeleteMarkerID  string
	FreedBlobsCount int
}

// errStale vetoes an action whose version changed since the scan read it.
var errStale = errors.New("lifecycle: version changed since it was read")

// apply makes one change, the only place lifecycle changes anything: the
// metadata delete checks, inside its transaction, that the version is the
// one the scan saw and that object lock allows it, so a replayed action
// (after a crash) or one overtaken by a client's write does nothing. It
// reports whether the change was made; only failures that end the pass
// are returned.
func (w *Worker) apply(ctx context.Context, r progress, a Action) (bool, error) {
	// The store journals each delete in its own transaction; S3 names
	// Lifecycle's changes after its service principal.
	ctx = meta.WithChange(ctx, meta.Change{Requester: meta.LifecycleRequester, Operation: meta.OpLifecycleExpire})
	if a.Kind == Transition || a.Kind == Archive {
		return w.relocate(ctx, r, a)
	}
	now := w.cfg.Now()
	same := func(v *meta.Object) error {
		if v == nil || v.Seq != a.Seq {
			return errStale
		}
		return nil
	}
	unlocked := func(v *meta.Object) error {
		l := s3.Lock{Mode: v.Attrs.LockMode, Until: v.Attrs.LockUntil, LegalHold: v.Attrs.LockLegalHold == "ON"}
		return s3.CheckDelete(l, false /* bypass */, now)
	}
	var res meta.DeleteResult
	var freed []string
	var err error
	switch a.Kind {
	case ExpireCurrent:
		if a.Versioning == meta.Unversioned {
			res, err = w.cfg.Meta.DeleteObject(ctx, a.Bucket, a.Key, meta.NullVersion, meta.DeleteOptions{Check: func(v *meta.Object) error {
				if err := same(v); err != nil {
					return err
				}
				return unlocked(v)
			}})
		} else {
			res, err = w.cfg.Meta.DeleteObject(ctx, a.Bucket, a.Key, "", meta.DeleteOptions{
				IfLatest: func(cur *meta.Object) error {
					if err := same(cur); err != nil {
						return err
					}
					if cur.DeleteMarker {
						return errStale
					}
					return nil
				},
				Check: unlocked, // Suspended: the null version the marker replaces
			})
			a.DeleteMarkerID = res.VersionID
		}
	case ExpireNoncurrent:
		res, err = w.cfg.Meta.DeleteObject(ctx, a.Bucket, a.Key, a.VersionID, meta.DeleteOptions{Check: func(v *meta.Object) error {
			if err := same(v); err != nil {
				return err
			}
			if v.IsLatest {
				return errStale
			}
			return unlocked(v)
		}})
	case RemoveDeleteMarker:
		res, err = w.cfg.Meta.DeleteObject(ctx, a.Bucket, a.Key, a.VersionID, meta.DeleteOptions{Check: func(v *meta.Object) error {
			if err := same(v); err != nil {
				return err
			}
			if !v.IsLatest || !v.DeleteMarker {
				return errStale
			}
			return nil
		}})
	case AbortUpload:
		freed, err = w.cfg.Meta.AbortUpload(ctx, a.Bucket, a.Key, a.UploadID)
		if errors.Is(err, meta.ErrNoSuchUpload) {
			return false, nil // aborted or completed meanwhile
		}
		if err == nil {
			res.VersionID = a.UploadID
		}
	}
	switch {
	case errors.Is(err, errStale):
		return false, nil
	case errors.Is(err, s3.ErrLocked):
		w.cfg.Logger.Debug("lifecycle keeps a locked version", "bucket", a.Bucket, "key", a.Key, "version", a.VersionID)
		return false, nil
	case err != nil:
		return false, w.failed(ctx, r, err)
	case res.VersionID == "":
		return false, nil // already gone
	}
	freed = append(freed, res.Freed...)
	w.deleteBlobs(freed)
	a.Time, a.FreedBlobsCount = now, len(freed)
	r.Done(1)
	w.cfg.Logger.Debug("lifecycle action", "kind", a.Kind, "bucket", a.Bucket, "key", a.Key, "version", a.VersionID, "upload", a.UploadID, "rule", a.RuleID)
	return true, nil
}
