package lifecycle

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
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
	// Actions on the key's noncurrent versions run concurrently with the
	// scan; removed counts those that deleted their version.
	pending sync.WaitGroup
	removed atomic.Int64
}

// applier runs actions with bounded concurrency, so a pass's deletes share
// group commits instead of waiting for one fsync each. wait is the barrier
// before a checkpoint: a key is named in one only once its actions are done.
type applier struct {
	w   *Worker
	ctx context.Context
	r   progress
	sem chan struct{}
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

// parallel is how many lifecycle actions run at once.
const parallel = 8

func (w *Worker) newApplier(ctx context.Context, r progress) *applier {
	return &applier{w: w, ctx: ctx, r: r, sem: make(chan struct{}, parallel)}
}

// do runs a in the background; done, if set, learns whether it changed anything.
func (p *applier) do(a Action, done func(changed bool)) error {
	if err := p.failure(); err != nil {
		return err
	}
	select {
	case p.sem <- struct{}{}:
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() { <-p.sem }()
		changed, err := p.w.apply(p.ctx, p.r, a)
		if err != nil {
			p.mu.Lock()
			if p.err == nil {
				p.err = err
			}
			p.mu.Unlock()
		}
		if done != nil {
			done(changed)
		}
	}()
	return nil
}

func (p *applier) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// wait waits for every action started and returns the first failure that
// ends the pass.
func (p *applier) wait() error {
	p.wg.Wait()
	return p.failure()
}

// scope is the rules and versioning state a batch is handled with.
type scope struct {
	bucket     string
	versioning string
	rules      []s3.LifecycleRule
	its        []s3.ITConfig
	minSize    string // x-amz-transition-default-minimum-object-size
	tags       bool
	// prefixes are the only key ranges a version rule selects (nil: all
	// keys); active is false when no rule acts on versions.
	prefixes []string
	active   bool
}

// versions handles the bucket's versions in key order, resuming after the
// key after. The checkpoint only ever names a key whose versions were all
// handled, so a resumed pass reads whole keys.
func (w *Worker) versions(ctx context.Context, r progress, bucket, after string) (err error) {
	sc, err := w.scope(ctx, bucket)
	if err != nil || !sc.active {
		return gone(err)
	}
	ap := w.newApplier(ctx, r)
	defer func() {
		if werr := ap.wait(); err == nil {
			err = werr
		}
	}()
	c := meta.VersionCursor{Key: after}
	ks := &keyState{}
	saved, done := after, after
	for {
		batch, err := w.cfg.Meta.ScanVersions(ctx, bucket, "", c, w.cfg.Batch)
		if err != nil {
			return err
		}
		reseek := false
		for i := range batch {
			v := &batch[i]
			if ks.n > 0 && v.Key != ks.key {
				if err := w.endKey(ap, sc, ks); err != nil {
					return err
				}
				done = ks.key
				ks = &keyState{}
			}
			if ks.n == 0 {
				// A key no rule selects: seek to the next rule prefix.
				if next, end := skipTo(sc.prefixes, v.Key); end {
					return nil
				} else if next != "" {
					c, reseek = meta.VersionCursor{Start: next}, true
					break
				}
				ks.key = v.Key
			}
			if err := w.version(ctx, ap, sc, ks, v); err != nil {
				return err
			}
		}
		if !reseek && len(batch) < w.cfg.Batch {
			break
		}
		if !reseek {
			last := &batch[len(batch)-1]
			c = meta.VersionCursor{Key: last.Key, Seq: last.Seq}
			r.At(bucket + "/" + last.Key)
		}
		if done != saved {
			if err := ap.wait(); err != nil {
				return err
			}
			if err := save(ctx, r, checkpoint{Bucket: bucket, Key: done}); err != nil {
				return err
			}
			saved = done
		}
		if sc, err = w.scope(ctx, bucket); err != nil || !sc.active {
			return gone(err)
		}
	}
	if ks.n > 0 {
		return w.endKey(ap, sc, ks)
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
	b, err := w.rules(ctx, bucket)
	rules := b.Config.Lifecycle.S3Rules()
	sc := scope{bucket: bucket, versioning: b.Versioning, rules: rules, its: itConfigs(b.Config.IntelligentTiering), tags: needsTags(rules)}
	if b.Config.Lifecycle != nil {
		sc.minSize = b.Config.Lifecycle.TransitionMinSize
	}
	sc.prefixes, sc.active = versionPrefixes(rules, sc.its)
	return sc, err
}

// version handles one version. Only a failure that must end the pass
// (cancellation, a lost lease) is returned; others are counted.
func (w *Worker) version(ctx context.Context, ap *applier, sc scope, ks *keyState, v *meta.Object) error {
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
	// Attributes are read only for versions whose rules need them: tag
	// filters, and Intelligent-Tiering's last access.
	var full *meta.Object
	if !v.DeleteMarker && (sc.tags || (len(sc.its) > 0 && v.StorageClass == s3.ClassIntelligentTiering)) {
		var err error
		full, err = w.cfg.Meta.GetObject(ctx, sc.bucket, v.Key, v.VersionID)
		if err != nil {
			if errors.Is(err, meta.ErrNoSuchVersion) || errors.Is(err, meta.ErrNoSuchKey) {
				return nil // deleted meanwhile
			}
			return w.failed(ctx, ap.r, err)
		}
		lv.Tags = full.Attrs.Tags
	}
	now := w.cfg.Now()
	due := s3.LifecycleNext(sc.rules, w.cfg.Day, &lv)
	expire := due.Action != s3.LifecycleNone && !now.Before(due.At)
	a := Action{Kind: ExpireNoncurrent, Bucket: sc.bucket, Key: v.Key, VersionID: v.VersionID, Seq: v.Seq, RuleID: due.RuleID, Versioning: sc.versioning}
	// S3's order when both are due: a permanent deletion before a
	// transition, a transition before a delete marker.
	if !expire || (v.IsLatest && sc.versioning != meta.Unversioned) {
		if to, rule, ok := s3.LifecycleTransitionDue(sc.rules, w.cfg.Day, &lv, v.StorageClass, sc.minSize, now); ok {
			a.Kind, a.Class, a.RuleID = Transition, to, rule
			return ap.do(a, nil)
		}
		if !expire {
			return w.archiveDue(ap, sc, full, now)
		}
	}
	if v.IsLatest {
		// An expired current version stays as a noncurrent one in a
		// versioned bucket; no delete marker is latest then either.
		a.Kind = ExpireCurrent
		return ap.do(a, nil)
	}
	ks.pending.Add(1)
	err := ap.do(a, func(changed bool) {
		if changed {
			ks.removed.Add(1)
		}
		ks.pending.Done()
	})
	if err != nil {
		ks.pending.Done() // not started
	}
	return err
}

// endKey decides on a latest delete marker once every other version of
// its key was read and acted on: with none left, it is an expired object
// delete marker.
func (w *Worker) endKey(ap *applier, sc scope, ks *keyState) error {
	m := ks.marker
	if m == nil {
		return nil
	}
	ks.pending.Wait()
	if int64(ks.noncurrent) > ks.removed.Load() {
		return nil
	}
	lv := s3.LifecycleVersion{Key: m.Key, Modified: m.Modified, IsLatest: true, DeleteMarker: true, OnlyVersion: true}
	due := s3.LifecycleNext(sc.rules, w.cfg.Day, &lv)
	if due.Action != s3.LifecycleRemoveDeleteMarker || w.cfg.Now().Before(due.At) {
		return nil
	}
	return ap.do(Action{Kind: RemoveDeleteMarker, Bucket: sc.bucket, Key: m.Key, VersionID: m.VersionID, Seq: m.Seq, RuleID: due.RuleID, Versioning: sc.versioning}, nil)
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
func (w *Worker) uploads(ctx context.Context, r progress, bucket string, cp checkpoint) (err error) {
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
	ap := w.newApplier(ctx, r)
	defer func() {
		if werr := ap.wait(); err == nil {
			err = werr
		}
	}()
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
			if err := ap.do(Action{Kind: AbortUpload, Bucket: bucket, Key: u.Key, UploadID: u.UploadID, RuleID: rule}, nil); err != nil {
				return err
			}
		}
		if len(ups) < opts.Limit {
			return nil
		}
		last := ups[len(ups)-1]
		opts.KeyMarker, opts.UploadIDMarker = last.Key, last.UploadID
		r.At(bucket + "/" + last.Key)
		if err := ap.wait(); err != nil {
			return err
		}
		if err := save(ctx, r, checkpoint{Bucket: bucket, Uploads: true, Key: last.Key, UploadID: last.UploadID}); err != nil {
			return err
		}
	}
}
