package scaleout

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"talus/internal/testserver"
)

var ctx = context.Background()

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func get(t *testing.T, c *s3.Client, bucket, key, version string) []byte {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		t.Fatalf("GetObject %s/%s %s: %v", bucket, key, version, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A bucket created on one gateway is there at once on the others, and its
// deletion too: bucket rows are read from the database on every request.
func TestBucketSeenOnEveryGatewayAtOnce(t *testing.T) {
	c := startCluster(t, 3)
	if _, err := c.client(0).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 3; i++ {
		if _, err := c.client(i).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("shared")}); err != nil {
			t.Fatalf("gateway %d: HeadBucket right after CreateBucket on gateway 0: %v", i, err)
		}
	}
	if _, err := c.client(1).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("k"), Body: bytes.NewReader([]byte("v"))}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, c.client(2), "shared", "k", ""); string(got) != "v" {
		t.Fatalf("gateway 2 reads %q", got)
	}
	if _, err := c.client(0).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.client(0).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 3; i++ {
		_, err := c.client(i).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("shared")})
		var nf *types.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("gateway %d: HeadBucket after DeleteBucket: %v, want NotFound", i, err)
		}
	}
}

// invalidationBound is the documented bound on a cached IAM entry outliving
// a change made on another gateway when a notification is lost (the TTL);
// with LISTEN/NOTIFY it is milliseconds. The test allows slack for load.
const invalidationBound = 2*time.Second + 8*time.Second

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

func anonGet(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A bucket policy put on gateway 0 takes effect on gateway 1 (policies are
// read with the bucket row, never cached), and so does its deletion; an
// access key deleted on gateway 0 stops working on gateway 2 within the
// invalidation bound.
func TestPolicyAndKeyChangesReachOtherGateways(t *testing.T) {
	c := startCluster(t, 3)
	c0 := c.client(0)
	if _, err := c0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pub")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c0.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pub"), Key: aws.String("doc"), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c0.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("pub")}); err != nil {
		t.Fatal(err)
	}
	url := c.gw[1].URL + "/pub/doc"
	if st := anonGet(url); st != http.StatusForbidden {
		t.Fatalf("anonymous GET before the policy: %d", st)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}]}`
	if _, err := c0.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pub"), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	if st := anonGet(url); st != http.StatusOK {
		t.Fatalf("anonymous GET on gateway 1 right after PutBucketPolicy on gateway 0: %d", st)
	}
	if _, err := c0.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("pub")}); err != nil {
		t.Fatal(err)
	}
	if st := anonGet(url); st != http.StatusForbidden {
		t.Fatalf("anonymous GET on gateway 1 right after DeleteBucketPolicy on gateway 0: %d", st)
	}

	// An IAM user's key: used on gateway 2 (so it is cached there), then
	// deleted on gateway 0.
	ak, sk := createUserKey(t, c.gw[0].URL)
	uc := s3Client(c.gw[2].URL, ak, sk)
	waitFor(t, invalidationBound, "new key known on gateway 2", func() bool {
		_, err := uc.ListBuckets(ctx, &s3.ListBucketsInput{})
		return code(err) == "AccessDenied" // known key, no policy
	})
	iamCall(t, c.gw[0].URL, "DeleteAccessKey", "UserName", "u1", "AccessKeyId", ak)
	took := waitFor(t, invalidationBound, "deleted key refused on gateway 2", func() bool {
		_, err := uc.ListBuckets(ctx, &s3.ListBucketsInput{})
		return code(err) == "InvalidAccessKeyId"
	})
	t.Logf("deleted key refused on another gateway after %v", took)
}

// Conditional creates racing through different gateways: exactly one wins.
func TestConditionalWritesRaceAcrossGateways(t *testing.T) {
	c := startCluster(t, 3)
	if _, err := c.client(0).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("race")}); err != nil {
		t.Fatal(err)
	}
	clients := []*s3.Client{c.client(0), c.client(1), c.client(2)}
	for round := 0; round < 5; round++ {
		key := fmt.Sprintf("k%d", round)
		const racers = 12
		var wins atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, racers)
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				body := fmt.Sprintf("racer %d", i)
				_, err := clients[i%3].PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String(key),
					Body: bytes.NewReader([]byte(body)), IfNoneMatch: aws.String("*")})
				switch code(err) {
				case "":
					if err != nil {
						errs <- err
						return
					}
					wins.Add(1)
					winner.Store(body)
				case "PreconditionFailed", "ConditionalRequestConflict":
				default:
					errs <- err
				}
			}(i)
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: unexpected error: %v", round, err)
		}
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d conditional creates succeeded, want exactly 1", round, n)
		}
		for i := 0; i < 3; i++ {
			if got := string(get(t, clients[i], "race", key, "")); got != winner.Load().(string) {
				t.Fatalf("round %d: gateway %d reads %q, the winner wrote %q", round, i, got, winner.Load())
			}
		}
	}
}

// Versions written through gateways 0, 1, 2 in turn are listed newest
// first, each with its own bytes.
func TestVersionsThroughDifferentGateways(t *testing.T) {
	c := startCluster(t, 3)
	c0 := c.client(0)
	if _, err := c0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ver")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c0.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for round := 0; round < 2; round++ {
		for i := 0; i < 3; i++ {
			out, err := c.client(i).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc"),
				Body: bytes.NewReader([]byte(fmt.Sprintf("v%d", len(ids))))})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, aws.ToString(out.VersionId))
		}
	}
	for i := 0; i < 3; i++ {
		out, err := c.client(i).ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("ver")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Versions) != len(ids) {
			t.Fatalf("gateway %d lists %d versions, want %d", i, len(out.Versions), len(ids))
		}
		for j, v := range out.Versions {
			want := ids[len(ids)-1-j]
			if aws.ToString(v.VersionId) != want || aws.ToBool(v.IsLatest) != (j == 0) {
				t.Fatalf("gateway %d: version %d is %s (latest %v), want %s", i, j, aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), want)
			}
		}
	}
	for j, id := range ids {
		if got := string(get(t, c.client(j%3), "ver", "doc", id)); got != fmt.Sprintf("v%d", j) {
			t.Fatalf("version %s reads %q", id, got)
		}
	}
	if got := string(get(t, c.client(1), "ver", "doc", "")); got != fmt.Sprintf("v%d", len(ids)-1) {
		t.Fatalf("latest reads %q", got)
	}
}

// A multipart upload created on gateway 0, whose parts go to gateways 1
// and 0, completes on gateway 2.
func TestMultipartAcrossGateways(t *testing.T) {
	c := startCluster(t, 3)
	if _, err := c.client(0).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mpu")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.client(0).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	part1 := bytes.Repeat([]byte("a"), 5<<20)
	part2 := bytes.Repeat([]byte("b"), 1<<20+17)
	var done []types.CompletedPart
	for n, p := range []struct {
		gw   int
		data []byte
	}{{1, part1}, {0, part2}} {
		out, err := c.client(p.gw).UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(n + 1)), Body: bytes.NewReader(p.data)})
		if err != nil {
			t.Fatalf("UploadPart %d on gateway %d: %v", n+1, p.gw, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(n + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	parts, err := c.client(2).ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: up.UploadId})
	if err != nil || len(parts.Parts) != 2 {
		t.Fatalf("ListParts on gateway 2: %v, %d parts", err, len(parts.Parts))
	}
	if _, err := c.client(2).CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatalf("CompleteMultipartUpload on gateway 2: %v", err)
	}
	want := append(append([]byte{}, part1...), part2...)
	for i := 0; i < 3; i++ {
		if got := get(t, c.client(i), "mpu", "big", ""); !bytes.Equal(got, want) {
			t.Fatalf("gateway %d reads %d bytes, want %d", i, len(got), len(want))
		}
	}
}

// Three gateways started at the same moment on a new database all come
// up (one of them records the root and creates the administrator
// account) and serve the same buckets.
func TestGatewaysStartTogetherOnNewDatabase(t *testing.T) {
	c := startCluster(t, 0)
	key := make([]byte, 32)
	rand.Read(key)
	gws := make([]*testserver.Process, 3)
	var wg sync.WaitGroup
	for i := range gws {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
		if err := os.WriteFile(filepath.Join(dir, "keys", "master.key"), key, 0o600); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			gws[i] = testserver.StartProcess(t, bin, dir, testserver.AccessKey, testserver.SecretKey, c.flags...)
		}(i)
	}
	wg.Wait()
	for i, g := range gws {
		if g == nil {
			t.Fatalf("gateway %d did not start", i)
		}
	}
	cl := func(i int) *s3.Client {
		return testserver.NewClient(gws[i].URL, testserver.AccessKey, testserver.SecretKey)
	}
	if _, err := cl(2).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("together")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := cl(i).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("together")}); err != nil {
			t.Fatalf("gateway %d: %v", i, err)
		}
	}
}

// A gateway with another master key than the one the database was set up
// with is refused at start, saying so.
func TestGatewayWithOtherMasterKeyRefused(t *testing.T) {
	c := startCluster(t, 1)
	dir := t.TempDir()
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(tctx, bin, append([]string{"server", "--address", "127.0.0.1:0", "--data", dir}, c.flags...)...)
	cmd.Env = append(os.Environ(), "TALUS_ROOT_ACCESS_KEY="+testserver.AccessKey, "TALUS_ROOT_SECRET_KEY="+testserver.SecretKey)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is not the master key of this metadata database") {
		t.Fatalf("start with another master key: %v\n%s", err, out)
	}
}
