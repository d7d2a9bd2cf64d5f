// Package bigobject streams an object of S3's single-PUT maximum (5 GiB)
// through a real talus process and checks that it comes back intact while the
// server's memory stays bounded.
package bigobject

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

const (
	accessKey = "AKIATALUSBIGOBJECT01"
	secretKey = "talus-bigobject-secret-0123456789abcdef"
	region    = "us-east-1"
	bucket    = "big"

	maxPut     = 5 << 30   // S3's single-PUT limit
	rssLimit   = 200 << 20 // peak server RSS allowed while streaming
	diskNeeded = 12 << 30
)

var ctx = context.Background()

// talusBin is the binary under test: $TALUS_BIN, or built once by TestMain.
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

// start runs talus over dir and creates the test bucket.
func start(t *testing.T, dir string) *testserver.Process {
	t.Helper()
	p := testserver.StartProcess(t, talusBin, dir, accessKey, secretKey)
	c := testserver.NewClient(p.URL, accessKey, secretKey)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return p
}

// sign signs req with SigV4 and an unsigned payload.
func sign(t *testing.T, req *http.Request) {
	t.Helper()
	req.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", region, time.Now()); err != nil {
		t.Fatalf("sign: %v", err)
	}
}

// genReader yields n deterministic pseudo-random bytes (SplitMix64 of a
// counter) and hashes them as they go out. Its output does not depend on
// how callers size their reads.
type genReader struct {
	remaining int64
	ctr       uint64
	buf       [64 << 10]byte
	pos       int // next unread byte in buf; len(buf) when empty
	md5       hash.Hash
}

func newGen(n int64, seed uint64) *genReader {
	g := &genReader{remaining: n, ctr: seed, md5: md5.New()}
	g.pos = len(g.buf)
	return g
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.remaining == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.remaining {
		p = p[:g.remaining]
	}
	n := 0
	for n < len(p) {
		if g.pos == len(g.buf) {
			for i := 0; i < len(g.buf); i += 8 {
				g.ctr += 0x9e3779b97f4a7c15
				z := g.ctr
				z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
				z = (z ^ z>>27) * 0x94d049bb133111eb
				binary.LittleEndian.PutUint64(g.buf[i:], z^z>>31)
			}
			g.pos = 0
		}
		c := copy(p[n:], g.buf[g.pos:])
		g.pos += c
		n += c
	}
	g.md5.Write(p[:n])
	g.remaining -= int64(n)
	return n, nil
}

// rssSampler polls a process's VmRSS every 100 ms.
type rssSampler struct {
	pid  int
	peak atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tk := time.NewTicker(100 * time.Millisecond)
		defer tk.Stop()
		for {
			if v, err := procStatus(pid, "VmRSS"); err == nil && v > s.peak.Load() {
				s.peak.Store(v)
			}
			select {
			case <-s.stop:
				return
			case <-tk.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) finish() int64 {
	close(s.stop)
	<-s.done
	return s.peak.Load()
}

// procStatus returns a "kB" field of /proc/PID/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q: %w", field, val, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func gibps(n int64, d time.Duration) float64 { return float64(n) / (1 << 30) / d.Seconds() }

// TestPutGet5GiB stores and reads back exactly 5 GiB in one PUT, streaming
// on both sides, and bounds the server's peak RSS.
func TestPutGet5GiB(t *testing.T) {
	dir := t.TempDir()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatalf("statfs %s: %v", dir, err)
	}
	if free := int64(fs.Bavail) * int64(fs.Bsize); free < diskNeeded {
		t.Fatalf("only %.1f GiB free under %s; this test needs %d GiB (set TMPDIR to a larger filesystem)",
			float64(free)/(1<<30), dir, diskNeeded>>30)
	}
	p := start(t, dir)
	pid := p.Cmd.Process.Pid
	rss := sampleRSS(pid)
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	url := p.URL + "/" + bucket + "/five-gib"

	// PUT, generating the bytes on the fly.
	gen := newGen(maxPut, 0x7a1c5)
	req, err := http.NewRequest(http.MethodPut, url, io.NopCloser(gen)) // NopCloser: no seeking, no rewinds
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = maxPut
	sign(t, req)
	t0 := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("PUT 5 GiB: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	putDur := time.Since(t0)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT 5 GiB: %s\n%s", resp.Status, body)
	}
	if gen.remaining != 0 {
		t.Fatalf("PUT succeeded with %d bytes unsent", gen.remaining)
	}
	sum := hex.EncodeToString(gen.md5.Sum(nil))
	if got := resp.Header.Get("ETag"); got != `"`+sum+`"` {
		t.Errorf("PUT ETag %s, want \"%s\"", got, sum)
	}
	t.Logf("PUT 5 GiB in %v: %.2f GiB/s", putDur.Round(time.Millisecond), gibps(maxPut, putDur))

	// HEAD agrees on the size.
	req, _ = http.NewRequest(http.MethodHead, url, nil)
	sign(t, req)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatalf("HEAD: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != maxPut {
		t.Fatalf("HEAD: %s, Content-Length %d", resp.Status, resp.ContentLength)
	}

	// GET, hashing the stream.
	req, _ = http.NewRequest(http.MethodGet, url, nil)
	sign(t, req)
	t0 = time.Now()
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("GET: %s\n%s", resp.Status, b)
	}
	h := md5.New()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	getDur := time.Since(t0)
	if err != nil {
		t.Fatalf("GET body after %d bytes: %v", n, err)
	}
	if resp.ContentLength != maxPut || n != maxPut {
		t.Fatalf("GET: Content-Length %d, read %d bytes; want %d", resp.ContentLength, n, int64(maxPut))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		t.Fatalf("GET MD5 %s, PUT MD5 %s", got, sum)
	}
	t.Logf("GET 5 GiB in %v: %.2f GiB/s", getDur.Round(time.Millisecond), gibps(maxPut, getDur))

	sampled := rss.finish()
	hwm, err := procStatus(pid, "VmHWM")
	if err != nil {
		t.Fatalf("reading VmHWM: %v", err)
	}
	peak := max(sampled, hwm)
	t.Logf("server peak RSS: VmHWM %.1f MiB, highest 100 ms VmRSS sample %.1f MiB", mib(hwm), mib(sampled))
	if peak >= rssLimit {
		t.Errorf("server peak RSS %.1f MiB, limit %.0f MiB", mib(peak), mib(rssLimit))
	}
}

// s3Error decodes an S3 XML error body.
func s3Error(b []byte) string {
	var e struct{ Code string }
	if xml.Unmarshal(b, &e) != nil {
		return ""
	}
	return e.Code
}

// countingReader counts the bytes taken from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestPutTooLarge checks that a PUT one byte over 5 GiB is refused with
// EntityTooLarge on its headers alone.
func TestPutTooLarge(t *testing.T) {
	p := start(t, t.TempDir())
	const size = maxPut + 1
	url := p.URL + "/" + bucket + "/too-large"

	t.Run("no body sent", func(t *testing.T) {
		// Only the headers go out; the server must answer without waiting
		// for any of the body.
		req, _ := http.NewRequest(http.MethodPut, url, nil)
		req.ContentLength = size
		sign(t, req)
		conn, err := net.DialTimeout("tcp", p.Host, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var b strings.Builder
		fmt.Fprintf(&b, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.URL.RequestURI(), req.Host, size)
		for k, vs := range req.Header {
			for _, v := range vs {
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		b.WriteString("\r\n")
		if _, err := io.WriteString(conn, b.String()); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), req)
		if err != nil {
			t.Fatalf("no response to the headers alone: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || s3Error(body) != "EntityTooLarge" {
			t.Fatalf("got %s %q, want 400 EntityTooLarge\n%s", resp.Status, s3Error(body), body)
		}
		t.Logf("answered %s %s to the headers alone", resp.Status, s3Error(body))
	})

	t.Run("expect 100-continue", func(t *testing.T) {
		// With Expect: 100-continue a client sends the body only once the
		// server asks for it; it must not ask.
		body := &countingReader{r: io.LimitReader(zeros{}, size)}
		req, _ := http.NewRequest(http.MethodPut, url, io.NopCloser(body))
		req.ContentLength = size
		req.Header.Set("Expect", "100-continue")
		sign(t, req)
		hc := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 30 * time.Second}, Timeout: 60 * time.Second}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("PUT: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || s3Error(b) != "EntityTooLarge" {
			t.Fatalf("got %s %q, want 400 EntityTooLarge\n%s", resp.Status, s3Error(b), b)
		}
		if n := body.n.Load(); n != 0 {
			t.Errorf("client sent %d body bytes; the server should have refused before 100 Continue", n)
		}
	})

	// Nothing was stored.
	c := testserver.NewClient(p.URL, accessKey, secretKey)
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("too-large")})
	var nf interface{ ErrorCode() string }
	if !errors.As(err, &nf) || nf.ErrorCode() != "NotFound" {
		t.Errorf("HEAD too-large after refusals: %v, want NotFound", err)
	}
}
