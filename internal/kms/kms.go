// Package kms is Talus's key service: symmetric KMS keys with IDs, ARNs and
// aliases, whose key material is sealed under the data directory's master
// key, and the data-key operations that server-side encryption uses. The
// AWS KMS JSON API on the S3 endpoint and `talus admin kms` are its clients.
//
// Service is the contract the S3 layer depends on, so that an external key
// service (Vault Transit, KMIP) can stand behind it later.
package kms

import (
	"context"
	"errors"
	"time"
)

// Errors every Service returns (possibly wrapped). The S3 layer maps them to
// the S3 errors AWS returns for them; the KMS API maps them to KMS's
// exception names.
var (
	ErrNotFound          = errors.New("kms: key not found")           // NotFoundException
	ErrDisabled          = errors.New("kms: key is disabled")         // DisabledException
	ErrInvalidState      = errors.New("kms: key is pending deletion") // KMSInvalidStateException
	ErrInvalidCiphertext = errors.New("kms: invalid ciphertext")      // InvalidCiphertextException (also: wrong context)
	ErrAlreadyExists     = errors.New("kms: already exists")          // AlreadyExistsException
	ErrValidation        = errors.New("kms: validation")              // ValidationException
)

// SSES3 is the key reference of the service's own key for SSE-S3 (AES256).
// It is never listed, described, disabled or deleted through the KMS API.
const SSES3 = "talus/sse-s3"

// DefaultS3Alias is the alias of the account's AWS-managed key for S3,
// created on first use, which SSE-KMS uses when no key is named.
const DefaultS3Alias = "alias/aws/s3"

// Key states as KMS names them.
const (
	StateEnabled         = "Enabled"
	StateDisabled        = "Disabled"
	StatePendingDeletion = "PendingDeletion"
)

// KeyMeta describes a key as DescribeKey does.
type KeyMeta struct {
	ID           string
	ARN          string // arn:aws:kms:REGION:ACCOUNT:key/ID
	Description  string
	State        string
	Created      time.Time
	DeletionDate time.Time // set while PendingDeletion
	Manager      string    // "CUSTOMER" or "AWS"
}

// Service is what server-side encryption needs from a key service. A key
// reference is a key ID, a key ARN, an alias name ("alias/NAME") or an alias
// ARN, accepted wherever AWS accepts them, or SSES3.
type Service interface {
	// Describe resolves ref to its key (DefaultS3Alias is created on first use).
	Describe(ctx context.Context, ref string) (KeyMeta, error)
	// GenerateDataKey returns a fresh 32-byte data key, in clear and wrapped
	// under ref's key, bound to the encryption context. ErrDisabled or
	// ErrInvalidState when the key cannot be used.
	GenerateDataKey(ctx context.Context, ref string, encContext map[string]string) (plain, wrapped []byte, key KeyMeta, err error)
	// Decrypt unwraps what GenerateDataKey or Encrypt wrapped, given the
	// same encryption context; the wrapped form names its key.
	// ErrInvalidCiphertext for a tampered blob or a different context.
	Decrypt(ctx context.Context, wrapped []byte, encContext map[string]string) (plain []byte, key KeyMeta, err error)
	// Encrypt wraps plain (at most 4 KiB) under ref's key.
	Encrypt(ctx context.Context, ref string, plain []byte, encContext map[string]string) (wrapped []byte, key KeyMeta, err error)
}
