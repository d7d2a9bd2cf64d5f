package iam

import (
	"context"
	"errors"
	"time"

	"talus/internal/meta"
)

type cachedAccount struct {
	a       meta.Account
	err     error
	expires time.Time
}

// Account returns the account with the given ID (cached briefly: every
// request needs its principal's and its bucket's).
func (r *Resolver) Account(ctx context.Context, id string) (meta.Account, error) {
	return r.account(ctx, "id:"+id, func() (meta.Account, error) { return r.store.GetAccount(ctx, id) })
}

// AccountByCanonicalID returns the account a canonical user ID (a bucket
// or object owner) belongs to, cached briefly.
func (r *Resolver) AccountByCanonicalID(ctx context.Context, canonicalID string) (meta.Account, error) {
	return r.account(ctx, "cid:"+canonicalID, func() (meta.Account, error) { return r.store.GetAccountByCanonicalID(ctx, canonicalID) })
}

func (r *Resolver) account(ctx context.Context, key string, load func() (meta.Account, error)) (meta.Account, error) {
	now := time.Now()
	r.mu.Lock()
	c, ok := r.accounts[key]
	r.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.a, c.err
	}
	a, err := load()
	if err != nil && !errors.Is(err, meta.ErrNoSuchAccount) {
		return a, err // store trouble: do not cache
	}
	r.mu.Lock()
	if len(r.accounts) > 10000 {
		r.accounts = map[string]cachedAccount{}
	}
	r.accounts[key] = cachedAccount{a: a, err: err, expires: now.Add(r.ttl)}
	r.mu.Unlock()
	return a, err
}

// ForgetAccounts drops every cached account and key after an account was
// created or deleted in this process.
func (r *Resolver) ForgetAccounts() {
	r.mu.Lock()
	r.accounts = map[string]cachedAccount{}
	r.cache = map[string]cached{}
	r.mu.Unlock()
	r.published(CacheAccounts, "*")
}

// NewAccountID returns a random 12-digit account ID other than the
// administrator's.
func NewAccountID() string {
	for {
		if id := RandomString(12, "0123456789"); id != AccountID {
			return id
		}
	}
}

// NewCanonicalID returns a canonical user ID in S3's shape: 64 hex digits.
func NewCanonicalID() string { return RandomString(64, "0123456789abcdef") }

// CreateAccount makes an account with fresh IDs and a root access key,
// and returns it with the key pair (the secret exists only here: the
// store keeps it sealed). A clash of random IDs is retried.
func (r *Resolver) CreateAccount(ctx context.Context, name, email string, now time.Time) (meta.Account, string, string, error) {
	for try := 0; ; try++ {
		a := meta.Account{ID: NewAccountID(), CanonicalID: NewCanonicalID(), Name: name, Email: email, Created: now}
		keyID, secret := NewAccessKey()
		k := meta.AccessKey{ID: keyID, Status: "Active", Created: now, SealedSecret: r.sealer.Seal(keyID, secret)}
		err := r.store.CreateAccount(ctx, a, k)
		if errors.Is(err, meta.ErrAccountExists) && try < 3 {
			if taken, terr := r.nameOrEmailTaken(ctx, name, email); terr != nil || taken {
				return meta.Account{}, "", "", err
			}
			continue // an ID collided: draw again
		}
		r.ForgetAccounts()
		return a, keyID, secret, err
	}
}

func (r *Resolver) nameOrEmailTaken(ctx context.Context, name, email string) (bool, error) {
	all, err := r.store.ListAccounts(ctx)
	if err != nil {
		return false, err
	}
	for _, a := range all {
		if a.Name == name || (email != "" && a.Email == email) {
			return true, nil
		}
	}
	return false, nil
}

// DeleteAccount deletes an account that owns nothing (meta.ErrAccountInUse otherwise).
func (r *Resolver) DeleteAccount(ctx context.Context, id string) error {
	err := r.store.DeleteAccount(ctx, id)
	r.ForgetAccounts()
	return err
}

// EnsureAdminAccount records the administrator's account on a data
// directory's first start with accounts; canonicalID is the owner ID its
// buckets and objects already carry, so nothing changes owner.
func EnsureAdminAccount(ctx context.Context, store meta.Accounts, canonicalID string, now time.Time) error {
	a, err := store.GetAccount(ctx, AccountID)
	if err == nil {
		if a.CanonicalID != canonicalID {
			return errors.New("iam: the administrator account's canonical ID differs from the data directory's root record")
		}
		return nil
	}
	if !errors.Is(err, meta.ErrNoSuchAccount) {
		return err
	}
	err = store.CreateAccount(ctx, meta.Account{ID: AccountID, CanonicalID: canonicalID, Name: "admin", Created: now, Admin: true}, meta.AccessKey{})
	if errors.Is(err, meta.ErrAccountExists) {
		return errors.New("iam: an account already uses the administrator's name or canonical ID")
	}
	return err
}
