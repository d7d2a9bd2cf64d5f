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
	// Minute is how long a replication-time minute lasts (default a
	// minute; tests scale it), for the RTC threshold events.
	Minute time.Duration
	// MultipartThreshold: versions larger are written with a multipart
	// upload of PartSize parts (defaults 5 GiB and 64 MiB); multipart
	// versions always are, with their own parts.
	MultipartThreshold, PartSize int64
	Batch                        int
	Logger                       *slog.Logger
	Now                          func() time.Time
}

// Replicator is the replication worker.
type Replicator struct {
	cfg     Config
	clients *clients
	stats   counters
	trigger func(job string)
	lanes   lanes
	missed  missed
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
	// Destinations are the same two figures by destination lane.
	Destinations []DestinationStats
}

// DestinationStats are one destination lane's figures.
type DestinationStats struct {
	ARN     string
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
	if cfg.Minute <= 0 {
		cfg.Minute = time.Minute
	}
	if cfg.MultipartThreshold <= 0 {
		cfg.MultipartThreshold = DefaultMultipartThreshold
	}
	if cfg.PartSize <= 0 {
		cfg.PartSize = DefaultPartSize
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
	st := Stats{Replicated: r.stats.replicated.Load(), Failed: r.stats.failed.Load(), DeleteMarkers: r.stats.markers.Load(),
		Bytes: r.stats.bytes.Load(), Pending: r.stats.pending.Load(), Lag: time.Duration(r.stats.lagNanos.Load())}
	r.lanes.mu.Lock()
	st.Destinations = append(st.Destinations, r.lanes.figures...)
	r.lanes.mu.Unlock()
	return st
}

// Job is the shared, continuous journal consumer (see lanes.go).
func (r *Replicator) Job() worker.Job {
	return worker.Job{Name: JobName, Shared: true, Delay: time.Second, Run: r.run}
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

// handle replicates what one record asks for to the lane's destination
// arn; a non-nil error means try again.
func (r *Replicator) handle(ctx context.Context, buckets map[string]*meta.Bucket, rec *meta.Record, arn string) error {
	if rec.IsPermanentDelete() || rec.Replica && rec.Type != meta.RecordUpdateMetadata || rec.Type == meta.RecordCreate && !rec.Pending {
		// Version deletes are never replicated, replicas not again, and
		// versions no rule selected when written not at all.
		return nil
	}
	b, err := r.bucket(ctx, buckets, rec.Bucket)
	if err != nil || b == nil || !names(b.Config.Replication, arn) {
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
		return r.replicateToLane(ctx, b, o, arn, rec.Seq)
	case meta.RecordDelete:
		return r.replicateMarker(ctx, b, o, arn)
	case meta.RecordUpdateMetadata:
		return r.replicateMetadata(ctx, b, o, rec, arn)
	}
	return nil
}

// names reports whether some rule of c has the destination arn.
func names(c *s3.ReplicationConfig, arn string) bool {
	if c == nil {
		return false
	}
	for i := range c.Rules {
		if c.Rules[i].Destination.Bucket == arn {
			return true
		}
	}
	return false
}

// replicateToLane copies o to arn if a rule selects it for arn, then
// records the outcome (finish).
func (r *Replicator) replicateToLane(ctx context.Context, b *meta.Bucket, o *meta.Object, arn string, seq int64) error {
	rules := b.Config.Replication.Select(o.Replication())
	var rule *s3.ReplicationRule
	for _, ru := range rules {
		if ru.Destination.Bucket == arn {
			rule = ru
		}
	}
	if rule == nil {
		return nil // the base lane fails versions no rule selects any more
	}
	err := r.putVersion(ctx, b, rule, o)
	var pe *permanentError
	if errors.As(err, &pe) {
		r.cfg.Logger.Warn("replication refused by the destination", "bucket", o.Bucket, "key", o.Key, "version", o.VersionID, "destination", arn, "err", err)
		return r.finish(ctx, o, rule, rules, seq, err)
	}
	if err != nil {
		return err
	}
	return r.finish(ctx, o, rule, rules, seq, nil)
}

// replicateTo copies o to the rules' destinations and records the
// outcome (the existing-objects job).
func (r *Replicator) replicateTo(ctx context.Context, b *meta.Bucket, o *meta.Object, rules []*s3.ReplicationRule) error {
	var refused *s3.ReplicationRule
	var cause error
	for _, rule := range rules {
		err := r.putVersion(ctx, b, rule, o)
		var pe *permanentError
		if errors.As(err, &pe) {
			r.cfg.Logger.Warn("replication refused by the destination", "bucket", o.Bucket, "key", o.Key, "version", o.VersionID, "destination", rule.Destination.Bucket, "err", err)
			refused, cause = rule, err
			continue
		}
		if err != nil {
			return err
		}
	}
	if refused != nil {
		r.stats.failed.Add(1)
		return r.failed(ctx, o, refused, cause)
	}
	r.stats.replicated.Add(1)
	return r.setStatus(ctx, o, s3.ReplicationCompleted)
}

func (r *Replicator) setStatus(ctx context.Context, o *meta.Object, status string) error {
	err := r.cfg.Meta.SetReplicationStatus(ctx, o.Bucket, o.Key, o.Seq, status)
	if errors.Is(err, meta.ErrNoSuchVersion) {
		return nil
	}
	return err
}

// replicateMarker copies a delete marker where the rule says so.
func (r *Replicator) replicateMarker(ctx context.Context, b *meta.Bucket, o *meta.Object, arn string) error {
	if !o.DeleteMarker {
		return nil
	}
	// A marker has no tags: rules with tag filters never select it
	// (S3 refuses delete marker replication with tag filters).
	for _, rule := range b.Config.Replication.Select(s3.ReplicationObject{Key: o.Key}) {
		if rule.Destination.Bucket != arn || !rule.ReplicatesDeleteMarkers() {
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
