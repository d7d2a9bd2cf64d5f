package meta

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"time"

	"talus/internal/s3"
)

// The change journal: every mutation of object state appends one Record in
// the same transaction as the change, so a change that commits has its
// record and one that rolls back has none. Consumers (notifications,
// replication, S3 Metadata tables, access logs) read records in order and
// keep durable named cursors; TrimJournal bounds what is kept.

// Record types: the S3 Metadata journal table's record_type.
const (
	RecordCreate         = "CREATE"          // a new object or version
	RecordUpdateMetadata = "UPDATE_METADATA" // tags, ACL, retention, legal hold, encryption, storage class
	RecordDelete         = "DELETE"          // a delete marker or a permanent delete
)

// Events say in finer detail what a record's change was. Where S3 has an
// event notification type for it, the event is that type without "s3:"
// (see S3EventName); the others are named in the same style.
const (
	EventPut                     = "ObjectCreated:Put"
	EventPost                    = "ObjectCreated:Post"
	EventCopy                    = "ObjectCreated:Copy"
	EventCompleteMultipartUpload = "ObjectCreated:CompleteMultipartUpload"
	EventDelete                  = "ObjectRemoved:Delete"
	EventDeleteMarkerCreated     = "ObjectRemoved:DeleteMarkerCreated"
	EventTaggingPut              = "ObjectTagging:Put"
	EventTaggingDelete           = "ObjectTagging:Delete"
	EventACLPut                  = "ObjectAcl:Put"
	EventRetentionPut            = "ObjectRetention:Put"
	EventRestorePost             = "ObjectRestore:Post"
	EventRestoreCompleted        = "ObjectRestore:Completed"
	EventAnnotationPut           = "ObjectAnnotation:Put"
	EventAnnotationDelete        = "ObjectAnnotation:Delete"
	EventLifecycleDelete         = "LifecycleExpiration:Delete"
	EventLifecycleDeleteMarker   = "LifecycleExpiration:DeleteMarkerCreated"
	EventLifecycleTransition     = "LifecycleTransition"
	EventIntelligentTiering      = "IntelligentTiering"
	// No S3 notification type exists for these.
	EventLegalHoldPut     = "ObjectLegalHold:Put"
	EventEncryptionUpdate = "ObjectEncryption:Update"
	EventMetadataUpdate   = "ObjectMetadata:Update"
)

// s3Events are the events S3 sends notifications for.
var s3Events = map[string]bool{
	EventPut: true, EventPost: true, EventCopy: true, EventCompleteMultipartUpload: true,
	EventDelete: true, EventDeleteMarkerCreated: true, EventTaggingPut: true, EventTaggingDelete: true,
	EventACLPut: true, EventRetentionPut: true, EventRestorePost: true, EventRestoreCompleted: true, EventRestoreDelete: true, EventAnnotationPut: true,
	EventAnnotationDelete: true, EventLifecycleDelete: true, EventLifecycleDeleteMarker: true,
	EventLifecycleTransition: true, EventIntelligentTiering: true,
	EventReplicationFailed: true, EventReplicationMissed: true, EventReplicationAfterMissed: true, EventReplicationNotTracked: true,
}

// Operations the lifecycle worker names in its Change (the operation names
// S3's server access log gives lifecycle actions).
const (
	OpLifecycleExpire     = "S3.EXPIRE.OBJECT"
	OpLifecycleTransition = "S3.TRANSITION.OBJECT"
	// OpIntelligentTiering moves an Intelligent-Tiering object to an
	// archive access tier.
	OpIntelligentTiering = "S3.INTELLIGENT_TIERING.ARCHIVE"
)

// LifecycleRequester is the requester S3 records for lifecycle actions.
const LifecycleRequester = "s3.amazonaws.com"

// Change is who made a change and in which request. The API layer sets it
// once per request (WithChange); the store copies it into every record the
// request's writes append.
type Change struct {
	// Requester is the account ID of the requester, or the service
	// principal acting for the owner (LifecycleRequester); "" for anonymous.
	Requester string `json:"requester,omitempty"`
	// Principal is the requester's ARN ("" for anonymous and services).
	Principal string `json:"principal,omitempty"`
	SourceIP  string `json:"sourceIP,omitempty"`
	RequestID string `json:"requestID,omitempty"`
	// HostID is the request's x-amz-id-2 (event notifications carry it).
	HostID string `json:"hostID,omitempty"`
	// Operation is the S3 operation name (PutObject, CopyObject, ...) or one
	// of the Op constants.
	Operation string `json:"op,omitempty"`
	// ByReplication: replication made the change (it is not replicated on).
	ByReplication bool `json:"byRepl,omitempty"`
}

type changeKey struct{}

// WithChange returns ctx carrying c for the store's journal records.
func WithChange(ctx context.Context, c Change) context.Context {
	return context.WithValue(ctx, changeKey{}, c)
}

// ChangeFrom returns the Change ctx carries (zero if none).
func ChangeFrom(ctx context.Context) Change {
	c, _ := ctx.Value(changeKey{}).(Change)
	return c
}

type bookkeepingKey struct{}

// Bookkeeping returns ctx for a write that is not a change of object state
// (recording the day an Intelligent-Tiering object was last read): the
// store appends no journal record for it, as S3 records none for a read.
func Bookkeeping(ctx context.Context) context.Context {
	return context.WithValue(ctx, bookkeepingKey{}, true)
}

// IsBookkeeping reports whether ctx came from Bookkeeping.
func IsBookkeeping(ctx context.Context) bool {
	b, _ := ctx.Value(bookkeepingKey{}).(bool)
	return b
}

// Record is one journal entry. Its fields are the columns of the S3
// Metadata journal table, plus Event, the operation and (for annotations)
// the annotation name. A permanent delete carries only the identifying
// fields (bucket, key, version ID, type, event, time, requester).
type Record struct {
	// Seq is the journal position: assigned at commit, increasing by one
	// per record in commit order, never reused.
	Seq          int64     `json:"-"`
	Time         time.Time `json:"-"`
	Type         string    `json:"type"`
	Event        string    `json:"event"`
	Bucket       string    `json:"bucket"`
	Key          string    `json:"key"`
	VersionID    string    `json:"vid"`
	DeleteMarker bool      `json:"dm,omitempty"`
	// VersionSeq is the store's Seq of the version (its incarnation: a
	// null version overwritten gets a new one).
	VersionSeq        int64             `json:"vseq,omitempty"`
	Size              int64             `json:"size,omitempty"`
	Modified          time.Time         `json:"mod,omitzero"`
	ETag              string            `json:"etag,omitempty"`
	StorageClass      string            `json:"class,omitempty"`
	Multipart         bool              `json:"mp,omitempty"`
	Encryption        string            `json:"enc,omitempty"` // SSE-S3, SSE-KMS, DSSE-KMS, SSE-C; "" plaintext
	BucketKey         bool              `json:"bk,omitempty"`
	KMSKeyARN         string            `json:"kms,omitempty"`
	ChecksumAlgorithm string            `json:"ck,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	UserMeta          map[string]string `json:"meta,omitempty"`
	// Annotation is the annotation's name (annotation events).
	Annotation string `json:"ann,omitempty"`
	// Replica: the version is a replica written by replication (its
	// changes are not replicated again, so two-way replication has no loop).
	Replica bool `json:"replica,omitempty"`
	// Pending: the version was written PENDING replication.
	Pending bool `json:"pending,omitempty"`
	// RestoreExpiry is when the version's restored copy expires and
	// RestoreClass the class it was restored from (restore records:
	// the event's glacierEventData).
	RestoreExpiry time.Time `json:"rexp,omitzero"`
	RestoreClass  string    `json:"rclass,omitempty"`
	// AccessTier is the Intelligent-Tiering access tier the version moved
	// to (IntelligentTiering records: destinationAccessTier).
	AccessTier string `json:"atier,omitempty"`
	// Replication is the data of a replication event record (nil on
	// every other record).
	Replication *ReplicationEvent `json:"repl,omitempty"`
	Change
}

// IsPermanentDelete reports whether r removed a version for good (S3
// leaves the object columns NULL then).
func (r *Record) IsPermanentDelete() bool { return r.Type == RecordDelete && !r.DeleteMarker }

// S3EventName is the S3 event notification type of the record
// ("s3:ObjectCreated:Put"), or "" when S3 has none for its event.
func (r *Record) S3EventName() string {
	if !s3Events[r.Event] {
		return ""
	}
	return "s3:" + r.Event
}

// NewRecord builds the record of a change to version o: the version
// after the change, the delete marker created, or the version removed for
// good (then only its identity is kept). Stores call it inside the
// write transaction and assign Seq and Time.
func NewRecord(ctx context.Context, typ, event string, o *Object) Record {
	r := Record{Type: typ, Event: event, Bucket: o.Bucket, Key: o.Key, VersionID: o.VersionID, Change: ChangeFrom(ctx)}
	if ev := replicationEventFrom(ctx); ev != nil && typ == RecordUpdateMetadata {
		r.Event, r.Replication = ev.Event, ev
	}
	r.Replica = o.Attrs.ReplicationStatus == s3.ReplicationReplica
	r.Pending = typ == RecordCreate && o.Attrs.ReplicationStatus == s3.ReplicationPending
	if typ == RecordDelete {
		// Removing a delete marker for good is a permanent delete too.
		r.DeleteMarker = event == EventDeleteMarkerCreated || event == EventLifecycleDeleteMarker
		if !r.DeleteMarker {
			return r
		}
	}
	if o.DeleteMarker {
		r.VersionSeq, r.Modified = o.Seq, o.Modified
		return r
	}
	r.VersionSeq, r.Size, r.Modified, r.ETag, r.StorageClass = o.Seq, o.Size, o.Modified, o.ETag, o.StorageClass
	r.Multipart = len(o.Parts) > 0 || o.UploadID != ""
	if e := o.Attrs.Enc; e != nil {
		r.Encryption, r.BucketKey, r.KMSKeyARN = encryptionStatus(e), e.BucketKey, e.KMSKeyARN
	}
	algs := make([]string, 0, len(o.Attrs.Checksums))
	for a := range o.Attrs.Checksums {
		algs = append(algs, a)
	}
	if len(algs) > 0 {
		sort.Strings(algs)
		r.ChecksumAlgorithm = algs[0]
	}
	r.Tags, r.UserMeta = o.Attrs.Tags, o.Attrs.UserMeta
	switch event {
	case EventRestorePost, EventRestoreCompleted, EventRestoreDelete:
		r.RestoreClass = o.StorageClass
		if rs := o.Attrs.Restore; rs != nil {
			r.RestoreExpiry = rs.Expires
		}
	case EventIntelligentTiering:
		r.AccessTier = o.Attrs.ArchiveStatus
	}
	return r
}

func encryptionStatus(e *Encryption) string {
	switch {
	case e.CustomerKeyMD5 != "":
		return "SSE-C"
	case e.Algorithm == "AES256":
		return "SSE-S3"
	case e.Algorithm == "aws:kms":
		return "SSE-KMS"
	case e.Algorithm == "aws:kms:dsse":
		return "DSSE-KMS"
	}
	return ""
}

// CreateEvent is the event of a new version written by operation.
func CreateEvent(operation string) string {
	switch operation {
	case "CopyObject":
		return EventCopy
	case "PostObject":
		return EventPost
	case "CompleteMultipartUpload":
		return EventCompleteMultipartUpload
	}
	return EventPut
}

// DeleteEvent is the event of a delete by operation.
func DeleteEvent(operation string, marker bool) string {
	switch {
	case operation == OpLifecycleExpire && marker:
		return EventLifecycleDeleteMarker
	case operation == OpLifecycleExpire:
		return EventLifecycleDelete
	case marker:
		return EventDeleteMarkerCreated
	}
	return EventDelete
}

var updateEvents = map[string]string{
	"PutObjectTagging": EventTaggingPut, "DeleteObjectTagging": EventTaggingDelete,
	"PutObjectAcl": EventACLPut, "PutObjectRetention": EventRetentionPut,
	"PutObjectLegalHold": EventLegalHoldPut, "UpdateObjectEncryption": EventEncryptionUpdate,
	"RestoreObject":       EventRestorePost,
	OpLifecycleTransition: EventLifecycleTransition,
	OpIntelligentTiering:  EventIntelligentTiering,
	OpRestoreCompleted:    EventRestoreCompleted,
	OpRestoreExpired:      EventRestoreDelete,
}

// UpdateEvent is the event of a metadata change by operation from before
// to after; an operation it does not know is judged by what changed.
func UpdateEvent(operation string, before, after *Attrs) string {
	if e, ok := updateEvents[operation]; ok {
		return e
	}
	switch {
	case !sameMap(before.Tags, after.Tags) && len(after.Tags) == 0:
		return EventTaggingDelete
	case !sameMap(before.Tags, after.Tags):
		return EventTaggingPut
	case !sameGrants(before.ACL, after.ACL):
		return EventACLPut
	case before.LockMode != after.LockMode || !before.LockUntil.Equal(after.LockUntil):
		return EventRetentionPut
	case before.LockLegalHold != after.LockLegalHold:
		return EventLegalHoldPut
	case (before.Enc == nil) != (after.Enc == nil) || before.Enc != nil && (before.Enc.Algorithm != after.Enc.Algorithm || before.Enc.KMSKeyARN != after.Enc.KMSKeyARN):
		return EventEncryptionUpdate
	}
	return EventMetadataUpdate
}

// Clone copies what UpdateEvent compares, so a store can keep the
// attributes from before an update function changes them in place.
func (a Attrs) Clone() Attrs {
	a.Tags = maps.Clone(a.Tags)
	a.ACL = slices.Clone(a.ACL)
	if a.Enc != nil {
		e := *a.Enc
		a.Enc = &e
	}
	return a
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sameGrants(a, b []Grant) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Journal errors.
var (
	// ErrJournalTrimmed: records after the position asked for were
	// removed by retention before they were read; the consumer lost them.
	ErrJournalTrimmed = errors.New("meta: journal records trimmed")
	ErrNoSuchCursor   = errors.New("meta: no such journal cursor")
)

// JournalCursor is a consumer's durable position: it has handled every
// record up to and including Seq.
type JournalCursor struct {
	Name    string
	Seq     int64
	Updated time.Time
}

// JournalRetention bounds the journal. A record is trimmed once every
// cursor has passed it and it is older than Age; whatever the cursors,
// only the newest MaxRecords are kept.
type JournalRetention struct {
	Age        time.Duration
	MaxRecords int64
}

// Default journal retention: a day past every consumer, ten million records at most.
const (
	DefaultJournalAge        = 24 * time.Hour
	DefaultJournalMaxRecords = 10_000_000
)

// WithDefaults fills zero fields with the defaults.
func (r JournalRetention) WithDefaults() JournalRetention {
	if r.Age <= 0 {
		r.Age = DefaultJournalAge
	}
	if r.MaxRecords <= 0 {
		r.MaxRecords = DefaultJournalMaxRecords
	}
	return r
}

// Journal is the change journal's read side, cursors and retention. Every
// Store implements it; the write side is internal to the store (each
// object mutation appends its record in its own transaction):
//
//   - PutObject: CREATE (event from the Change's operation: Put, Copy, Post)
//   - CompleteUpload: CREATE, ObjectCreated:CompleteMultipartUpload
//   - DeleteObject: DELETE (delete marker created, or a version removed;
//     LifecycleExpiration events when the operation is OpLifecycleExpire)
//   - UpdateObject: UPDATE_METADATA (event from the operation, else from
//     what changed)
//
// Nothing else (buckets, uploads, parts, identities, leases) is journaled.
// Records of a deleted bucket stay until retention trims them.
type Journal interface {
	// ReadJournal returns up to limit records with Seq > after, in Seq
	// order. Seqs are gap-free in commit order: when a record with Seq n
	// is visible, so is every record below n that retention kept.
	// ErrJournalTrimmed if some record after after was already trimmed.
	ReadJournal(ctx context.Context, after int64, limit int) ([]Record, error)
	// JournalSeq is the Seq of the last record appended (0 if none ever).
	JournalSeq(ctx context.Context) (int64, error)
	// WaitJournal returns once a record with Seq > after exists, or ctx
	// ends. Writes in this process wake it at once; others (another
	// gateway) within a poll interval.
	WaitJournal(ctx context.Context, after int64) error

	// GetJournalCursor returns ErrNoSuchCursor if name was never set.
	GetJournalCursor(ctx context.Context, name string) (JournalCursor, error)
	// SetJournalCursor stores name's position durably, creating it.
	SetJournalCursor(ctx context.Context, name string, seq int64) error
	// ListJournalCursors returns every cursor, by name.
	ListJournalCursors(ctx context.Context) ([]JournalCursor, error)
	// DeleteJournalCursor removes name (no error if absent), so retention
	// no longer waits for it.
	DeleteJournalCursor(ctx context.Context, name string) error

	// TrimJournal removes what retention r (defaults filled) allows and
	// returns how many records went.
	TrimJournal(ctx context.Context, r JournalRetention) (int64, error)
}
