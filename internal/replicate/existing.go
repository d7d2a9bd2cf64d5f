package replicate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/worker"
)

// ExistingJobName is the job replicating objects that existed before a rule.
const ExistingJobName = "replication-existing"

// RequestExisting asks for bucket's existing versions to be replicated by
// its rules with ExistingObjectReplication Enabled: versions never
// replicated (no status) or FAILED. The job does it in the background.
func (r *Replicator) RequestExisting(ctx context.Context, bucket string) error {
	err := r.cfg.Meta.UpdateBucket(ctx, bucket, func(b *meta.Bucket) error {
		rc := b.Config.Replication
		if rc == nil {
			return fmt.Errorf("bucket %s has no replication configuration", bucket)
		}
		for _, rule := range rc.Rules {
			if rule.Status == "Enabled" && rule.ExistingObjects == "Enabled" {
				rc.ExistingRequested = true
				return nil
			}
		}
		return fmt.Errorf("no enabled rule of bucket %s has ExistingObjectReplication Enabled", bucket)
	})
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return fmt.Errorf("no bucket %s", bucket)
	}
	if err == nil && r.trigger != nil {
		r.trigger(ExistingJobName)
	}
	return err
}

// SetTrigger lets RequestExisting start the job at once.
func (r *Replicator) SetTrigger(fn func(job string)) { r.trigger = fn }

// existingCheckpoint is where the scan of a bucket resumes.
type existingCheckpoint struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Seq    int64  `json:"seq"`
}

// ExistingJob scans the buckets whose existing objects were asked for.
func (r *Replicator) ExistingJob() worker.Job {
	return worker.Job{Name: ExistingJobName, Shared: true, Delay: 5 * time.Second, Interval: time.Minute, Run: r.runExisting}
}

func (r *Replicator) runExisting(ctx context.Context, run *worker.Run) error {
	var cp existingCheckpoint
	if raw, err := run.Checkpoint(ctx); err != nil {
		return err
	} else if raw != nil {
		if err := json.Unmarshal(raw, &cp); err != nil {
			cp = existingCheckpoint{}
		}
	}
	after := ""
	for {
		bs, err := r.cfg.Meta.ListBuckets(ctx, "", "", after, 1000)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if b.Config.Replication == nil || !b.Config.Replication.ExistingRequested || cp.Bucket != "" && cp.Bucket != b.Name {
				continue
			}
			if err := r.existingBucket(ctx, run, &b, cp); err != nil {
				return err
			}
			cp = existingCheckpoint{}
			if err := run.SaveCheckpoint(ctx, nil); err != nil {
				return err
			}
		}
		if len(bs) < 1000 {
			return nil
		}
		after = bs[len(bs)-1].Name
	}
}

func (r *Replicator) existingBucket(ctx context.Context, run *worker.Run, b *meta.Bucket, cp existingCheckpoint) error {
	c := meta.VersionCursor{Key: cp.Key, Seq: cp.Seq}
	for {
		vs, err := r.cfg.Meta.ScanVersions(ctx, b.Name, "", c, 500)
		if err != nil {
			return err
		}
		for i := range vs {
			v := &vs[i]
			c = meta.VersionCursor{Key: v.Key, Seq: v.Seq}
			if v.DeleteMarker {
				continue
			}
			if err := r.existingVersion(ctx, b, v); err != nil {
				return err // the run is retried from the checkpoint
			}
			run.Done(1)
		}
		raw, _ := json.Marshal(existingCheckpoint{Bucket: b.Name, Key: c.Key, Seq: c.Seq})
		if err := run.SaveCheckpoint(ctx, raw); err != nil {
			return err
		}
		if len(vs) < 500 {
			break
		}
	}
	return r.cfg.Meta.UpdateBucket(ctx, b.Name, func(b *meta.Bucket) error {
		if b.Config.Replication != nil {
			b.Config.Replication.ExistingRequested = false
		}
		return nil
	})
}

// existingVersion replicates one version by the rules that take existing objects.
func (r *Replicator) existingVersion(ctx context.Context, b *meta.Bucket, v *meta.Object) error {
	o, err := r.cfg.Meta.GetObject(ctx, v.Bucket, v.Key, v.VersionID) // with its data and attributes
	if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
		return nil
	}
	if err != nil {
		return err
	}
	// Only versions never replicated, or that failed; not replicas.
	if st := o.Attrs.ReplicationStatus; st != "" && st != s3.ReplicationFailed {
		return nil
	}
	var rules []*s3.ReplicationRule
	for _, rule := range b.Config.Replication.Select(o.Replication()) {
		if rule.ExistingObjects == "Enabled" {
			rules = append(rules, rule)
		}
	}
	if len(rules) == 0 {
		return nil
	}
	return r.replicateTo(ctx, b, o, rules)
}
