package server

import (
	"context"

	"talus/internal/meta"
	"talus/internal/meta/postgres"
)

// openPostgres opens the PostgreSQL metadata store (migrating its schema).
func openPostgres(ctx context.Context, dsn string) (meta.Store, error) {
	return postgres.Open(ctx, dsn)
}
