package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func setBucketPolicy(t *testing.T, c *s3.Client, bucket, doc string) {
	t.Helper()
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutBucketPolicy(%s): %v\n%s", bucket, err, doc)
	}
}

// setUserPolicy replaces the inline policy "p" of an IAM user.
func setUserPolicy(t *testing.T, srv *testserver.Server, user, doc string) {
	t.Helper()
	status, body := iamCall(t, srv, testserver.AccessKey, testserver.SecretKey,
		url.Values{"Action": {"PutUserPolicy"}, "UserName": {user}, "PolicyName": {"p"}, "PolicyDocument": {doc}})
	if status != 200 {
		t.Fatalf("PutUserPolicy(%s): %d %s\n%s", user, status, body, doc)
	}
}

// condStmt wraps statements into a policy document.
func condDoc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// condExpect fails unless the SDK call's outcome has the given status;
// a 403 must be AccessDenied.
func condExpect(t *testing.T, what string, err error, status int) {
	t.Helper()
	got := aclStatus(err)
	if got != status {
		t.Fatalf("%s: status %d (%v), want %d", what, got, err, status)
	}
	if status == 403 && apiCode(err) != "AccessDenied" && apiCode(err) != "Forbidden" {
		t.Fatalf("%s: code %q, want AccessDenied", what, apiCode(err))
	}
}

func condList(c *s3.Client, bucket string, prefix *string, maxKeys *int32) error {
	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: prefix, MaxKeys: maxKeys})
	return err
}

func condGet(c *s3.Client, bucket, key string) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		out.Body.Close()
	}
	return err
}

func condPut(c *s3.Client, bucket, key string, mod ...func(*s3.PutObjectInput)) error {
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("v")}
	for _, m := range mod {
		m(in)
	}
	_, err := c.PutObject(ctx, in)
	return err
}

func withTagging(v string) func(*s3.PutObjectInput) {
	return func(in *s3.PutObjectInput) { in.Tagging = aws.String(v) }
}

// condAnon sends an anonymous GET with extra headers and returns the status.
func condAnon(t *testing.T, u string, hdr map[string]string) int {
	t.Helper()
	h := http.Header{}
	for k, v := range hdr {
		h.Set(k, v)
	}
	return plainDo(t, http.MethodGet, u, h, nil).Status
}

func TestPolicyConditionString(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "cond-str")
	user, _, _ := newUser(t, srv, "lister", "")
	list := func(cond string) {
		setUserPolicy(t, srv, "lister", condDoc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond-str","Condition":`+cond+`}`))
	}
	p := aws.String
	list(`{"StringEquals":{"s3:prefix":"docs/"}}`)
	condExpect(t, "StringEquals match", condList(user, "cond-str", p("docs/"), nil), 200)
	condExpect(t, "StringEquals other", condList(user, "cond-str", p("other/"), nil), 403)
	condExpect(t, "StringEquals case", condList(user, "cond-str", p("DOCS/"), nil), 403)
	condExpect(t, "StringEquals absent", condList(user, "cond-str", nil, nil), 403)

	list(`{"StringEqualsIgnoreCase":{"s3:prefix":"docs/"}}`)
	condExpect(t, "StringEqualsIgnoreCase", condList(user, "cond-str", p("DOCS/"), nil), 200)
	condExpect(t, "StringEqualsIgnoreCase other", condList(user, "cond-str", p("dogs/"), nil), 403)

	list(`{"StringLike":{"s3:prefix":["docs/*","img/??/"]}}`)
	condExpect(t, "StringLike *", condList(user, "cond-str", p("docs/2024/"), nil), 200)
	condExpect(t, "StringLike ?", condList(user, "cond-str", p("img/ab/"), nil), 200)
	condExpect(t, "StringLike ? too long", condList(user, "cond-str", p("img/abc/"), nil), 403)
	condExpect(t, "StringLike miss", condList(user, "cond-str", p("doc"), nil), 403)

	list(`{"StringNotEquals":{"s3:prefix":"secret/"}}`)
	condExpect(t, "StringNotEquals other", condList(user, "cond-str", p("docs/"), nil), 200)
	condExpect(t, "StringNotEquals absent", condList(user, "cond-str", nil, nil), 200)
	condExpect(t, "StringNotEquals equal", condList(user, "cond-str", p("secret/"), nil), 403)

	list(`{"StringNotLike":{"s3:prefix":"secret*"}}`)
	condExpect(t, "StringNotLike other", condList(user, "cond-str", p("public/"), nil), 200)
	condExpect(t, "StringNotLike like", condList(user, "cond-str", p("secret-stuff/"), nil), 403)

	// Two keys in one block must both hold; so must two operators.
	list(`{"StringEquals":{"s3:prefix":"docs/","s3:delimiter":"/"}}`)
	_, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: p("cond-str"), Prefix: p("docs/"), Delimiter: p("/")})
	condExpect(t, "both keys", err, 200)
	condExpect(t, "one key missing", condList(user, "cond-str", p("docs/"), nil), 403)
}

func TestPolicyConditionNumericAndDate(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "cond-num")
	mustPut(t, root, "cond-num", "obj", []byte("o"))
	user, _, _ := newUser(t, srv, "num", "")
	n := aws.Int32
	setUserPolicy(t, srv, "num", condDoc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond-num","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}}`))
	condExpect(t, "max-keys 10 <= 10", condList(user, "cond-num", nil, n(10)), 200)
	condExpect(t, "max-keys 3 <= 10", condList(user, "cond-num", nil, n(3)), 200)
	condExpect(t, "max-keys 11 <= 10", condList(user, "cond-num", nil, n(11)), 403)
	condExpect(t, "max-keys absent", condList(user, "cond-num", nil, nil), 403)
	setUserPolicy(t, srv, "num", condDoc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond-num","Condition":{"NumericGreaterThan":{"s3:max-keys":5}}}`))
	condExpect(t, "max-keys 6 > 5", condList(user, "cond-num", nil, n(6)), 200)
	condExpect(t, "max-keys 5 > 5", condList(user, "cond-num", nil, n(5)), 403)

	// Dates against aws:CurrentTime, through anonymous reads.
	u := objURL(srv, "cond-num", "obj")
	for _, c := range []struct {
		op, date string
		want     int
	}{
		{"DateLessThan", "2999-01-01T00:00:00Z", 200},
		{"DateLessThan", "2001-01-01T00:00:00Z", 403},
		{"DateGreaterThan", "2001-01-01T00:00:00Z", 200},
		{"DateGreaterThan", "2999-01-01T00:00:00Z", 403},
		{"DateLessThanEquals", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), 200},
		{"DateGreaterThanEquals", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), 403},
	} {
		setBucketPolicy(t, root, "cond-num", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-num/*","Condition":{"`+c.op+`":{"aws:CurrentTime":"`+c.date+`"}}}`))
		if got := anonGet(t, u); got != c.want {
			t.Errorf("%s %s: anonymous GET = %d, want %d", c.op, c.date, got, c.want)
		}
	}
	// Epoch seconds work with the numeric operators on aws:EpochTime.
	setBucketPolicy(t, root, "cond-num", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-num/*","Condition":{"NumericGreaterThan":{"aws:EpochTime":"1000000000"}}}`))
	if got := anonGet(t, u); got != 200 {
		t.Errorf("aws:EpochTime > 1e9: %d", got)
	}
}

func TestPolicyConditionBoolAndIP(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "cond-bool")
	mustPut(t, root, "cond-bool", "obj", []byte("o"))
	user, _, _ := newUser(t, srv, "reader", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-bool/*"}`))
	u := objURL(srv, "cond-bool", "obj")
	allowIf := func(cond string) string {
		return `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-bool/*","Condition":` + cond + `}`
	}
	denyIf := func(cond string) string {
		return `{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-bool/*","Condition":` + cond + `}`
	}
	// Bool on aws:SecureTransport: these requests are plain HTTP.
	setBucketPolicy(t, root, "cond-bool", condDoc(allowIf(`{"Bool":{"aws:SecureTransport":"false"}}`)))
	if got := anonGet(t, u); got != 200 {
		t.Fatalf("allow if not TLS, over HTTP = %d", got)
	}
	setBucketPolicy(t, root, "cond-bool", condDoc(allowIf(`{"Bool":{"aws:SecureTransport":"true"}}`)))
	if got := anonGet(t, u); got != 403 {
		t.Fatalf("allow if TLS, over HTTP = %d", got)
	}
	setBucketPolicy(t, root, "cond-bool", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-bool/*"}`,
		denyIf(`{"Bool":{"aws:SecureTransport":"false"}}`)))
	if got := anonGet(t, u); got != 403 {
		t.Fatalf("deny if not TLS, anonymous over HTTP = %d", got)
	}
	condExpect(t, "deny if not TLS, user over HTTP", condGet(user, "cond-bool", "obj"), 403)
	setBucketPolicy(t, root, "cond-bool", condDoc(denyIf(`{"Bool":{"aws:SecureTransport":"true"}}`)))
	condExpect(t, "deny if TLS, user over HTTP", condGet(user, "cond-bool", "obj"), 200)

	// IpAddress / NotIpAddress on aws:SourceIp (the client is 127.0.0.1).
	for _, c := range []struct {
		cond string
		want int
	}{
		{`{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`, 200},
		{`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","127.0.0.1/32"]}}`, 200},
		{`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, 403},
		{`{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, 200},
		{`{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`, 403},
	} {
		setBucketPolicy(t, root, "cond-bool", condDoc(allowIf(c.cond)))
		if got := anonGet(t, u); got != c.want {
			t.Errorf("%s: anonymous GET = %d, want %d", c.cond, got, c.want)
		}
	}
	// A Deny outside a range stops even a user whose identity allows.
	setBucketPolicy(t, root, "cond-bool", condDoc(denyIf(`{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`)))
	condExpect(t, "deny outside 10/8", condGet(user, "cond-bool", "obj"), 403)
	setBucketPolicy(t, root, "cond-bool", condDoc(denyIf(`{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`)))
	condExpect(t, "deny outside 127/8", condGet(user, "cond-bool", "obj"), 200)
}

func TestPolicyConditionArnAndNull(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "cond-arn")
	mustPut(t, root, "cond-arn", "obj", []byte("o"))
	dev, _, _ := newUser(t, srv, "dev", "")
	team, _, _ := newUser(t, srv, "team-a", "")
	allowArn := func(op, pattern string) {
		setBucketPolicy(t, root, "cond-arn", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-arn/*","Condition":{"`+op+`":{"aws:PrincipalArn":"`+pattern+`"}}}`))
	}
	allowArn("ArnLike", "arn:aws:iam::000000000000:user/*")
	condExpect(t, "ArnLike user/* dev", condGet(dev, "cond-arn", "obj"), 200)
	condExpect(t, "ArnLike user/* team-a", condGet(team, "cond-arn", "obj"), 200)
	if got := anonGet(t, objURL(srv, "cond-arn", "obj")); got != 403 {
		t.Fatalf("ArnLike user/*: anonymous (no principal ARN) = %d", got)
	}
	allowArn("ArnLike", "arn:aws:iam::000000000000:user/team-*")
	condExpect(t, "ArnLike user/team-* dev", condGet(dev, "cond-arn", "obj"), 403)
	condExpect(t, "ArnLike user/team-* team-a", condGet(team, "cond-arn", "obj"), 200)
	allowArn("ArnEquals", "arn:aws:iam::000000000000:user/dev")
	condExpect(t, "ArnEquals dev", condGet(dev, "cond-arn", "obj"), 200)
	condExpect(t, "ArnEquals team-a", condGet(team, "cond-arn", "obj"), 403)
	allowArn("ArnNotLike", "arn:aws:iam::000000000000:user/team-*")
	condExpect(t, "ArnNotLike dev", condGet(dev, "cond-arn", "obj"), 200)
	condExpect(t, "ArnNotLike team-a", condGet(team, "cond-arn", "obj"), 403)
	allowArn("ArnLike", "arn:aws:iam::111111111111:user/*")
	condExpect(t, "ArnLike another account", condGet(dev, "cond-arn", "obj"), 403)

	// Null: refuse uploads without server-side encryption, or without an owner tag.
	setUserPolicy(t, srv, "dev", condDoc(`{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::cond-arn/*"}`))
	setBucketPolicy(t, root, "cond-arn", condDoc(`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::cond-arn/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}`))
	condExpect(t, "Null SSE: without", condPut(dev, "cond-arn", "plain"), 403)
	rqMissing(t, root, "cond-arn", "plain")
	// With the header the policy allows the (encrypted) upload.
	condExpect(t, "Null SSE: with", condPut(dev, "cond-arn", "sse", func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 }), 200)
	setBucketPolicy(t, root, "cond-arn", condDoc(`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::cond-arn/*","Condition":{"Null":{"s3:RequestObjectTag/owner":"true"}}}`))
	condExpect(t, "Null tag: without", condPut(dev, "cond-arn", "untagged"), 403)
	condExpect(t, "Null tag: other tag", condPut(dev, "cond-arn", "other", withTagging("team=x")), 403)
	condExpect(t, "Null tag: with", condPut(dev, "cond-arn", "tagged", withTagging("owner=dev")), 200)
	// Null false: the key must be present.
	setUserPolicy(t, srv, "dev", condDoc(`{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::cond-arn/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"false"}}}`))
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("cond-arn")}); err != nil {
		t.Fatal(err)
	}
	condExpect(t, "Null false: without", condPut(dev, "cond-arn", "plain"), 403)
	condExpect(t, "Null false: with", condPut(dev, "cond-arn", "sse2", func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 }), 200)
}

func TestPolicyConditionIfExistsAndSets(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "cond-ifx")
	user, _, _ := newUser(t, srv, "u", "")
	p := aws.String
	setUserPolicy(t, srv, "u", condDoc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond-ifx","Condition":{"StringEqualsIfExists":{"s3:prefix":"pub/"}}}`))
	condExpect(t, "IfExists absent", condList(user, "cond-ifx", nil, nil), 200)
	condExpect(t, "IfExists equal", condList(user, "cond-ifx", p("pub/"), nil), 200)
	condExpect(t, "IfExists other", condList(user, "cond-ifx", p("priv/"), nil), 403)
	setUserPolicy(t, srv, "u", condDoc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::cond-ifx","Condition":{"NumericLessThanEqualsIfExists":{"s3:max-keys":"100"}}}`))
	condExpect(t, "numeric IfExists absent", condList(user, "cond-ifx", nil, nil), 200)
	condExpect(t, "numeric IfExists 50", condList(user, "cond-ifx", nil, aws.Int32(50)), 200)
	condExpect(t, "numeric IfExists 500", condList(user, "cond-ifx", nil, aws.Int32(500)), 403)

	// ForAnyValue / ForAllValues on s3:RequestObjectTagKeys (x-amz-tagging on PutObject).
	put := func(cond string) {
		setUserPolicy(t, srv, "u", condDoc(`{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::cond-ifx/*","Condition":`+cond+`}`))
	}
	put(`{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["project","team"]}}`)
	condExpect(t, "ForAnyValue one listed", condPut(user, "cond-ifx", "a", withTagging("project=x")), 200)
	condExpect(t, "ForAnyValue listed and unlisted", condPut(user, "cond-ifx", "b", withTagging("color=red&team=t")), 200)
	condExpect(t, "ForAnyValue unlisted", condPut(user, "cond-ifx", "c", withTagging("color=red")), 403)
	condExpect(t, "ForAnyValue no tags", condPut(user, "cond-ifx", "d"), 403)
	put(`{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["project","team"]}}`)
	condExpect(t, "ForAllValues all listed", condPut(user, "cond-ifx", "e", withTagging("project=x&team=y")), 200)
	condExpect(t, "ForAllValues one unlisted", condPut(user, "cond-ifx", "f", withTagging("project=x&color=r")), 403)
	condExpect(t, "ForAllValues no tags", condPut(user, "cond-ifx", "g"), 200)
	got := tgGet(t, root, "cond-ifx", "e", "")
	if got["project"] != "x" || got["team"] != "y" {
		t.Fatalf("tags stored = %v", got)
	}

	// s3:RequestObjectTag/<key>.
	put(`{"StringEquals":{"s3:RequestObjectTag/team":"blue"}}`)
	condExpect(t, "RequestObjectTag match", condPut(user, "cond-ifx", "h", withTagging("team=blue&x=y")), 200)
	condExpect(t, "RequestObjectTag other value", condPut(user, "cond-ifx", "i", withTagging("team=red")), 403)
	condExpect(t, "RequestObjectTag absent", condPut(user, "cond-ifx", "j"), 403)
	rqMissing(t, root, "cond-ifx", "i")
}

func TestPolicyConditionExistingObjectTag(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "cond-tag")
	for key, tags := range map[string]string{"yes": "public=yes", "no": "public=no", "other": "color=red"} {
		if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond-tag"), Key: aws.String(key), Body: strings.NewReader(key), Tagging: aws.String(tags)}); err != nil {
			t.Fatal(err)
		}
	}
	mustPut(t, root, "cond-tag", "untagged", []byte("u"))
	user, _, _ := newUser(t, srv, "tagreader", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-tag/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}}`))
	condExpect(t, "public=yes", condGet(user, "cond-tag", "yes"), 200)
	condExpect(t, "public=no", condGet(user, "cond-tag", "no"), 403)
	condExpect(t, "other tag", condGet(user, "cond-tag", "other"), 403)
	condExpect(t, "untagged", condGet(user, "cond-tag", "untagged"), 403)
	condExpect(t, "missing object", condGet(user, "cond-tag", "missing"), 403)
	// Retagging changes the answer at once.
	if _, err := tgPut(root, "cond-tag", "no", "", tgTags("public", "yes")); err != nil {
		t.Fatal(err)
	}
	condExpect(t, "retagged public=yes", condGet(user, "cond-tag", "no"), 200)
	if _, err := root.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("cond-tag"), Key: aws.String("yes")}); err != nil {
		t.Fatal(err)
	}
	condExpect(t, "tags deleted", condGet(user, "cond-tag", "yes"), 403)
	// In a bucket policy too, for anonymous callers.
	setBucketPolicy(t, root, "cond-tag", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-tag/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}}`))
	if got := anonGet(t, objURL(srv, "cond-tag", "no")); got != 200 {
		t.Fatalf("anonymous GET of public=yes = %d", got)
	}
	if got := anonGet(t, objURL(srv, "cond-tag", "other")); got != 403 {
		t.Fatalf("anonymous GET of an untagged object = %d", got)
	}
}

func TestPolicyConditionRefererAndUserAgent(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "cond-ref")
	mustPut(t, root, "cond-ref", "img.png", []byte("png"))
	u := objURL(srv, "cond-ref", "img.png")
	setBucketPolicy(t, root, "cond-ref", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-ref/*","Condition":{"StringLike":{"aws:Referer":["https://www.example.com/*","https://example.com/*"]}}}`))
	if got := condAnon(t, u, map[string]string{"Referer": "https://www.example.com/page.html"}); got != 200 {
		t.Fatalf("allowed referer = %d", got)
	}
	if got := condAnon(t, u, map[string]string{"Referer": "https://evil.test/https://www.example.com/"}); got != 403 {
		t.Fatalf("other referer = %d", got)
	}
	if got := condAnon(t, u, nil); got != 403 {
		t.Fatalf("no referer = %d", got)
	}
	setBucketPolicy(t, root, "cond-ref", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-ref/*"}`,
		`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cond-ref/*","Condition":{"StringLike":{"aws:UserAgent":"*BadBot*"}}}`))
	if got := condAnon(t, u, map[string]string{"User-Agent": "Mozilla/5.0 BadBot/2.1"}); got != 403 {
		t.Fatalf("denied user agent = %d", got)
	}
	if got := condAnon(t, u, map[string]string{"User-Agent": "Mozilla/5.0 Firefox/140"}); got != 200 {
		t.Fatalf("other user agent = %d", got)
	}
	// A signed request as an IAM user is judged on its User-Agent too.
	_, ak, sk := newUser(t, srv, "agent", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))
	signed := func(ua string) int {
		req := rqNew(t, http.MethodGet, u, nil)
		req.Header.Set("User-Agent", ua)
		req.Header.Set("X-Amz-Content-Sha256", rqHash(nil))
		rqSignRaw(t, req, rqHash(nil), ak, sk, testserver.Region, time.Now())
		return rqDo(t, req).Status
	}
	if got := signed("BadBot"); got != 403 {
		t.Fatalf("signed request with a denied user agent = %d", got)
	}
	if got := signed("aws-cli/2"); got != 200 {
		t.Fatalf("signed request with another user agent = %d", got)
	}
}

func TestPolicyVariablesAndNegations(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "homes")
	// ${aws:username} in a bucket policy granting the account's principals.
	setBucketPolicy(t, root, "homes", condDoc(`{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::homes/home/${aws:username}/*"}`))
	alice, _, _ := newUser(t, srv, "alice", "")
	bob, _, _ := newUser(t, srv, "bob", "")
	condExpect(t, "alice own home", condPut(alice, "homes", "home/alice/a"), 200)
	condExpect(t, "alice bob's home", condPut(alice, "homes", "home/bob/a"), 403)
	condExpect(t, "bob own home", condPut(bob, "homes", "home/bob/b"), 200)
	condExpect(t, "bob reads alice", condGet(bob, "homes", "home/alice/a"), 403)
	condExpect(t, "alice reads own", condGet(alice, "homes", "home/alice/a"), 200)
	condExpect(t, "literal variable is not a home", condPut(alice, "homes", "home/${aws:username}/x"), 403)
	if got := anonGet(t, objURL(srv, "homes", "home/alice/a")); got != 403 {
		t.Fatalf("anonymous read of a home = %d", got)
	}
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("homes")}); err != nil {
		t.Fatal(err)
	}

	// NotAction: everything but deleting.
	mustPut(t, root, "homes", "secret/s", []byte("s"))
	mustPut(t, root, "homes", "open/o", []byte("o"))
	setUserPolicy(t, srv, "alice", condDoc(`{"Effect":"Allow","NotAction":["s3:DeleteObject","s3:DeleteBucket"],"Resource":"*"}`))
	condExpect(t, "NotAction put", condPut(alice, "homes", "open/new"), 200)
	condExpect(t, "NotAction get", condGet(alice, "homes", "open/o"), 200)
	_, err := alice.ListBuckets(ctx, &s3.ListBucketsInput{})
	condExpect(t, "NotAction ListBuckets", err, 200)
	_, err = alice.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("homes"), Key: aws.String("open/o")})
	condExpect(t, "NotAction delete", err, 403)
	_, err = alice.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("homes")})
	condExpect(t, "NotAction delete bucket", err, 403)

	// NotResource: read anything but secret/.
	setUserPolicy(t, srv, "alice", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::homes/secret/*"}`))
	condExpect(t, "NotResource open", condGet(alice, "homes", "open/o"), 200)
	condExpect(t, "NotResource secret", condGet(alice, "homes", "secret/s"), 403)

	// NotPrincipal: deny everyone but alice. (Only her user ARN is named:
	// Talus exempts every user of an account named in NotPrincipal.)
	setUserPolicy(t, srv, "alice", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))
	setUserPolicy(t, srv, "bob", condDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))
	setBucketPolicy(t, root, "homes", condDoc(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::000000000000:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::homes/secret/*"}`))
	condExpect(t, "NotPrincipal alice", condGet(alice, "homes", "secret/s"), 200)
	condExpect(t, "NotPrincipal bob", condGet(bob, "homes", "secret/s"), 403)
	condExpect(t, "NotPrincipal bob elsewhere", condGet(bob, "homes", "open/o"), 200)
	// The root is not alice either: the Deny binds it, as in S3.
	condExpect(t, "NotPrincipal root", condGet(root, "homes", "secret/s"), 403)

	// An identity Deny beats a bucket policy Allow...
	setBucketPolicy(t, root, "homes", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::homes/*"}`))
	setUserPolicy(t, srv, "bob", condDoc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::homes/secret/*"}`))
	condExpect(t, "identity Deny vs bucket Allow", condGet(bob, "homes", "secret/s"), 403)
	condExpect(t, "bucket Allow alone", condGet(bob, "homes", "open/o"), 200)
	if got := anonGet(t, objURL(srv, "homes", "secret/s")); got != 200 {
		t.Fatalf("anonymous under the bucket Allow = %d", got)
	}
	// ...and a bucket policy Deny beats an identity Allow.
	setUserPolicy(t, srv, "bob", condDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	setBucketPolicy(t, root, "homes", condDoc(`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/bob"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::homes/*"}`))
	condExpect(t, "bucket Deny vs identity Allow", condPut(bob, "homes", "open/bob"), 403)
	condExpect(t, "identity Allow elsewhere", condGet(bob, "homes", "open/o"), 200)
	condExpect(t, "bucket Deny names bob only", condPut(alice, "homes", "open/alice"), 403) // alice may only read
	setUserPolicy(t, srv, "alice", condDoc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`))
	condExpect(t, "alice not named by the Deny", condPut(alice, "homes", "open/alice"), 200)
}

func TestPolicyUserWithoutPolicy(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "nopol")
	mustPut(t, root, "nopol", "obj", []byte("o"))
	user, _, _ := newUser(t, srv, "nobody", "")
	b, k := aws.String("nopol"), aws.String("obj")
	calls := map[string]func() error{
		"ListBuckets": func() error { _, err := user.ListBuckets(ctx, &s3.ListBucketsInput{}); return err },
		"CreateBucket": func() error {
			_, err := user.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("nopol2")})
			return err
		},
		"HeadBucket": func() error { _, err := user.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); return err },
		"ListObjectsV2": func() error {
			_, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
			return err
		},
		"ListObjectVersions": func() error {
			_, err := user.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
			return err
		},
		"GetObject":  func() error { return condGet(user, "nopol", "obj") },
		"HeadObject": func() error { _, err := user.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k}); return err },
		"PutObject":  func() error { return condPut(user, "nopol", "new") },
		"DeleteObject": func() error {
			_, err := user.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
			return err
		},
		"GetBucketAcl":    func() error { _, err := user.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b}); return err },
		"GetObjectAcl":    func() error { _, err := user.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k}); return err },
		"GetBucketPolicy": func() error { _, err := user.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); return err },
		"PutBucketPolicy": func() error {
			_, err := user.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::nopol/*"}`))})
			return err
		},
		"GetObjectTagging": func() error {
			_, err := user.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: k})
			return err
		},
		"CreateMultipartUpload": func() error {
			_, err := user.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
			return err
		},
		"DeleteBucket": func() error { _, err := user.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); return err },
	}
	for name, call := range calls {
		err := call()
		if rqStatus(err) != 403 {
			t.Errorf("%s by a user without policy: %v, want 403", name, err)
		} else if c := apiCode(err); c != "AccessDenied" && !strings.HasPrefix(name, "Head") {
			t.Errorf("%s: code %q, want AccessDenied", name, c)
		}
	}
	if got := mustGet(t, root, "nopol", "obj"); string(got) != "o" {
		t.Fatalf("object changed: %q", got)
	}
	if _, err := root.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nopol2")}); rqStatus(err) != 404 {
		t.Fatalf("bucket created by a user without policy: %v", err)
	}
}

func TestPolicyAnonymous(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "anon")
	mustPut(t, root, "anon", "pub/a", []byte("a"))
	mustPut(t, root, "anon", "priv/b", []byte("b"))
	denied := func(what, method, u string, body []byte) {
		t.Helper()
		res := plainDo(t, method, u, nil, body)
		if method == http.MethodHead {
			if res.Status != 403 {
				t.Errorf("anonymous %s = %d, want 403", what, res.Status)
			}
			return
		}
		if res.Status != 403 || res.Code() != "AccessDenied" {
			t.Errorf("anonymous %s = %d %q, want 403 AccessDenied; body %s", what, res.Status, res.Code(), res.Body)
			return
		}
		rqErr(t, rqResp(res), 403, "AccessDenied")
	}
	all := func(phase string) {
		t.Helper()
		denied(phase+"GET priv object", http.MethodGet, objURL(srv, "anon", "priv/b"), nil)
		denied(phase+"HEAD priv object", http.MethodHead, objURL(srv, "anon", "priv/b"), nil)
		denied(phase+"ListObjects", http.MethodGet, srv.URL+"/anon", nil)
		denied(phase+"ListObjectsV2", http.MethodGet, srv.URL+"/anon?list-type=2", nil)
		denied(phase+"ListObjectVersions", http.MethodGet, srv.URL+"/anon?versions", nil)
		denied(phase+"PUT object", http.MethodPut, objURL(srv, "anon", "pub/new"), []byte("n"))
		denied(phase+"DELETE object", http.MethodDelete, objURL(srv, "anon", "pub/a"), nil)
		denied(phase+"ListBuckets", http.MethodGet, srv.URL+"/", nil)
		denied(phase+"CreateBucket", http.MethodPut, srv.URL+"/anon-new", nil)
		denied(phase+"DeleteBucket", http.MethodDelete, srv.URL+"/anon", nil)
		denied(phase+"GetBucketAcl", http.MethodGet, srv.URL+"/anon?acl", nil)
		denied(phase+"GetBucketPolicy", http.MethodGet, srv.URL+"/anon?policy", nil)
		denied(phase+"PutBucketPolicy", http.MethodPut, srv.URL+"/anon?policy", []byte(condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::anon/*"}`)))
		denied(phase+"GetObjectTagging", http.MethodGet, objURL(srv, "anon", "priv/b")+"?tagging", nil)
		denied(phase+"CreateMultipartUpload", http.MethodPost, objURL(srv, "anon", "pub/mp")+"?uploads", nil)
	}
	all("")
	denied("GET pub object", http.MethodGet, objURL(srv, "anon", "pub/a"), nil)
	denied("HEAD bucket", http.MethodHead, srv.URL+"/anon", nil)

	// A policy grants exactly what it names.
	setBucketPolicy(t, root, "anon", condDoc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::anon/pub/*"}`,
		`{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::anon","Condition":{"StringEquals":{"s3:prefix":"pub/"}}}`))
	all("with policy: ")
	if res := plainDo(t, http.MethodGet, objURL(srv, "anon", "pub/a"), nil, nil); res.Status != 200 || string(res.Body) != "a" {
		t.Fatalf("anonymous GET granted by policy = %d %s", res.Status, res.Body)
	}
	if res := plainDo(t, http.MethodHead, objURL(srv, "anon", "pub/a"), nil, nil); res.Status != 200 {
		t.Fatalf("anonymous HEAD granted by policy = %d", res.Status)
	}
	if res := plainDo(t, http.MethodGet, srv.URL+"/anon?list-type=2&prefix=pub/", nil, nil); res.Status != 200 || !strings.Contains(string(res.Body), "<Key>pub/a</Key>") || strings.Contains(string(res.Body), "priv/") {
		t.Fatalf("anonymous list of pub/ = %d %s", res.Status, res.Body)
	}
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("anon")}); err != nil {
		t.Fatal(err)
	}

	// An ACL grants exactly what it names: READ on the bucket lists, but
	// objects keep their own ACLs; WRITE on the bucket uploads and deletes.
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("anon-acl"), ObjectOwnership: types.ObjectOwnershipObjectWriter, ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, root, "anon-acl", "priv", []byte("p"))
	if res := plainDo(t, http.MethodGet, srv.URL+"/anon-acl", nil, nil); res.Status != 200 || !strings.Contains(string(res.Body), "<Key>priv</Key>") {
		t.Fatalf("anonymous list of a public-read bucket = %d %s", res.Status, res.Body)
	}
	denied("GET in a public-read bucket", http.MethodGet, objURL(srv, "anon-acl", "priv"), nil)
	denied("PUT in a public-read bucket", http.MethodPut, objURL(srv, "anon-acl", "new"), []byte("n"))
	denied("DELETE in a public-read bucket", http.MethodDelete, objURL(srv, "anon-acl", "priv"), nil)
	denied("GetBucketAcl of a public-read bucket", http.MethodGet, srv.URL+"/anon-acl?acl", nil)
	if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("anon-acl"), ACL: types.BucketCannedACLPublicReadWrite}); err != nil {
		t.Fatal(err)
	}
	if res := plainDo(t, http.MethodPut, objURL(srv, "anon-acl", "new"), nil, []byte("n")); res.Status != 200 {
		t.Fatalf("anonymous PUT in a public-read-write bucket = %d %s", res.Status, res.Body)
	}
	if res := plainDo(t, http.MethodDelete, objURL(srv, "anon-acl", "priv"), nil, nil); res.Status != 204 {
		t.Fatalf("anonymous DELETE in a public-read-write bucket = %d %s", res.Status, res.Body)
	}
	rqMissing(t, root, "anon-acl", "priv")
	denied("DeleteBucket of a public-read-write bucket", http.MethodDelete, srv.URL+"/anon-acl", nil)
	denied("PutBucketAcl of a public-read-write bucket", http.MethodPut, srv.URL+"/anon-acl?acl", nil)
}
