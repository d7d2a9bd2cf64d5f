// Package replicate tests bucket replication between real processes: two
// Talus servers, and Talus to moto's standalone S3 server.
package replicate

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testports"
	"talus/internal/testserver"
)

const (
	rootAK = "replicationtestkey01"
	rootSK = "replication-test-secret-key-0123456789"
)

var (
	ctx      = context.Background()
	talusBin string
)

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

// freeAddr returns a local address nothing listens on, so a server can be
// restarted at the same endpoint.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := testports.Addr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// talus starts a server over dir at addr.
func talus(t *testing.T, dir, addr string) (*testserver.Process, *s3.Client) {
	t.Helper()
	p := testserver.StartProcess(t, talusBin, dir, rootAK, rootSK, "--address", addr, "--default-encryption", "AES256")
	return p, testserver.NewClient(p.URL, rootAK, rootSK)
}

// admin runs `talus admin` against the server at url.
func admin(t *testing.T, url string, args ...string) {
	t.Helper()
	cmd := exec.Command(talusBin, append([]string{"admin", "--endpoint", url}, args...)...)
	cmd.Env = append(os.Environ(), "TALUS_ROOT_ACCESS_KEY="+rootAK, "TALUS_ROOT_SECRET_KEY="+rootSK)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("talus admin %v: %v\n%s", args, err, out)
	}
}

func versioned(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
}

func replicateTo(t *testing.T, c *s3.Client, bucket, destARN string, markers bool) {
	t.Helper()
	dm := types.DeleteMarkerReplicationStatusDisabled
	if markers {
		dm = types.DeleteMarkerReplicationStatusEnabled
	}
	_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String(bucket),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::000000000000:role/r"),
			Rules: []types.ReplicationRule{{ID: aws.String("all"), Priority: aws.Int32(1), Status: types.ReplicationRuleStatusEnabled,
				Filter:                    &types.ReplicationRuleFilter{Prefix: aws.String("")},
				DeleteMarkerReplication:   &types.DeleteMarkerReplication{Status: dm},
				ExistingObjectReplication: &types.ExistingObjectReplication{Status: types.ExistingObjectReplicationStatusEnabled},
				Destination:               &types.Destination{Bucket: aws.String(destARN)}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, c *s3.Client, bucket, key string, body []byte) string {
	t.Helper()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		Metadata: map[string]string{"n": strconv.Itoa(len(body))}, Tagging: aws.String("src=talus")})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.VersionId)
}

func status(c *s3.Client, bucket, key, vid string) types.ReplicationStatus {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.HeadObject(ctx, in)
	if err != nil {
		return ""
	}
	return out.ReplicationStatus
}

func waitStatus(t *testing.T, c *s3.Client, bucket, key, vid string, want types.ReplicationStatus, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := status(c, bucket, key, vid)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s@%s: status %q, want %q", bucket, key, vid, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(t *testing.T, c *s3.Client, bucket, key, vid string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		t.Fatalf("GetObject %s/%s@%s: %v", bucket, key, vid, err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(out.Body)
	return buf.Bytes(), out
}

// versions lists every version and delete marker of key.
func versions(t *testing.T, c *s3.Client, bucket, key string) ([]types.ObjectVersion, []types.DeleteMarkerEntry) {
	t.Helper()
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var vs []types.ObjectVersion
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			vs = append(vs, v)
		}
	}
	var ms []types.DeleteMarkerEntry
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) == key {
			ms = append(ms, m)
		}
	}
	return vs, ms
}

// moto starts moto's standalone S3 server and returns its endpoint.
func moto(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with moto is needed (scripts/test.sh installs it)")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", port)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("moto log:\n%s", log.String())
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(url + "/"); err == nil {
			resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto did not start:\n%s", log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
