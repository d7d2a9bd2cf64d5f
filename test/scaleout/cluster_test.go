// Package scaleout runs several real talus server processes as stateless
// gateways on one PostgreSQL database and one shared blob directory, and
// checks that a client whose requests go to different gateways sees one
// consistent store.
package scaleout

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/meta/postgres/pgtest"
	"talus/internal/testserver"
)

var bin string

func TestMain(m *testing.M) {
	path, cleanup, err := testserver.BuildBinary()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = path
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// cluster is n gateways on one database and one blob directory.
type cluster struct {
	gw    []*testserver.Process
	dirs  []string
	dsn   string
	blobs string
	flags []string
}

// startCluster starts n gateways. Each has a data directory of its own
// (lock, access log spool) holding the same master key, as a deployment
// provisions it.
func startCluster(t *testing.T, n int, flags ...string) *cluster {
	t.Helper()
	c := &cluster{dsn: pgtest.Start(t), blobs: t.TempDir()}
	c.flags = append([]string{"--meta", c.dsn, "--blobs", c.blobs, "--console-address", "off", "--log-level", "debug"}, flags...)
	key := make([]byte, 32)
	rand.Read(key)
	for i := 0; i < n; i++ {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "keys", "master.key"), key, 0o600); err != nil {
			t.Fatal(err)
		}
		c.dirs = append(c.dirs, dir)
		c.gw = append(c.gw, testserver.StartProcess(t, bin, dir, testserver.AccessKey, testserver.SecretKey, c.flags...))
	}
	return c
}

// client returns an S3 client of gateway i.
func (c *cluster) client(i int) *s3.Client {
	return testserver.NewClient(c.gw[i].URL, testserver.AccessKey, testserver.SecretKey)
}

// metric returns the value of a Prometheus sample of gateway i (0 if absent).
func (c *cluster) metric(t *testing.T, i int, sample string) float64 {
	t.Helper()
	resp, err := http.Get(c.gw[i].URL + "/_talus/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if name, v, ok := strings.Cut(sc.Text(), " "); ok && name == sample {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}
