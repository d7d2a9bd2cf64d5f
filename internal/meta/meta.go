// Package meta defines the metadata store: buckets and object versions.
// Implementations live in subpackages and all pass metatest.Run.
//
// Every object is stored as versions. An unversioned bucket holds at most one
// version per key, with version ID "null"; delete markers are versions too.
// Keys compare as raw bytes everywhere.
//
// It must not import net/http or internal/s3err: the API layer maps the
// sentinel errors below to S3 codes in one place.
package meta

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"talus/internal/s3"
)

// Sentinel errors every Store returns (possibly wrapped).
var (
	ErrNoSuchBucket       = errors.New("meta: no such bucket")
	ErrBucketExists       = errors.New("meta: bucket already exists")
	ErrBucketNotEmpty     = errors.New("meta: bucket not empty")
	ErrNoSuchKey          = errors.New("meta: no such key")
	ErrNoSuchVersion      = errors.New("meta: no such version")
	ErrPreconditionFailed = errors.New("meta: precondition failed")
	// ErrNoSpace: a write failed because the file system is full.
	ErrNoSpace = errors.New("meta: no space left on device")
	// ErrRenameVersioned: RenameObject in a bucket with versioning
	// Enabled or Suspended.
	ErrRenameVersioned = errors.New("meta: rename in a bucket with versioning")
)

// NullVersion is the version ID of objects written while versioning is not enabled.
const NullVersion = "null"

// Versioning states of a bucket. A bucket never returns to Unversioned.
const (
	Unversioned = ""
	Enabled     = "Enabled"
	Suspended   = "Suspended"
)

// Bucket is a bucket's row.
type Bucket struct {
	Name       string
	Created    time.Time
	Region     string
	Owner      string
	Versioning string
	ObjectLock bool
	Config     BucketConfig
}

// BucketConfig holds a bucket's sub-resource configurations.
type BucketConfig struct {
	Tags map[string]string `json:"tags,omitempty"`
	// Policy is the bucket policy document as the client sent it.
	Policy string `json:"policy,omitempty"`
	// PublicAccessBlock holds the four public access block settings.
	PublicAccessBlock PublicAccessBlock `json:"pab,omitzero"`
	// Ownership is the object ownership setting: BucketOwnerEnforced
	// (ACLs disabled), BucketOwnerPreferred or ObjectWriter; "" when
	// deleted (S3 then behaves as ObjectWriter).
	Ownership string `json:"own,omitempty"`
	// ACL is the bucket's access control list.
	ACL []Grant `json:"acl,omitempty"`
	// DefaultRetention applies to new versions in an object-lock bucket.
	DefaultRetention *DefaultRetention `json:"lockDefault,omitempty"`
	// Encryption is the bucket's default encryption (nil: never configured
	// or deleted, so S3's default applies: SSE-S3, SSE-C blocked).
	Encryption *BucketEncryption `json:"enc,omitempty"`
	// CORS is the bucket's CORS rules, in order (nil: none configured).
	CORS []CORSRule `json:"cors,omitempty"`
	// Website is the bucket's static website configuration (nil: none).
	Website *Website `json:"web,omitempty"`
	// Lifecycle is the bucket's lifecycle configuration (nil: none).
	Lifecycle *Lifecycle `json:"lc,omitempty"`
	// Notification is the bucket's event notification configuration (nil: none).
	Notification *Notification `json:"notify,omitempty"`
	// RequesterPays: requests from other accounts must accept the charge.
	RequesterPays bool `json:"payer,omitempty"`
	// Accelerate is Transfer Acceleration's status: Enabled, Suspended or "" (never set).
	Accelerate string `json:"accel,omitempty"`
	// ABAC is "Enabled" when the bucket's tags are aws:ResourceTag keys.
	ABAC string `json:"abac,omitempty"`
	// Metrics are the request metrics configurations, in Id order.
	Metrics []MetricsConfig `json:"metrics,omitempty"`
	// IntelligentTiering is the bucket's Intelligent-Tiering
	// configurations, in ID order.
	IntelligentTiering []IntelligentTiering `json:"it,omitempty"`
	// Replication is the bucket's replication configuration (nil: none).
	Replication *s3.ReplicationConfig `json:"repl,omitempty"`
	// Logging is the bucket's server access logging (nil: disabled).
	Logging *Logging `json:"log,omitempty"`
	// Inventory is the bucket's S3 Inventory configurations, by ID order.
	Inventory []InventoryConfig `json:"inv,omitempty"`
	// Analytics is the bucket's storage class analysis configurations, by ID order.
	Analytics []AnalyticsConfig `json:"ana,omitempty"`
	// Metadata is the bucket's S3 Metadata configuration (nil: none).
	Metadata *MetadataConfig `json:"md,omitempty"`
	// Tables is the Iceberg catalog of a table bucket (nil: not one).
	Tables *TableBucket `json:"tb,omitempty"`
	// Directory makes the bucket a directory bucket (S3 Express One
	// Zone) in the zone it names (nil: a general purpose bucket).
	Directory *DirectoryBucket `json:"dirb,omitempty"`
}

// DirectoryBucket is the location and redundancy a directory bucket was
// created with (CreateBucketConfiguration's Location and Bucket).
type DirectoryBucket struct {
	// LocationType is AvailabilityZone or LocalZone; Zone the zone ID
	// (use1-az4), the one the bucket's name carries.
	LocationType string `json:"lt"`
	Zone         string `json:"zone"`
	// DataRedundancy is SingleAvailabilityZone or SingleLocalZone.
	DataRedundancy string `json:"dr"`
}

// CORSRule is one rule of a bucket's CORS configuration. Its fields are
// those of s3.CORSRule, in the same order, so the API converts directly.
type CORSRule struct {
	ID             string   `json:"id,omitempty"`
	AllowedOrigins []string `json:"origins"`
	AllowedMethods []string `json:"methods"`
	AllowedHeaders []string `json:"headers,omitempty"`
	ExposeHeaders  []string `json:"expose,omitempty"`
	MaxAgeSeconds  *int     `json:"maxAge,omitempty"`
}

// Website is a bucket's static website configuration: RedirectAll, or
// an index document suffix with an optional error document and routing
// rules.
type Website struct {
	IndexSuffix string               `json:"index,omitempty"`
	ErrorKey    string               `json:"error,omitempty"`
	RedirectAll *WebsiteRedirect     `json:"redirectAll,omitempty"`
	Rules       []WebsiteRoutingRule `json:"rules,omitempty"`
}

// WebsiteRedirect is where a redirect sends a request (only HostName and
// Protocol for RedirectAllRequestsTo). Its fields are those of
// s3.RoutingRedirect, in the same order.
type WebsiteRedirect struct {
	Protocol             string `json:"proto,omitempty"`
	HostName             string `json:"host,omitempty"`
	ReplaceKeyPrefixWith string `json:"prefixWith,omitempty"`
	ReplaceKeyWith       string `json:"keyWith,omitempty"`
	HTTPRedirectCode     string `json:"code,omitempty"`
}

// WebsiteRoutingRule is one routing rule; HasCondition tells an absent
// condition (every request) from one that sets only one field.
type WebsiteRoutingRule struct {
	HasCondition    bool            `json:"cond,omitempty"`
	KeyPrefixEquals string          `json:"prefix,omitempty"`
	ErrorCode       string          `json:"errorCode,omitempty"`
	Redirect        WebsiteRedirect `json:"redirect"`
}

// BucketEncryption is a bucket's default encryption rule.
type BucketEncryption struct {
	// Algorithm is "AES256", "aws:kms" or "aws:kms:dsse"; "" when only the
	// SSE-C setting was configured, so S3's default (SSE-S3) applies.
	Algorithm string `json:"alg"`
	// KMSKeyID is KMSMasterKeyID as configured (ID, ARN or alias), "" for
	// the account's aws/s3 key.
	KMSKeyID  string `json:"kms,omitempty"`
	BucketKey bool   `json:"bk,omitempty"`
	// SSECAllowed lets new writes use customer-provided keys (SSE-C). S3
	// blocks SSE-C on buckets by default (BlockedEncryptionTypes SSE-C), so
	// a bucket with no configuration blocks it too.
	SSECAllowed bool `json:"ssec,omitempty"`
}

// Grant is one ACL entry: a grantee and a permission (FULL_CONTROL, READ,
// WRITE, READ_ACP, WRITE_ACP). The grantee is a canonical user ID, a group
// URI, or an email address.
type Grant struct {
	ID         string `json:"id,omitempty"`
	URI        string `json:"uri,omitempty"`
	Email      string `json:"email,omitempty"`
	Permission string `json:"p"`
}

// PublicAccessBlock is a bucket's public access block configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockAcls,omitempty"`
	IgnorePublicAcls      bool `json:"ignoreAcls,omitempty"`
	BlockPublicPolicy     bool `json:"blockPolicy,omitempty"`
	RestrictPublicBuckets bool `json:"restrict,omitempty"`
	// Set is true once a configuration was stored.
	Set bool `json:"set,omitempty"`
}

// DefaultRetention is an object lock default rule: Days or Years.
type DefaultRetention struct {
	Mode  string `json:"mode"`
	Days  int    `json:"days,omitempty"`
	Years int    `json:"years,omitempty"`
}

// Object is one version of an object (or a delete marker).
type Object struct {
	Bucket       string
	Key          string
	VersionID    string
	Seq          int64 // store-assigned, increasing with every new version
	IsLatest     bool
	DeleteMarker bool
	Size         int64
	ETag         string // quoted, as sent in the ETag header
	Modified     time.Time
	StorageClass string
	Owner        string
	// Data lives in exactly one place: the blob BlobID, Inline, or Parts.
	BlobID string
	Inline []byte
	Parts  []Part // multipart manifest, in part order
	Attrs  Attrs
	// UploadID names the multipart upload that created the version, if any.
	UploadID string
}

// Attrs are the version's attributes that are never queried by the store.
type Attrs struct {
	ContentType        string            `json:"ct,omitempty"`
	ContentEncoding    string            `json:"ce,omitempty"`
	ContentDisposition string            `json:"cd,omitempty"`
	ContentLanguage    string            `json:"cl,omitempty"`
	CacheControl       string            `json:"cc,omitempty"`
	Expires            string            `json:"ex,omitempty"`
	WebsiteRedirect    string            `json:"wr,omitempty"`
	UserMeta           map[string]string `json:"um,omitempty"` // lowercase names without x-amz-meta-
	// Checksums maps an algorithm name (CRC32, SHA256, ...) to its base64 value.
	Checksums    map[string]string `json:"ck,omitempty"`
	ChecksumType string            `json:"ckt,omitempty"` // FULL_OBJECT or COMPOSITE
	Tags         map[string]string `json:"tg,omitempty"`
	// Object lock: retention mode (GOVERNANCE or COMPLIANCE) until a date,
	// and a legal hold.
	LockMode      string    `json:"lm,omitempty"`
	LockUntil     time.Time `json:"lu,omitzero"`
	LockLegalHold string    `json:"lh,omitempty"` // "ON", "OFF", or "" when never set
	// ACL is the version's access control list (nil: owner full control).
	ACL []Grant `json:"acl,omitempty"`
	// Enc says how the version's bytes are encrypted at rest; nil: plaintext.
	// On an Upload it is the setting every part and the object get.
	Enc *Encryption `json:"enc,omitempty"`
	// Restore is the restore of an archived version (nil: none requested).
	Restore *Restore `json:"rs,omitempty"`
	// ArchiveStatus is the Intelligent-Tiering archive tier an
	// INTELLIGENT_TIERING version is in: ARCHIVE_ACCESS,
	// DEEP_ARCHIVE_ACCESS, or "" while it is readable.
	ArchiveStatus string `json:"as,omitempty"`
	// Accessed is when an INTELLIGENT_TIERING version was last read, to
	// the lifecycle day (zero: not since it was written).
	Accessed time.Time `json:"acc,omitzero"`
	// ReplicationStatus is x-amz-replication-status: PENDING, COMPLETED
	// or FAILED on a source version, REPLICA on a replica; "" otherwise.
	ReplicationStatus string `json:"rps,omitempty"`
	// ReplicaVersions maps a replication destination (its bucket ARN) to
	// the version ID a server that is not Talus gave this version's copy,
	// so later changes of its tags, retention and legal hold name it.
	// Replication sets it (without a journal record); copies never keep it.
	ReplicaVersions map[string]string `json:"rpv,omitempty"`
	// RenameToken is the x-amz-client-token of the RenameObject that put
	// the version at its key, and RenameRequest what that request asked
	// (source and conditions), so that a retry answers the same.
	RenameToken   string `json:"rnt,omitempty"`
	RenameRequest string `json:"rnr,omitempty"`
}

// Restore is a restore of an archived version: requested with Days and a
// retrieval Tier, readable from Ready until Expires. Readability is a
// matter of time, so it survives restarts; the restore job records the
// completion (Completed) and removes the restore once it has expired.
type Restore struct {
	Requested time.Time `json:"req"`
	Ready     time.Time `json:"ready"`
	// Expires is when the restored copy goes away (zero for an
	// Intelligent-Tiering restore, which returns the version to its
	// frequent access tier for good).
	Expires time.Time `json:"exp,omitzero"`
	Days    int       `json:"days,omitempty"`
	Tier    string    `json:"tier,omitempty"`
	// Completed: the completion is journaled (ObjectRestore:Completed).
	Completed bool `json:"done,omitempty"`
}

// Encryption is a version's server-side encryption: which mode, which key,
// and the version's data key wrapped under it. The data key itself is never
// stored in clear.
type Encryption struct {
	// Algorithm is the x-amz-server-side-encryption value: "AES256"
	// (SSE-S3), "aws:kms" or "aws:kms:dsse" (SSE-KMS); "" with CustomerKeyMD5
	// set means SSE-C.
	Algorithm string `json:"alg,omitempty"`
	// KMSKeyARN is the KMS key that wraps the data key (SSE-KMS), as its ARN.
	KMSKeyARN string `json:"kms,omitempty"`
	// Context is the SSE-KMS encryption context as S3 returns it
	// (base64 of a JSON object), including the aws:s3:arn entry.
	Context string `json:"ctx,omitempty"`
	// BucketKey is x-amz-server-side-encryption-bucket-key-enabled.
	BucketKey bool `json:"bk,omitempty"`
	// WrappedKey is the data key, wrapped by the key service (SSE-S3,
	// SSE-KMS) or by the customer's key (SSE-C).
	WrappedKey []byte `json:"wk,omitempty"`
	// SSE-C: the key's MD5 as the client sent it (base64), and a salted
	// HMAC-SHA256 of the key to check later requests against.
	CustomerKeyMD5  string `json:"cmd5,omitempty"`
	CustomerKeySalt []byte `json:"csalt,omitempty"`
	CustomerKeyHMAC []byte `json:"chmac,omitempty"`
}

// Part is one part of a multipart object's manifest.
type Part struct {
	Number    int
	Size      int64
	ETag      string
	BlobID    string
	Checksums map[string]string
}

// PutOptions control PutObject.
type PutOptions struct {
	// Check, when set, is called inside the write transaction with the
	// current latest version (nil when none, or a delete marker) and may
	// veto the write by returning an error, which PutObject returns.
	Check func(current *Object) error
	// Annotations, when set, are copied onto the new version (CopyObject).
	Annotations *AnnotationCopy
	// VersionID, when set, is the version ID the new version gets (a
	// replica keeps its source's) in a bucket with versioning Enabled. If
	// the key already has that version, nothing is written and the result
	// says Existed, so a replica written twice is one version. PutObject
	// and CompleteUpload honour it (CompleteUpload then removes the
	// upload and returns its parts' blobs in Freed).
	VersionID string
}

// RenameOptions control RenameObject.
type RenameOptions struct {
	Check func(src, dst *Object) error
	Edit  func(*Attrs)
}

// PutResult reports what PutObject did.
type PutResult struct {
	VersionID string
	// Freed lists blobs no longer referenced; the caller deletes them.
	Freed []string
	// Existed: PutOptions.VersionID was already stored; nothing changed.
	Existed bool
}

// DeleteOptions control DeleteObject.
type DeleteOptions struct {
	// Check, when set, is called inside the transaction with the version
	// about to be removed permanently, and may veto it.
	Check func(victim *Object) error
	// IfLatest, when set and versionID is "", is called inside the
	// transaction with the key's current latest version (nil when it has
	// none; delete markers included) before anything changes, and may
	// veto the delete: the way to add a delete marker only if the latest
	// version is still the one the caller saw.
	IfLatest func(latest *Object) error
	// MarkerVersionID, when set with versionID "" in a bucket with
	// versioning Enabled, is the version ID of the delete marker (a
	// replicated marker keeps its source's); if the key already has that
	// version, nothing changes.
	MarkerVersionID string
	// MarkerAttrs are the new delete marker's attributes (a replicated
	// marker's ReplicationStatus REPLICA).
	MarkerAttrs Attrs
}

// DeleteResult reports what DeleteObject did.
type DeleteResult struct {
	VersionID    string // the version removed or the delete marker created
	DeleteMarker bool   // a delete marker was created, or the removed version was one
	Freed        []string
}

// BucketUsage is what one bucket stores: every version but delete markers.
type BucketUsage struct {
	Bucket  string
	Objects int64
	Bytes   int64
}

// Store is the metadata store. All methods are safe for concurrent use and
// read-after-write consistent: once a write method returns nil, every later
// read sees it. Write methods are durable when they return nil.
type Store interface {
	// CreateBucket stores b. It returns ErrBucketExists if the name is taken.
	CreateBucket(ctx context.Context, b Bucket) error
	// GetBucket returns ErrNoSuchBucket if absent.
	GetBucket(ctx context.Context, name string) (Bucket, error)
	// ListBuckets returns up to limit buckets whose names start with prefix
	// and sort after after, in byte order. owner "" means every owner.
	ListBuckets(ctx context.Context, owner, prefix, after string, limit int) ([]Bucket, error)
	// DeleteBucket returns ErrBucketNotEmpty if any version (delete markers
	// included) remains, ErrNoSuchBucket if absent.
	DeleteBucket(ctx context.Context, name string) error
	// UpdateBucket applies fn to the bucket inside a transaction.
	UpdateBucket(ctx context.Context, name string, fn func(*Bucket) error) error
	// BucketUsage returns, for every bucket, the object versions stored
	// (delete markers excluded) and their bytes, in name order.
	BucketUsage(ctx context.Context) ([]BucketUsage, error)

	// PutObject stores o as the new latest version of (o.Bucket, o.Key).
	// The store assigns VersionID, Seq and IsLatest: with versioning Enabled
	// a fresh version ID, otherwise "null", replacing any existing null
	// version. ErrNoSuchBucket if the bucket is missing.
	PutObject(ctx context.Context, o *Object, opts PutOptions) (PutResult, error)

	// GetObject returns the latest version when versionID is "", else that
	// version. A latest version that is a delete marker is returned as is
	// (DeleteMarker true). ErrNoSuchKey when the key has no versions,
	// ErrNoSuchVersion when the version does not exist.
	GetObject(ctx context.Context, bucket, key, versionID string) (*Object, error)

	// DeleteObject with versionID "" removes the null version when
	// versioning is off, and adds a delete marker when it is Enabled (with
	// a fresh ID) or Suspended (with ID "null", replacing the null version).
	// With a versionID it removes that version permanently; if it was the
	// latest, the next newest becomes latest. Deleting what does not exist
	// succeeds with an empty result.
	DeleteObject(ctx context.Context, bucket, key, versionID string, opts DeleteOptions) (DeleteResult, error)

	// UpdateObject applies fn to the version (latest when versionID is "")
	// inside a transaction and stores the changed Attrs; nothing else of
	// the version may change. fn sees delete markers too. ErrNoSuchKey or
	// ErrNoSuchVersion when it does not exist.
	UpdateObject(ctx context.Context, bucket, key, versionID string, fn func(*Object) error) (*Object, error)

	// RenameObject moves the object at src to dst in bucket in one
	// transaction, copying no data: the version row (its blob or parts,
	// Attrs, annotations, ETag, size, Modified and version ID "null")
	// changes key. Only buckets that never had versioning: any other
	// returns ErrRenameVersioned. opts.Check, when set, is called first
	// inside the transaction with the latest versions of src and dst (nil
	// for none; a delete marker counts as none) and may veto the rename by
	// returning an error, which RenameObject returns as is; it is called
	// even when src is missing, and RenameObject then returns ErrNoSuchKey
	// if Check returned nil. opts.Edit, when set, changes the moved
	// version's Attrs. An object at dst is replaced: its blobs are returned
	// as freed, its annotations dropped. src == dst changes nothing after
	// Check. The journal gets a RecordDelete of src and a RecordCreate of
	// dst, in the same transaction.
	RenameObject(ctx context.Context, bucket, src, dst string, opts RenameOptions) (freed []string, err error)

	// ScanLatest returns up to limit latest versions that are not delete
	// markers, with keys >= start that begin with prefix, in byte order.
	// Inline data and Attrs are not loaded.
	ScanLatest(ctx context.Context, bucket, prefix, start string, limit int) ([]Object, error)

	// ScanVersions returns up to limit versions, delete markers included,
	// whose keys begin with prefix and are >= c.Start, ordered by key and
	// newest first within a key, resuming after cursor c. Inline data and
	// parts are not loaded.
	ScanVersions(ctx context.Context, bucket, prefix string, c VersionCursor, limit int) ([]Object, error)

	// RelocateObject applies fn to the version inside a transaction and
	// stores what fn may change: StorageClass, BlobID, the BlobID of each
	// part (the parts themselves stay) and Attrs. It is how a version's
	// bytes move between storage tiers. It returns the blob IDs the
	// version no longer names, for the caller to delete. ErrNoSuchKey or
	// ErrNoSuchVersion when it does not exist.
	RelocateObject(ctx context.Context, bucket, key, versionID string, fn func(*Object) error) (freed []string, err error)

	// BlobReferenced reports whether any version (or upload part) names the blob.
	BlobReferenced(ctx context.Context, blobID string) (bool, error)

	Multipart
	Annotations
	Identities
	Directory
	Accounts
	Keyring
	Leases
	Journal
	Replication
	Restores

	Close() error
}

// NewVersionID returns a fresh version ID: 32 hex characters, the first 16
// from the clock so IDs made later by one store sort later.
func NewVersionID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	if _, err := rand.Read(b[8:]); err != nil {
		panic("meta: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// ErrNoSuchUpload is returned for an unknown or finished multipart upload.
var ErrNoSuchUpload = errors.New("meta: no such upload")

// Upload is a multipart upload in progress.
type Upload struct {
	Bucket       string
	Key          string
	UploadID     string
	Initiated    time.Time
	StorageClass string
	Owner        string
	Attrs        Attrs // headers and metadata the object will get
	// ChecksumAlgorithm and ChecksumType are what CreateMultipartUpload asked for.
	ChecksumAlgorithm string
	ChecksumType      string
}

// UploadPart is a stored part of an upload.
type UploadPart struct {
	Number    int
	Size      int64
	ETag      string
	BlobID    string
	Modified  time.Time
	Checksums map[string]string
}

// UploadListOptions page through uploads (ListMultipartUploads).
type UploadListOptions struct {
	Prefix string
	// KeyMarker and UploadIDMarker resume after that upload; KeyMarker
	// alone resumes after every upload of that key.
	KeyMarker      string
	UploadIDMarker string
	// StartKey, when set, lists only keys >= StartKey (skips a common prefix).
	StartKey string
	Limit    int
}

// Multipart is the part of a metadata store that keeps multipart uploads.
// Every Store implements it.
type Multipart interface {
	// CreateUpload records a new upload. ErrNoSuchBucket if the bucket is missing.
	CreateUpload(ctx context.Context, u Upload) error
	// GetUpload returns ErrNoSuchUpload unless the upload is in progress
	// for that bucket and key.
	GetUpload(ctx context.Context, bucket, key, uploadID string) (Upload, error)
	// PutPart stores or replaces a part; a replaced part's blob is returned
	// as freed. ErrNoSuchUpload if the upload is not in progress.
	PutPart(ctx context.Context, bucket, key, uploadID string, p UploadPart) (freed []string, err error)
	// ListParts returns up to limit parts numbered above after, ascending.
	ListParts(ctx context.Context, bucket, key, uploadID string, after, limit int) ([]UploadPart, error)
	// ListUploads returns uploads in (key, initiation, upload ID) order,
	// starting after (KeyMarker, UploadIDMarker) as S3 defines the markers.
	ListUploads(ctx context.Context, bucket string, opts UploadListOptions) ([]Upload, error)
	// AbortUpload removes the upload and its parts, returning their blobs.
	AbortUpload(ctx context.Context, bucket, key, uploadID string) (freed []string, err error)
	// CompleteUpload turns the upload (o.Bucket, o.Key, o.UploadID) into
	// the latest version o in one transaction. build is called inside the
	// transaction with the upload and all its stored parts; it must fill
	// o.Parts, o.Size and o.ETag from them, or veto with an error. Parts
	// left out of o.Parts are freed and the upload is removed. The upload
	// ID stays on the version so CompletedVersion can answer retries.
	CompleteUpload(ctx context.Context, o *Object, build func(u Upload, parts []UploadPart) error, opts PutOptions) (PutResult, error)
	// CompletedVersion returns the live version created by completing
	// uploadID, or ErrNoSuchUpload.
	CompletedVersion(ctx context.Context, bucket, key, uploadID string) (*Object, error)
}

// ValidVersionID reports whether v has the form NewVersionID produces.
func ValidVersionID(v string) bool {
	if len(v) != 32 {
		return false
	}
	_, err := hex.DecodeString(v)
	return err == nil && strings.ToLower(v) == v
}
