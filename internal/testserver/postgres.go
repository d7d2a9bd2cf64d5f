package testserver

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"talus/internal/meta/postgres/pgtest"
)

// MetaEnv selects the metadata store of test servers: TALUS_TEST_META=postgres
// runs every server on a fresh database of a real PostgreSQL (pgtest);
// unset, the embedded SQLite store.
const MetaEnv = "TALUS_TEST_META"

// Postgres reports whether test servers run on PostgreSQL.
func Postgres() bool { return os.Getenv(MetaEnv) == "postgres" }

// One PostgreSQL server serves every test of a package that runs through
// Main; other packages get one per test (slower, and stopped with it).
var pg struct {
	mu       sync.Mutex
	main     bool // Main runs the package's tests and stops the server
	srv      *pgtest.Server
	owner    *procTB
	err      string
	dsnByDir map[string]string
}

// Main runs a package's tests (call it from TestMain) and stops the shared
// PostgreSQL server afterwards.
func Main(m *testing.M) int {
	pg.mu.Lock()
	pg.main = true
	pg.mu.Unlock()
	code := m.Run()
	pg.mu.Lock()
	if pg.owner != nil {
		pg.owner.cleanup()
	}
	pg.mu.Unlock()
	return code
}

// metaDSN returns the metadata DSN of a server over data directory dir:
// "" for SQLite, else a new database (the same one again for a restart
// over the same directory).
func metaDSN(t testing.TB, dir string) string {
	if !Postgres() {
		return ""
	}
	t.Helper()
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if dsn, ok := pg.dsnByDir[dir]; ok {
		return dsn
	}
	var dsn string
	if pg.main {
		if pg.srv == nil && pg.err == "" {
			pg.srv, pg.owner, pg.err = startShared()
		}
		if pg.err != "" {
			t.Fatalf("PostgreSQL for the test servers: %s", pg.err)
		}
		dsn = pg.srv.NewDatabase(t)
	} else {
		dsn = pgtest.Start(t)
	}
	if pg.dsnByDir == nil {
		pg.dsnByDir = map[string]string{}
	}
	pg.dsnByDir[dir] = dsn
	return dsn
}

func startShared() (srv *pgtest.Server, owner *procTB, msg string) {
	owner = &procTB{}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(procFatal)
			if !ok {
				panic(r)
			}
			owner.cleanup()
			srv, owner, msg = nil, nil, string(f)
		}
	}()
	return pgtest.StartServer(owner), owner, ""
}

// procTB is the testing.TB of a server that outlives single tests: its
// cleanups run when Main ends. Only the methods pgtest calls are
// implemented; a fatal error panics with procFatal.
type procTB struct {
	testing.TB
	cleanups []func()
	dirs     []string
}

type procFatal string

func (p *procTB) Helper()                   {}
func (p *procTB) Name() string              { return "testserver-postgres" }
func (p *procTB) Cleanup(f func())          { p.cleanups = append(p.cleanups, f) }
func (p *procTB) Logf(f string, a ...any)   {}
func (p *procTB) Fatalf(f string, a ...any) { panic(procFatal(fmt.Sprintf(f, a...))) }
func (p *procTB) Fatal(a ...any)            { panic(procFatal(fmt.Sprint(a...))) }
func (p *procTB) Errorf(f string, a ...any) { panic(procFatal(fmt.Sprintf(f, a...))) }

// TempDir is a directory two levels below the system's temporary one, as
// t.TempDir's is (pgtest opens up its parent for the server's user).
func (p *procTB) TempDir() string {
	root, err := os.MkdirTemp("", "talus-pg-")
	if err != nil {
		panic(procFatal(err.Error()))
	}
	p.dirs = append(p.dirs, root)
	d := filepath.Join(root, "0")
	if err := os.Mkdir(d, 0o700); err != nil {
		panic(procFatal(err.Error()))
	}
	return d
}

func (p *procTB) cleanup() {
	for i := len(p.cleanups) - 1; i >= 0; i-- {
		p.cleanups[i]()
	}
	p.cleanups = nil
	for _, d := range p.dirs {
		os.RemoveAll(d)
	}
	p.dirs = nil
}
