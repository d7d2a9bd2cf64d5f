package e2e

// Helpers shared by the object tests: raw SigV4-signed requests for cases
// the SDK cannot express, digests, and a look into the blob directory.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

// unsignedPayload is the x-amz-content-sha256 value for an unsigned body.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// rawResp is a response to a raw request, body read in full.
type rawResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// Code returns the <Code> of an S3 XML error body, or "".
func (r rawResp) Code() string {
	var e struct {
		Code string `xml:"Code"`
	}
	if xml.Unmarshal(r.Body, &e) != nil {
		return ""
	}
	return e.Code
}

// rawReq describes a raw request. URL is the full URL; Host, when set,
// replaces the Host header (the TCP connection still goes to URL's host).
type rawReq struct {
	Method  string
	URL     string
	Host    string
	Header  map[string]string
	Body    []byte
	Payload string // x-amz-content-sha256; "" means the SHA-256 of Body
	// ContentLength, when > 0, is the length signed instead of len(Body)
	// (only for sendShortBody).
	ContentLength int64
}

// signRaw builds the *http.Request for rr and signs it now.
func signRaw(t testing.TB, rr rawReq) *http.Request {
	t.Helper()
	req, err := http.NewRequest(rr.Method, rr.URL, bytes.NewReader(rr.Body))
	if err != nil {
		t.Fatal(err)
	}
	if rr.Body == nil {
		req.Body = http.NoBody
		req.ContentLength = 0
	}
	if rr.ContentLength > 0 {
		req.ContentLength = rr.ContentLength
	}
	if rr.Host != "" {
		req.Host = rr.Host
	}
	for k, v := range rr.Header {
		req.Header.Set(k, v)
	}
	ph := rr.Payload
	if ph == "" {
		ph = sha256Hex(rr.Body)
	}
	req.Header.Set("X-Amz-Content-Sha256", ph)
	creds := aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
	err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(context.Background(), creds, req, ph, "s3", testserver.Region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// rawClient never follows redirects and does not ask for gzip.
var rawClient = &http.Client{
	Transport: &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
	Timeout: 30 * time.Second,
}

// doRaw signs and sends rr.
func doRaw(t testing.TB, rr rawReq) rawResp {
	t.Helper()
	return send(t, signRaw(t, rr))
}

// send sends req with rawClient and reads the whole response.
func send(t testing.TB, req *http.Request) rawResp {
	t.Helper()
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// wantRaw fails unless r has the given status and (if code != "") error code.
func wantRaw(t testing.TB, what string, r rawResp, status int, code string) {
	t.Helper()
	if r.Status != status || (code != "" && r.Code() != code) {
		t.Fatalf("%s: status %d code %q, want %d %q; body: %s", what, r.Status, r.Code(), status, code, r.Body)
	}
}

// objURL is the path-style URL of bucket/key, key escaped like S3 clients do.
func objURL(srv *testserver.Server, bucket, key string) string {
	return srv.URL + "/" + bucket + "/" + escapeKey(key)
}

// escapeKey percent-encodes everything but unreserved characters and '/'.
func escapeKey(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func md5B64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// etagFor is the ETag S3 gives a single-part upload of b.
func etagFor(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

// randBytes returns n pseudo-random bytes (deterministic per seed).
func randBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// readAllBody reads and closes an SDK body.
func readAllBody(t testing.TB, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustNoKey fails unless bucket/key does not exist.
func mustNoKey(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if apiCode(err) != "NotFound" {
		t.Fatalf("HeadObject(%s/%s) = %v, want NotFound", bucket, key, err)
	}
}

// blobFiles lists the regular files under the server's blob directory,
// temporary uploads included.
func blobFiles(t testing.TB, srv *testserver.Server) []string {
	t.Helper()
	var files []string
	root := filepath.Join(srv.Dir, "blobs")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, strings.TrimPrefix(p, root))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

// waitBlobCount polls until the blob directory holds want files (the server
// may still be cleaning up after a connection it aborted).
func waitBlobCount(t testing.TB, srv *testserver.Server, want int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		got := blobFiles(t, srv)
		if len(got) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("blob directory holds %d files %v, want %d", len(got), got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sendShortBody sends a signed PUT that declares contentLength bytes but
// delivers only body, then half-closes the connection. It returns the
// server's answer (Status 0 if it answered nothing parseable).
func sendShortBody(t testing.TB, rr rawReq, contentLength int) rawResp {
	t.Helper()
	rr.ContentLength = int64(contentLength)
	req := signRaw(t, rr)
	u, _ := url.Parse(rr.URL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var b bytes.Buffer
	host := req.Host
	if host == "" {
		host = u.Host
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n", contentLength)
	b.Write(rr.Body)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return rawResp{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: body}
}
