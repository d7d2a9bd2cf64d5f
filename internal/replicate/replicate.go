package replicate

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/worker"
)

// JobName is the worker job and lease name.
const JobName = "replication"

// Config sets up a Replicator.
type Config struct {
	Meta meta.Store
	// Open returns a version's plaintext (the API's decrypting read).
	Open func(ctx context.Context, o *meta.Object) (io.ReadCloser, error)
	// Local returns the in-process transport acting as the root of the
	// account with that canonical ID, for destinations on this Talus.
	Local func(owner string) RoundTripper
	// Unseal opens a remote's sealed secret key (bound to id).
	Unseal func(id string, sealed []byte) (string, error)
	Region string
	// RetryMin and RetryMax bound the backoff after a destination failed
	// (defaults 1s and 1m).
	RetryMin, RetryMax time.Duration
	Batch              int
	Logger             *slog.Logger
	Now                func() time.Time
}

// Replicator is the replication worker.
type Replicator struct {
	cfg     Config
	clients *clients
	backoff time.Duration
	stats   counters
	trigger func(job string)
}

type counters struct {
	replicated, failed, bytes, markers atomic.Int64
	pending, lagNanos                  atomic.Int64
}

// Stats are replication's figures (for the metrics endpoint).
type Stats struct {
	// Replicated and Failed count versions (and delete markers) since start.
	Replicated, Failed, DeleteMarkers int64
	// Bytes is the object bytes written to destinations since start.
	Bytes int64
	// Pending is the journal records not yet handled; Lag how old the
	// oldest of them is.
	Pending int64
	Lag     time.Duration
}

// New returns a replicator.
func New(cfg Config) *Replicator {
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return &Replicator{cfg: cfg, clients: newClients(cfg)}
}

// Stats returns the current figures.
func (r *Replicator) Stats() Stats {
	return Stats{Replicated: r.stats.replicated.Load(), Failed: r.stats.failed.Load(), DeleteMarkers: r.stats.markers.Load(),
		Bytes: r.stats.bytes.Load(), Pending: r.stats.pending.Load(), Lag: time.Duration(r.stats.lagNanos.Load())}
}

// Job is the shared, continuous journal consumer.
func (r *Replicator) Job() worker.Job {
	return worker.Job{Name: JobName, Shared: true, Delay: time.Second, Run: r.run}
}

// idleWait is how long a run waits for new records before it returns.
const idleWait = 10 * time.Second

// run handles one batch of records (or waits a while for one).
func (r *Replicator) run(ctx context.Context, run *worker.Run) error {
	c, err := r.cfg.Meta.GetJournalCursor(ctx, meta.ReplicationCursor)
	if errors.Is(err, meta.ErrNoSuchCursor) {
		// No replication configuration was ever stored (PutBucketReplication
		// creates the cursor): nothing to read, and no journal held back.
		// Look again soon (one row read), so a first rule acts at once.
		t := time.NewTimer(time.Second)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		return nil
	}
	if err != nil {
		return err
	}
	pos := c.Seq
	recs, err := r.cfg.Meta.ReadJournal(ctx, pos, r.cfg.Batch)
	if errors.Is(err, meta.ErrJournalTrimmed) {
		// Records were trimmed unread: their versions stay PENDING, and
		// talus admin replicate --existing picks them up.
		last, lerr := r.cfg.Meta.JournalSeq(ctx)
		if lerr != nil {
			return lerr
		}
		r.cfg.Logger.Error("replication fell behind the journal's retention; run talus admin replicate --existing on the source buckets", "cursor", pos, "journal", last)
		return r.cfg.Meta.SetJournalCursor(ctx, meta.ReplicationCursor, last)
	}
	if err != nil {
		return err
	}
	r.report(ctx, run, pos, recs)
	if len(recs) == 0 {
		wctx, cancel := context.WithTimeout(ctx, idleWait)
		defer cancel()
		if err := r.cfg.Meta.WaitJournal(wctx, pos); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return nil
	}
	buckets := map[string]*meta.Bucket{}
	done := pos
	defer func() {
		if done != pos {
			if err := r.cfg.Meta.SetJournalCursor(context.WithoutCancel(ctx), meta.ReplicationCursor, done); err != nil {
				r.cfg.Logger.Warn("replication cursor not saved", "err", err)
			}
		}
	}()
	for i := range recs {
		rec := &recs[i]
		run.At(rec.Bucket + "/" + rec.Key)
		err := r.handle(ctx, buckets, rec)
		if err != nil {
			// A destination is unreachable or failing: keep the record and
			// retry it after a growing pause, so nothing is skipped.
			r.backoff = min(max(r.backoff*2, r.cfg.RetryMin), r.cfg.RetryMax)
			run.Error(err)
			r.cfg.Logger.Warn("replication failed; retrying", "bucket", rec.Bucket, "key", rec.Key, "version", rec.VersionID, "retry_in", r.backoff, "err", err)
			t := time.NewTimer(r.backoff)
			defer t.Stop()
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			return err
		}
		r.backoff = 0
		done = rec.Seq
		run.Done(1)
	}
	return nil
}

// report updates the pending count and lag.
func (r *Replicator) report(ctx context.Context, run *worker.Run, pos int64, recs []meta.Record) {
	last, err := r.cfg.Meta.JournalSeq(ctx)
	if err != nil {
		return
	}
	r.stats.pending.Store(max(last-pos, 0))
	run.Backlog(max(last-pos, 0))
	if len(recs) > 0 {
		r.stats.lagNanos.Store(int64(r.cfg.Now().Sub(recs[0].Time)))
	} else {
		r.stats.lagNanos.Store(0)
	}
}

func (r *Replicator) bucket(ctx context.Context, cache map[string]*meta.Bucket, name string) (*meta.Bucket, error) {
	if b, ok := cache[name]; ok {
		return b, nil
	}
	b, err := r.cfg.Meta.GetBucket(ctx, name)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		cache[name] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cache[name] = &b
	return &b, nil
}

// handle replicates what one record asks for; a non-nil error means try again.
func (r *Replicator) handle(ctx context.Context, buckets map[string]*meta.Bucket, rec *meta.Record) error {
	if rec.IsPermanentDelete() || rec.Replica && rec.Type != meta.RecordUpdateMetadata || rec.Type == meta.RecordCreate && !rec.Pending {
		// Version deletes are never replicated, replicas not again, and
		// versions no rule selected when written not at all.
		return nil
	}
	b, err := r.bucket(ctx, buckets, rec.Bucket)
	if err != nil || b == nil || b.Config.Replication == nil && rec.Type != meta.RecordCreate {
		return err
	}
	o, err := r.cfg.Meta.GetObject(ctx, rec.Bucket, rec.Key, rec.VersionID)
	if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
		return nil // gone since
	}
	if err != nil {
		return err
	}
	if o.Seq != rec.VersionSeq {
		return nil // another incarnation of the null version
	}
	switch rec.Type {
	case meta.RecordCreate:
		if o.Attrs.ReplicationStatus != s3.ReplicationPending {
			return nil // no rule selected it when written, or done already
		}
		if b.Config.Replication == nil {
			// The configuration was deleted before the version was copied.
			return r.setStatus(ctx, o, s3.ReplicationFailed)
		}
		return r.replicateVersion(ctx, b, o)
	case meta.RecordDelete:
		return r.replicateMarker(ctx, b, o)
	case meta.RecordUpdateMetadata:
		return r.replicateMetadata(ctx, b, o, rec)
	}
	return nil
}

// replicateVersion copies o to every destination a rule selects it for
// and records the outcome on the source version.
func (r *Replicator) replicateVersion(ctx context.Context, b *meta.Bucket, o *meta.Object) error {
	return r.replicateTo(ctx, b, o, b.Config.Replication.Select(o.Replication()))
}

// replicateTo copies o to the rules' destinations and records the outcome.
func (r *Replicator) replicateTo(ctx context.Context, b *meta.Bucket, o *meta.Object, rules []*s3.ReplicationRule) error {
	status := s3.ReplicationCompleted
	for _, rule := range rules {
		err := r.putVersion(ctx, b, rule, o)
		var pe *permanentError
		if errors.As(err, &pe) {
			r.cfg.Logger.Warn("replication refused by the destination", "bucket", o.Bucket, "key", o.Key, "version", o.VersionID, "destination", rule.Destination.Bucket, "err", err)
			status = s3.ReplicationFailed
			continue
		}
		if err != nil {
			return err
		}
	}
	if len(rules) == 0 {
		status = s3.ReplicationFailed // the rule that selected it is gone
	}
	if status == s3.ReplicationFailed {
		r.stats.failed.Add(1)
	} else {
		r.stats.replicated.Add(1)
	}
	return r.setStatus(ctx, o, status)
}

func (r *Replicator) setStatus(ctx context.Context, o *meta.Object, status string) error {
	err := r.cfg.Meta.SetReplicationStatus(ctx, o.Bucket, o.Key, o.Seq, status)
	if errors.Is(err, meta.ErrNoSuchVersion) {
		return nil
	}
	return err
}

// replicateMarker copies a delete marker where the rule says so.
func (r *Replicator) replicateMarker(ctx context.Context, b *meta.Bucket, o *meta.Object) error {
	if !o.DeleteMarker {
		return nil
	}
	// A marker has no tags: rules with tag filters never select it
	// (S3 refuses delete marker replication with tag filters).
	for _, rule := range b.Config.Replication.Select(s3.ReplicationObject{Key: o.Key}) {
		if !rule.ReplicatesDeleteMarkers() {
			continue
		}
		err := r.deleteMarker(ctx, b, rule, o)
		var pe *permanentError
		if errors.As(err, &pe) {
			r.cfg.Logger.Warn("delete marker replication refused", "bucket", o.Bucket, "key", o.Key, "destination", rule.Destination.Bucket, "err", err)
			r.stats.failed.Add(1)
			continue
		}
		if err != nil {
			return err
		}
		r.stats.markers.Add(1)
	}
	return nil
}
