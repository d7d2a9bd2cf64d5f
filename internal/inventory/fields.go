package inventory

// Optional fields, as PutBucketInventoryConfiguration names them, in the
// order their columns appear in a report (AWS's fileSchema order).
var optionalFields = []string{
	"Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus",
	"EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode", "ObjectLockLegalHoldStatus",
	"IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm", "ObjectAccessControlList",
	"ObjectOwner", "LifecycleExpirationDate",
}

// ValidField reports whether f is an OptionalFields value AWS lists.
func ValidField(f string) bool {
	for _, o := range optionalFields {
		if o == f {
			return true
		}
	}
	return false
}

// Formats are the report formats: CSV and Parquet are written; ORC has
// no maintained pure-Go writer, so configurations asking for it are refused.
const (
	CSV     = "CSV"
	Parquet = "Parquet"
	ORC     = "ORC"
)

// columns returns a report's columns: Bucket, Key, VersionId, IsLatest
// and IsDeleteMarker (the last three only for all versions), then the
// requested optional fields in AWS's order.
func columns(allVersions bool, fields []string) []string {
	cols := []string{"Bucket", "Key"}
	if allVersions {
		cols = append(cols, "VersionId", "IsLatest", "IsDeleteMarker")
	}
	want := map[string]bool{}
	for _, f := range fields {
		want[f] = true
	}
	for _, f := range optionalFields {
		if want[f] {
			cols = append(cols, f)
		}
	}
	return cols
}

// needsAttrs: these columns come from the version's attributes, which
// scans do not load.
var needsAttrs = map[string]bool{
	"EncryptionStatus": true, "ObjectLockRetainUntilDate": true, "ObjectLockMode": true,
	"ObjectLockLegalHoldStatus": true, "BucketKeyStatus": true, "ChecksumAlgorithm": true,
	"ObjectAccessControlList": true,
}

// parquetName is a column's Parquet name (snake case, as AWS writes them).
var parquetName = map[string]string{
	"Bucket": "bucket", "Key": "key", "VersionId": "version_id", "IsLatest": "is_latest",
	"IsDeleteMarker": "is_delete_marker", "Size": "size", "LastModifiedDate": "last_modified_date",
	"StorageClass": "storage_class", "ETag": "e_tag", "IsMultipartUploaded": "is_multipart_uploaded",
	"ReplicationStatus": "replication_status", "EncryptionStatus": "encryption_status",
	"ObjectLockRetainUntilDate": "object_lock_retain_until_date", "ObjectLockMode": "object_lock_mode",
	"ObjectLockLegalHoldStatus":    "object_lock_legal_hold_status",
	"IntelligentTieringAccessTier": "intelligent_tiering_access_tier", "BucketKeyStatus": "bucket_key_status",
	"ChecksumAlgorithm": "checksum_algorithm", "ObjectAccessControlList": "object_access_control_list",
	"ObjectOwner": "object_owner", "LifecycleExpirationDate": "lifecycle_expiration_date",
}
