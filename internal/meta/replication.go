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
