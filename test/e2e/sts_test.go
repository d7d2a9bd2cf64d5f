package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/minio/minio-go/v7/pkg/signer"

	"talus/internal/testserver"
)

func TestSTSGetCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root, err := stsClient(srv, testserver.AccessKey, testserver.SecretKey, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustOK(t, "root GetCallerIdentity", err)
	if aws.ToString(root.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(root.Account) != "000000000000" || aws.ToString(root.UserId) != "000000000000" {
		t.Fatalf("root identity = %s %s %s", aws.ToString(root.Arn), aws.ToString(root.Account), aws.ToString(root.UserId))
	}
	ak, sk := newIAMUser(t, srv, "alice")
	// No policy is needed to ask who one is.
	me, err := stsClient(srv, ak, sk, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustOK(t, "user GetCallerIdentity", err)
	if aws.ToString(me.Arn) != "arn:aws:iam::000000000000:user/alice" || !strings.HasPrefix(aws.ToString(me.UserId), "AIDA") {
		t.Fatalf("user identity = %s %s", aws.ToString(me.Arn), aws.ToString(me.UserId))
	}
	_, err = stsClient(srv, ak, "wrong-secret", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustCode(t, err, "SignatureDoesNotMatch")
	_, err = stsClient(srv, "AKIANOSUCHKEY0000000", sk, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustCode(t, err, "InvalidClientTokenId")
	// STS actions Talus does not serve are refused as STS refuses unknown actions.
	_, err = stsClient(srv, ak, sk, "").GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	mustCode(t, err, "InvalidAction")
}

// TestSTSSessionToken: GetSessionToken credentials work for S3 (headers,
// presigned URLs, POST policies), IAM and KMS as their user, and every way a
// session token can be wrong is refused with AWS's codes.
func TestSTSSessionToken(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	mustCreateBucket(t, srv.Client(), "sess")
	ak, sk := newIAMUser(t, srv, "alice")
	putUserPolicy(t, srv, "alice", "s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::sess/*"},{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}`)

	_, err := stsClient(srv, ak, sk, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(100)})
	mustCode(t, err, "ValidationError")
	_, err = stsClient(srv, ak, sk, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(200000)})
	mustCode(t, err, "ValidationError")
	before := time.Now()
	out, err := stsClient(srv, ak, sk, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	mustOK(t, "GetSessionToken", err)
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || len(aws.ToString(cr.AccessKeyId)) != 20 || len(aws.ToString(cr.SecretAccessKey)) != 40 || aws.ToString(cr.SessionToken) == "" {
		t.Fatalf("credentials = %+v", cr)
	}
	if exp := aws.ToTime(cr.Expiration); exp.Before(before.Add(899*time.Second)) || exp.After(time.Now().Add(901*time.Second)) {
		t.Fatalf("expiration %v, want 900 s from now", exp)
	}
	if strings.Contains(aws.ToString(cr.SessionToken), sk) || strings.Contains(aws.ToString(cr.SessionToken), aws.ToString(cr.SecretAccessKey)) {
		t.Fatal("the session token carries a secret in clear text")
	}

	// The session runs as alice, with her permissions.
	tc := s3Temp(srv, cr)
	mustPut(t, tc, "sess", "a.txt", []byte("hello"))
	if got := mustGet(t, tc, "sess", "a.txt"); string(got) != "hello" {
		t.Fatalf("read back %q", got)
	}
	_, err = tc.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustCode(t, err, "AccessDenied")
	who, err := stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustOK(t, "GetCallerIdentity with the session", err)
	if aws.ToString(who.Arn) != "arn:aws:iam::000000000000:user/alice" {
		t.Fatalf("session identity = %s", aws.ToString(who.Arn))
	}
	_, err = stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	mustCode(t, err, "AccessDenied")
	kc := kms.NewFromConfig(awsConfig(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	_, err = kc.ListKeys(ctx, &kms.ListKeysInput{})
	mustOK(t, "KMS ListKeys with the session", err)
	// As in AWS, GetSessionToken credentials without MFA cannot call IAM.
	_, err = iam.NewFromConfig(awsConfig(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))).GetUser(ctx, &iam.GetUserInput{})
	mustCode(t, err, "InvalidClientTokenId")

	// Presigned URLs carry the token in the query.
	pc := s3.NewPresignClient(tc)
	pg, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sess"), Key: aws.String("a.txt")})
	mustOK(t, "PresignGetObject", err)
	if !strings.Contains(pg.URL, "X-Amz-Security-Token=") {
		t.Fatalf("presigned URL without the token: %s", pg.URL)
	}
	if status, body := httpGet(t, pg.URL); status != 200 || body != "hello" {
		t.Fatalf("presigned GET = %d %s", status, body)
	}
	// So do POST policies.
	pp, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sess"), Key: aws.String("posted.txt")})
	mustOK(t, "PresignPostObject", err)
	if pp.Values["X-Amz-Security-Token"] == "" && pp.Values["x-amz-security-token"] == "" {
		t.Fatalf("POST fields without the token: %v", pp.Values)
	}
	if status, _, body := postForm(t, pp.URL, pp.Values, []string{"key"}, []byte("posted")); status != http.StatusNoContent {
		t.Fatalf("POST with the session = %d %s", status, body)
	}
	if got := mustGet(t, srv.Client(), "sess", "posted.txt"); string(got) != "posted" {
		t.Fatalf("posted object = %q", got)
	}

	// SigV2 (minio-go's signer) carries the token as an x-amz- header.
	v2, _ := http.NewRequest(http.MethodGet, objURL(srv, "sess", "a.txt"), nil)
	v2.Header.Set("X-Amz-Security-Token", aws.ToString(cr.SessionToken))
	if res := send(t, signer.SignV2(*v2, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), false)); res.Status != 200 || string(res.Body) != "hello" {
		t.Fatalf("SigV2 GET with the session = %d %s", res.Status, res.Body)
	}
	v2.Header.Set("X-Amz-Security-Token", "bogus")
	wantRaw(t, "SigV2 with a bad token", send(t, signer.SignV2(*v2, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), false)), 400, "InvalidToken")

	// A tampered token, a token moved to another key, and a session key
	// without its token.
	tok := aws.ToString(cr.SessionToken)
	bad := *cr
	bad.SessionToken = aws.String(tok[:len(tok)-4] + flip(tok[len(tok)-4:]))
	_, err = s3Temp(srv, &bad).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sess"), Key: aws.String("a.txt")})
	mustCode(t, err, "InvalidToken")
	_, err = stsClient(srv, aws.ToString(bad.AccessKeyId), aws.ToString(bad.SecretAccessKey), aws.ToString(bad.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustCode(t, err, "InvalidClientTokenId")
	other, err := stsClient(srv, ak, sk, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	mustOK(t, "second GetSessionToken", err)
	swapped := *other.Credentials
	swapped.SessionToken = cr.SessionToken
	_, err = s3Temp(srv, &swapped).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sess"), Key: aws.String("a.txt")})
	mustCode(t, err, "InvalidToken")
	noToken := *cr
	noToken.SessionToken = nil
	_, err = s3Temp(srv, &noToken).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sess"), Key: aws.String("a.txt")})
	mustCode(t, err, "InvalidAccessKeyId")
	longTerm := ststypes.Credentials{AccessKeyId: aws.String(ak), SecretAccessKey: aws.String(sk), SessionToken: cr.SessionToken}
	_, err = s3Temp(srv, &longTerm).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sess"), Key: aws.String("a.txt")})
	mustCode(t, err, "InvalidToken")

	// Expiry: past the expiration every service refuses the session.
	srv.Server().Identities().SetClock(func() time.Time { return time.Now().Add(16 * time.Minute) })
	defer srv.Server().Identities().SetClock(nil)
	_, err = tc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sess"), Key: aws.String("a.txt")})
	mustCode(t, err, "ExpiredToken")
	if status, body := httpGet(t, pg.URL); status != 400 || !strings.Contains(body, "<Code>ExpiredToken</Code>") || !strings.Contains(body, "The provided token has expired.") {
		t.Fatalf("expired presigned GET = %d %s", status, body)
	}
	_, err = stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustCode(t, err, "ExpiredToken")
	_, err = kc.ListKeys(ctx, &kms.ListKeysInput{})
	mustCode(t, err, "ExpiredTokenException")
	// Long-term keys are untouched by the clock.
	mustGet(t, testserver.NewClient(srv.URL, ak, sk), "sess", "a.txt")
}

// flip changes every character of s to another token character.
func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	io.Copy(&buf, resp.Body)
	return resp.StatusCode, buf.String()
}
