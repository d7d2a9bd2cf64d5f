package server

import (
	"context"
	"errors"

	"talus/internal/meta"
)

// openPostgres opens the PostgreSQL metadata store.
func openPostgres(ctx context.Context, dsn string) (meta.Store, error) {
	return nil, errors.New("PostgreSQL support is not built in")
}
