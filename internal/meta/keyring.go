package meta

import (
	"context"
	"errors"
	"time"
)

// Keyring errors.
var (
	ErrNoSuchKMSKey   = errors.New("meta: no such KMS key")
	ErrKMSKeyExists   = errors.New("meta: KMS key exists")
	ErrNoSuchKMSAlias = errors.New("meta: no such KMS alias")
	ErrKMSAliasExists = errors.New("meta: KMS alias exists")
)

// KMSKey is a key of the key service. Its material is sealed by the
// caller; the store never sees it in clear text.
type KMSKey struct {
	ID           string
	Description  string
	State        string // Enabled, Disabled or PendingDeletion
	Manager      string // CUSTOMER, AWS, or the service's own keys
	Created      time.Time
	DeletionDate time.Time // zero unless PendingDeletion
	Sealed       []byte
}

// KMSAlias names a key: "alias/NAME".
type KMSAlias struct {
	Name    string
	KeyID   string
	Created time.Time
	Updated time.Time
}

// Keyring stores the key service's keys and aliases, so every gateway on
// one metadata store shares them. Every Store implements it. Reads see every
// committed write (read-after-write).
type Keyring interface {
	// CreateKMSKey stores k and, if alias is not "", the alias naming it,
	// in one transaction: ErrKMSKeyExists if the ID is taken,
	// ErrKMSAliasExists if the alias is, and then nothing is stored.
	CreateKMSKey(ctx context.Context, k KMSKey, alias string) error
	// GetKMSKey returns ErrNoSuchKMSKey if absent.
	GetKMSKey(ctx context.Context, id string) (KMSKey, error)
	// ListKMSKeys returns up to limit keys with IDs after after, in byte order.
	ListKMSKeys(ctx context.Context, after string, limit int) ([]KMSKey, error)
	// UpdateKMSKey applies fn to the key inside a transaction, so a change
	// can be conditional on the stored state: fn's error aborts it and is
	// returned. ID, Created and Sealed cannot change. ErrNoSuchKMSKey if absent.
	UpdateKMSKey(ctx context.Context, id string, fn func(*KMSKey) error) error
	// DeleteKMSKey removes the key and every alias naming it (ErrNoSuchKMSKey).
	DeleteKMSKey(ctx context.Context, id string) error

	// PutKMSAlias creates an alias (replace false: ErrKMSAliasExists if the
	// name is taken) or points an existing one at another key (replace
	// true: ErrNoSuchKMSAlias if absent; Created is kept). ErrNoSuchKMSKey
	// if a.KeyID is not stored.
	PutKMSAlias(ctx context.Context, a KMSAlias, replace bool) error
	// GetKMSAlias returns ErrNoSuchKMSAlias if absent.
	GetKMSAlias(ctx context.Context, name string) (KMSAlias, error)
	// ListKMSAliases returns up to limit aliases named after after, in byte
	// order; keyID "" means aliases of every key.
	ListKMSAliases(ctx context.Context, keyID, after string, limit int) ([]KMSAlias, error)
	// DeleteKMSAlias returns ErrNoSuchKMSAlias if absent.
	DeleteKMSAlias(ctx context.Context, name string) error
}
