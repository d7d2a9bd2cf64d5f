// Package postgres is the metadata store on PostgreSQL, for gateways that
// share one database (scale-out); the embedded SQLite store stays the
// default. It implements meta.Store and passes metatest.Run.
//
// Open(ctx, dsn) connects (pgx, a pgxpool.Pool with database/sql over it)
// and applies the schema migrations under an advisory lock. Every write is
// its own READ COMMITTED transaction; writes of one object key serialize on
// a transaction-scoped advisory lock, bucket, upload and lease rows are
// locked explicitly, and transactions the server rolls back for a deadlock
// or serialization failure are run again. Journal seqs are gap-free in
// commit order across gateways (sequencer.go). Notify and Subscribe wrap
// NOTIFY and LISTEN for cache invalidation between gateways.
//
// docs/scale-out-sql.md describes the design, its measurements, and which
// SQL features YugabyteDB and CockroachDB support.
//
// It imports internal/meta and the PostgreSQL driver, never the API layer;
// its tests start a real PostgreSQL through package pgtest.
package postgres
