package meta

import (
	"context"
	"errors"
	"time"

	"talus/internal/s3"
)

// Replication errors.
var (
	ErrNoSuchRemote = errors.New("meta: no such replication remote")
	ErrRemoteExists = errors.New("meta: replication remote exists")
)

// ReplicationCursor is the journal cursor of the replication worker.
// PutBucketReplication creates it (at the journal's end) if it is missing,
// before the configuration is stored, so no version written under a rule
// is behind the cursor when replication first runs.
const ReplicationCursor = "replication"

// Replication is what replication rules look at of a version.
func (o *Object) Replication() s3.ReplicationObject {
	ro := s3.ReplicationObject{Key: o.Key, Tags: o.Attrs.Tags, Replica: o.Attrs.ReplicationStatus == s3.ReplicationReplica}
	if e := o.Attrs.Enc; e != nil {
		ro.SSEC = e.CustomerKeyMD5 != ""
		ro.SSEKMS = e.Algorithm == "aws:kms" || e.Algorithm == "aws:kms:dsse"
	}
	return ro
}

// Remote is an S3 endpoint replication rules can name as a destination.
// The secret key is sealed by the caller; the store never sees it in clear.
type Remote struct {
	Name         string
	Endpoint     string
	Region       string
	AccessKey    string
	SealedSecret []byte
	PathStyle    bool
	Created      time.Time
}

// Replication is the metadata replication keeps: remotes, and the
// replication status of versions. Every Store implements it.
type Replication interface {
	// SetReplicationStatus sets the x-amz-replication-status of the
	// version of bucket/key with store sequence seq (so a null version
	// written again meanwhile is left alone). It appends no journal
	// record: the status is replication's own bookkeeping, not a change
	// of the object. ErrNoSuchVersion when that version is gone.
	SetReplicationStatus(ctx context.Context, bucket, key string, seq int64, status string) error

	// PutRemote stores r: ErrRemoteExists if the name is taken and
	// replace is false.
	PutRemote(ctx context.Context, r Remote, replace bool) error
	// GetRemote returns ErrNoSuchRemote if absent.
	GetRemote(ctx context.Context, name string) (Remote, error)
	// ListRemotes returns every remote, by name.
	ListRemotes(ctx context.Context) ([]Remote, error)
	// DeleteRemote returns ErrNoSuchRemote if absent.
	DeleteRemote(ctx context.Context, name string) error
}

// Replication events: S3's s3:Replication:* notification types (without
// "s3:"). Replication appends them to the journal through UpdateObject
// with WithReplicationEvent; they change no object state but the
// replication status, and the S3 Metadata tables leave them out.
const (
	EventReplicationFailed      = "Replication:OperationFailedReplication"
	EventReplicationMissed      = "Replication:OperationMissedThreshold"
	EventReplicationAfterMissed = "Replication:OperationReplicatedAfterThreshold"
	EventReplicationNotTracked  = "Replication:OperationNotTracked"
)

// ReplicationEvent is a replication event's replicationEventData.
type ReplicationEvent struct {
	Event       string    `json:"event"`
	RuleID      string    `json:"rule,omitempty"`
	Destination string    `json:"dest,omitempty"` // the destination bucket's ARN
	Operation   string    `json:"op,omitempty"`   // s3Operation: OBJECT_PUT, DELETE_MARKER_PUT, ...
	RequestTime time.Time `json:"rt,omitzero"`    // when the replicated change was made
	Failure     string    `json:"why,omitempty"`  // failureReason
	Threshold   string    `json:"thr,omitempty"`  // the RTC threshold, in seconds ("900")
	// ReplicationTime is when the late replica was written
	// (OperationReplicatedAfterThreshold).
	ReplicationTime time.Time `json:"rpt,omitzero"`
}

type replicationEventKey struct{}

// WithReplicationEvent returns ctx whose journal record (of an
// UpdateObject) is the replication event ev.
func WithReplicationEvent(ctx context.Context, ev ReplicationEvent) context.Context {
	return context.WithValue(ctx, replicationEventKey{}, &ev)
}

func replicationEventFrom(ctx context.Context) *ReplicationEvent {
	ev, _ := ctx.Value(replicationEventKey{}).(*ReplicationEvent)
	return ev
}

// IsReplicationEvent reports whether r is a replication event rather
// than a change of the object.
func (r *Record) IsReplicationEvent() bool { return r.Replication != nil }
