package s3

import "errors"

// Object encryption types a bucket can block (BlockedEncryptionTypes).
const (
	EncryptionTypeNone = "NONE"
	EncryptionTypeSSEC = "SSE-C"
)

// EncryptionRule is one Rule of a PutBucketEncryption document, with the
// presence of each optional element kept.
type EncryptionRule struct {
	// HasDefault: ApplyServerSideEncryptionByDefault is present.
	HasDefault bool
	Algorithm  string // SSEAlgorithm
	KMSKeyID   string // KMSMasterKeyID, "" when absent
	BucketKey  bool   // BucketKeyEnabled
	// HasBlocked: BlockedEncryptionTypes is present; Blocked are its
	// EncryptionType values.
	HasBlocked bool
	Blocked    []string
}

// Problems of a PutBucketEncryption document.
var (
	// ErrEncryptionMalformed: S3 answers MalformedXML (no rule or more
	// than one, a rule with nothing in it, a missing or unknown
	// SSEAlgorithm, an unknown or contradictory EncryptionType).
	ErrEncryptionMalformed = errors.New("s3: malformed server-side encryption configuration")
	// ErrKMSKeyNotApplicable: a KMSMasterKeyID with an algorithm that takes
	// no KMS key (InvalidArgument).
	ErrKMSKeyNotApplicable = errors.New("s3: KMSMasterKeyID is only for aws:kms and aws:kms:dsse")
)

// CheckEncryptionRules validates the rules of a default encryption
// configuration as S3 does for a general purpose bucket: exactly one rule,
// holding ApplyServerSideEncryptionByDefault, BlockedEncryptionTypes or
// both; SSEAlgorithm AES256, aws:kms or aws:kms:dsse; KMSMasterKeyID only
// with a KMS algorithm; EncryptionType NONE or SSE-C, not both. The KMS
// key is not looked up: S3 does not validate it when the configuration is
// stored, only when an object is written with it.
func CheckEncryptionRules(rules []EncryptionRule) error {
	if len(rules) != 1 {
		return ErrEncryptionMalformed
	}
	r := rules[0]
	if !r.HasDefault && !r.HasBlocked {
		return ErrEncryptionMalformed
	}
	if r.HasDefault {
		if !ValidSSEMethod(r.Algorithm) {
			return ErrEncryptionMalformed
		}
		if r.KMSKeyID != "" && !IsKMSMethod(r.Algorithm) {
			return ErrKMSKeyNotApplicable
		}
	}
	none, ssec := false, false
	for _, t := range r.Blocked {
		switch t {
		case EncryptionTypeNone:
			none = true
		case EncryptionTypeSSEC:
			ssec = true
		default:
			return ErrEncryptionMalformed
		}
	}
	if none && ssec {
		return ErrEncryptionMalformed
	}
	return nil
}

// BlocksSSEC reports whether a rule's BlockedEncryptionTypes blocks SSE-C
// writes; ok is false when the rule does not say (the element is absent),
// in which case the bucket keeps its current setting.
func (r EncryptionRule) BlocksSSEC() (blocked, ok bool) {
	if !r.HasBlocked {
		return false, false
	}
	for _, t := range r.Blocked {
		if t == EncryptionTypeSSEC {
			return true, true
		}
	}
	return false, true
}

// DefaultEncryptionNone is the server setting that leaves new objects in
// buckets without a default encryption of their own unencrypted; the
// other setting, AES256 (or ""), applies SSE-S3 as S3 does to every bucket.
const DefaultEncryptionNone = "none"

// ValidDefaultEncryption reports whether v is a server default encryption
// setting: "", AES256 or none.
func ValidDefaultEncryption(v string) bool {
	return v == "" || v == SSES3 || v == DefaultEncryptionNone
}
