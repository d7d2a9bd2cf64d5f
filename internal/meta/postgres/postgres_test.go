package postgres

import (
	"testing"

	"talus/internal/meta"
	"talus/internal/meta/metatest"
)

// TestConformance runs the whole metadata store suite against a real
// PostgreSQL, one fresh database per case.
func TestConformance(t *testing.T) {
	metatest.Run(t, func(t *testing.T) meta.Store {
		return openStore(t, freshDSN(t))
	})
}

func TestConformanceReopen(t *testing.T) {
	metatest.RunReopen(t, func(t *testing.T) func() meta.Store {
		dsn := freshDSN(t)
		return func() meta.Store { return openStore(t, dsn) }
	})
}
