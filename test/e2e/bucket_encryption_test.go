package e2e

// PutBucketEncryption, GetBucketEncryption and DeleteBucketEncryption.

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// beRule is what GetBucketEncryption reports, flattened for comparison.
type beRule struct {
	Algorithm, KeyID string
	BucketKey        bool
	Blocked          []string
}

func beGet(t *testing.T, c *s3.Client, bucket string) beRule {
	t.Helper()
	out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("GetBucketEncryption(%s): %v", bucket, err)
	}
	if out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) != 1 {
		t.Fatalf("GetBucketEncryption(%s): %+v, want one rule", bucket, out.ServerSideEncryptionConfiguration)
	}
	r := out.ServerSideEncryptionConfiguration.Rules[0]
	if r.ApplyServerSideEncryptionByDefault == nil || r.BucketKeyEnabled == nil || r.BlockedEncryptionTypes == nil {
		t.Fatalf("GetBucketEncryption(%s): rule %+v lacks an element S3 always returns", bucket, r)
	}
	got := beRule{Algorithm: string(r.ApplyServerSideEncryptionByDefault.SSEAlgorithm), KeyID: aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID), BucketKey: *r.BucketKeyEnabled}
	for _, e := range r.BlockedEncryptionTypes.EncryptionType {
		got.Blocked = append(got.Blocked, string(e))
	}
	return got
}

func bePut(c *s3.Client, bucket string, rule types.ServerSideEncryptionRule) error {
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}}})
	return err
}

func beDefault(alg types.ServerSideEncryption, key string) *types.ServerSideEncryptionByDefault {
	d := &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}
	if key != "" {
		d.KMSMasterKeyID = aws.String(key)
	}
	return d
}

func beBlocked(t types.EncryptionType) *types.BlockedEncryptionTypes {
	return &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{t}}
}

func beWant(t *testing.T, what string, got, want beRule) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: GetBucketEncryption = %+v, want %+v", what, got, want)
	}
}

// A bucket never configured has S3's default: SSE-S3 without a bucket key,
// SSE-C blocked.
func TestBucketEncryptionDefault(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "fresh")
	beWant(t, "new bucket", beGet(t, c, "fresh"), beRule{Algorithm: "AES256", Blocked: []string{"SSE-C"}})

	// The raw document carries S3's namespace and every element.
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/fresh?encryption"})
	wantRaw(t, "raw GetBucketEncryption", r, http.StatusOK, "")
	for _, s := range []string{`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
		"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>",
		"<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>",
		"<BucketKeyEnabled>false</BucketKeyEnabled>"} {
		if !strings.Contains(string(r.Body), s) {
			t.Fatalf("GetBucketEncryption body lacks %s:\n%s", s, r.Body)
		}
	}

	// Delete on a bucket never configured succeeds and changes nothing.
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("fresh")}); err != nil {
		t.Fatalf("DeleteBucketEncryption: %v", err)
	}
	beWant(t, "after delete", beGet(t, c, "fresh"), beRule{Algorithm: "AES256", Blocked: []string{"SSE-C"}})
}

func TestBucketEncryptionPutGetDelete(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "enc")
	const keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"

	// SSE-KMS with a key and a bucket key: echoed as configured.
	if err := bePut(c, "enc", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, keyID), BucketKeyEnabled: aws.Bool(true)}); err != nil {
		t.Fatalf("PutBucketEncryption aws:kms: %v", err)
	}
	beWant(t, "aws:kms", beGet(t, c, "enc"), beRule{Algorithm: "aws:kms", KeyID: keyID, BucketKey: true, Blocked: []string{"SSE-C"}})

	// aws:kms without a key (the account's aws/s3 key), then DSSE with an alias.
	if err := bePut(c, "enc", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, "")}); err != nil {
		t.Fatal(err)
	}
	beWant(t, "aws:kms, no key", beGet(t, c, "enc"), beRule{Algorithm: "aws:kms", Blocked: []string{"SSE-C"}})
	if err := bePut(c, "enc", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKmsDsse, "alias/app")}); err != nil {
		t.Fatal(err)
	}
	beWant(t, "aws:kms:dsse", beGet(t, c, "enc"), beRule{Algorithm: "aws:kms:dsse", KeyID: "alias/app", Blocked: []string{"SSE-C"}})

	// Unblocking SSE-C alone keeps the default encryption.
	if err := bePut(c, "enc", types.ServerSideEncryptionRule{BlockedEncryptionTypes: beBlocked(types.EncryptionTypeNone)}); err != nil {
		t.Fatalf("PutBucketEncryption NONE: %v", err)
	}
	beWant(t, "unblocked", beGet(t, c, "enc"), beRule{Algorithm: "aws:kms:dsse", KeyID: "alias/app", Blocked: []string{"NONE"}})

	// A rule without BlockedEncryptionTypes keeps the SSE-C setting.
	if err := bePut(c, "enc", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAes256, ""), BucketKeyEnabled: aws.Bool(true)}); err != nil {
		t.Fatalf("PutBucketEncryption AES256: %v", err)
	}
	beWant(t, "AES256", beGet(t, c, "enc"), beRule{Algorithm: "AES256", BucketKey: true, Blocked: []string{"NONE"}})

	// Both at once.
	if err := bePut(c, "enc", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, keyID), BlockedEncryptionTypes: beBlocked(types.EncryptionTypeSseC)}); err != nil {
		t.Fatal(err)
	}
	beWant(t, "kms and blocked", beGet(t, c, "enc"), beRule{Algorithm: "aws:kms", KeyID: keyID, Blocked: []string{"SSE-C"}})

	// Delete resets to S3's default, and answers 204 every time.
	for i := 0; i < 2; i++ {
		r := doRaw(t, rawReq{Method: http.MethodDelete, URL: srv.URL + "/enc?encryption"})
		wantRaw(t, "DeleteBucketEncryption", r, http.StatusNoContent, "")
	}
	beWant(t, "after delete", beGet(t, c, "enc"), beRule{Algorithm: "AES256", Blocked: []string{"SSE-C"}})

	// The configuration survives a restart.
	dir := t.TempDir()
	srv2 := testserver.Start(t, testserver.WithDir(dir))
	c2 := srv2.Client()
	mustCreateBucket(t, c2, "kept")
	if err := bePut(c2, "kept", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, keyID), BucketKeyEnabled: aws.Bool(true), BlockedEncryptionTypes: beBlocked(types.EncryptionTypeNone)}); err != nil {
		t.Fatal(err)
	}
	srv2.Stop(t)
	srv3 := testserver.Start(t, testserver.WithDir(dir))
	beWant(t, "after restart", beGet(t, srv3.Client(), "kept"), beRule{Algorithm: "aws:kms", KeyID: keyID, BucketKey: true, Blocked: []string{"NONE"}})
}

func TestBucketEncryptionErrors(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "bad")
	if err := bePut(c, "bad", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAwsKms, "k1")}); err != nil {
		t.Fatal(err)
	}
	want := beRule{Algorithm: "aws:kms", KeyID: "k1", Blocked: []string{"SSE-C"}}

	doc := func(rules string) []byte {
		return []byte(`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + rules + `</ServerSideEncryptionConfiguration>`)
	}
	rule := func(inner string) string { return "<Rule>" + inner + "</Rule>" }
	def := func(inner string) string {
		return "<ApplyServerSideEncryptionByDefault>" + inner + "</ApplyServerSideEncryptionByDefault>"
	}
	for _, tc := range []struct {
		name, code, msg string
		body            []byte
	}{
		{"no rule", "MalformedXML", "", doc("")},
		{"two rules", "MalformedXML", "", doc(rule(def("<SSEAlgorithm>AES256</SSEAlgorithm>")) + rule(def("<SSEAlgorithm>aws:kms</SSEAlgorithm>")))},
		{"empty rule", "MalformedXML", "", doc(rule(""))},
		{"bucket key only", "MalformedXML", "", doc(rule("<BucketKeyEnabled>true</BucketKeyEnabled>"))},
		{"no algorithm", "MalformedXML", "", doc(rule(def("")))},
		{"unknown algorithm", "MalformedXML", "", doc(rule(def("<SSEAlgorithm>AES512</SSEAlgorithm>")))},
		{"algorithm case", "MalformedXML", "", doc(rule(def("<SSEAlgorithm>aes256</SSEAlgorithm>")))},
		{"fsx", "MalformedXML", "", doc(rule(def("<SSEAlgorithm>aws:fsx</SSEAlgorithm>")))},
		{"unknown encryption type", "MalformedXML", "", doc(rule("<BlockedEncryptionTypes><EncryptionType>SSE-KMS</EncryptionType></BlockedEncryptionTypes>"))},
		{"NONE and SSE-C", "MalformedXML", "", doc(rule("<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>"))},
		{"bad boolean", "MalformedXML", "", doc(rule(def("<SSEAlgorithm>AES256</SSEAlgorithm>") + "<BucketKeyEnabled>yes</BucketKeyEnabled>"))},
		{"not XML", "MalformedXML", "", []byte("<ServerSideEncryptionConfiguration><Rule>")},
		{"wrong root", "MalformedXML", "", []byte("<VersioningConfiguration/>")},
		{"empty body", "MalformedXML", "", nil},
		{"AES256 with key", "InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
			doc(rule(def("<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k2</KMSMasterKeyID>")))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/bad?encryption", Body: tc.body})
			wantRaw(t, tc.name, r, http.StatusBadRequest, tc.code)
			if tc.msg != "" && !strings.Contains(string(r.Body), "<Message>"+tc.msg+"</Message>") {
				t.Fatalf("body %s lacks message %q", r.Body, tc.msg)
			}
			if tc.code == "InvalidArgument" && !strings.Contains(string(r.Body), "<ArgumentName>ApplyServerSideEncryptionByDefault</ArgumentName>") {
				t.Fatalf("body %s lacks the ArgumentName", r.Body)
			}
			beWant(t, "after a refused Put", beGet(t, c, "bad"), want)
		})
	}

	// The SDK's view of the same errors.
	err := bePut(c, "bad", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAes256, "k2")})
	mustCode(t, err, "InvalidArgument")
	err = bePut(c, "bad", types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault("bogus", "")})
	mustCode(t, err, "MalformedXML")

	// A missing bucket is NoSuchBucket for all three, even with a bad body.
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("nobucket")})
	mustCode(t, err, "NoSuchBucket")
	_, err = c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("nobucket")})
	mustCode(t, err, "NoSuchBucket")
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/nobucket?encryption", Body: doc("")})
	wantRaw(t, "Put on a missing bucket", r, http.StatusNotFound, "NoSuchBucket")
}

// Get is authorized by s3:GetEncryptionConfiguration, Put and Delete by
// s3:PutEncryptionConfiguration.
func TestBucketEncryptionPermissions(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "perm")
	reader, _, _ := newUser(t, srv, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetEncryptionConfiguration","Resource":"arn:aws:s3:::perm"}]}`)
	writer, _, _ := newUser(t, srv, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutEncryptionConfiguration","Resource":"arn:aws:s3:::perm"}]}`)
	aes := types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: beDefault(types.ServerSideEncryptionAes256, "")}

	beGet(t, reader, "perm")
	mustCode(t, bePut(reader, "perm", aes), "AccessDenied")
	_, err := reader.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("perm")})
	mustCode(t, err, "AccessDenied")

	if err := bePut(writer, "perm", aes); err != nil {
		t.Fatalf("writer Put: %v", err)
	}
	if _, err := writer.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("perm")}); err != nil {
		t.Fatalf("writer Delete: %v", err)
	}
	_, err = writer.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("perm")})
	mustCode(t, err, "AccessDenied")

	// Anonymous callers are refused.
	if st := anonGet(t, srv.URL+"/perm?encryption"); st != http.StatusForbidden {
		t.Fatalf("anonymous GetBucketEncryption: %d, want 403", st)
	}
}

// allowSSEC lets a bucket take customer-key (SSE-C) writes, which S3 blocks
// on new buckets.
func allowSSEC(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	if err := bePut(c, bucket, types.ServerSideEncryptionRule{BlockedEncryptionTypes: beBlocked(types.EncryptionTypeNone)}); err != nil {
		t.Fatalf("PutBucketEncryption(%s, BlockedEncryptionTypes NONE): %v", bucket, err)
	}
}
