package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"0": 0, "17": 17, "17B": 17, "4KiB": 4096, "4k": 4096, "4 KiB": 4096, "4KB": 4000,
		"16MiB": 16 << 20, "16mb": 16e6, "1.5MiB": 3 << 19, "2GiB": 2 << 30, "1G": 1 << 30,
		"1TiB": 1 << 40, "5Mi": 5 << 20, " 8KiB ": 8192,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "KiB", "-4KiB", "4XB", "1.5", "0.3KiB", "1e3", "4 K iB", "9999999999TiB"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 100: "100 B", 4096: "4 KiB", 3 << 19: "1.50 MiB", 64 << 20: "64 MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseMix(t *testing.T) {
	m, err := ParseMix("get=50, put=30,delete=20")
	if err != nil || m != (Mix{50, 30, 20}) {
		t.Fatalf("%+v %v", m, err)
	}
	if m, err := ParseMix("put=1"); err != nil || m != (Mix{Put: 1}) {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"", "get=0", "list=3", "get", "get=-1", "get=x"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q): want an error", bad)
		}
	}
}

func TestHistogramBuckets(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	prev := -1
	for v := int64(0); v < 1<<16; v++ {
		i := bucketOf(v)
		if i < prev {
			t.Fatalf("bucketOf not monotonic at %d", v)
		}
		prev = i
	}
	for range 100000 {
		v := r.Int64N(1 << 40)
		lo, hi := bucketRange(bucketOf(v))
		if v < lo || v > hi {
			t.Fatalf("%d in bucket [%d, %d]", v, lo, hi)
		}
		if float64(hi-lo) > float64(v)/64 {
			t.Fatalf("bucket [%d, %d] too wide for %d", lo, hi, v)
		}
	}
	if bucketOf(1<<62) != nBuckets-1 || bucketOf(-5) != 0 {
		t.Fatal("out-of-range values not clamped")
	}
}

func TestHistogramPercentiles(t *testing.T) {
	h := NewHistogram()
	if h.Percentile(50) != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Fatal("empty histogram not zero")
	}
	// 1..10000 µs in shuffled order.
	vals := rand.New(rand.NewPCG(3, 4)).Perm(10000)
	for _, v := range vals {
		h.Record(time.Duration(v+1) * time.Microsecond)
	}
	near := func(p float64, want time.Duration) {
		t.Helper()
		got := h.Percentile(p)
		if d := float64(got-want) / float64(want); d > 0.01 || d < -0.01 {
			t.Errorf("p%v = %v, want %v within 1%%", p, got, want)
		}
	}
	near(50, 5000*time.Microsecond)
	near(90, 9000*time.Microsecond)
	near(99, 9900*time.Microsecond)
	near(99.9, 9990*time.Microsecond)
	if h.Max() != 10*time.Millisecond || h.Percentile(100) != 10*time.Millisecond {
		t.Errorf("max %v, p100 %v", h.Max(), h.Percentile(100))
	}
	if h.Percentile(0.001) != time.Microsecond {
		t.Errorf("p0.001 = %v, want the minimum", h.Percentile(0.001))
	}
	if m := h.Mean(); m < 5000*time.Microsecond || m > 5001*time.Microsecond {
		t.Errorf("mean %v", m)
	}
	// Merging a histogram of 10000 values of 1 s moves the median up.
	o := NewHistogram()
	for range 10000 {
		o.Record(time.Second)
	}
	h.Merge(o)
	h.Merge(NewHistogram())
	if h.Count() != 20000 || h.Max() != time.Second {
		t.Fatalf("merged count %d max %v", h.Count(), h.Max())
	}
	if p := h.Percentile(75); p < 990*time.Millisecond || p > time.Second {
		t.Errorf("merged p75 = %v", p)
	}
	// A single value is reported exactly.
	one := NewHistogram()
	one.Record(1234567 * time.Nanosecond)
	if one.Percentile(50) != 1234567 || one.Percentile(99) != 1234567 {
		t.Errorf("single value: %v", one.Percentile(50))
	}
}

func TestPayloadBodies(t *testing.T) {
	p := newPattern(7, 100<<10)
	a, b := p.bodies(100<<10), p.bodies(100<<10)
	if &a[0] != &b[0] || len(a) != variants {
		t.Fatal("bodies not cached")
	}
	if bytes.Equal(readBody(t, a[0]), readBody(t, a[1])) {
		t.Fatal("variants identical")
	}
	if !bytes.Equal(readBody(t, newPattern(7, 100<<10).bodies(100 << 10)[3]), readBody(t, a[3])) {
		t.Fatal("not deterministic")
	}
	// A body longer than the pattern repeats it.
	small := &pattern{buf: []byte("0123456789"), bys: map[int64][]*body{}}
	long := &body{p: small, off: 7, n: 25}
	if got := string(readBody(t, long)); got != "7890123456789012345678901" {
		t.Fatalf("cyclic body %q", got)
	}
}

func readBody(t *testing.T, b *body) []byte {
	t.Helper()
	got, err := io.ReadAll(b.reader())
	if err != nil || int64(len(got)) != b.n {
		t.Fatalf("read %d of %d: %v", len(got), b.n, err)
	}
	return got
}

// ---- end to end ----

var ctx = context.Background()

func baseConfig(srv *testserver.Server, workload string) Config {
	return Config{
		Workload: workload, Endpoint: srv.URL, AccessKey: testserver.AccessKey, SecretKey: testserver.SecretKey,
		Region: testserver.Region, PathStyle: true, Size: 4 << 10, Concurrency: 4, Seed: 1,
	}
}

func run(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("%s: %v", cfg.Workload, err)
	}
	if res.Errors != 0 || res.CleanupError != "" {
		t.Fatalf("%s: %d errors %v (%s), cleanup %q", cfg.Workload, res.Errors, res.ErrorsBy, res.ErrorSample, res.CleanupError)
	}
	for _, o := range res.ByOp {
		if o.Errors != 0 {
			t.Fatalf("%s/%s: %d errors", cfg.Workload, o.Op, o.Errors)
		}
	}
	if res.Ops == 0 || res.OpsPerSec <= 0 || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P99 || res.Latency.P99 < res.Latency.P50 {
		t.Fatalf("%s: implausible result %+v", cfg.Workload, res)
	}
	var table bytes.Buffer
	if err := res.WriteTable(&table); err != nil || !strings.Contains(table.String(), cfg.Workload) {
		t.Fatalf("table %q: %v", table.String(), err)
	}
	t.Logf("\n%s", table.String())
	return res
}

func listKeys(t *testing.T, c *s3.Client, bucket, prefix string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("list %s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			out[*o.Key] = *o.Size
		}
	}
	return out
}

func bucketExists(t *testing.T, c *s3.Client, bucket string) bool {
	t.Helper()
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	return err == nil
}

// checkContent reads key and checks it is one of the variants of its size.
func checkContent(t *testing.T, c *s3.Client, cfg Config, key string, size int64) {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || int64(len(got)) != size {
		t.Fatalf("get %s: %d bytes, %v", key, len(got), err)
	}
	p := newPattern(cfg.Seed, size)
	for _, b := range p.bodies(size) {
		if bytes.Equal(got, readBody(t, b)) {
			return
		}
	}
	t.Fatalf("%s: content is none of the expected bodies", key)
}

func TestPutKeepAndCleanup(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()

	cfg := baseConfig(srv, WorkloadPut)
	cfg.Bucket, cfg.Ops, cfg.Keep, cfg.Seed = "kept", 50, true, 9
	res := run(t, cfg)
	if res.Ops != 50 || res.Bytes != 50*4096 || !res.BucketCreated || res.Deleted != 0 {
		t.Fatalf("result %+v", res)
	}
	keys := listKeys(t, c, "kept", "talus-bench/put/")
	if len(keys) != 50 || keys["talus-bench/put/00000049"] != 4096 {
		t.Fatalf("kept keys: %d %v", len(keys), keys["talus-bench/put/00000049"])
	}
	checkContent(t, c, cfg, "talus-bench/put/00000007", 4096)

	// Into the existing bucket with another prefix, cycling over 5 keys:
	// those are removed, the bucket (not created by the run) and the
	// first run's objects stay.
	cfg.Keep, cfg.Prefix, cfg.Objects = false, "other/", 5
	res = run(t, cfg)
	if res.BucketCreated || res.Deleted != 5 {
		t.Fatalf("second run: created %v, deleted %d", res.BucketCreated, res.Deleted)
	}
	if n := len(listKeys(t, c, "kept", "other/")); n != 0 {
		t.Fatalf("%d objects left behind", n)
	}
	if !bucketExists(t, c, "kept") || len(listKeys(t, c, "kept", "")) != 50 {
		t.Fatal("pre-existing bucket or objects touched")
	}

	// A run that creates its bucket removes it.
	cfg.Bucket, cfg.Ops = "transient", 20
	res = run(t, cfg)
	if !res.BucketCreated || res.Deleted != 5 || bucketExists(t, c, "transient") {
		t.Fatalf("transient bucket: created %v, deleted %d", res.BucketCreated, res.Deleted)
	}
}

func TestSSEWrites(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	cfg := baseConfig(srv, WorkloadPut)
	cfg.Bucket, cfg.Ops, cfg.Keep, cfg.SSE, cfg.Size = "sse", 4, true, "AES256", 100<<10
	if res := run(t, cfg); res.Ops != 4 || res.SSE != "AES256" {
		t.Fatalf("result %+v", res)
	}
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("sse"), Key: aws.String("talus-bench/put/00000003")})
	if err != nil || head.ServerSideEncryption != "AES256" {
		t.Fatalf("object not encrypted: %v %q", err, head.ServerSideEncryption)
	}
	checkContent(t, c, cfg, "talus-bench/put/00000003", 100<<10)
}

func TestPayloadModes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	for _, mode := range []string{payloadUnsigned, payloadSigned, payloadStreaming} {
		for _, size := range []int64{0, 1, 100<<10 + 3} {
			cfg := baseConfig(srv, WorkloadPut)
			cfg.Bucket, cfg.Payload, cfg.Size, cfg.Ops, cfg.Keep, cfg.ChunkSize = "modes", mode, size, 20, true, 8<<10
			cfg.Prefix = mode + "-" + FormatSize(size) + "/"
			res := run(t, cfg)
			if res.Ops != 20 || res.Bytes != 20*size {
				t.Fatalf("%s %d: %d ops %d bytes", mode, size, res.Ops, res.Bytes)
			}
			for _, k := range []string{"00000000", "00000011"} {
				checkContent(t, c, cfg, cfg.Prefix+"put/"+k, size)
			}
			// GET them back in the same mode.
			g := cfg
			g.Workload, g.Objects, g.Ops, g.Keep = WorkloadGet, 5, 30, false
			if res := run(t, g); res.Bytes != 30*size {
				t.Fatalf("get %s %d: %d bytes", mode, size, res.Bytes)
			}
		}
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	cfg := baseConfig(srv, WorkloadGet)
	cfg.Objects, cfg.Ops, cfg.Size = 10, 100, 40<<10 // above the inline threshold
	res := run(t, cfg)
	if res.Ops != 100 || res.Bytes != 100*40<<10 || res.Prepared != 10 || res.Deleted != 10 {
		t.Fatalf("result %+v", res)
	}
	if bucketExists(t, srv.Client(), cfg.Bucket) {
		t.Fatal("bucket left behind")
	}
}

func TestMixed(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	cfg := baseConfig(srv, WorkloadMixed)
	cfg.Objects, cfg.Ops, cfg.Mix = 20, 200, Mix{Get: 50, Put: 30, Delete: 20}
	res := run(t, cfg)
	ops := map[string]int64{}
	var sum int64
	for _, o := range res.ByOp {
		ops[o.Op] = o.Ops
		sum += o.Ops
	}
	if res.Ops != 200 || sum != 200 || ops["get"] == 0 || ops["put"] == 0 || ops["delete"] == 0 {
		t.Fatalf("ops %d, by op %v", res.Ops, ops)
	}
	if res.Mix != "get=50,put=30,delete=20" {
		t.Fatalf("mix %q", res.Mix)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	cfg := baseConfig(srv, WorkloadList)
	cfg.Size, cfg.Objects, cfg.Ops, cfg.Concurrency = -1, 2500, 20, 3
	res := run(t, cfg)
	// Each pass over 2500 keys is pages of 1000, 1000 and 500.
	if res.Ops != 20 || res.ObjectsListed < 20*500 || res.ObjectsListed > 20*1000 || res.ObjectsPerSec <= 0 || res.Size != 0 {
		t.Fatalf("ops %d, listed %d", res.Ops, res.ObjectsListed)
	}
	if res.Deleted != 2500 {
		t.Fatalf("deleted %d", res.Deleted)
	}
}

func TestMultipartPut(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	for _, mode := range []string{payloadUnsigned, payloadStreaming} {
		cfg := baseConfig(srv, WorkloadMultipart)
		cfg.Bucket, cfg.Prefix, cfg.Payload = "mpu", mode+"/", mode
		cfg.Size, cfg.PartSize, cfg.Ops, cfg.Concurrency, cfg.Uploads, cfg.Keep = 12<<20, 5<<20, 3, 3, 2, true
		res := run(t, cfg)
		if res.Ops != 3 || res.Bytes != 3*12<<20 || res.MiBPerSec <= 0 || len(res.ByOp) != 3 {
			t.Fatalf("result %+v", res)
		}
		if p := res.ByOp[1]; p.Op != "part" || p.Ops != 9 || p.Bytes != 3*12<<20 {
			t.Fatalf("parts %+v", p)
		}
		keys := listKeys(t, c, "mpu", cfg.Prefix)
		if len(keys) != 3 {
			t.Fatalf("keys %v", keys)
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String(cfg.Prefix + "multipart-put/00000001")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		// Parts 1 and 2 are variants 0 and 1 of 5 MiB, part 3 variant 2 of 2 MiB.
		p := newPattern(cfg.Seed, 5<<20)
		want := append(append(readBody(t, p.bodies(5 << 20)[0]), readBody(t, p.bodies(5 << 20)[1])...), readBody(t, p.bodies(2 << 20)[2])...)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: multipart object content differs (%d bytes)", mode, len(got))
		}
		if up, _ := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")}); len(up.Uploads) != 0 {
			t.Fatalf("%d uploads left open", len(up.Uploads))
		}
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	cfg := baseConfig(srv, WorkloadDelete)
	cfg.Objects, cfg.Bucket = 100, "del"
	res := run(t, cfg)
	if res.Ops != 100 || res.Prepared != 100 || res.Deleted != 0 {
		t.Fatalf("ops %d prepared %d deleted in cleanup %d", res.Ops, res.Prepared, res.Deleted)
	}
	if bucketExists(t, srv.Client(), "del") {
		t.Fatal("bucket left behind")
	}
	// With --ops below the set, the rest is cleaned up.
	cfg.Ops = 30
	if res := run(t, cfg); res.Ops != 30 || res.Deleted != 70 {
		t.Fatalf("ops %d, cleaned %d", res.Ops, res.Deleted)
	}
}

func TestDurationProgressAndRSS(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	var progress bytes.Buffer
	cfg := baseConfig(srv, WorkloadPut)
	cfg.Duration, cfg.Progress, cfg.ProgressInterval, cfg.ServerPID = 400*time.Millisecond, &progress, 100*time.Millisecond, os.Getpid()
	start := time.Now()
	res := run(t, cfg)
	if el := time.Since(start); el > 10*time.Second || res.DurationSec < 0.4 || res.DurationSec > 5 {
		t.Fatalf("duration %.2fs, run took %v", res.DurationSec, el)
	}
	if !strings.Contains(progress.String(), "[put]") || !strings.Contains(progress.String(), "ops/s") {
		t.Fatalf("progress %q", progress.String())
	}
	r := res.ServerRSS
	if r == nil || r.PID != os.Getpid() || r.IdleKiB <= 0 || r.PeakKiB < r.IdleKiB || r.HWMKiB < r.PeakKiB || r.Samples < 2 {
		t.Fatalf("rss %+v", r)
	}
	if _, err := Run(ctx, Config{Workload: WorkloadPut, AccessKey: "a", SecretKey: "b", ServerPID: 1 << 30}); err == nil {
		t.Fatal("missing server pid accepted")
	}
}

func TestVirtualHostStyle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.WithDomain("s3.test"))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	cfg := baseConfig(srv, WorkloadGet)
	cfg.Endpoint, cfg.ConnectTo, cfg.PathStyle = "http://s3.test:"+port, strings.TrimPrefix(srv.URL, "http://"), false
	cfg.Bucket, cfg.Objects, cfg.Ops, cfg.Keep, cfg.Payload = "vhost", 5, 20, true, payloadStreaming
	run(t, cfg)
	if n := len(listKeys(t, srv.Client(), "vhost", "")); n != 5 {
		t.Fatalf("%d objects via path style", n)
	}
}

func TestEndpointFailures(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	cfg := baseConfig(srv, WorkloadPut)
	cfg.Ops = 5
	cfg.SecretKey = "wrong-secret-key"
	if _, err := Run(ctx, cfg); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("wrong secret: %v", err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cfg = baseConfig(srv, WorkloadPut)
	cfg.Endpoint, cfg.Ops = "http://"+addr, 5
	if _, err := Run(ctx, cfg); err == nil {
		t.Fatal("closed port accepted")
	}
	for _, bad := range []Config{
		{Workload: "bogus", AccessKey: "a", SecretKey: "b"},
		{Workload: WorkloadPut},
		{Workload: WorkloadPut, AccessKey: "a", SecretKey: "b", Payload: "md5"},
		{Workload: WorkloadPut, AccessKey: "a", SecretKey: "b", SSE: "bogus"},
		{Workload: WorkloadPut, AccessKey: "a", SecretKey: "b", Endpoint: "ftp://x"},
		{Workload: WorkloadMultipart, AccessKey: "a", SecretKey: "b", Size: 1 << 40, PartSize: 1 << 20},
	} {
		if _, err := Run(ctx, bad); err == nil {
			t.Errorf("config %+v accepted", bad)
		}
	}
}

func TestMainJSON(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	var out, errb bytes.Buffer
	err := Main([]string{"get", "--endpoint", srv.URL, "--access-key", testserver.AccessKey, "--secret-key", testserver.SecretKey,
		"--size", "1KiB", "--objects", "8", "--ops", "40", "--concurrency", "4", "--payload", "signed", "--json"}, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v: %q", err, out.String())
	}
	lat, _ := res["latency_ms"].(map[string]any)
	if res["workload"] != "get" || res["ops"] != 40.0 || res["errors"] != 0.0 || res["size_bytes"] != 1024.0 ||
		res["payload"] != "signed" || lat == nil || lat["p99"] == nil || res["mib_per_s"] == nil || res["ops_per_s"] == nil {
		t.Fatalf("json %s", out.String())
	}
	if errb.Len() != 0 {
		t.Fatalf("stderr without a terminal or --progress: %q", errb.String())
	}

	// Table output, and flag errors.
	out.Reset()
	if err := Main([]string{"--workload", "put", "--endpoint", srv.URL, "--access-key", testserver.AccessKey,
		"--secret-key", testserver.SecretKey, "--ops", "10"}, &out, &errb); err != nil || !strings.Contains(out.String(), "p99 ms") {
		t.Fatalf("table: %v %q", err, out.String())
	}
	for _, args := range [][]string{{"put", "--size", "4XB"}, {"put", "extra"}, {"put", "--mix", "get=0"}, {"put", "--part-size", "0"}} {
		if err := Main(args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if err := Main([]string{"-h"}, io.Discard, io.Discard); err != nil {
		t.Errorf("-h: %v", err)
	}
}
