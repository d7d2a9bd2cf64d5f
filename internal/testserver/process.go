package testserver

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BuildBinary returns the talus binary for process-level tests: $TALUS_BIN,
// or a fresh build. Call it from TestMain and run cleanup after m.Run.
func BuildBinary() (path string, cleanup func(), err error) {
	if bin := os.Getenv("TALUS_BIN"); bin != "" {
		return bin, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "talus-bin-")
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, "talus")
	build := exec.Command("go", "build", "-o", path, "talus/cmd/talus")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building talus: %w", err)
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

// Process is talus running as a child process (for kill -9 and memory tests).
type Process struct {
	Cmd  *exec.Cmd
	URL  string // http://127.0.0.1:port
	Host string // 127.0.0.1:port
	log  *logBuffer
	done chan struct{} // closed when the process has exited
	err  error         // cmd.Wait's result, valid after done
}

// logBuffer collects the server's output and reports the endpoint it logs.
type logBuffer struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	endpoint chan string
	sent     bool
}

var endpointRE = regexp.MustCompile(`endpoint"?[=:]"?(https?)://([0-9.:]+)`)

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.sent {
		if m := endpointRE.FindSubmatch(l.buf.Bytes()); m != nil {
			l.endpoint <- string(m[1]) + "://" + string(m[2])
			l.sent = true
		}
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// StartProcess runs `bin server` over dir on a kernel-chosen port with the
// given root keys (and any extra flags) and waits until it is ready. The
// process is stopped when the test ends, and its log is printed if the
// test failed.
func StartProcess(t testing.TB, bin, dir, accessKey, secretKey string, flags ...string) *Process {
	t.Helper()
	p := &Process{log: &logBuffer{endpoint: make(chan string, 1)}, done: make(chan struct{})}
	p.Cmd = exec.Command(bin, append([]string{"server", "--address", "127.0.0.1:0", "--data", dir}, flags...)...)
	p.Cmd.Env = append(os.Environ(), "TALUS_ROOT_ACCESS_KEY="+accessKey, "TALUS_ROOT_SECRET_KEY="+secretKey)
	p.Cmd.Stdout, p.Cmd.Stderr = p.log, p.log
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start talus: %v", err)
	}
	go func() { p.err = p.Cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.Cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(30 * time.Second):
				p.Cmd.Process.Kill()
				<-p.done
			}
		}
		if t.Failed() {
			t.Logf("server log:\n%s", p.log)
		}
	})
	select {
	case p.URL = <-p.log.endpoint:
		_, p.Host, _ = strings.Cut(p.URL, "://")
	case <-p.done:
		t.Fatalf("talus exited during startup (%v):\n%s", p.err, p.log)
	case <-time.After(15 * time.Second):
		t.Fatalf("talus did not log its endpoint:\n%s", p.log)
	}
	// Readiness over TLS is checked without verifying the test certificate.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := hc.Get(p.URL + "/_talus/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("talus not ready (%v):\n%s", err, p.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Log returns what the process printed so far.
func (p *Process) Log() string {
	if p.log == nil {
		return ""
	}
	return p.log.String()
}

// Kill sends SIGKILL and waits until the process is gone.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-p.done
	var ee *exec.ExitError
	if !errors.As(p.err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("talus did not die of SIGKILL: %v\n%s", p.err, p.log)
	}
}

// Stop shuts the process down with SIGTERM and expects a clean exit.
func (p *Process) Stop(t testing.TB) {
	t.Helper()
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("talus did not exit within 30s of SIGTERM:\n%s", p.log)
	}
	if p.err != nil {
		t.Fatalf("talus exited with %v after SIGTERM:\n%s", p.err, p.log)
	}
}

// Signal sends sig to the process.
func (p *Process) Signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// Exited reports whether the process has exited, and its exit error.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Wait waits up to d for the process to exit and returns cmd.Wait's result.
func (p *Process) Wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		t.Fatalf("talus did not exit within %v:\n%s", d, p.log)
		return nil
	}
}
