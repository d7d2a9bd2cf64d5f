package browser

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"

	"talus/internal/notify"
	"talus/internal/testserver"
)

// TestConsoleIdentityAndDelivery drives the console's identity pages
// (groups, managed policies, roles, accounts) and the bucket settings for
// notifications and replication, checking each step through the API and
// saving a screenshot per page.
func TestConsoleIdentityAndDelivery(t *testing.T) {
	var hits atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits.Add(1)
	}))
	defer hs.Close()
	// The ARN the console's notification example names.
	const hookARN = "arn:aws:sqs:us-east-1:000000000000:webhook"
	srv := testserver.Start(t, testserver.WithConsole(), testserver.WithNotify(&notify.File{
		MinBackoff: notify.Duration(50 * time.Millisecond), MaxBackoff: notify.Duration(200 * time.Millisecond),
		Targets: []notify.TargetConfig{{ARN: hookARN, Type: "webhook", URL: hs.URL}},
	}))
	consoleURL := "http://" + srv.Server().ConsoleAddr().String()
	c := srv.Client()
	bg := context.Background()
	ctx := browser(t)
	shots := artifactDir(t)
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
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
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
	iamCall := func(params ...string) string {
		t.Helper()
		v := url.Values{}
		for i := 0; i+1 < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		status, body := testserver.IAMCall(t, srv.URL, testserver.AccessKey, testserver.SecretKey, v)
		if status != 200 {
			t.Fatalf("%v: %d %s", params, status, body)
		}
		return body
	}
	// clear empties a text field the way typing would, so the page sees it.
	clear := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => { const e = document.querySelector('`+sel+`'); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)(ctx, t)
			return err
		})
	}
	go2 := func(hash string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(consoleURL + "/#" + hash) }

	run("sign in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(consoleURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#signin")),
		chromedp.SendKeys(chromedp.CSS("#access-key"), testserver.AccessKey),
		chromedp.SendKeys(chromedp.CSS("#secret-key"), testserver.SecretKey),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#create-bucket")))

	// A group with a member.
	iamCall("Action", "CreateUser", "UserName", "alice")
	run("create group",
		go2("/groups"),
		chromedp.WaitVisible(chromedp.CSS("#create-group")),
		chromedp.SendKeys(chromedp.CSS("#group-name"), "readers"),
		chromedp.Click(chromedp.CSS("#create-group button")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-group="readers"]`)))
	shot("groups")
	run("add member",
		chromedp.Click(chromedp.CSS(`tr[data-group="readers"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#add-member")),
		chromedp.SendKeys(chromedp.CSS("#member-name"), "alice"),
		chromedp.Click(chromedp.CSS("#add-member button")),
		chromedp.WaitVisible(chromedp.CSS(`#members tr[data-user="alice"]`)))
	if g := iamCall("Action", "GetGroup", "GroupName", "readers"); !strings.Contains(g, "<UserName>alice</UserName>") {
		t.Fatalf("GetGroup after the console added alice: %s", g)
	}

	// A managed policy, a second version made default, attached to the group.
	const doc1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	const doc2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	const policyARN = "arn:aws:iam::000000000000:policy/console-read"
	run("create policy",
		go2("/policies"),
		chromedp.WaitVisible(chromedp.CSS("#create-policy")),
		chromedp.SendKeys(chromedp.CSS("#policy-name"), "console-read"),
		chromedp.SendKeys(chromedp.CSS("#policy-document"), doc1),
		chromedp.Click(chromedp.CSS("#create-policy button")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-policy="console-read"]`)))
	shot("policies")
	run("policy version",
		chromedp.Click(chromedp.CSS(`tr[data-policy="console-read"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-version="v1"]`)),
		chromedp.SendKeys(chromedp.CSS("#version-document"), doc2),
		chromedp.Click(chromedp.CSS("#create-version button")),
		chromedp.WaitVisible(chromedp.CSS(`[data-version="v2"] .ok`)))
	if p := iamCall("Action", "GetPolicy", "PolicyArn", policyARN); !strings.Contains(p, "<DefaultVersionId>v2</DefaultVersionId>") {
		t.Fatalf("GetPolicy after the console's new default version: %s", p)
	}
	run("attach policy",
		go2("/group/readers"),
		chromedp.WaitVisible(chromedp.CSS("#attach-policy")),
		chromedp.SendKeys(chromedp.CSS("#attach-arn"), policyARN),
		chromedp.Click(chromedp.CSS("#attach-policy button")),
		chromedp.WaitVisible(chromedp.CSS(`#attached-policies tr[data-arn="`+policyARN+`"]`)))
	if a := iamCall("Action", "ListAttachedGroupPolicies", "GroupName", "readers"); !strings.Contains(a, "<PolicyArn>"+policyARN+"</PolicyArn>") {
		t.Fatalf("ListAttachedGroupPolicies after the console attached it: %s", a)
	}
	shot("group")
	run("policy attachments",
		go2("/policy/"+url.PathEscape(policyARN)),
		chromedp.WaitVisible(chromedp.CSS(`#entities tr[data-entity="Group:readers"]`)))
	shot("policy")

	// A role with the trust policy the form starts from, then updated.
	run("create role",
		go2("/roles"),
		chromedp.WaitVisible(chromedp.CSS("#create-role")),
		chromedp.SendKeys(chromedp.CSS("#role-name"), "console-role"),
		chromedp.Click(chromedp.CSS("#create-role button")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-role="console-role"]`)))
	r := iamCall("Action", "GetRole", "RoleName", "console-role")
	if trust, _ := url.QueryUnescape(r); !strings.Contains(trust, "sts:AssumeRole") {
		t.Fatalf("GetRole after the console created it: %s", r)
	}
	shot("roles")
	const trust2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/alice"},"Action":"sts:AssumeRole"}]}`
	run("update trust",
		chromedp.Click(chromedp.CSS(`tr[data-role="console-role"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#trust-policy")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.querySelector('#trust-policy').value !== ''`)(ctx, t)
			return err
		}),
		clear("#trust-policy"),
		chromedp.SendKeys(chromedp.CSS("#trust-policy"), trust2),
		chromedp.Click(chromedp.CSS("#save-trust")),
		chromedp.WaitVisible(chromedp.CSS("#saved-trust")))
	r = iamCall("Action", "GetRole", "RoleName", "console-role")
	if trust, _ := url.QueryUnescape(r); !strings.Contains(trust, "user/alice") {
		t.Fatalf("GetRole after the console updated the trust policy: %s", r)
	}
	shot("role")

	// An account, with its root keys shown once; the keys work.
	run("create account",
		go2("/accounts"),
		chromedp.WaitVisible(chromedp.CSS("#create-account")),
		chromedp.SendKeys(chromedp.CSS("#account-name"), "tenant-one"),
		chromedp.SendKeys(chromedp.CSS("#account-email"), "ops@tenant.example"),
		chromedp.Click(chromedp.CSS("#create-account button")),
		chromedp.WaitVisible(chromedp.CSS("#new-account-secret")))
	id := get("account id", chromedp.Text(chromedp.CSS("#new-account-id")))
	key := get("account key", chromedp.Text(chromedp.CSS("#new-account-key")))
	secret := get("account secret", chromedp.Text(chromedp.CSS("#new-account-secret")))
	if l := iamCall("Action", "TalusListAccounts"); !strings.Contains(l, "<AccountId>"+id+"</AccountId>") || !strings.Contains(l, "tenant-one") {
		t.Fatalf("TalusListAccounts after the console created %s: %s", id, l)
	}
	if _, err := testserver.NewClient(srv.URL, key, secret).ListBuckets(bg, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("the new account's root keys: %v", err)
	}
	run("show account",
		chromedp.WaitVisible(chromedp.CSS(`tr[data-account="`+id+`"]`)),
		chromedp.Click(chromedp.CSS(`tr[data-account="`+id+`"] .show-account`)),
		chromedp.WaitVisible(chromedp.CSS("#account-detail")))
	if d := get("account detail", chromedp.Text(chromedp.CSS("#account-detail"))); !strings.Contains(d, "ops@tenant.example") {
		t.Fatalf("account detail: %q", d)
	}
	shot("accounts")

	// Notifications: the example targets the configured webhook; a put
	// then reaches it.
	for _, b := range []string{"console-src", "destination-bucket"} {
		if _, err := c.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	run("notification",
		go2("/bucket/console-src/settings"),
		// Wait for the load to end, or it would overwrite the example.
		chromedp.WaitVisible(chromedp.CSS("section:has(#setting-notification) p.muted")),
		chromedp.WaitVisible(chromedp.CSS("section:has(#setting-replication) p.muted")),
		chromedp.Click(chromedp.CSS("#example-notification")),
		chromedp.Click(chromedp.CSS("#save-notification")),
		chromedp.WaitVisible(chromedp.CSS("#saved-notification")))
	n, err := c.GetBucketNotificationConfiguration(bg, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("console-src")})
	if err != nil || len(n.QueueConfigurations) != 1 || aws.ToString(n.QueueConfigurations[0].QueueArn) != hookARN {
		t.Fatalf("notification configuration after the console saved it: %v %+v", err, n)
	}
	// Replication: the example names destination-bucket.
	run("replication",
		chromedp.Click(chromedp.CSS("#example-replication")),
		chromedp.Click(chromedp.CSS("#save-replication")),
		chromedp.WaitVisible(chromedp.CSS("#saved-replication")))
	rc, err := c.GetBucketReplication(bg, &s3.GetBucketReplicationInput{Bucket: aws.String("console-src")})
	if err != nil || len(rc.ReplicationConfiguration.Rules) != 1 || aws.ToString(rc.ReplicationConfiguration.Rules[0].Destination.Bucket) != "arn:aws:s3:::destination-bucket" {
		t.Fatalf("replication configuration after the console saved it: %v %+v", err, rc)
	}
	// A bad document shows S3's error.
	run("replication error",
		clear("#setting-replication"),
		chromedp.SendKeys(chromedp.CSS("#setting-replication"), "<ReplicationConfiguration><Role>x</Role></ReplicationConfiguration>"),
		chromedp.Click(chromedp.CSS("#save-replication")),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	if msg := get("replication error", chromedp.Text(chromedp.CSS(".error"))); !strings.Contains(msg, "MalformedXML") && !strings.Contains(msg, "InvalidRequest") {
		t.Fatalf("bad replication document error: %q", msg)
	}
	shot("bucket-delivery")
	before := hits.Load()
	if _, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("console-src"), Key: aws.String("x"), Body: strings.NewReader("replicate me")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, herr := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("destination-bucket"), Key: aws.String("x")})
		if herr == nil && hits.Load() > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s: replica %v, webhook hits %d (before %d)", herr, hits.Load(), before)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
