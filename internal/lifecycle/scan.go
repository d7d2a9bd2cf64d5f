package lifecycle

import (
	"context"
	"errors"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
)

// keyState is what the scan knows of the key it is reading. Versions
// arrive newest first, so a version's noncurrent time is the creation time
// of the one read just before it; the state is a few fields whatever the
// number of versions.
type keyState struct {
	key          string
	n            int       // versions read
	noncurrent   int       // noncurrent versions read
	prevModified time.Time // creation time of the version read last
	marker       *meta.Object
	kept         int // versions after the latest one that are still there
}

// scope is the rules and versioning state a batch is handled with.
type scope struct {
	bucket     string
	versioning string
	rules      []s3.LifecycleRule
	tags       bool
}

// versions handles the bucket's versions in key order, resuming after the
// key after. The checkpoint only ever names a key whose versions were all
// handled, so a resumed pass reads whole keys.
func (w *Worker) versions(ctx context.Context, r progress, bucket, after string) error {
	sc, err := w.scope(ctx, bucket)
	if err != nil {
		return gone(err)
	}
	c := meta.VersionCursor{Key: after}
	var ks keyState
	saved, done := after, after
	for {
		batch, err := w.cfg.Meta.ScanVersions(ctx, bucket, "", c, w.cfg.Batch)
		if err != nil {
			return err
		}
		for i := range batch {
			v := &batch[i]
			if ks.n > 0 && v.Key != ks.key {
				if err := w.endKey(ctx, r, sc, &ks); err != nil {
					return err
				}
				done = ks.key
			}
			if ks.n == 0 || v.Key != ks.key {
				ks = keyState{key: v.Key}
			}
			if err := w.version(ctx, r, sc, &ks, v); err != nil {
				return err
			}
		}
		if len(batch) < w.cfg.Batch {
			break
		}
		last := &batch[len(batch)-1]
		c = meta.VersionCursor{Key: last.Key, Seq: last.Seq}
		r.At(bucket + "/" + last.Key)
		if done != saved {
			if err := save(ctx, r, checkpoint{Bucket: bucket, Key: done}); err != nil {
				return err
			}
			saved = done
		}
		if sc, err = w.scope(ctx, bucket); err != nil {
			return gone(err)
		}
	}
	if ks.n > 0 {
		return w.endKey(ctx, r, sc, &ks)
	}
	return nil
}

// gone turns errGone into the end of the bucket's scan.
func gone(err error) error {
	if errors.Is(err, errGone) {
		return nil
	}
	return err
}

func (w *Worker) scope(ctx context.Context, bucket string) (scope, error) {
	rules, versioning, err := w.rules(ctx, bucket)
	return scope{bucket: bucket, versioning: versioning, rules: rules, tags: needsTags(rules)}, err
}

// version handles one version. Only a failure that must end the pass
// (cancellation, a lost lease) is returned; others are counted.
func (w *Worker) version(ctx context.Context, r progress, sc scope, ks *keyState, v *meta.Object) error {
	lv := s3.LifecycleVersion{Key: v.Key, Size: v.Size, Modified: v.Modified, IsLatest: v.IsLatest, DeleteMarker: v.DeleteMarker}
	prev := ks.prevModified
	ks.n++
	ks.prevModified = v.Modified
	if v.IsLatest {
		if v.DeleteMarker {
			// Whether it is the only version left is known at the key's end.
			m := *v
			ks.marker = &m
			return nil
		}
	} else {
		lv.NoncurrentSince, lv.NewerNoncurrent = prev, ks.noncurrent
		ks.noncurrent++
		if prev.IsZero() { // cannot happen: the latest version comes first
			lv.NoncurrentSince = v.Modified
		}
	}
	if sc.tags && !v.DeleteMarker {
		full, err := w.cfg.Meta.GetObject(ctx, sc.bucket, v.Key, v.VersionID)
		if err != nil {
			if errors.Is(err, meta.ErrNoSuchVersion) || errors.Is(err, meta.ErrNoSuchKey) {
				return nil // deleted meanwhile
			}
			return w.failed(ctx, r, err)
		}
		lv.Tags = full.Attrs.Tags
	}
	due := s3.LifecycleNext(sc.rules, w.cfg.Day, &lv)
	removed := false
	if due.Action != s3.LifecycleNone && !w.cfg.Now().Before(due.At) {
		kind := ExpireNoncurrent
		if v.IsLatest {
			kind = ExpireCurrent
		}
		var err error
		removed, err = w.apply(ctx, r, Action{Kind: kind, Bucket: sc.bucket, Key: v.Key, VersionID: v.VersionID, Seq: v.Seq, RuleID: due.RuleID, Versioning: sc.versioning})
		if err != nil {
			return err
		}
		// An expired current version stays as a noncurrent one in a versioned bucket.
		removed = removed && (kind == ExpireNoncurrent || sc.versioning == meta.Unversioned)
	}
	if !v.IsLatest && !removed {
		ks.kept++
	}
	return nil
}

// endKey decides on a latest delete marker once every other version of
// its key was read: with none left, it is an expired object delete marker.
func (w *Worker) endKey(ctx context.Context, r progress, sc scope, ks *keyState) error {
	m := ks.marker
	if m == nil || ks.kept > 0 {
		return nil
	}
	lv := s3.LifecycleVersion{Key: m.Key, Modified: m.Modified, IsLatest: true, DeleteMarker: true, OnlyVersion: true}
	due := s3.LifecycleNext(sc.rules, w.cfg.Day, &lv)
	if due.Action != s3.LifecycleRemoveDeleteMarker || w.cfg.Now().Before(due.At) {
		return nil
	}
	_, err := w.apply(ctx, r, Action{Kind: RemoveDeleteMarker, Bucket: sc.bucket, Key: m.Key, VersionID: m.VersionID, Seq: m.Seq, RuleID: due.RuleID, Versioning: sc.versioning})
	return err
}

// failed counts an item's failure; it ends the pass only if ctx has ended.
func (w *Worker) failed(ctx context.Context, r progress, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return nil
	}
	r.Error(err)
	w.cfg.Logger.Warn("lifecycle action failed", "err", err)
	return nil
}

// uploads aborts the bucket's incomplete multipart uploads that are due,
// resuming after the upload cp names.
func (w *Worker) uploads(ctx context.Context, r progress, bucket string, cp checkpoint) error {
	sc, err := w.scope(ctx, bucket)
	if err != nil {
		return gone(err)
	}
	any := false
	for _, rule := range sc.rules {
		any = any || (rule.Status == s3.LifecycleEnabled && rule.AbortIncompleteMultipartUpload != nil)
	}
	if !any {
		return nil
	}
	opts := meta.UploadListOptions{KeyMarker: cp.Key, UploadIDMarker: cp.UploadID, Limit: w.cfg.Batch}
	for {
		ups, err := w.cfg.Meta.ListUploads(ctx, bucket, opts)
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return nil
		}
		if err != nil {
			return err
		}
		now := w.cfg.Now()
		for _, u := range ups {
			rule, at, ok := s3.LifecycleAbortUpload(sc.rules, w.cfg.Day, u.Key, u.Initiated)
			if !ok || now.Before(at) {
				continue
			}
			if _, err := w.apply(ctx, r, Action{Kind: AbortUpload, Bucket: bucket, Key: u.Key, UploadID: u.UploadID, RuleID: rule}); err != nil {
				return err
			}
		}
		if len(ups) < opts.Limit {
			return nil
		}
		last := ups[len(ups)-1]
		opts.KeyMarker, opts.UploadIDMarker = last.Key, last.UploadID
		r.At(bucket + "/" + last.Key)
		if err := save(ctx, r, checkpoint{Bucket: bucket, Uploads: true, Key: last.Key, UploadID: last.UploadID}); err != nil {
			return err
		}
	}
}
