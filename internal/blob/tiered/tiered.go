package tiered

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"talus/internal/blob"
)

// Store routes each blob ID to its tier's store.
type Store struct {
	def   blob.Store
	tiers map[string]blob.Store
	names []string // sorted, for a stable Walk and Close order
}

var _ blob.Store = (*Store)(nil)

// New returns a store over def (the default tier) and the named tiers.
func New(def blob.Store, tiers map[string]blob.Store) (*Store, error) {
	s := &Store{def: def, tiers: map[string]blob.Store{}}
	for name, t := range tiers {
		if !ValidName(name) {
			return nil, fmt.Errorf("tiered: invalid tier name %q (1-32 lowercase letters, digits or '-')", name)
		}
		s.tiers[name] = t
		s.names = append(s.names, name)
	}
	sort.Strings(s.names)
	return s, nil
}

// ValidName reports whether name may name a tier: 1 to 32 lowercase
// letters, digits and '-', starting with a letter. The name is part of
// every blob ID in the tier, so it can never be changed once used.
func ValidName(name string) bool {
	if len(name) == 0 || len(name) > 32 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// NewID returns a fresh blob ID in the tier ("" is the default tier).
func NewID(tier string) string {
	if tier == "" {
		return blob.NewID()
	}
	return blob.NewID() + "." + tier
}

// TierOf returns the tier an ID names ("" for the default tier).
func TierOf(id string) string {
	_, tier, _ := strings.Cut(id, ".")
	return tier
}

// Has reports whether the store has the named tier ("" always).
func (s *Store) Has(tier string) bool {
	_, ok := s.tiers[tier]
	return tier == "" || ok
}

// route returns the store holding id and the ID within it.
func (s *Store) route(id string) (blob.Store, string, error) {
	base, tier, ok := strings.Cut(id, ".")
	if !ok {
		return s.def, id, nil
	}
	t, found := s.tiers[tier]
	if !found || !blob.ValidID(base) {
		return nil, "", blob.ErrInvalidID
	}
	return t, base, nil
}

func (s *Store) Put(ctx context.Context, id string, r io.Reader) (int64, error) {
	st, base, err := s.route(id)
	if err != nil {
		return 0, err
	}
	return st.Put(ctx, base, r)
}

func (s *Store) Open(ctx context.Context, id string, off, length int64) (io.ReadCloser, error) {
	st, base, err := s.route(id)
	if err != nil {
		return nil, err
	}
	return st.Open(ctx, base, off, length)
}

func (s *Store) Delete(ctx context.Context, id string) error {
	st, base, err := s.route(id)
	if err != nil {
		return err
	}
	return st.Delete(ctx, base)
}

// Walk walks the default tier, then every tier, naming blobs by their
// full IDs.
func (s *Store) Walk(ctx context.Context, staleTemp time.Duration, fn func(id string, stored time.Time) error) error {
	if err := s.def.Walk(ctx, staleTemp, fn); err != nil {
		return err
	}
	for _, name := range s.names {
		err := s.tiers[name].Walk(ctx, staleTemp, func(id string, stored time.Time) error {
			return fn(id+"."+name, stored)
		})
		if err != nil {
			return fmt.Errorf("tier %s: %w", name, err)
		}
	}
	return nil
}

func (s *Store) Close() error {
	errs := []error{s.def.Close()}
	for _, name := range s.names {
		errs = append(errs, s.tiers[name].Close())
	}
	return errors.Join(errs...)
}
