package kms

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"talus/internal/iam"
	"talus/internal/meta"
)

// Key managers.
const (
	ManagerCustomer = "CUSTOMER"
	ManagerAWS      = "AWS"
	// managerService marks the service's own keys (SSES3): never listed,
	// described or changed through the API.
	managerService = "TALUS"
)

// cacheTTL bounds how long an unsealed key (and an alias) is served from
// memory. Changes made through this Local take effect at once; changes made
// by another gateway sharing the metadata store within cacheTTL.
const cacheTTL = 5 * time.Second

// Local is the key service kept in the metadata store: key records (with
// material sealed under the data directory's master key) and aliases live
// in a meta.Keyring, so every gateway on one store shares them.
type Local struct {
	ring   meta.Keyring
	seal   cipher.AEAD // seals key material, AAD = key ID
	region string
	now    func() time.Time

	mu      sync.Mutex
	keys    map[string]cachedKey   // by key ID
	aliases map[string]cachedAlias // by alias name
	publish func(kind, key string)
}

type cachedKey struct {
	meta     KeyMeta
	material []byte
	loaded   time.Time
}

type cachedAlias struct {
	keyID  string
	loaded time.Time
}

var _ Service = (*Local)(nil)

// New returns the key service of a data directory: masterKey is its 32-byte
// master key (keys/master.key), region the region ARNs name.
func New(masterKey []byte, ring meta.Keyring, region string) (*Local, error) {
	if len(masterKey) != 32 {
		return nil, fmt.Errorf("kms: master key has %d bytes, want 32", len(masterKey))
	}
	k, err := hkdf.Key(sha256.New, masterKey, nil, "talus kms key material v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Local{ring: ring, seal: aead, region: region, now: time.Now,
		keys: map[string]cachedKey{}, aliases: map[string]cachedAlias{}}, nil
}

// Region is the region the service's ARNs name.
func (l *Local) Region() string { return l.region }

// KeyARN returns the ARN of key id.
func (l *Local) KeyARN(id string) string {
	return "arn:aws:kms:" + l.region + ":" + iam.AccountID + ":key/" + id
}

// AliasARN returns the ARN of alias name ("alias/NAME").
func (l *Local) AliasARN(name string) string {
	return "arn:aws:kms:" + l.region + ":" + iam.AccountID + ":" + name
}

func (l *Local) sealMaterial(id string, material []byte) []byte {
	nonce := make([]byte, l.seal.NonceSize(), l.seal.NonceSize()+len(material)+l.seal.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("kms: crypto/rand failed: " + err.Error())
	}
	return l.seal.Seal(nonce, nonce, material, []byte(id))
}

func (l *Local) openMaterial(id string, sealed []byte) ([]byte, error) {
	n := l.seal.NonceSize()
	if len(sealed) < n {
		return nil, fmt.Errorf("kms: key %s: sealed material is damaged", id)
	}
	m, err := l.seal.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("kms: key %s does not open under this data directory's master key", id)
	}
	return m, nil
}

func (l *Local) keyMeta(k meta.KMSKey) KeyMeta {
	m := KeyMeta{ID: k.ID, Description: k.Description, State: k.State, Created: k.Created, DeletionDate: k.DeletionDate, Manager: k.Manager}
	if k.Manager == managerService {
		m.Manager = ManagerAWS
	} else {
		m.ARN = l.KeyARN(k.ID)
	}
	return m
}

// expired reports whether a key's deletion date has passed: it is gone.
func (l *Local) expired(k meta.KMSKey) bool {
	return k.State == StatePendingDeletion && !k.DeletionDate.IsZero() && !l.now().Before(k.DeletionDate)
}

func (l *Local) forget(id string) {
	l.Drop(CacheKey, id)
	if l.publish != nil {
		l.publish(CacheKey, id)
	}
}

func (l *Local) forgetAlias(name string) {
	l.Drop(CacheAlias, name)
	if l.publish != nil {
		l.publish(CacheAlias, name)
	}
}

// Cache kinds the key service publishes when a key or alias changes, for
// gateways sharing the metadata store (internal/cachebus).
const (
	CacheKey   = "kms-key"
	CacheAlias = "kms-alias"
)

// SetPublisher has every change of a key or alias publish(kind, id or
// name), so other gateways drop their cached copies. Set it before serving.
func (l *Local) SetPublisher(publish func(kind, key string)) { l.publish = publish }

// Drop drops a cached key or alias on another gateway's word ("*": all).
func (l *Local) Drop(kind, key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case kind == CacheKey && key == "*":
		l.keys = map[string]cachedKey{}
	case kind == CacheKey:
		delete(l.keys, key)
	case kind == CacheAlias && key == "*":
		l.aliases = map[string]cachedAlias{}
	case kind == CacheAlias:
		delete(l.aliases, key)
	}
}

func (l *Local) notFound(id string) error {
	return errorf(ErrNotFound, "Key '%s' does not exist", l.KeyARN(id))
}

// load returns key id from the cache or the store. A key past its deletion
// date is deleted and reported missing.
func (l *Local) load(ctx context.Context, id string) (cachedKey, error) {
	now := l.now()
	l.mu.Lock()
	c, ok := l.keys[id]
	l.mu.Unlock()
	if ok && now.Sub(c.loaded) < cacheTTL {
		if c.meta.State == StatePendingDeletion && !now.Before(c.meta.DeletionDate) {
			l.Drop(CacheKey, id) // every gateway's clock sees the date pass
		} else {
			return c, nil
		}
	}
	k, err := l.ring.GetKMSKey(ctx, id)
	if errors.Is(err, meta.ErrNoSuchKMSKey) {
		return c, l.notFound(id)
	}
	if err != nil {
		return c, err
	}
	if l.expired(k) {
		if err := l.ring.DeleteKMSKey(ctx, id); err != nil && !errors.Is(err, meta.ErrNoSuchKMSKey) {
			return c, err
		}
		return c, l.notFound(id)
	}
	material, err := l.openMaterial(id, k.Sealed)
	if err != nil {
		return c, err
	}
	c = cachedKey{meta: l.keyMeta(k), material: material, loaded: now}
	l.mu.Lock()
	l.keys[id] = c
	l.mu.Unlock()
	return c, nil
}

// newKey creates a key with fresh material; alias, if not "", names it in
// the same transaction.
func (l *Local) newKey(ctx context.Context, id, description, manager, alias string) (meta.KMSKey, error) {
	material := make([]byte, 32)
	if _, err := rand.Read(material); err != nil {
		panic("kms: crypto/rand failed: " + err.Error())
	}
	k := meta.KMSKey{ID: id, Description: description, State: StateEnabled, Manager: manager,
		Created: l.now().UTC(), Sealed: l.sealMaterial(id, material)}
	return k, l.ring.CreateKMSKey(ctx, k, alias)
}

// internalKey returns the service's own key id, creating it on first use.
func (l *Local) internalKey(ctx context.Context, id string) (cachedKey, error) {
	c, err := l.load(ctx, id)
	if !errors.Is(err, ErrNotFound) {
		return c, err
	}
	if _, err := l.newKey(ctx, id, "", managerService, ""); err != nil && !errors.Is(err, meta.ErrKMSKeyExists) {
		// Another gateway may have created it at the same moment.
		if c, lerr := l.load(ctx, id); lerr == nil {
			return c, nil
		}
		return c, err
	}
	return l.load(ctx, id)
}

// ParseRef splits a key reference into an alias name ("alias/NAME") or a
// key ID. ARNs must name this service's region and account.
func (l *Local) parseRef(ref string) (alias, id string, err error) {
	if rest, ok := strings.CutPrefix(ref, "arn:"); ok {
		prefix := "aws:kms:" + l.region + ":" + iam.AccountID + ":"
		tail, ok := strings.CutPrefix(rest, prefix)
		switch {
		case !ok:
			return "", "", errorf(ErrNotFound, "Invalid arn %s", ref)
		case strings.HasPrefix(tail, "alias/") && len(tail) > len("alias/"):
			return tail, "", nil
		case strings.HasPrefix(tail, "key/") && len(tail) > len("key/"):
			return "", tail[len("key/"):], nil
		}
		return "", "", errorf(ErrNotFound, "Invalid arn %s", ref)
	}
	if strings.HasPrefix(ref, "alias/") {
		return ref, "", nil
	}
	if ref == "" {
		return "", "", errorf(ErrValidation, "1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	return "", ref, nil
}

// aliasTarget returns the key ID alias names; the account's AWS-managed key
// for S3 is created on first use.
func (l *Local) aliasTarget(ctx context.Context, alias string) (string, error) {
	now := l.now()
	l.mu.Lock()
	c, ok := l.aliases[alias]
	l.mu.Unlock()
	if ok && now.Sub(c.loaded) < cacheTTL {
		return c.keyID, nil
	}
	a, err := l.ring.GetKMSAlias(ctx, alias)
	if errors.Is(err, meta.ErrNoSuchKMSAlias) && alias == DefaultS3Alias {
		_, err = l.newKey(ctx, newKeyID(), "Default key that protects my S3 objects when no other key is defined", ManagerAWS, alias)
		if err != nil && !errors.Is(err, meta.ErrKMSAliasExists) {
			// Another gateway may have created it at the same moment.
			if a2, gerr := l.ring.GetKMSAlias(ctx, alias); gerr == nil {
				a, err = a2, nil
			}
		} else {
			a, err = l.ring.GetKMSAlias(ctx, alias)
		}
	}
	if errors.Is(err, meta.ErrNoSuchKMSAlias) {
		return "", errorf(ErrNotFound, "Alias %s is not found.", l.AliasARN(alias))
	}
	if err != nil {
		return "", err
	}
	l.mu.Lock()
	l.aliases[alias] = cachedAlias{keyID: a.KeyID, loaded: now}
	l.mu.Unlock()
	return a.KeyID, nil
}

// resolve returns the key ref names. SSES3 is the internal key; no other
// reference reaches it.
func (l *Local) resolve(ctx context.Context, ref string) (cachedKey, error) {
	if ref == SSES3 {
		return l.internalKey(ctx, SSES3)
	}
	alias, id, err := l.parseRef(ref)
	if err != nil {
		return cachedKey{}, err
	}
	if alias != "" {
		if id, err = l.aliasTarget(ctx, alias); err != nil {
			return cachedKey{}, err
		}
	}
	if id == SSES3 {
		return cachedKey{}, l.notFound(id)
	}
	return l.load(ctx, id)
}

// usable refuses keys that cannot encrypt or decrypt.
func (l *Local) usable(m KeyMeta) error {
	switch m.State {
	case StateEnabled:
		return nil
	case StateDisabled:
		return errorf(ErrDisabled, "%s is disabled.", m.ARN)
	case StatePendingDeletion:
		return errorf(ErrInvalidState, "%s is pending deletion.", m.ARN)
	}
	return errorf(ErrInvalidState, "%s is %s.", m.ARN, m.State)
}

func (l *Local) Describe(ctx context.Context, ref string) (KeyMeta, error) {
	c, err := l.resolve(ctx, ref)
	return c.meta, err
}

// DataKeySize is the length of the data keys GenerateDataKey returns.
const DataKeySize = 32

func (l *Local) GenerateDataKey(ctx context.Context, ref string, ec map[string]string) (plain, wrapped []byte, key KeyMeta, err error) {
	plain = make([]byte, DataKeySize)
	if _, err := rand.Read(plain); err != nil {
		panic("kms: crypto/rand failed: " + err.Error())
	}
	wrapped, key, err = l.Encrypt(ctx, ref, plain, ec)
	if err != nil {
		return nil, nil, key, err
	}
	return plain, wrapped, key, nil
}

// MaxPlaintext is the most Encrypt wraps.
const MaxPlaintext = 4096

func (l *Local) Encrypt(ctx context.Context, ref string, plain []byte, ec map[string]string) ([]byte, KeyMeta, error) {
	if len(plain) == 0 || len(plain) > MaxPlaintext {
		return nil, KeyMeta{}, errorf(ErrValidation, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096")
	}
	c, err := l.resolve(ctx, ref)
	if err != nil {
		return nil, c.meta, err
	}
	if err := l.usable(c.meta); err != nil {
		return nil, c.meta, err
	}
	return wrap(c.meta.ID, c.material, plain, ec), c.meta, nil
}

func (l *Local) Decrypt(ctx context.Context, wrapped []byte, ec map[string]string) ([]byte, KeyMeta, error) {
	id, ok := blobKeyID(wrapped)
	if !ok {
		return nil, KeyMeta{}, errorf(ErrInvalidCiphertext, "")
	}
	c, err := l.load(ctx, id)
	if err != nil {
		return nil, c.meta, err
	}
	if err := l.usable(c.meta); err != nil {
		return nil, c.meta, err
	}
	plain, ok := unwrap(c.material, wrapped, ec)
	if !ok {
		return nil, c.meta, errorf(ErrInvalidCiphertext, "")
	}
	return plain, c.meta, nil
}

// newKeyID returns a random (version 4) UUID.
func newKeyID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("kms: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// SetClock replaces the service's clock (for tests of deletion dates).
func (l *Local) SetClock(now func() time.Time) { l.now = now }
