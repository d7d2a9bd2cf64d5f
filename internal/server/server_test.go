package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"talus/internal/blob"
	"talus/internal/meta"
)

func testConfig(t *testing.T) Config {
	return Config{
		Address: "127.0.0.1:0", DataDir: t.TempDir(), Region: "us-east-1",
		AccessKey: "AKTEST", SecretKey: "secret-key-for-tests", InlineMax: 1024,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

// writeCert writes a self-signed certificate for 127.0.0.1 with the given CN.
func writeCert(t *testing.T, dir, cn string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

func servedCN(t *testing.T, addr string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
}

func TestTLSAndReload(t *testing.T) {
	cfg := testConfig(t)
	certDir := t.TempDir()
	cfg.TLSCert, cfg.TLSKey = writeCert(t, certDir, "first")
	s := start(t, cfg)
	if cn := servedCN(t, s.Addr().String()); cn != "first" {
		t.Fatalf("served %q", cn)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get("https://" + s.Addr().String() + "/_talus/health/live")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health over TLS: %v %v", resp, err)
	}
	resp.Body.Close()
	writeCert(t, certDir, "second")
	if err := s.ReloadCertificate(); err != nil {
		t.Fatal(err)
	}
	if cn := servedCN(t, s.Addr().String()); cn != "second" {
		t.Fatalf("after reload served %q", cn)
	}
	// A broken key pair keeps the old certificate in service.
	os.WriteFile(cfg.TLSKey, []byte("garbage"), 0o600)
	if err := s.ReloadCertificate(); err == nil {
		t.Fatal("reload of a broken key pair succeeded")
	}
	if cn := servedCN(t, s.Addr().String()); cn != "second" {
		t.Fatalf("after failed reload served %q", cn)
	}
}

func TestDataDirLocked(t *testing.T) {
	cfg := testConfig(t)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second server on the same data dir: %v", err)
	}
}

// slowBody feeds a request body slowly so the request is in flight at shutdown.
type slowBody struct {
	n       int
	started chan struct{}
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, io.EOF
	}
	if b.started != nil {
		close(b.started)
		b.started = nil
	}
	time.Sleep(20 * time.Millisecond)
	p[0] = 'x'
	b.n--
	return 1, nil
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	cfg := testConfig(t)
	cfg.ShutdownTimeout = 10 * time.Second
	s := start(t, cfg)
	url := "http://" + s.Addr().String() + "/_talus/health/live"
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", url, &slowBody{n: 20, started: started})
		req.ContentLength = 20
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = io.ErrUnexpectedEOF
			}
		}
		done <- err
	}()
	<-started
	time.Sleep(50 * time.Millisecond)
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("in-flight request failed: %v", err)
	}
	if _, err := http.Get(url); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

func TestSweepRemovesOnlyOldOrphans(t *testing.T) {
	cfg := testConfig(t)
	cfg.SweepGrace = time.Hour
	s := start(t, cfg)
	ctx := context.Background()
	put := func(id string) {
		if _, err := s.blobs.Put(ctx, id, bytes.NewReader([]byte("data"))); err != nil {
			t.Fatal(err)
		}
	}
	age := func(id string) {
		old := time.Now().Add(-2 * time.Hour)
		p := filepath.Join(cfg.DataDir, "blobs", id[:2], id[2:4], id)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.meta.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	live, oldOrphan, youngOrphan := blob.NewID(), blob.NewID(), blob.NewID()
	for _, id := range []string{live, oldOrphan, youngOrphan} {
		put(id)
	}
	age(live)
	age(oldOrphan)
	if _, err := s.meta.PutObject(ctx, &meta.Object{Bucket: "b", Key: "k", BlobID: live, Size: 4}, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	n, err := s.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 removed", n, err)
	}
	for id, want := range map[string]bool{live: true, oldOrphan: false, youngOrphan: true} {
		rc, err := s.blobs.Open(ctx, id, 0, -1)
		if got := err == nil; got != want {
			t.Errorf("blob %s present=%v, want %v", id, got, want)
		}
		if rc != nil {
			rc.Close()
		}
	}
}
