package browser

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"talus/internal/testserver"
)

// artifactDir is where the console screenshots go: $TALUS_ARTIFACTS, or
// test/browser/artifacts in the source tree.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("TALUS_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	dir = filepath.Join(dir, "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// TestConsole drives the web console in headless Chromium the way a
// person would: sign in, create a bucket, upload a file (multipart, with
// progress), see it listed, download it, share it, change a bucket
// setting, create a user and a key, create a KMS key, and read the server
// page. Every step is checked against the API, and each page is saved as
// a screenshot.
func TestConsole(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConsole(), testserver.WithMetrics("open", ""))
	consoleURL := "http://" + srv.Server().ConsoleAddr().String()
	c := srv.Client()
	ctx := browser(t)
	shots := artifactDir(t)
	downloads := t.TempDir()
	shot := func(name string) {
		t.Helper()
		time.Sleep(150 * time.Millisecond)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s: %v\npage: %s", what, err, page)
		}
	}
	get := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	go2 := func(hash string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(consoleURL + "/#" + hash) }

	// Sign in; a wrong secret is refused by the API first.
	run("open console", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(consoleURL+"/"), chromedp.WaitVisible(chromedp.CSS("#signin")))
	shot("signin")
	run("wrong secret",
		chromedp.SendKeys(chromedp.CSS("#access-key"), testserver.AccessKey),
		chromedp.SendKeys(chromedp.CSS("#secret-key"), "not-the-secret"),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	msg := get("error text", chromedp.Text(chromedp.CSS(".error")))
	if !strings.Contains(msg, "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %q", msg)
	}
	run("sign in",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#signin")),
		chromedp.SendKeys(chromedp.CSS("#access-key"), testserver.AccessKey),
		chromedp.SendKeys(chromedp.CSS("#secret-key"), testserver.SecretKey),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#create-bucket")))

	// Create a bucket.
	const bucket = "console-bucket"
	run("create bucket",
		chromedp.SendKeys(chromedp.CSS("#bucket-name"), bucket),
		chromedp.Click(chromedp.CSS("#create-bucket button")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-bucket="`+bucket+`"]`)))
	if _, err := c.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("the console's bucket is not there: %v", err)
	}
	shot("buckets")

	// Upload a 20 MiB file: three parts of a multipart upload.
	data := make([]byte, 20<<20)
	rand.Read(data)
	file := filepath.Join(t.TempDir(), "big.bin")
	os.WriteFile(file, data, 0o644)
	run("upload",
		chromedp.Click(chromedp.CSS(`tr[data-bucket="`+bucket+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#objects")),
		chromedp.SetUploadFiles(chromedp.CSS("#upload-input"), []string{file}),
		chromedp.WaitVisible(chromedp.CSS("#upload-done")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-key="big.bin"]`)))
	progress, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#upload-progress"), "value"))
	if err != nil || progress.Value != fmt.Sprint(len(data)) {
		t.Fatalf("progress at the end = %q, want %d", progress.Value, len(data))
	}
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("big.bin")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(data)) || !strings.HasSuffix(aws.ToString(head.ETag), `-3"`) {
		t.Fatalf("uploaded object: %v %+v", err, head)
	}
	shot("objects")

	// Download it through the browser and share it by presigned URL.
	run("download",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
			})
			return err
		}),
		chromedp.Click(chromedp.CSS(`tr[data-key="big.bin"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#download")),
		chromedp.WaitVisible(chromedp.CSS("#metadata tr")),
		chromedp.Click(chromedp.CSS("#download")))
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := os.ReadFile(filepath.Join(downloads, "big.bin"))
		if err == nil && bytes.Equal(got, data) {
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("download did not arrive whole (%d bytes, %v); dir: %v", len(got), err, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	run("share", chromedp.Click(chromedp.CSS("#share")), chromedp.WaitVisible(chromedp.CSS("#share-link")))
	link := get("share link", chromedp.Value(chromedp.CSS("#share-link")))
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if u, _ := url.Parse(link); resp.StatusCode != 200 || !bytes.Equal(shared, data) || u.Query().Get("X-Amz-Signature") == "" {
		t.Fatalf("share link %s: %s, %d bytes", link, resp.Status, len(shared))
	}
	// The object page shows its metadata and its versions.
	run("object details", chromedp.WaitVisible(chromedp.CSS("#metadata tr")), chromedp.WaitVisible(chromedp.CSS("#versions tbody tr")))
	if md := get("metadata", chromedp.Text(chromedp.CSS("#metadata"))); !strings.Contains(md, "content-length\t20971520") || !strings.Contains(md, "etag\t") {
		t.Fatalf("object metadata table: %q", md)
	}
	if vs := get("versions", chromedp.Text(chromedp.CSS("#versions tbody"))); !strings.Contains(vs, "latest") {
		t.Fatalf("object versions table: %q", vs)
	}
	shot("object")

	// Change a bucket setting: enable versioning.
	run("versioning",
		go2("/bucket/"+bucket+"/settings"),
		chromedp.WaitVisible(chromedp.CSS("#versioning-enable")),
		chromedp.WaitEnabled(chromedp.CSS("#versioning-enable")),
		chromedp.Click(chromedp.CSS("#versioning-enable")),
		chromedp.WaitEnabled(chromedp.CSS("#versioning-suspend")))
	v, err := c.GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning after the console enabled it: %v %v", err, v.Status)
	}
	// And edit a document setting: CORS from the example, saved as S3 checks it.
	run("cors",
		chromedp.Click(chromedp.CSS("#example-cors")),
		chromedp.Click(chromedp.CSS("#save-cors")),
		chromedp.WaitVisible(chromedp.CSS("#saved-cors")))
	cors, err := c.GetBucketCors(context.Background(), &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	if err != nil || len(cors.CORSRules) != 1 || cors.CORSRules[0].AllowedOrigins[0] != "https://example.com" {
		t.Fatalf("CORS after the console saved it: %v %+v", err, cors)
	}
	// The other document editors, each from its example, each checked
	// through the API: policy, lifecycle, Object Lock (the bucket is
	// versioned by now); default encryption, which every bucket has
	// (SSE-S3, as in S3), is edited in place to SSE-KMS.
	for _, sub := range []string{"policy", "lifecycle", "object-lock"} {
		run(sub,
			chromedp.WaitVisible(chromedp.CSS("#example-"+sub)),
			chromedp.Click(chromedp.CSS("#example-"+sub)),
			chromedp.Click(chromedp.CSS("#save-"+sub)),
			chromedp.WaitVisible(chromedp.CSS("#saved-"+sub)))
	}
	if v := get("default encryption shown", chromedp.Value(chromedp.CSS("#setting-encryption"))); !strings.Contains(v, "AES256") {
		t.Fatalf("default encryption editor shows %q, want the bucket's SSE-S3 default", v)
	}
	// The text replaced as an edit would: the editor's input event
	// carries the new document.
	kms := `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector('#setting-encryption'); e.value = `+
		"`"+kms+"`"+`; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)); err != nil {
		t.Fatalf("edit the encryption document: %v", err)
	}
	run("encryption",
		chromedp.Click(chromedp.CSS("#save-encryption")),
		chromedp.WaitVisible(chromedp.CSS("#saved-encryption")))
	bg := context.Background()
	if pol, err := c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)}); err != nil || !strings.Contains(aws.ToString(pol.Policy), "arn:aws:s3:::"+bucket+"/*") {
		t.Fatalf("policy after the console saved it: %v %v", err, pol)
	}
	if lc, err := c.GetBucketLifecycleConfiguration(bg, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)}); err != nil || len(lc.Rules) != 1 || aws.ToString(lc.Rules[0].ID) != "expire-old" {
		t.Fatalf("lifecycle after the console saved it: %v %+v", err, lc)
	}
	if enc, err := c.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)}); err != nil ||
		enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms {
		t.Fatalf("encryption after the console saved it: %v %+v", err, enc)
	}
	if ol, err := c.GetObjectLockConfiguration(bg, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)}); err != nil ||
		ol.ObjectLockConfiguration.Rule == nil || ol.ObjectLockConfiguration.Rule.DefaultRetention.Mode != types.ObjectLockRetentionModeGovernance {
		t.Fatalf("Object Lock after the console saved it: %v %+v", err, ol)
	}
	shot("settings")

	// Create a user and an access key for it.
	run("create user",
		go2("/users"),
		chromedp.WaitVisible(chromedp.CSS("#create-user")),
		chromedp.SendKeys(chromedp.CSS("#user-name"), "console-user"),
		chromedp.Click(chromedp.CSS("#create-user button")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-user="console-user"]`)))
	if status, users := testserver.IAMCall(t, srv.URL, testserver.AccessKey, testserver.SecretKey, url.Values{"Action": {"ListUsers"}}); status != 200 || !strings.Contains(users, "<UserName>console-user</UserName>") {
		t.Fatalf("the console's user is not in ListUsers: %s", users)
	}
	shot("users")
	run("create key",
		chromedp.Click(chromedp.CSS(`tr[data-user="console-user"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#create-key")),
		chromedp.Click(chromedp.CSS("#create-key")),
		chromedp.WaitVisible(chromedp.CSS("#new-secret")),
		chromedp.WaitVisible(chromedp.CSS("#keys tbody tr")))
	secret := get("new secret", chromedp.Text(chromedp.CSS("#new-secret")))
	if len(secret) < 20 {
		t.Fatalf("new secret %q", secret)
	}
	shot("user")

	// Create a KMS key.
	run("kms",
		go2("/kms"),
		chromedp.WaitVisible(chromedp.CSS("#create-kms-key")),
		chromedp.SendKeys(chromedp.CSS("#create-kms-key input"), "console key"),
		chromedp.Click(chromedp.CSS("#create-kms-key button")),
		chromedp.WaitVisible(chromedp.CSS("#kms-keys tbody tr")))
	kmsRow := get("kms row", chromedp.Text(chromedp.CSS("#kms-keys tbody")))
	if !strings.Contains(kmsRow, "console key") || !strings.Contains(kmsRow, "Enabled") {
		t.Fatalf("KMS key row: %q", kmsRow)
	}
	shot("kms")

	// The server page reads the metrics: one object stored.
	run("server page",
		go2("/server"),
		chromedp.WaitVisible(chromedp.CSS("#server-info")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.querySelector('#server-objects').textContent !== ''`)(ctx, t)
			return err
		}),
	)
	objects := get("server objects", chromedp.Text(chromedp.CSS("#server-objects")))
	if v := get("server version", chromedp.Text(chromedp.CSS("#server-version"))); v != "dev" {
		t.Fatalf("server page version = %q, want dev", v)
	}
	// Requests between two of the page's scrapes (every 5 s) show as rates.
	for i := 0; i < 5; i++ {
		c.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	}
	run("request rates", chromedp.WaitVisible(chromedp.CSS("#rates")))
	if rates := get("rates", chromedp.Text(chromedp.CSS("#rates"))); !strings.Contains(rates, "s3 ListBuckets") {
		t.Fatalf("request rates: %q", rates)
	}
	if objects != "1" {
		t.Fatalf("server page objects = %q, want 1", objects)
	}
	shot("server")
	t.Logf("screenshots in %s", shots)
}
