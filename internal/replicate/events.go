package replicate

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/aws/smithy-go"

	"talus/internal/meta"
	"talus/internal/s3"
)

// Replication events (s3:Replication:*) are journal records that
// replication appends through UpdateObject (meta.WithReplicationEvent),
// so the notification service delivers them as it does every other event:
// from the journal, at least once. As in S3, OperationFailedReplication
// needs the rule's Metrics Enabled, and the threshold events its
// ReplicationTime (RTC) Enabled.

// errGone: the version changed incarnation (a null version written again).
var errGone = errors.New("replicate: version replaced")

// event appends ev for version o, setting its status to status ("": as is).
func (r *Replicator) event(ctx context.Context, o *meta.Object, ev meta.ReplicationEvent, status string) error {
	ctx = meta.WithChange(ctx, meta.Change{Requester: meta.LifecycleRequester, Operation: "S3.REPLICATE.OBJECT", ByReplication: true})
	ctx = meta.WithReplicationEvent(ctx, ev)
	_, err := r.cfg.Meta.UpdateObject(ctx, o.Bucket, o.Key, o.VersionID, func(cur *meta.Object) error {
		if cur.Seq != o.Seq {
			return errGone
		}
		if status != "" {
			cur.Attrs.ReplicationStatus = status
		}
		return nil
	})
	if errors.Is(err, errGone) || errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
		return nil
	}
	return err
}

func baseEvent(name string, o *meta.Object, rule *s3.ReplicationRule) meta.ReplicationEvent {
	op := "OBJECT_PUT"
	if o.DeleteMarker {
		op = "DELETE_MARKER_PUT"
	}
	return meta.ReplicationEvent{Event: name, RuleID: rule.ID, Destination: rule.Destination.Bucket, Operation: op, RequestTime: o.Modified}
}

// failed marks o FAILED: with the rule's metrics on, as an
// OperationFailedReplication event.
func (r *Replicator) failed(ctx context.Context, o *meta.Object, rule *s3.ReplicationRule, cause error) error {
	if rule.Destination.Metrics != "Enabled" {
		return r.setStatus(ctx, o, s3.ReplicationFailed)
	}
	ev := baseEvent(meta.EventReplicationFailed, o, rule)
	ev.Failure = failureReason(cause)
	return r.event(ctx, o, ev, s3.ReplicationFailed)
}

// notTracked marks o FAILED as no rule selects it any more (its
// configuration or rule was deleted before it was copied): an
// OperationNotTracked event.
func (r *Replicator) notTracked(ctx context.Context, o *meta.Object) error {
	return r.event(ctx, o, meta.ReplicationEvent{Event: meta.EventReplicationNotTracked, Operation: "OBJECT_PUT", RequestTime: o.Modified}, s3.ReplicationFailed)
}

// failureReason is S3's replication failure reason for a destination's refusal.
func failureReason(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchBucket", "NotFound": // NotFound: HEAD of a missing bucket
			return "DstBucketNotFound"
		case "AccessDenied":
			return "DstPutObjectNotPermitted"
		case "KMS.NotFoundException", "NotFoundException":
			return "DstKmsKeyNotFound"
		case "InvalidBucketState":
			return "DstBucketUnversioned"
		}
		return "DstPutObjectNotPermitted"
	}
	// Not an S3 answer: the remote is not configured, or its secret
	// cannot be opened.
	return "DstBucketNotFound"
}

// threshold is the RTC threshold of rule (0: RTC off), in replication
// minutes.
func (r *Replicator) threshold(rule *s3.ReplicationRule) (time.Duration, int) {
	if rule.Destination.RTC != "Enabled" {
		return 0, 0
	}
	mins := rule.Destination.MetricsMins
	if mins <= 0 {
		mins = rule.Destination.RTCMins
	}
	if mins <= 0 {
		mins = 15
	}
	return time.Duration(mins) * r.cfg.Minute, mins
}

// missed remembers, by destination and version, the versions whose
// OperationMissedThreshold was sent (in memory: after a restart it may be
// sent again, as events are at least once).
type missed struct {
	mu   sync.Mutex
	sent map[string]bool
}

func (m *missed) take(key string, add bool) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sent == nil {
		m.sent = map[string]bool{}
	}
	had := m.sent[key]
	if add {
		m.sent[key] = true
	} else {
		delete(m.sent, key)
	}
	return had
}

func missedKey(arn string, o *meta.Object) string { return arn + "\x00" + strconv.FormatInt(o.Seq, 10) }

// missThreshold sends OperationMissedThreshold for o once it is pending
// past rule's RTC threshold.
func (r *Replicator) missThreshold(ctx context.Context, o *meta.Object, rule *s3.ReplicationRule) {
	limit, mins := r.threshold(rule)
	if limit <= 0 || r.cfg.Now().Sub(o.Modified) <= limit || r.missed.take(missedKey(rule.Destination.Bucket, o), true) {
		return
	}
	ev := baseEvent(meta.EventReplicationMissed, o, rule)
	ev.Threshold = strconv.Itoa(mins * 60)
	if err := r.event(ctx, o, ev, ""); err != nil {
		r.cfg.Logger.Warn("replication: missed-threshold event not recorded", "bucket", o.Bucket, "key", o.Key, "err", err)
	}
}

// replicatedLate sends, for a copy written past rule's RTC threshold,
// OperationMissedThreshold (unless sent while it was retried) and
// OperationReplicatedAfterThreshold.
func (r *Replicator) replicatedLate(ctx context.Context, o *meta.Object, rule *s3.ReplicationRule) {
	limit, mins := r.threshold(rule)
	if limit <= 0 || r.cfg.Now().Sub(o.Modified) <= limit {
		return
	}
	r.missThreshold(ctx, o, rule)
	r.missed.take(missedKey(rule.Destination.Bucket, o), false)
	ev := baseEvent(meta.EventReplicationAfterMissed, o, rule)
	ev.Threshold, ev.ReplicationTime = strconv.Itoa(mins*60), r.cfg.Now()
	if err := r.event(ctx, o, ev, ""); err != nil {
		r.cfg.Logger.Warn("replication: after-threshold event not recorded", "bucket", o.Bucket, "key", o.Key, "err", err)
	}
}

// retrying is called while lane arn retries rec: a version pending past
// its rule's RTC threshold gets its OperationMissedThreshold then.
func (r *Replicator) retrying(ctx context.Context, buckets map[string]*meta.Bucket, rec *meta.Record, arn string) {
	if rec.Type != meta.RecordCreate || !rec.Pending {
		return
	}
	b := buckets[rec.Bucket]
	if b == nil || b.Config.Replication == nil {
		return
	}
	o, err := r.cfg.Meta.GetObject(ctx, rec.Bucket, rec.Key, rec.VersionID)
	if err != nil || o.Seq != rec.VersionSeq {
		return
	}
	for _, rule := range b.Config.Replication.Select(o.Replication()) {
		if rule.Destination.Bucket == arn {
			r.missThreshold(ctx, o, rule)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
