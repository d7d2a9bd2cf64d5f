package notify_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"talus/internal/testports"
)

// Brokers are Debian's servers, started by the tests in temporary
// directories on free loopback ports and stopped when the test (or, for
// RabbitMQ, the binary) ends.

// freePort returns a free loopback port outside the ephemeral range.
func freePort(t testing.TB) int {
	t.Helper()
	p, err := testports.Free()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// daemon is a broker process the test started.
type daemon struct {
	cmd *exec.Cmd
	out *bytes.Buffer
	mu  sync.Mutex
}

func startDaemon(t testing.TB, env []string, name string, args ...string) *daemon {
	t.Helper()
	d := &daemon{cmd: exec.Command(name, args...), out: &bytes.Buffer{}}
	d.cmd.Env = append(os.Environ(), env...)
	d.cmd.Stdout, d.cmd.Stderr = &lockedWriter{d}, &lockedWriter{d}
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

type lockedWriter struct{ d *daemon }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.d.mu.Lock()
	defer w.d.mu.Unlock()
	return w.d.out.Write(p)
}

func (d *daemon) log() string { d.mu.Lock(); defer d.mu.Unlock(); return d.out.String() }

// stop kills the daemon's process group (the broker and its helpers).
func (d *daemon) stop() {
	syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	d.cmd.Wait()
}

// waitPort waits until something accepts connections on port.
func waitPort(t testing.TB, port int, timeout time.Duration, d *daemon) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("port %d not open after %v: %s", port, timeout, d.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func need(t testing.TB, bin string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		t.Fatalf("%s is not installed (scripts/test.sh installs it): %v", bin, err)
	}
	return p
}

// natsServer runs nats-server (with JetStream) and returns its URL.
func natsServer(t testing.TB) string {
	bin := need(t, "nats-server")
	port := freePort(t)
	d := startDaemon(t, nil, bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", t.TempDir())
	t.Cleanup(d.stop)
	waitPort(t, port, 10*time.Second, d)
	return fmt.Sprintf("nats://127.0.0.1:%d", port)
}

// redisServer is a redis-server that can be stopped and started again on
// the same port (for outages).
type redisServer struct {
	t    testing.TB
	port int
	dir  string
	d    *daemon
}

func startRedis(t testing.TB) *redisServer {
	r := &redisServer{t: t, port: freePort(t), dir: t.TempDir()}
	r.start()
	t.Cleanup(func() {
		if r.d != nil {
			r.d.stop()
		}
	})
	return r
}

func (r *redisServer) start() {
	bin := need(r.t, "redis-server")
	r.d = startDaemon(r.t, nil, bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--protected-mode", "no")
	waitPort(r.t, r.port, 10*time.Second, r.d)
}

func (r *redisServer) kill() { r.d.stop(); r.d = nil }

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// postgres runs a PostgreSQL 15 cluster and returns its connection string.
// initdb refuses root, so as root the cluster belongs to the postgres user.
func postgres(t testing.TB) string {
	bin := "/usr/lib/postgresql/15/bin/"
	if _, err := os.Stat(bin + "initdb"); err != nil {
		t.Fatalf("PostgreSQL 15 is not installed (scripts/test.sh installs it): %v", err)
	}
	dir, err := os.MkdirTemp("", "talus-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) {
		args = append(asUser, args...)
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run(bin+"initdb", "-D", data, "-A", "trust", "-U", "talus", "--no-sync")
	port := freePort(t)
	args := append(asUser, bin+"postgres", "-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", dir, "-c", "fsync=off")
	d := startDaemon(t, nil, args[0], args[1:]...)
	t.Cleanup(d.stop)
	waitPort(t, port, 20*time.Second, d)
	// The port opens while the cluster still answers "starting up":
	// wait until it accepts connections.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if exec.Command(bin+"pg_isready", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(port)).Run() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PostgreSQL on port %d did not accept connections within 30s", port)
		}
	}
	return fmt.Sprintf("postgres://talus@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// rabbit is the one RabbitMQ node of the test binary: it takes seconds to
// start, so it starts on first use and stops after every test (TestMain).
var rabbit struct {
	once sync.Once
	url  string
	err  error
	d    *daemon
	epmd *daemon
	dir  string
}

func rabbitMQ(t testing.TB) string {
	rabbit.once.Do(func() {
		bin := "/usr/lib/rabbitmq/bin/rabbitmq-server"
		if _, err := os.Stat(bin); err != nil {
			rabbit.err = fmt.Errorf("rabbitmq-server is not installed (scripts/test.sh installs it): %v", err)
			return
		}
		dir, err := os.MkdirTemp("", "talus-rabbit-")
		if err != nil {
			rabbit.err = err
			return
		}
		rabbit.dir = dir
		port, dist, epmd := freePort(t), freePort(t), freePort(t)
		os.WriteFile(filepath.Join(dir, "enabled_plugins"), []byte("[].\n"), 0o644)
		os.WriteFile(filepath.Join(dir, ".erlang.cookie"), []byte("TALUSTESTCOOKIE"), 0o400)
		// The node's port mapper runs in the foreground as our child, so
		// that it stops with the node instead of lingering as a daemon.
		rabbit.epmd = startDaemon(t, nil, "epmd", "-port", strconv.Itoa(epmd))
		waitPort(t, epmd, 10*time.Second, rabbit.epmd)
		env := []string{
			"HOME=" + dir, "RABBITMQ_NODENAME=talus" + strconv.Itoa(port) + "@localhost",
			"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1", "RABBITMQ_NODE_PORT=" + strconv.Itoa(port),
			"RABBITMQ_DIST_PORT=" + strconv.Itoa(dist), "ERL_EPMD_PORT=" + strconv.Itoa(epmd),
			"RABBITMQ_MNESIA_BASE=" + filepath.Join(dir, "mnesia"), "RABBITMQ_LOG_BASE=" + filepath.Join(dir, "log"),
			"RABBITMQ_ENABLED_PLUGINS_FILE=" + filepath.Join(dir, "enabled_plugins"),
			"RABBITMQ_CONFIG_FILE=" + filepath.Join(dir, "rabbitmq"), "RABBITMQ_PID_FILE=" + filepath.Join(dir, "pid"),
			"RABBITMQ_ADVANCED_CONFIG_FILE=" + filepath.Join(dir, "advanced.config"),
		}
		rabbit.d = startDaemon(t, env, bin)
		deadline := time.Now().Add(90 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				rabbit.err = fmt.Errorf("rabbitmq did not start: %s", rabbit.d.log())
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		rabbit.url = fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", port)
	})
	if rabbit.err != nil {
		t.Fatal(rabbit.err)
	}
	return rabbit.url
}

// stopRabbit stops the node and its port mapper.
func stopRabbit() {
	if rabbit.d != nil {
		rabbit.d.stop()
	}
	if rabbit.epmd != nil {
		rabbit.epmd.stop()
	}
	if rabbit.dir != "" {
		os.RemoveAll(rabbit.dir)
	}
}
