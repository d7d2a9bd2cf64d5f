package scaleout

import (
	"net/url"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

func s3Client(endpoint, ak, sk string) *s3.Client { return testserver.NewClient(endpoint, ak, sk) }

// iamCall sends one IAM request as root and fails the test unless it succeeds.
func iamCall(t *testing.T, endpoint, action string, kv ...string) string {
	t.Helper()
	v := url.Values{"Action": {action}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	st, body := testserver.IAMCall(t, endpoint, testserver.AccessKey, testserver.SecretKey, v)
	if st != 200 {
		t.Fatalf("IAM %s: %d %s", action, st, body)
	}
	return body
}

var (
	akRE = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)
	skRE = regexp.MustCompile(`<SecretAccessKey>([^<]+)</SecretAccessKey>`)
)

// createUserKey creates IAM user u1 (no policies) and an access key of it.
func createUserKey(t *testing.T, endpoint string) (ak, sk string) {
	t.Helper()
	iamCall(t, endpoint, "CreateUser", "UserName", "u1")
	body := iamCall(t, endpoint, "CreateAccessKey", "UserName", "u1")
	a, s := akRE.FindStringSubmatch(body), skRE.FindStringSubmatch(body)
	if a == nil || s == nil {
		t.Fatalf("CreateAccessKey answer: %s", body)
	}
	return a[1], s[1]
}
