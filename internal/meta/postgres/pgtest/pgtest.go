package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"talus/internal/testports"
)

// Server is one running PostgreSQL server owned by a test.
type Server struct {
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	cred *syscall.Credential
	done chan struct{}
	log  *os.File
	seq  atomic.Int64
}

// Start starts a server for t and returns the DSN of an empty database on it.
// The server stops when t ends.
func Start(t testing.TB) string {
	t.Helper()
	return StartServer(t).NewDatabase(t)
}

// StartServer starts a server for t; it stops (fast shutdown) when t ends.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s, err := Launch(t.TempDir())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts a server with its files under base (which must exist), for
// a TestMain that shares one server among a package's tests and
// benchmarks; the caller stops it with Stop and removes base.
func Launch(base string) (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, fmt.Errorf("%v (install PostgreSQL: apt-get install postgresql)", err)
	}
	s := &Server{bin: bin, done: make(chan struct{})}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			return nil, err
		}
	}
	s.dir = filepath.Join(base, "pgdata")
	if s.cred != nil {
		// t.TempDir and its parent are 0700 root: let the server's user
		// through (search only), leaving directories that allow it as they are.
		for _, d := range []string{filepath.Dir(base), base} {
			fi, err := os.Stat(d)
			if err != nil {
				return nil, err
			}
			if fi.Mode().Perm()&0o001 == 0 {
				if err := os.Chmod(d, fi.Mode()&(os.ModePerm|os.ModeSticky)|0o011); err != nil {
					return nil, err
				}
			}
		}
		if err := os.Mkdir(s.dir, 0o700); err != nil {
			return nil, err
		}
		if err := os.Chown(s.dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return nil, err
		}
	}
	initdb := s.command("initdb", "-D", s.dir, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if s.log, err = os.Create(filepath.Join(base, "postgres.log")); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if lastErr = s.start(); lastErr == nil {
			return s, nil
		}
	}
	logText, _ := os.ReadFile(s.log.Name())
	s.log.Close()
	return nil, fmt.Errorf("postgres did not start: %v\n%s", lastErr, tail(logText))
}

// FsyncEnv, set to "off", starts servers without fsync: for test suites
// that check behaviour only. Crash and durability tests never set it.
const FsyncEnv = "TALUS_TEST_PG_FSYNC"

// start launches postgres on a free port and waits until it accepts
// connections.
func (s *Server) start() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.port = port
	s.done = make(chan struct{})
	durability := []string{"-c", "fsync=on"}
	if os.Getenv(FsyncEnv) == "off" {
		// For suites that test behaviour, not durability (the e2e suite
		// on PostgreSQL): commits and CREATE DATABASE without flushes.
		durability = []string{"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"}
	}
	args := append([]string{"-D", s.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port=" + strconv.Itoa(port),
		"-c", "unix_socket_directories=",
		"-c", "max_connections=200",
		"-c", "shared_buffers=32MB",
		"-c", "max_locks_per_transaction=128",
	}, durability...)
	s.cmd = s.command("postgres", args...)
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	if err := s.cmd.Start(); err != nil {
		return err
	}
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(s.cmd, s.done)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return errors.New("postgres exited")
		default:
		}
		if s.ready() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.cmd.Process.Kill()
	<-s.done
	return errors.New("postgres not ready after 60s")
}

// ready reports whether the server answers a startup packet. It speaks just
// enough of the protocol to tell "accepting connections" from "starting up".
func (s *Server) ready() bool {
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var body bytes.Buffer
	body.Write([]byte{0, 3, 0, 0}) // protocol 3.0
	for _, kv := range []string{"user", "postgres", "database", "postgres", ""} {
		body.WriteString(kv)
		body.WriteByte(0)
	}
	msg := make([]byte, 4, 4+body.Len())
	n := 4 + body.Len()
	msg[0], msg[1], msg[2], msg[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	msg = append(msg, body.Bytes()...)
	if _, err := c.Write(msg); err != nil {
		return false
	}
	hdr := make([]byte, 1)
	if _, err := c.Read(hdr); err != nil {
		return false
	}
	return hdr[0] == 'R' // authentication request; 'E' means starting up
}

// Stop shuts the server down (fast shutdown: sessions are ended, the
// data is checkpointed).
func (s *Server) Stop() {
	select {
	case <-s.done:
	default:
		s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.log.Close()
}

// Kill stops the server with SIGKILL, as a crash of the machine would:
// the postmaster and every backend (its process group) at once. It
// returns when all of them are gone.
func (s *Server) Kill() {
	pid := s.cmd.Process.Pid
	syscall.Kill(-pid, syscall.SIGKILL)
	<-s.done
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if err := syscall.Kill(-pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Restart starts the server again after Kill, on a new port; DSNs handed
// out before must be rebuilt with DSN.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	select {
	case <-s.done:
	default:
		t.Fatal("pgtest: Restart of a running server")
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	logText, _ := os.ReadFile(s.log.Name())
	t.Fatalf("pgtest: restart: %v\n%s", err, tail(logText))
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// DSN is the connection string for database db on the server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", s.Addr(), db)
}

// NewDatabase creates an empty database and returns its DSN.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	return s.NewDatabaseFrom(t, "")
}

// NewDatabaseFrom creates a database copied from the database template
// (which no session may be connected to) and returns its DSN; template
// "" is an empty database.
func (s *Server) NewDatabaseFrom(t testing.TB, template string) string {
	t.Helper()
	dsn, err := s.CreateDatabase(template)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// CreateDatabase is NewDatabaseFrom for callers without a testing.TB.
func (s *Server) CreateDatabase(template string) (string, error) {
	name := fmt.Sprintf("talus_%d", s.seq.Add(1))
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + template
	}
	if _, err := s.psql("postgres", q); err != nil {
		return "", err
	}
	return s.DSN(name), nil
}

// Exec runs SQL through psql on database db and returns its output.
func (s *Server) Exec(t testing.TB, db, sql string) string {
	t.Helper()
	out, err := s.psql(db, sql)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return out
}

func (s *Server) psql(db, sql string) (string, error) {
	cmd := exec.Command(filepath.Join(s.bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "postgres", "-d", db, "-c", sql)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(context.Background(), filepath.Join(s.bin, name), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if s.cred != nil {
		attr.Credential = s.cred
		cmd.Dir = "/"
	}
	cmd.SysProcAttr = attr
	return cmd
}

func findBin() (string, error) {
	if d := os.Getenv("TALUS_PG_BIN"); d != "" {
		if isBin(d) {
			return d, nil
		}
		return "", fmt.Errorf("TALUS_PG_BIN=%s holds no initdb and postgres", d)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isBin(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && isBin(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries (initdb, postgres) not found")
}

func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func isBin(d string) bool {
	for _, n := range []string{"initdb", "postgres", "psql"} {
		if fi, err := os.Stat(filepath.Join(d, n)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

func unprivileged() (*syscall.Credential, error) {
	name := os.Getenv("TALUS_PG_USER")
	if name == "" {
		name = "nobody"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root and no user %q to run PostgreSQL as: %v", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

func freePort() (int, error) { return testports.Free() }

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
