package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"talus/internal/blob/tiered"
	"talus/internal/meta"
	"talus/internal/s3"
)

// archiveDue schedules the Intelligent-Tiering archiving of full (an
// INTELLIGENT_TIERING version read with its attributes) when the
// bucket's configurations put it in a deeper archive tier than it is.
func (w *Worker) archiveDue(ap *applier, sc scope, full *meta.Object, now time.Time) error {
	if full == nil || len(sc.its) == 0 || full.StorageClass != s3.ClassIntelligentTiering {
		return nil
	}
	to := s3.ITArchiveDue(sc.its, w.cfg.Day, full.Key, full.Attrs.Tags, lastAccess(full, now), now)
	if to == "" || !s3.ITDeeper(itStatus(full, now), to) {
		return nil
	}
	return ap.do(Action{Kind: Archive, Bucket: sc.bucket, Key: full.Key, VersionID: full.VersionID, Seq: full.Seq, Class: to, Versioning: sc.versioning}, nil)
}

// itStatus is the archive tier o is in: none once a restore of it completed.
func itStatus(o *meta.Object, now time.Time) string {
	if r := o.Attrs.Restore; r != nil && r.Expires.IsZero() && !now.Before(r.Ready) {
		return ""
	}
	return o.Attrs.ArchiveStatus
}

// lastAccess is when o was last written, read, or brought back by a restore.
func lastAccess(o *meta.Object, now time.Time) time.Time {
	t := o.Modified
	if o.Attrs.Accessed.After(t) {
		t = o.Attrs.Accessed
	}
	if r := o.Attrs.Restore; r != nil && r.Expires.IsZero() && !now.Before(r.Ready) && r.Ready.After(t) {
		t = r.Ready
	}
	return t
}

// tierOf is the tier that holds a class's (or archive tier's) data.
func (w *Worker) tierOf(class string) string {
	if w.cfg.ClassTier == nil {
		return ""
	}
	return w.cfg.ClassTier(class)
}

// relocate applies a Transition or Archive: it copies the version's blobs
// to the target tier under new IDs (durable before it goes on), switches
// the version to them and to its new class in one metadata transaction,
// only if the version is still the one read and still needs the move,
// then deletes the old blobs. A crash before the switch leaves only new
// unreferenced blobs, after it only old unreferenced ones: the orphan
// sweeper removes either, and nothing readable is lost. Inline data
// stays inline. Object lock does not prevent a transition (as on S3).
func (w *Worker) relocate(ctx context.Context, r progress, a Action) (bool, error) {
	o, err := w.cfg.Meta.GetObject(ctx, a.Bucket, a.Key, a.VersionID)
	if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) || errors.Is(err, meta.ErrNoSuchBucket) {
		return false, nil
	}
	if err != nil {
		return false, w.failed(ctx, r, err)
	}
	now := w.cfg.Now()
	needed := func(v *meta.Object) bool {
		if v.Seq != a.Seq || v.DeleteMarker {
			return false
		}
		if a.Kind == Archive {
			return v.StorageClass == s3.ClassIntelligentTiering && s3.ITDeeper(itStatus(v, now), a.Class)
		}
		return s3.TransitionAllowed(v.StorageClass, a.Class)
	}
	if !needed(o) {
		return false, nil
	}
	// The store journals the move in its transaction: a lifecycle
	// transition, or an Intelligent-Tiering archive move.
	op := meta.OpLifecycleTransition
	if a.Kind == Archive {
		op = meta.OpIntelligentTiering
	}
	ctx = meta.WithChange(ctx, meta.Change{Requester: meta.LifecycleRequester, Operation: op})
	tier := w.tierOf(a.Class)
	moved, err := w.copyBlobs(ctx, o, tier)
	if err != nil {
		return false, w.failed(ctx, r, fmt.Errorf("lifecycle: %s of %s/%s: %w", a.Kind, a.Bucket, a.Key, err))
	}
	var newIDs []string
	for _, id := range moved {
		newIDs = append(newIDs, id)
	}
	freed, err := w.cfg.Meta.RelocateObject(ctx, a.Bucket, a.Key, a.VersionID, func(v *meta.Object) error {
		if !needed(v) || !sameData(v, o) {
			return errStale
		}
		if id, ok := moved[v.BlobID]; ok {
			v.BlobID = id
		}
		for i := range v.Parts {
			if id, ok := moved[v.Parts[i].BlobID]; ok {
				v.Parts[i].BlobID = id
			}
		}
		if a.Kind == Archive {
			v.Attrs.ArchiveStatus = a.Class
		} else {
			v.StorageClass = a.Class
		}
		v.Attrs.Restore = nil
		return nil
	})
	if err != nil {
		w.deleteBlobs(newIDs)
		if errors.Is(err, errStale) || errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) || errors.Is(err, meta.ErrNoSuchBucket) {
			return false, nil
		}
		return false, w.failed(ctx, r, err)
	}
	w.deleteBlobs(freed)
	a.Time, a.FreedBlobsCount = now, len(freed)
	r.Done(1)
	w.cfg.Logger.Debug("lifecycle action", "kind", a.Kind, "bucket", a.Bucket, "key", a.Key, "version", a.VersionID, "class", a.Class, "tier", tier, "rule", a.RuleID)
	return true, nil
}

// sameData reports whether v names the blobs o did.
func sameData(v, o *meta.Object) bool {
	if v.BlobID != o.BlobID || len(v.Parts) != len(o.Parts) {
		return false
	}
	for i := range v.Parts {
		if v.Parts[i].BlobID != o.Parts[i].BlobID {
			return false
		}
	}
	return true
}

// copyBlobs copies every blob of o not yet in tier there, byte for byte
// (encrypted data stays encrypted), and maps old IDs to new ones. On
// error it removes what it wrote.
func (w *Worker) copyBlobs(ctx context.Context, o *meta.Object, tier string) (map[string]string, error) {
	var ids []string
	if o.BlobID != "" {
		ids = append(ids, o.BlobID)
	}
	for _, p := range o.Parts {
		ids = append(ids, p.BlobID)
	}
	moved := map[string]string{}
	for _, id := range ids {
		if tiered.TierOf(id) == tier {
			continue
		}
		nid := tiered.NewID(tier)
		err := func() error {
			rc, err := w.cfg.Blobs.Open(ctx, id, 0, -1)
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = w.cfg.Blobs.Put(ctx, nid, rc)
			return err
		}()
		if err != nil {
			var written []string
			for _, n := range moved {
				written = append(written, n)
			}
			w.deleteBlobs(written)
			return nil, err
		}
		moved[id] = nid
	}
	return moved, nil
}

func (w *Worker) deleteBlobs(ids []string) {
	for _, id := range ids {
		if err := w.cfg.Blobs.Delete(context.Background(), id); err != nil {
			w.cfg.Logger.Warn("blob delete failed", "blob", id, "err", err)
		}
	}
}
