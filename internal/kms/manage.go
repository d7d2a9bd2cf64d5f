package kms

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"talus/internal/meta"
)

// Management errors beyond the Service contract.
var (
	// ErrAccessDenied: AWS-managed keys cannot be disabled, enabled or
	// deleted, by anyone. AccessDeniedException.
	ErrAccessDenied = errors.New("kms: access denied")
	// ErrNotAuthorized: the alias/aws/ prefix is reserved. NotAuthorizedException.
	ErrNotAuthorized = errors.New("kms: not authorized")
)

// Alias is an alias as ListAliases describes it.
type Alias struct {
	Name        string // alias/NAME
	ARN         string
	TargetKeyID string
	Created     time.Time
	Updated     time.Time
}

var (
	keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	aliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
)

// ValidKeyID reports whether id may name a key created with a chosen ID:
// 1 to 64 characters of A-Z, a-z, 0-9, _ and -.
func ValidKeyID(id string) bool { return keyIDPattern.MatchString(id) }

// MaxDescription is the longest key description KMS accepts.
const MaxDescription = 8192

// CreateKey creates an enabled customer key. id "" means a fresh UUID; a
// chosen id must satisfy ValidKeyID (ErrValidation) and be unused
// (ErrAlreadyExists).
func (l *Local) CreateKey(ctx context.Context, id, description string) (KeyMeta, error) {
	if id == "" {
		id = newKeyID()
	} else if !ValidKeyID(id) {
		return KeyMeta{}, errorf(ErrValidation, "Key ID %q is not valid: use 1 to 64 characters of A-Z, a-z, 0-9, _ and -", id)
	}
	if len(description) > MaxDescription {
		return KeyMeta{}, errorf(ErrValidation, "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	}
	k, err := l.newKey(ctx, id, description, ManagerCustomer, "")
	if errors.Is(err, meta.ErrKMSKeyExists) {
		return KeyMeta{}, errorf(ErrAlreadyExists, "Key %s already exists", l.KeyARN(id))
	}
	if err != nil {
		return KeyMeta{}, err
	}
	return l.keyMeta(k), nil
}

// ListKeys returns up to limit keys with IDs after marker, in byte order,
// and the marker of the next page ("" on the last). The service's own keys
// are never listed; keys past their deletion date are deleted.
func (l *Local) ListKeys(ctx context.Context, marker string, limit int) ([]KeyMeta, string, error) {
	var out []KeyMeta
	after := marker
	for {
		batch, err := l.ring.ListKMSKeys(ctx, after, limit+1)
		if err != nil {
			return nil, "", err
		}
		for _, k := range batch {
			after = k.ID
			if l.expired(k) {
				// Gone: remove it (and its aliases) now rather than on a later read.
				if err := l.ring.DeleteKMSKey(ctx, k.ID); err != nil && !errors.Is(err, meta.ErrNoSuchKMSKey) {
					return nil, "", err
				}
				continue
			}
			if k.Manager == managerService {
				continue
			}
			if len(out) == limit {
				return out, out[len(out)-1].ID, nil
			}
			out = append(out, l.keyMeta(k))
		}
		if len(batch) <= limit {
			return out, "", nil
		}
	}
}

// update changes a customer key through fn, which sees its stored state.
func (l *Local) update(ctx context.Context, ref string, fn func(*meta.KMSKey) error) (KeyMeta, error) {
	c, err := l.resolve(ctx, ref)
	if err != nil {
		return c.meta, err
	}
	if c.meta.Manager != ManagerCustomer {
		return c.meta, errorf(ErrAccessDenied, "%s is an AWS managed key and cannot be modified.", c.meta.ARN)
	}
	var out meta.KMSKey
	err = l.ring.UpdateKMSKey(ctx, c.meta.ID, func(k *meta.KMSKey) error {
		if l.expired(*k) {
			return l.notFound(k.ID)
		}
		if err := fn(k); err != nil {
			return err
		}
		out = *k
		return nil
	})
	l.forget(c.meta.ID)
	if errors.Is(err, meta.ErrNoSuchKMSKey) {
		return c.meta, l.notFound(c.meta.ID)
	}
	if err != nil {
		return c.meta, err
	}
	return l.keyMeta(out), nil
}

func (l *Local) pendingErr(k *meta.KMSKey) error {
	return errorf(ErrInvalidState, "%s is pending deletion.", l.KeyARN(k.ID))
}

// EnableKey enables a key (ErrInvalidState while it is pending deletion).
func (l *Local) EnableKey(ctx context.Context, ref string) (KeyMeta, error) {
	return l.update(ctx, ref, func(k *meta.KMSKey) error {
		if k.State == StatePendingDeletion {
			return l.pendingErr(k)
		}
		k.State = StateEnabled
		return nil
	})
}

// DisableKey disables a key (ErrInvalidState while it is pending deletion).
func (l *Local) DisableKey(ctx context.Context, ref string) (KeyMeta, error) {
	return l.update(ctx, ref, func(k *meta.KMSKey) error {
		if k.State == StatePendingDeletion {
			return l.pendingErr(k)
		}
		k.State = StateDisabled
		return nil
	})
}

// ScheduleKeyDeletion schedules a key's deletion days (7 to 30; 0 means 30)
// from now. ErrInvalidState if it is already pending deletion.
func (l *Local) ScheduleKeyDeletion(ctx context.Context, ref string, days int) (KeyMeta, error) {
	if days == 0 {
		days = 30
	}
	if days < 7 || days > 30 {
		return KeyMeta{}, errorf(ErrValidation, "1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", days)
	}
	return l.update(ctx, ref, func(k *meta.KMSKey) error {
		if k.State == StatePendingDeletion {
			return l.pendingErr(k)
		}
		k.State, k.DeletionDate = StatePendingDeletion, l.now().UTC().Add(time.Duration(days)*24*time.Hour)
		return nil
	})
}

// CancelKeyDeletion leaves a key pending deletion Disabled, as KMS does.
// ErrInvalidState if it is not pending deletion.
func (l *Local) CancelKeyDeletion(ctx context.Context, ref string) (KeyMeta, error) {
	return l.update(ctx, ref, func(k *meta.KMSKey) error {
		if k.State != StatePendingDeletion {
			return errorf(ErrInvalidState, "%s is not pending deletion.", l.KeyARN(k.ID))
		}
		k.State, k.DeletionDate = StateDisabled, time.Time{}
		return nil
	})
}

// checkAliasName validates a customer alias name.
func checkAliasName(name string) error {
	if !aliasPattern.MatchString(name) {
		return errorf(ErrValidation, "Alias must start with the prefix \"alias/\" and contain only alphanumeric characters, forward slashes (/), underscores (_), and dashes (-). Alias name: %s", name)
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return errorf(ErrNotAuthorized, "Cannot create, update or delete an alias whose name begins with alias/aws/ which is reserved for AWS managed keys.")
	}
	return nil
}

// aliasTargetKey resolves the key an alias is to name: a key ID or key
// ARN of a customer key that is not pending deletion.
func (l *Local) aliasTargetKey(ctx context.Context, target string) (KeyMeta, error) {
	alias, _, err := l.parseRef(target)
	if err != nil {
		return KeyMeta{}, err
	}
	if alias != "" || target == SSES3 {
		return KeyMeta{}, errorf(ErrValidation, "Aliases must refer to keys. Not aliases")
	}
	c, err := l.resolve(ctx, target)
	if err != nil {
		return c.meta, err
	}
	if c.meta.Manager != ManagerCustomer {
		return c.meta, errorf(ErrNotAuthorized, "Cannot associate an alias with an AWS managed key.")
	}
	if c.meta.State == StatePendingDeletion {
		return c.meta, errorf(ErrInvalidState, "%s is pending deletion.", c.meta.ARN)
	}
	return c.meta, nil
}

// CreateAlias names a customer key (ErrAlreadyExists if the alias is taken).
func (l *Local) CreateAlias(ctx context.Context, name, target string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	k, err := l.aliasTargetKey(ctx, target)
	if err != nil {
		return err
	}
	now := l.now().UTC()
	err = l.ring.PutKMSAlias(ctx, meta.KMSAlias{Name: name, KeyID: k.ID, Created: now, Updated: now}, false)
	switch {
	case errors.Is(err, meta.ErrKMSAliasExists):
		return errorf(ErrAlreadyExists, "An alias with the name %s already exists", l.AliasARN(name))
	case errors.Is(err, meta.ErrNoSuchKMSKey):
		return l.notFound(k.ID)
	}
	return err
}

// UpdateAlias points an existing alias at another customer key.
func (l *Local) UpdateAlias(ctx context.Context, name, target string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	k, err := l.aliasTargetKey(ctx, target)
	if err != nil {
		return err
	}
	err = l.ring.PutKMSAlias(ctx, meta.KMSAlias{Name: name, KeyID: k.ID, Updated: l.now().UTC()}, true)
	l.forgetAlias(name)
	switch {
	case errors.Is(err, meta.ErrNoSuchKMSAlias):
		return errorf(ErrNotFound, "Alias %s is not found.", l.AliasARN(name))
	case errors.Is(err, meta.ErrNoSuchKMSKey):
		return l.notFound(k.ID)
	}
	return err
}

// DeleteAlias removes an alias (the key stays).
func (l *Local) DeleteAlias(ctx context.Context, name string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	err := l.ring.DeleteKMSAlias(ctx, name)
	l.forgetAlias(name)
	if errors.Is(err, meta.ErrNoSuchKMSAlias) {
		return errorf(ErrNotFound, "Alias %s is not found.", l.AliasARN(name))
	}
	return err
}

// ListAliases returns up to limit aliases named after marker, of the key
// keyRef names ("" for every key), and the next page's marker.
func (l *Local) ListAliases(ctx context.Context, keyRef, marker string, limit int) ([]Alias, string, error) {
	keyID := ""
	if keyRef != "" {
		c, err := l.resolve(ctx, keyRef)
		if err != nil {
			return nil, "", err
		}
		keyID = c.meta.ID
	}
	as, err := l.ring.ListKMSAliases(ctx, keyID, marker, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(as) > limit {
		as, next = as[:limit], as[limit-1].Name
	}
	out := make([]Alias, len(as))
	for i, a := range as {
		out[i] = Alias{Name: a.Name, ARN: l.AliasARN(a.Name), TargetKeyID: a.KeyID, Created: a.Created, Updated: a.Updated}
	}
	return out, next, nil
}
