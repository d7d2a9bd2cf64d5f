package meta

import (
	"context"
	"errors"
	"time"
)

// AdminAccountID is the account made at a data directory's first start:
// the administrator's, the only one that manages accounts. Directories
// written before accounts existed had this one account, so it keeps the ID
// their ARNs already used.
const AdminAccountID = "000000000000"

// Account errors.
var (
	ErrNoSuchAccount = errors.New("meta: no such account")
	// ErrAccountExists: the ID, canonical ID, name or email is taken.
	ErrAccountExists = errors.New("meta: account exists")
	// ErrAccountInUse: an account that owns buckets, objects, uploads or
	// users (or the administrator's) cannot be deleted.
	ErrAccountInUse = errors.New("meta: account owns resources")
)

// Account is one account of the server: its 12-digit ID, its 64-hex
// canonical user ID (the owner ID of its buckets and objects in ACLs) and
// the display name and email ACL grants may name it by.
type Account struct {
	ID          string
	CanonicalID string
	Name        string
	Email       string // "" when none
	Created     time.Time
	Admin       bool
}

// Accounts stores accounts and their root access keys. Every Store
// implements it.
type Accounts interface {
	// CreateAccount stores a and, unless root.ID is "", its root access key
	// (root.User must be "") in one transaction. ErrAccountExists if the
	// ID, canonical ID, name, non-empty email or key ID is taken.
	CreateAccount(ctx context.Context, a Account, root AccessKey) error
	// GetAccount, GetAccountByCanonicalID and GetAccountByEmail return
	// ErrNoSuchAccount if absent.
	GetAccount(ctx context.Context, id string) (Account, error)
	GetAccountByCanonicalID(ctx context.Context, canonicalID string) (Account, error)
	GetAccountByEmail(ctx context.Context, email string) (Account, error)
	// ListAccounts returns every account in ID order.
	ListAccounts(ctx context.Context) ([]Account, error)
	// DeleteAccount removes an account and its root keys. ErrAccountInUse
	// for the administrator's account and while the account owns buckets,
	// object versions, multipart uploads or IAM users.
	DeleteAccount(ctx context.Context, id string) error
}

type accountKey struct{}

// InAccount returns ctx scoped to an account: the identity methods
// (Identities) act on that account's users, keys and policies. One
// account's users are invisible to another's.
func InAccount(ctx context.Context, accountID string) context.Context {
	return context.WithValue(ctx, accountKey{}, accountID)
}

// AccountOf returns the account ctx is scoped to; AdminAccountID when none
// (the one account of servers before accounts existed).
func AccountOf(ctx context.Context) string {
	if v, ok := ctx.Value(accountKey{}).(string); ok && v != "" {
		return v
	}
	return AdminAccountID
}
