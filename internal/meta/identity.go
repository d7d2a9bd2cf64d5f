package meta

import (
	"context"
	"errors"
	"time"
)

// Identity errors.
var (
	ErrNoSuchUser      = errors.New("meta: no such user")
	ErrUserExists      = errors.New("meta: user exists")
	ErrNoSuchAccessKey = errors.New("meta: no such access key")
	ErrNoSuchPolicy    = errors.New("meta: no such policy")
	// ErrUserInUse: a user with access keys or policies cannot be deleted.
	ErrUserInUse = errors.New("meta: user has access keys or policies")
)

// User is an IAM user of an account (the one the context is scoped to,
// see InAccount).
type User struct {
	Name    string
	ID      string // stable unique ID (AIDA...)
	Path    string
	Created time.Time
}

// AccessKey is a user's key pair. The secret is stored sealed (encrypted
// by the caller); the store never sees it in clear text.
type AccessKey struct {
	ID      string
	Account string // the account the key belongs to (set by the store)
	// User is the key's IAM user; "" for the account's root key.
	User         string
	Status       string // Active or Inactive
	Created      time.Time
	SealedSecret []byte
}

// Identities stores users, their access keys and their inline policies.
// Every Store implements it. Each method acts within the account ctx is
// scoped to (InAccount), except GetAccessKey: key IDs are unique across
// accounts, and the key says whose it is.
type Identities interface {
	// CreateUser returns ErrUserExists if the name is taken.
	CreateUser(ctx context.Context, u User) error
	// GetUser returns ErrNoSuchUser if absent.
	GetUser(ctx context.Context, name string) (User, error)
	// ListUsers returns up to limit users named after after, in byte order.
	ListUsers(ctx context.Context, after string, limit int) ([]User, error)
	// DeleteUser returns ErrUserInUse while keys or policies remain.
	DeleteUser(ctx context.Context, name string) error

	// CreateAccessKey stores a key for an existing user (ErrNoSuchUser).
	CreateAccessKey(ctx context.Context, k AccessKey) error
	// GetAccessKey returns ErrNoSuchAccessKey if absent.
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccessKeys returns the user's keys, oldest first.
	ListAccessKeys(ctx context.Context, user string) ([]AccessKey, error)
	// UpdateAccessKey sets a key's status; ErrNoSuchAccessKey unless the key is the user's.
	UpdateAccessKey(ctx context.Context, user, id, status string) error
	// DeleteAccessKey returns ErrNoSuchAccessKey unless the key is the user's.
	DeleteAccessKey(ctx context.Context, user, id string) error
	// ResealAccessKeys replaces every access key's sealed secret with
	// reseal's result, in one transaction: if reseal fails for any key,
	// nothing changes and its error is returned.
	ResealAccessKeys(ctx context.Context, reseal func(AccessKey) ([]byte, error)) error

	// PutUserPolicy creates or replaces an inline policy (ErrNoSuchUser).
	PutUserPolicy(ctx context.Context, user, name, document string) error
	// GetUserPolicy returns ErrNoSuchPolicy if absent.
	GetUserPolicy(ctx context.Context, user, name string) (string, error)
	// ListUserPolicies returns the user's policy names in byte order.
	ListUserPolicies(ctx context.Context, user string) ([]string, error)
	// DeleteUserPolicy returns ErrNoSuchPolicy if absent.
	DeleteUserPolicy(ctx context.Context, user, name string) error
}
