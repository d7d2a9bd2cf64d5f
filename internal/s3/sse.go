package s3

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// Server-side encryption methods of x-amz-server-side-encryption.
const (
	SSES3      = "AES256"
	SSEKMS     = "aws:kms"
	SSEKMSDSSE = "aws:kms:dsse"
)

// ValidSSEMethod reports whether v is a value S3 accepts in
// x-amz-server-side-encryption on a general purpose bucket.
func ValidSSEMethod(v string) bool {
	return v == SSES3 || v == SSEKMS || v == SSEKMSDSSE
}

// IsKMSMethod reports whether the method takes a KMS key ID and context.
func IsKMSMethod(v string) bool { return v == SSEKMS || v == SSEKMSDSSE }

// ValidEncryptionContext reports whether v is what S3 accepts in
// x-amz-server-side-encryption-context: base64 of a JSON object whose
// values are all strings.
func ValidEncryptionContext(v string) bool {
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return false
	}
	var m map[string]string
	return json.Unmarshal(raw, &m) == nil && m != nil
}

// Problems with the three customer-key (SSE-C) values, in the order S3
// checks them.
var (
	ErrSSECMissingKey       = errors.New("s3: SSE-C key missing")
	ErrSSECMissingKeyMD5    = errors.New("s3: SSE-C key MD5 missing")
	ErrSSECMissingAlgorithm = errors.New("s3: SSE-C algorithm missing")
	ErrSSECAlgorithm        = errors.New("s3: SSE-C algorithm is not AES256")
	ErrSSECKey              = errors.New("s3: SSE-C key is not base64 of 32 bytes")
	ErrSSECKeyMD5           = errors.New("s3: SSE-C key MD5 does not match the key")
)

// CheckCustomerKey validates a customer-provided key: the algorithm must
// be AES256, the key base64 of 256 bits and the MD5 the base64 MD5 of the
// key bytes. Empty strings are absent values; all three must be present.
func CheckCustomerKey(alg, key, keyMD5 string) error {
	switch {
	case key == "":
		return ErrSSECMissingKey
	case keyMD5 == "":
		return ErrSSECMissingKeyMD5
	case alg == "":
		return ErrSSECMissingAlgorithm
	case alg != "AES256":
		return ErrSSECAlgorithm
	}
	k, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(k) != 32 {
		return ErrSSECKey
	}
	want := md5.Sum(k)
	got, err := base64.StdEncoding.DecodeString(keyMD5)
	if err != nil || subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return ErrSSECKeyMD5
	}
	return nil
}
