// Package process tests the talus binary's process behaviour: signals,
// TLS and first-start credentials.
package process

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"talus/internal/testserver"
)

var talusBin string

func TestMain(m *testing.M) {
	bin, cleanup, err := testserver.BuildBinary()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	talusBin = bin
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func writeCert(t *testing.T, certFile, keyFile, cn string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certFile+".new", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile+".new", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	os.Rename(certFile+".new", certFile)
	os.Rename(keyFile+".new", keyFile)
}

func servedCN(t *testing.T, host string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
}

// TestTLSReloadOnSIGHUP: the binary serves HTTPS and picks up a renewed
// certificate when it receives SIGHUP, without dropping the listener.
func TestTLSReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, cert, key, "before")
	p := testserver.StartProcess(t, talusBin, filepath.Join(dir, "data"), "AKPROCESS", "process-secret-key", "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(p.URL, "https://") {
		t.Fatalf("endpoint %q is not https", p.URL)
	}
	if cn := servedCN(t, p.Host); cn != "before" {
		t.Fatalf("served %q", cn)
	}
	writeCert(t, cert, key, "after")
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for servedCN(t, p.Host) != "after" {
		if time.Now().After(deadline) {
			t.Fatalf("certificate not reloaded after SIGHUP:\n%s", p.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The new certificate is served a moment before the line is logged.
	for !strings.Contains(p.Log(), "certificate reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("no reload logged:\n%s", p.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Stop(t)
}

// TestFirstStartGeneratesCredentials: without TALUS_ROOT_* the first start
// writes credentials (0600) and prints them once; a restart reuses them
// and does not print the secret again.
func TestFirstStartGeneratesCredentials(t *testing.T) {
	dir := t.TempDir()
	run := func() string {
		cmd := exec.Command(talusBin, "server", "--address", "127.0.0.1:0", "--data", dir)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), "talus listening") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		return out.String()
	}
	first := run()
	fi, err := os.Stat(filepath.Join(dir, "root-credentials.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	var c struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "root-credentials.json"))
	json.Unmarshal(b, &c)
	if c.SecretKey == "" || !strings.Contains(first, c.SecretKey) {
		t.Fatalf("first start did not print the generated secret:\n%s", first)
	}
	second := run()
	if strings.Contains(second, c.SecretKey) {
		t.Fatalf("restart printed the secret again:\n%s", second)
	}
	if !strings.Contains(second, c.AccessKey) {
		t.Fatalf("restart did not reuse the access key:\n%s", second)
	}
}
