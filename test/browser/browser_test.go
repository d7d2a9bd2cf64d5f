package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"

	"talus/internal/testserver"
)

// chromium returns the path of the Chromium binary, installing the
// Debian package when it is missing and we may (root with apt-get).
func chromium(t *testing.T) string {
	t.Helper()
	find := func() string {
		for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				return p
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p
	}
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("apt-get"); err == nil {
			t.Log("installing chromium with apt-get")
			for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "chromium"}} {
				cmd := exec.Command("apt-get", args...)
				cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("apt-get %v: %v\n%s", args, err, out)
				}
			}
		}
	}
	p := find()
	if p == "" {
		t.Fatal("no Chromium: install the Debian package chromium")
	}
	return p
}

// browser starts a headless Chromium and returns a tab's context.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	// The first call starts the browser; it must not carry the timeout,
	// which would stop the browser with it.
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelBrowser(); cancelAlloc() })
	return tctx
}

// appServer serves an empty page: the origin the browser's scripts run in.
func appServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><head><title>app</title></head><body>app</body></html>")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// evaluate runs an async script in the page and decodes its JSON result.
func evaluate(t *testing.T, ctx context.Context, script string, out any) {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if err := json.Unmarshal([]byte(s), out); err != nil {
		t.Fatalf("script result %q: %v", s, err)
	}
}

// fetchResult is what the page's fetch() calls report.
type fetchResult struct {
	OK     bool   `json:"ok"`
	Status int    `json:"status"`
	Error  string `json:"error"`
	Body   string `json:"body"`
	ETag   string `json:"etag"`
	Hidden string `json:"hidden"` // a response header the rule does not expose
}

// fetchScript calls fetch(url) with a method, a custom header and a body,
// and reports the outcome as JSON.
func fetchScript(method, url, body string) string {
	b := "undefined"
	if body != "" {
		b = fmt.Sprintf("%q", body)
	}
	return fmt.Sprintf(`(async () => {
  try {
    const r = await fetch(%q, {method: %q, mode: "cors", headers: {"X-App-Trace": "42", "Content-Type": "text/plain"}, body: %s});
    return JSON.stringify({ok: r.ok, status: r.status, body: await r.text(), etag: r.headers.get("ETag") || "",
      hidden: r.headers.get("x-amz-request-id") || ""});
  } catch (e) {
    return JSON.stringify({ok: false, error: String(e)});
  }
})()`, url, method, b)
}

func TestBrowserCORSFetch(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	app := appServer(t)
	ctx := context.Background()
	for _, b := range []string{"uploads", "nocors", "elsewhere"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	rule := func(origin string) *s3.PutBucketCorsInput {
		return &s3.PutBucketCorsInput{CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
			AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"x-app-*", "content-type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(0),
		}}}}
	}
	in := rule(app)
	in.Bucket = aws.String("uploads")
	if _, err := c.PutBucketCors(ctx, in); err != nil {
		t.Fatal(err)
	}
	in = rule("http://other.example")
	in.Bucket = aws.String("elsewhere")
	if _, err := c.PutBucketCors(ctx, in); err != nil {
		t.Fatal(err)
	}
	presign := s3.NewPresignClient(c)
	putURL := func(bucket, key string) string {
		p, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ContentType: aws.String("text/plain")})
		if err != nil {
			t.Fatal(err)
		}
		return p.URL
	}
	getURL := func(bucket, key string) string {
		p, err := presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		return p.URL
	}

	tab := browser(t)
	if err := chromedp.Do(tab, chromedp.Navigate(app+"/")); err != nil {
		t.Fatalf("open app page: %v", err)
	}

	// The page PUTs through a presigned URL with a custom header: the
	// browser sends a preflight, which the bucket's rule allows.
	var put fetchResult
	evaluate(t, tab, fetchScript("PUT", putURL("uploads", "from-browser.txt"), "written by a page"), &put)
	if !put.OK || put.Status != 200 || put.ETag == "" {
		t.Fatalf("PUT from the page: %+v", put)
	}
	if put.Hidden != "" {
		t.Errorf("x-amz-request-id readable from the page although not exposed: %q", put.Hidden)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("uploads"), Key: aws.String("from-browser.txt")})
	if err != nil {
		t.Fatalf("object the page wrote: %v", err)
	}
	got.Body.Close()
	if aws.ToString(got.ETag) != put.ETag {
		t.Errorf("ETag seen by the page %q, stored %q", put.ETag, aws.ToString(got.ETag))
	}

	var get fetchResult
	evaluate(t, tab, fetchScript("GET", getURL("uploads", "from-browser.txt"), ""), &get)
	if !get.OK || get.Body != "written by a page" || get.ETag != put.ETag {
		t.Fatalf("GET from the page: %+v", get)
	}

	// Without a rule for the page's origin the browser refuses.
	for _, bucket := range []string{"nocors", "elsewhere"} {
		var r fetchResult
		evaluate(t, tab, fetchScript("PUT", putURL(bucket, "blocked.txt"), "must not land"), &r)
		if r.OK || !strings.Contains(r.Error, "Failed to fetch") {
			t.Fatalf("PUT to %s: %+v, want a CORS failure", bucket, r)
		}
		// The preflight failed, so the PUT itself was never sent.
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("blocked.txt")}); err == nil {
			t.Errorf("%s/blocked.txt was written although the preflight failed", bucket)
		}
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("nocors"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	var r fetchResult
	evaluate(t, tab, fetchScript("GET", getURL("nocors", "k"), ""), &r)
	if r.OK || !strings.Contains(r.Error, "Failed to fetch") {
		t.Fatalf("GET from a bucket without CORS: %+v", r)
	}
}

// view is what a tab shows.
type view struct{ url, title, h1, script string }

// look reads the tab's location, title, first h1 and the mark app.js sets.
func look(t *testing.T, tab context.Context) view {
	t.Helper()
	var v view
	var err error
	if v.url, err = chromedp.Run(tab, chromedp.Location()); err != nil {
		t.Fatalf("location: %v", err)
	}
	if v.title, err = chromedp.Run(tab, chromedp.Title()); err != nil {
		t.Fatalf("title: %v", err)
	}
	if v.h1, err = chromedp.Run(tab, chromedp.Evaluate[string](`(document.querySelector("h1") || {}).textContent || ""`)); err != nil {
		t.Fatalf("h1: %v", err)
	}
	if v.script, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.dataset.script || ""`)); err != nil {
		t.Fatalf("script mark: %v", err)
	}
	return v
}

func TestBrowserWebsite(t *testing.T) {
	srv := testserver.Start(t, testserver.WithWebsiteDomain("web.localhost"))
	c := srv.Client()
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::site","arn:aws:s3:::site/*"]}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("site"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("404.html")},
		RoutingRules: []types.RoutingRule{{
			Condition: &types.Condition{KeyPrefixEquals: aws.String("blog/")},
			Redirect:  &types.Redirect{ReplaceKeyPrefixWith: aws.String("posts/")},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for key, v := range map[string][2]string{
		"index.html":       {"text/html", `<!doctype html><html><head><title>Home</title><script src="app.js"></script></head><body><h1>Welcome</h1><a href="docs/">docs</a></body></html>`},
		"app.js":           {"application/javascript", `document.documentElement.dataset.script = "ran";`},
		"docs/index.html":  {"text/html", `<!doctype html><html><head><title>Docs</title></head><body><h1>Documentation</h1></body></html>`},
		"posts/first.html": {"text/html", `<!doctype html><html><head><title>First post</title></head><body><h1>First</h1></body></html>`},
		"404.html":         {"text/html", `<!doctype html><html><head><title>Lost</title></head><body><h1>Nothing here</h1></body></html>`},
	} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("site"), Key: aws.String(key), Body: strings.NewReader(v[1]), ContentType: aws.String(v[0])}); err != nil {
			t.Fatal(err)
		}
	}
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	base := "http://site.web.localhost:" + port

	tab := browser(t)
	visit := func(path string) view {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("visit %s: %v", path, err)
		}
		return look(t, tab)
	}
	if v := visit("/"); v.url != base+"/" || v.title != "Home" || v.h1 != "Welcome" || v.script != "ran" {
		t.Fatalf("home: %+v", v)
	}
	// Following the page's link to a folder serves its index.
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("a"))); err != nil {
		t.Fatalf("click: %v", err)
	}
	var docs view
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		// look reads the location before the title: wait for both, or a
		// navigation finishing between the two reads looks like a failure.
		if docs = look(t, tab); docs.title == "Docs" && docs.url == base+"/docs/" {
			break
		}
	}
	if docs.url != base+"/docs/" || docs.h1 != "Documentation" {
		t.Fatalf("docs link: %+v", docs)
	}
	// A folder without its slash is redirected to it.
	if v := visit("/docs"); v.url != base+"/docs/" || v.h1 != "Documentation" {
		t.Fatalf("folder without slash: %+v", v)
	}
	if v := visit("/no/such/page.html"); v.title != "Lost" || v.h1 != "Nothing here" {
		t.Fatalf("error page: %+v", v)
	}
	if v := visit("/blog/first.html"); v.url != base+"/posts/first.html" || v.title != "First post" {
		t.Fatalf("routing rule: %+v", v)
	}
	// The error document comes with the original status.
	var status int
	evaluate(t, tab, `(async () => JSON.stringify((await fetch("/missing.html")).status))()`, &status)
	if status != http.StatusNotFound {
		t.Fatalf("error document status %d", status)
	}
}
