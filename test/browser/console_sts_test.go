package browser

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/chromedp/chromedp"

	"talus/internal/testserver"
)

// TestConsoleSignInWithSTS: the console signs in with temporary
// credentials (an ASIA key, its secret and the session token) from
// GetSessionToken; a damaged token is refused by the API; the signed-in
// console lists the account's buckets through S3 with those credentials.
func TestConsoleSignInWithSTS(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConsole())
	consoleURL := "http://" + srv.Server().ConsoleAddr().String()
	bg := context.Background()
	if _, err := srv.Client().CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("sts-visible")}); err != nil {
		t.Fatal(err)
	}
	st, err := sts.NewFromConfig(aws.Config{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")}).
		GetSessionToken(bg, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	ak, sk, tok := aws.ToString(st.Credentials.AccessKeyId), aws.ToString(st.Credentials.SecretAccessKey), aws.ToString(st.Credentials.SessionToken)
	if !strings.HasPrefix(ak, "ASIA") || tok == "" {
		t.Fatalf("GetSessionToken = %s, token %q", ak, tok)
	}
	ctx := browser(t)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s: %v\npage: %s", what, err, page)
		}
	}
	signIn := func(token string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS("#signin")),
			chromedp.SendKeys(chromedp.CSS("#access-key"), ak),
			chromedp.SendKeys(chromedp.CSS("#secret-key"), sk),
			chromedp.SendKeys(chromedp.CSS("#session-token"), token),
			chromedp.Click(chromedp.CSS("#signin-submit")),
		}
	}
	run("open console", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(consoleURL+"/"))
	run("damaged token", append(signIn(tok[:len(tok)-4]+"AAAA"), chromedp.WaitVisible(chromedp.CSS(".error")))...)
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".error")))
	if err != nil || !strings.Contains(msg, "Token") {
		t.Fatalf("damaged session token: %q %v", msg, err)
	}
	run("sign in with STS credentials", append([]chromedp.Action[chromedp.Void]{chromedp.Reload()},
		append(signIn(tok), chromedp.WaitVisible(chromedp.CSS(`tr[data-bucket="sts-visible"]`)))...)...)
	time.Sleep(150 * time.Millisecond)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactDir(t), "signin-sts.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
