package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/server"
	"talus/internal/testserver"
)

func withIdle(d time.Duration) testserver.Option {
	return func(c *server.Config) { c.IdleTimeout = d }
}

// openUpload sends the headers of a signed, unsigned-payload PUT declaring
// size bytes and returns the connection for the test to write the body.
func openUpload(t *testing.T, srv *testserver.Server, bucket, key string, size int) (net.Conn, *bufio.Reader) {
	t.Helper()
	req := signRaw(t, rawReq{Method: "PUT", URL: objURL(srv, bucket, key), Payload: unsignedPayload, ContentLength: int64(size)})
	u, _ := url.Parse(srv.URL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var b bytes.Buffer
	fmt.Fprintf(&b, "PUT %s HTTP/1.1\r\nHost: %s\r\n", req.URL.RequestURI(), u.Host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", size)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

func readResponse(t *testing.T, conn net.Conn, br *bufio.Reader, within time.Duration) rawResp {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(within))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response within %v: %v", within, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// TestStalledBodyTimesOut: a body that stops arriving gets S3's 400
// RequestTimeout after the idle bound, and nothing is stored.
func TestStalledBodyTimesOut(t *testing.T) {
	srv := testserver.Start(t, withIdle(time.Second))
	c := srv.Client()
	mustCreateBucket(t, c, "stall")
	for _, size := range []int{1 << 10, 4 << 20} { // inline and blob
		key := fmt.Sprintf("stalled-%d", size)
		conn, br := openUpload(t, srv, "stall", key, size)
		if _, err := conn.Write(bytes.Repeat([]byte("s"), size/2)); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r := readResponse(t, conn, br, 5*time.Second)
		wantRaw(t, "stalled PUT", r, http.StatusBadRequest, "RequestTimeout")
		if d := time.Since(start); d < 900*time.Millisecond || d > 3*time.Second {
			t.Fatalf("RequestTimeout after %v, want about 1s", d)
		}
		if !bytes.Contains(r.Body, []byte("Idle connections will be closed.")) {
			t.Fatalf("message: %s", r.Body)
		}
		mustNoKey(t, c, "stall", key)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("stall")})
	if err != nil || len(out.Contents) != 0 {
		t.Fatalf("listing after stalled PUTs: %v %v", err, out.Contents)
	}
	waitBlobCount(t, srv, 0)
}

// TestSlowSteadyBodySucceeds: bytes every 500 ms under a 1 s idle bound,
// 4 s in all, is not cut.
func TestSlowSteadyBodySucceeds(t *testing.T) {
	srv := testserver.Start(t, withIdle(time.Second))
	c := srv.Client()
	mustCreateBucket(t, c, "steady")
	const pieces, piece = 8, 8 << 10
	want := randBytes(7, pieces*piece)
	conn, br := openUpload(t, srv, "steady", "slow", len(want))
	start := time.Now()
	for i := 0; i < pieces; i++ {
		if i > 0 {
			time.Sleep(500 * time.Millisecond)
		}
		if _, err := conn.Write(want[i*piece : (i+1)*piece]); err != nil {
			t.Fatal(err)
		}
	}
	r := readResponse(t, conn, br, 5*time.Second)
	wantRaw(t, "slow PUT", r, http.StatusOK, "")
	if d := time.Since(start); d < 3*time.Second {
		t.Fatalf("upload took only %v", d)
	}
	if got := mustGet(t, c, "steady", "slow"); !bytes.Equal(got, want) {
		t.Fatalf("stored %d bytes, want %d", len(got), len(want))
	}
}

// TestNonReadingClientDropped: a GET whose client stops reading is cut
// after the idle bound instead of holding its goroutine and file forever.
func TestNonReadingClientDropped(t *testing.T) {
	srv := testserver.Start(t, withIdle(time.Second))
	c := srv.Client()
	mustCreateBucket(t, c, "reader")
	const size = 32 << 20
	mustPut(t, c, "reader", "big", bytes.Repeat([]byte("r"), size))

	req := signRaw(t, rawReq{Method: "GET", URL: objURL(srv, "reader", "big")})
	u, _ := url.Parse(srv.URL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(64 << 10)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // not reading: the server's writes block
	// Now read: what the kernel buffered arrives, then the connection ends.
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("connection still open after %d bytes", n)
	}
	if n >= size {
		t.Fatalf("the whole object (%d bytes) arrived; the stalled response was not cut", n)
	}
	// The server still serves.
	mustPut(t, c, "reader", "after", []byte("ok"))
}

// TestMaxConnections: with room for two connections, a third waits until
// one closes.
func TestMaxConnections(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.MaxConnections = 2 })
	u, _ := url.Parse(srv.URL)
	dial := func() net.Conn {
		conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	ask := func(conn net.Conn) {
		fmt.Fprintf(conn, "GET /_talus/health/live HTTP/1.1\r\nHost: %s\r\n\r\n", u.Host)
	}
	var readers []*bufio.Reader
	var conns []net.Conn
	for i := 0; i < 2; i++ {
		conn := dial()
		ask(conn)
		br := bufio.NewReader(conn)
		if r := readResponse(t, conn, br, 5*time.Second); r.Status != 200 {
			t.Fatalf("connection %d: status %d", i, r.Status)
		}
		conns, readers = append(conns, conn), append(readers, br)
	}
	third := dial() // the kernel completes the handshake; the server does not accept
	ask(third)
	tbr := bufio.NewReader(third)
	third.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := tbr.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("third connection answered while two were open: %v", err)
	}
	// The first two are still served.
	ask(conns[1])
	if r := readResponse(t, conns[1], readers[1], 5*time.Second); r.Status != 200 {
		t.Fatalf("open connection: status %d", r.Status)
	}
	conns[0].Close()
	if r := readResponse(t, third, tbr, 5*time.Second); r.Status != 200 {
		t.Fatalf("third connection after one closed: status %d", r.Status)
	}
}
