package e2e

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/serverlog"
	"talus/internal/testserver"
)

// loggingPolicy is AWS's recommended target bucket policy: the logging
// service may put objects under the prefix for the source bucket and account.
func loggingPolicy(target, prefix, source, account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},` +
		`"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + target + `/` + prefix + `*",` +
		`"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::` + source + `"},"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`
}

func enableLogging(t *testing.T, c *s3.Client, src string, le *types.LoggingEnabled) {
	t.Helper()
	if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(src),
		BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: le}}); err != nil {
		t.Fatal(err)
	}
}

// waitLogs polls the target bucket until the log objects under prefix
// hold at least n records and returns the objects' keys and lines.
func waitLogs(t *testing.T, c *s3.Client, bucket, prefix string, n int) ([]string, []string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var keys, lines []string
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, *o.Key)
			lines = append(lines, strings.Split(strings.TrimSpace(string(mustGet(t, c, bucket, *o.Key))), "\n")...)
		}
		if len(lines) >= n {
			return keys, lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d log records under %s/%s after 15s, want %d: %q", len(lines), bucket, prefix, n, lines)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// recordFor returns the fields of the record with this request ID.
func recordFor(t *testing.T, lines []string, requestID string) []string {
	t.Helper()
	for _, l := range lines {
		if f := serverlog.Fields(l); len(f) > 5 && f[5] == requestID {
			if len(f) != 27 {
				t.Fatalf("record has %d fields, want AWS's 27: %s", len(f), l)
			}
			return f
		}
	}
	t.Fatalf("no record of request %s in %q", requestID, lines)
	return nil
}

// TestAccessLogDelivery: with logging enabled on a bucket, every request
// to it (writes, reads, failures, anonymous ones) is delivered to the
// target bucket as a log object TargetPrefixYYYY-mm-DD-HH-MM-SS-Unique,
// each record in AWS's format, field by field as AWS documents them.
func TestAccessLogDelivery(t *testing.T) {
	srv := testserver.Start(t, testserver.WithAccessLogInterval(time.Second))
	c := srv.Client()
	admin := adminAccount(srv)
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "logs")
	putBucketPolicy(t, c, "logs", loggingPolicy("logs", "access/", "src", admin.ID))
	enableLogging(t, c, "src", &types.LoggingEnabled{TargetBucket: aws.String("logs"), TargetPrefix: aws.String("access/")})

	got, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	if le := got.LoggingEnabled; le == nil || aws.ToString(le.TargetBucket) != "logs" || aws.ToString(le.TargetPrefix) != "access/" ||
		le.TargetObjectKeyFormat == nil || le.TargetObjectKeyFormat.SimplePrefix == nil {
		t.Fatalf("GetBucketLogging = %+v", got.LoggingEnabled)
	}

	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b.txt"), Body: strings.NewReader("hello")})
	if err != nil {
		t.Fatal(err)
	}
	putID, _ := awsmiddleware.GetRequestIDMetadata(put.ResultMetadata)
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String("a b.txt"), Range: aws.String("bytes=1-2")})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, get.Body)
	get.Body.Close()
	getID, _ := awsmiddleware.GetRequestIDMetadata(get.ResultMetadata)

	// A blob-backed object (over the inline limit) goes out through sendfile.
	mustPut(t, c, "src", "big", bytes.Repeat([]byte("b"), 100<<10))
	big, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, big.Body)
	big.Body.Close()
	bigID, _ := awsmiddleware.GetRequestIDMetadata(big.ResultMetadata)

	// An anonymous read, refused, with a Referer.
	req, _ := http.NewRequest("GET", srv.URL+"/src/secret?x=1", nil)
	req.Header.Set("Referer", "http://example.com/page")
	req.Header.Set("User-Agent", "curl/8.0 \"quoted\"")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	anonID, anonHost := resp.Header.Get("x-amz-request-id"), resp.Header.Get("x-amz-id-2")
	if resp.StatusCode != 403 {
		t.Fatalf("anonymous GET: %d", resp.StatusCode)
	}
	// A request that fails after authorization.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String("missing")})
	mustCode(t, err, "NoSuchKey")

	keys, lines := waitLogs(t, c, "logs", "access/", 7)
	keyRE := regexp.MustCompile(`^access/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`)
	for _, k := range keys {
		if !keyRE.MatchString(k) {
			t.Errorf("log object key %q is not TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString", k)
		}
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	f := recordFor(t, lines, putID)
	want := []string{admin.CanonicalID, "src", "", "127.0.0.1", admin.CanonicalID, putID, "REST.PUT.OBJECT", "a%20b.txt",
		"PUT /src/a%20b.txt?x-id=PutObject HTTP/1.1", "200", "-", "-", "5", "", "", "-", "", "-", "", "SigV4", "-", "AuthHeader", host, "-", "-", "-", "-"}
	checkFields(t, "PutObject", f, want)
	if ts, err := time.Parse(serverlog.TimeLayout, f[2]); err != nil || time.Since(ts) > time.Minute {
		t.Errorf("Time %q: %v", f[2], err)
	}
	for _, i := range []int{13, 14} {
		if _, err := strconv.Atoi(f[i]); err != nil {
			t.Errorf("field %d (times) %q is not milliseconds", i+1, f[i])
		}
	}
	if !strings.Contains(f[16], "aws-sdk-go-v2") {
		t.Errorf("User-Agent %q", f[16])
	}
	if len(f[18]) < 20 {
		t.Errorf("Host ID %q", f[18])
	}

	f = recordFor(t, lines, getID)
	checkFields(t, "ranged GetObject", f, []string{admin.CanonicalID, "src", "", "127.0.0.1", admin.CanonicalID, getID, "REST.GET.OBJECT", "a%20b.txt",
		"GET /src/a%20b.txt?x-id=GetObject HTTP/1.1", "206", "-", "2", "5", "", "", "-", "", "-", "", "SigV4", "-", "AuthHeader", host, "-", "-", "-", "-"})

	f = recordFor(t, lines, bigID)
	if f[11] != "102400" || f[12] != "102400" {
		t.Errorf("blob GET: Bytes Sent %q, Object Size %q, want 102400 each", f[11], f[12])
	}

	f = recordFor(t, lines, anonID)
	checkFields(t, "anonymous GET", f, []string{admin.CanonicalID, "src", "", "127.0.0.1", "-", anonID, "REST.GET.OBJECT", "secret",
		"GET /src/secret?x=1 HTTP/1.1", "403", "AccessDenied", "", "-", "", "", "http://example.com/page", `curl/8.0 "quoted"`, "-", anonHost,
		"-", "-", "-", host, "-", "-", "-", "-"})
	if n, _ := strconv.Atoi(f[11]); n == 0 {
		t.Errorf("Bytes Sent of an error response = %q, want the error body's size", f[11])
	}
	var missing []string
	for _, l := range lines {
		if ff := serverlog.Fields(l); len(ff) == 27 && ff[7] == "missing" {
			missing = ff
		}
	}
	if missing == nil || missing[9] != "404" || missing[10] != "NoSuchKey" {
		t.Errorf("NoSuchKey record: %q", missing)
	}
	// The log object belongs to the target bucket's owner and is stored
	// with its default encryption (SSE-S3).
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("logs"), Key: aws.String(keys[0])})
	if err != nil {
		t.Fatal(err)
	}
	if head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("log object encryption %q", head.ServerSideEncryption)
	}
}

// checkFields compares a record's fields with want; "" in want skips a field.
func checkFields(t *testing.T, what string, got, want []string) {
	t.Helper()
	for i := range want {
		if want[i] != "" && got[i] != want[i] {
			t.Errorf("%s: field %d = %q, want %q", what, i+1, got[i], want[i])
		}
	}
}

// TestAccessLogPartitionedAndRefused: PartitionedPrefix keys carry the
// source account, region, bucket and date; a target whose policy does not
// allow the logging service gets nothing; PutBucketLogging refuses what
// S3 refuses.
func TestAccessLogPartitionedAndRefused(t *testing.T) {
	srv := testserver.Start(t, testserver.WithAccessLogInterval(time.Second))
	c := srv.Client()
	admin := adminAccount(srv)
	for _, b := range []string{"psrc", "plogs", "closed", "nsrc"} {
		mustCreateBucket(t, c, b)
	}
	putBucketPolicy(t, c, "plogs", loggingPolicy("plogs", "", "psrc", admin.ID))
	enableLogging(t, c, "psrc", &types.LoggingEnabled{TargetBucket: aws.String("plogs"), TargetPrefix: aws.String(""),
		TargetObjectKeyFormat: &types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{PartitionDateSource: types.PartitionDateSourceEventTime}}})
	enableLogging(t, c, "nsrc", &types.LoggingEnabled{TargetBucket: aws.String("closed"), TargetPrefix: aws.String("x/")})
	got, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("psrc")})
	if err != nil {
		t.Fatal(err)
	}
	if p := got.LoggingEnabled.TargetObjectKeyFormat.PartitionedPrefix; p == nil || p.PartitionDateSource != types.PartitionDateSourceEventTime {
		t.Fatalf("key format %+v", got.LoggingEnabled.TargetObjectKeyFormat)
	}
	mustPut(t, c, "psrc", "k", []byte("v"))
	mustPut(t, c, "nsrc", "k", []byte("v"))
	keys, _ := waitLogs(t, c, "plogs", "", 1)
	day := time.Now().UTC().Format("2006/01/02")
	re := regexp.MustCompile(`^` + admin.ID + `/` + srv.Region + `/psrc/` + day + `/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`)
	for _, k := range keys {
		if !re.MatchString(k) {
			t.Errorf("partitioned key %q", k)
		}
	}
	time.Sleep(2 * time.Second)
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("closed")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 0 {
		t.Errorf("a target without the logging service's permission got %d objects", len(out.Contents))
	}

	_, err = c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("psrc"),
		BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("nowhere"), TargetPrefix: aws.String("")}}})
	mustCode(t, err, "InvalidTargetBucketForLogging")
	_, err = c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("psrc"),
		BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("plogs"), TargetPrefix: aws.String(""),
			TargetGrants: []types.TargetGrant{{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: types.BucketLogsPermissionRead}}}}})
	mustCode(t, err, "InvalidTargetBucketForLogging")
	_, err = c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("nobucket"),
		BucketLoggingStatus: &types.BucketLoggingStatus{}})
	mustCode(t, err, "NoSuchBucket")

	// Disabling: an empty BucketLoggingStatus.
	enableLogging(t, c, "psrc", nil)
	got, err = c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("psrc")})
	if err != nil || got.LoggingEnabled != nil {
		t.Fatalf("after disabling: %+v, %v", got.LoggingEnabled, err)
	}
}

// TestAccessLogSurvivesRestart: records of requests answered before a
// clean shutdown are delivered by the restarted server.
func TestAccessLogSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.WithDir(dir), testserver.WithAccessLogInterval(time.Hour))
	c := srv.Client()
	admin := adminAccount(srv)
	mustCreateBucket(t, c, "rsrc")
	mustCreateBucket(t, c, "rlogs")
	putBucketPolicy(t, c, "rlogs", loggingPolicy("rlogs", "", "rsrc", admin.ID))
	enableLogging(t, c, "rsrc", &types.LoggingEnabled{TargetBucket: aws.String("rlogs"), TargetPrefix: aws.String("")})
	var ids []string
	for i := range 5 {
		out := mustPut(t, c, "rsrc", "k"+strconv.Itoa(i), []byte("v"))
		id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		ids = append(ids, id)
	}
	srv.Stop(t)

	srv = testserver.Start(t, testserver.WithDir(dir), testserver.WithAccessLogInterval(time.Second))
	c = srv.Client()
	_, lines := waitLogs(t, c, "rlogs", "", 5)
	for _, id := range ids {
		recordFor(t, lines, id)
	}
}
