// Package pgtest starts a throw-away PostgreSQL server for tests: Debian's
// binaries (initdb, postgres) run in a t.TempDir(), listening on a free
// 127.0.0.1 port, with fsync on. Start(t) returns the DSN of a fresh database
// on a fresh server; StartServer(t) gives a server on which NewDatabase makes
// as many empty databases as a suite needs (NewDatabaseFrom copies a
// template, e.g. one already migrated). Launch and Stop serve a TestMain
// that shares one server among a package's tests and benchmarks.
//
// The binaries are found in $TALUS_PG_BIN, then /usr/lib/postgresql/*/bin
// (newest first), then $PATH. When none is found the test fails: PostgreSQL
// is a test dependency, installed by CI (apt-get install postgresql).
//
// initdb refuses to run as root, so a root test process runs the server as
// the unprivileged user "nobody" (or $TALUS_PG_USER).
//
// pgtest imports only the standard library and internal/testports (which
// imports only the standard library), and is imported only by tests.
package pgtest
