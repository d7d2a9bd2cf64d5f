package process

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/sigv4"
	"talus/internal/testserver"
)

const (
	procAK = "AKPROCESS"
	procSK = "process-secret-key"
)

// TestSIGTERMFinishesUploadInFlight: SIGTERM in the middle of a slowly fed
// 20 MiB PUT closes the listener at once, lets the upload finish with 200,
// and only then exits 0; the object survives a restart byte for byte.
func TestSIGTERMFinishesUploadInFlight(t *testing.T) {
	dir := t.TempDir()
	p := testserver.StartProcess(t, talusBin, dir, procAK, procSK)
	ctx := context.Background()
	c := testserver.NewClient(p.URL, procAK, procSK)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("drain")}); err != nil {
		t.Fatal(err)
	}

	const size = 20 << 20
	body := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPut, p.URL+"/drain/big", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	sigv4.Sign(req, procAK, procSK, "us-east-1", "UNSIGNED-PAYLOAD", time.Now())
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{status: resp.StatusCode, body: string(b)}
	}()
	feed := func(b []byte) {
		t.Helper()
		for len(b) > 0 {
			n := min(len(b), 256<<10)
			if _, err := pw.Write(b[:n]); err != nil {
				t.Fatalf("feeding the body: %v", err)
			}
			b = b[n:]
			time.Sleep(5 * time.Millisecond)
		}
	}
	feed(body[:size/2])

	p.Signal(t, syscall.SIGTERM)
	// New connections are refused while the upload drains.
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", p.Host, time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still accepts connections 5s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if exited, err := p.Exited(); exited {
		t.Fatalf("talus exited (%v) with an upload in flight:\n%s", err, p.Log())
	}

	feed(body[size/2:])
	pw.Close()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("no response to the drained upload")
	}
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("upload across SIGTERM: status %d, err %v, body %s", r.status, r.err, r.body)
	}
	if err := p.Wait(t, 30*time.Second); err != nil {
		t.Fatalf("talus exited with %v after a graceful shutdown:\n%s", err, p.Log())
	}

	p2 := testserver.StartProcess(t, talusBin, dir, procAK, procSK)
	out, err := testserver.NewClient(p2.URL, procAK, procSK).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("drain"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(body) || !bytes.Equal(got, body) {
		t.Fatalf("read back %d bytes, not the %d uploaded", len(got), size)
	}
	p2.Stop(t)
}

// TestSecondSignalExitsAtOnce: a second SIGTERM during the drain ends the
// process without waiting for the upload still in flight.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	p := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK)
	c := testserver.NewClient(p.URL, procAK, procSK)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("drain")}); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest(http.MethodPut, p.URL+"/drain/stuck", pr)
	req.ContentLength = 1 << 20
	sigv4.Sign(req, procAK, procSK, "us-east-1", "UNSIGNED-PAYLOAD", time.Now())
	go func() {
		if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
			resp.Body.Close()
		}
	}()
	if _, err := pw.Write(make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	// The write returns once the client has the bytes; give the server
	// time to accept the connection and start the handler.
	time.Sleep(300 * time.Millisecond)
	p.Signal(t, syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	if exited, _ := p.Exited(); exited {
		t.Fatal("exited on the first signal with an upload in flight")
	}
	start := time.Now()
	p.Signal(t, syscall.SIGTERM)
	err := p.Wait(t, 5*time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("after a second SIGTERM: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("second SIGTERM took %v", d)
	}
}
