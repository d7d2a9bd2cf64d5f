package s3

import (
	"errors"
	"strconv"
	"strings"
)

// S3 Metadata configuration values.
const (
	MetadataEnabled  = "ENABLED"
	MetadataDisabled = "DISABLED"
	// MetadataNamespaceV1 is the namespace of every V1 metadata table.
	MetadataNamespaceV1 = "aws_s3_metadata"
	// MetadataTableBucketV2 is the managed table bucket of V2 tables.
	MetadataTableBucketV2 = "aws-s3"
	// MinRecordExpirationDays is the least RecordExpiration Days.
	MinRecordExpirationDays = 7
)

// Table statuses reported by the Get operations.
const (
	TableCreating    = "CREATING"
	TableBackfilling = "BACKFILLING"
	TableActive      = "ACTIVE"
	TableFailed      = "FAILED"
)

// ErrMetadataMalformed: a required element is missing or an enumeration
// has an unknown value; S3 answers MalformedXML.
var ErrMetadataMalformed = errors.New("s3: malformed metadata configuration")

// MetadataConfigError is a well-formed but invalid metadata configuration
// (S3 answers InvalidArgument or InvalidRequest with Message).
type MetadataConfigError struct {
	Code    string
	Message string
}

func (e *MetadataConfigError) Error() string { return "s3: " + e.Message }

func invalidMetadata(msg string) error {
	return &MetadataConfigError{Code: "InvalidArgument", Message: msg}
}

// CheckRecordExpiration validates a journal RecordExpiration: Expiration
// ENABLED or DISABLED (required); Days (7..2147483647) required when
// ENABLED and refused when DISABLED. It returns the days, 0 when disabled.
func CheckRecordExpiration(expiration string, days *string) (int, error) {
	switch expiration {
	case MetadataDisabled:
		if days != nil {
			return 0, invalidMetadata("Days may not be specified when record expiration is DISABLED.")
		}
		return 0, nil
	case MetadataEnabled:
	default:
		return 0, ErrMetadataMalformed
	}
	if days == nil {
		return 0, invalidMetadata("Days must be specified when record expiration is ENABLED.")
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*days), 10, 64)
	if err != nil {
		return 0, ErrMetadataMalformed
	}
	if n < MinRecordExpirationDays || n > 2147483647 {
		return 0, invalidMetadata("Days must be between 7 and 2147483647.")
	}
	return int(n), nil
}

// CheckConfigurationState validates an inventory or annotation
// ConfigurationState.
func CheckConfigurationState(state string) error {
	if state != MetadataEnabled && state != MetadataDisabled {
		return ErrMetadataMalformed
	}
	return nil
}

// CheckTableEncryption validates a table EncryptionConfiguration:
// SseAlgorithm AES256 or aws:kms; KmsKeyArn required with aws:kms (a KMS
// key ARN in region) and refused with AES256.
func CheckTableEncryption(algorithm, kmsKeyARN, region string) error {
	switch algorithm {
	case SSES3:
		if kmsKeyARN != "" {
			return invalidMetadata("KmsKeyArn is only valid with SseAlgorithm aws:kms.")
		}
	case SSEKMS:
		if kmsKeyARN == "" {
			return invalidMetadata("KmsKeyArn is required when SseAlgorithm is aws:kms.")
		}
		p := strings.Split(kmsKeyARN, ":")
		if len(p) != 6 || p[0] != "arn" || p[2] != "kms" || !strings.HasPrefix(p[5], "key/") {
			return invalidMetadata("KmsKeyArn must be the ARN of a KMS key.")
		}
		if p[3] != region {
			return invalidMetadata("The KMS key must be in the same Region as the bucket.")
		}
	default:
		return ErrMetadataMalformed
	}
	return nil
}

// ParseTableBucketARN splits arn:aws:s3tables:REGION:ACCOUNT:bucket/NAME.
func ParseTableBucketARN(arn string) (region, account, name string, ok bool) {
	p := strings.Split(arn, ":")
	if len(p) != 6 || p[0] != "arn" || p[1] != "aws" || p[2] != "s3tables" || !strings.HasPrefix(p[5], "bucket/") {
		return "", "", "", false
	}
	name = strings.TrimPrefix(p[5], "bucket/")
	if !ValidTableBucketName(name) {
		return "", "", "", false
	}
	return p[3], p[4], name, p[3] != "" && p[4] != ""
}

// TableBucketARN is the ARN of a table bucket.
func TableBucketARN(region, account, name string) string {
	return "arn:aws:s3tables:" + region + ":" + account + ":bucket/" + name
}

// ValidTableBucketName reports whether name follows S3 Tables' table
// bucket naming rules: 3-63 characters, lowercase letters, digits and
// hyphens, beginning and ending with a letter or digit.
func ValidTableBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 || !alnumEnds(name) {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ValidTableName reports whether name follows S3 Tables' table and
// namespace naming rules: 1-255 characters, lowercase letters, digits and
// underscores, beginning and ending with a letter or digit.
func ValidTableName(name string) bool {
	if len(name) < 1 || len(name) > 255 || !alnumEnds(name) {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func alnumEnds(s string) bool {
	an := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	return an(s[0]) && an(s[len(s)-1])
}

// MetadataNamespaceV2 is the namespace of a bucket's V2 tables in the
// managed table bucket: b_ and the bucket name, as AWS names it.
func MetadataNamespaceV2(bucket string) string {
	return "b_" + bucket
}
