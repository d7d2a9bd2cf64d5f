package postgres

import (
	"context"
	"slices"
	"strings"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"
)

var _ meta.ObjectLambda = (*Store)(nil)

// sqlBackend runs the shared SQL (sqlmeta) on this store's writes (with
// their retries) and its pool.
type sqlBackend struct{ s *Store }

func (b sqlBackend) Write(fn func(sqlmeta.Tx) error) error {
	return b.s.write(func(tx *wtx) error { return fn(tx) })
}

func (b sqlBackend) Reader() sqlmeta.Querier { return b.s.r }

func (sqlBackend) LockKey(ctx context.Context, tx sqlmeta.Tx, bucket, key string) error {
	return tx.(*wtx).lockKey(ctx, bucket, key)
}

var dialect = sqlmeta.Dialect{
	Name: "postgres",
	User: "usr", // user is reserved
	Upsert: func(table string, cols, key []string) string {
		var set []string
		for _, c := range cols {
			if !slices.Contains(key, c) {
				set = append(set, c+" = excluded."+c)
			}
		}
		return insert(table, cols) + " ON CONFLICT (" + strings.Join(key, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	},
	InsertIgnore: func(table string, cols []string) string {
		return insert(table, cols) + " ON CONFLICT DO NOTHING"
	},
	IsUniqueViolation: isUniqueViolation,
}

func insert(table string, cols []string) string {
	return "INSERT INTO " + table + "(" + strings.Join(cols, ", ") + ") VALUES (" + sqlmeta.Marks(len(cols)) + ")"
}
