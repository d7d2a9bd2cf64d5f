package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"talus/internal/testserver"
)

// awsConfig is a client configuration for the test server's endpoint.
func awsConfig(srv *testserver.Server, ak, sk, token string) aws.Config {
	return aws.Config{
		Region:           testserver.Region,
		Credentials:      credentials.NewStaticCredentialsProvider(ak, sk, token),
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1,
	}
}

func stsClient(srv *testserver.Server, ak, sk, token string) *sts.Client {
	return sts.NewFromConfig(awsConfig(srv, ak, sk, token))
}

func iamClient(srv *testserver.Server, ak, sk string) *iam.Client {
	return iam.NewFromConfig(awsConfig(srv, ak, sk, ""))
}

func rootIAM(srv *testserver.Server) *iam.Client {
	return iamClient(srv, testserver.AccessKey, testserver.SecretKey)
}

// s3Temp is an S3 client signing with temporary credentials.
func s3Temp(srv *testserver.Server, c *ststypes.Credentials) *s3.Client {
	cfg := awsConfig(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// mustOK fails the test on err.
func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// newIAMUser creates a user with an access key through the IAM API.
func newIAMUser(t *testing.T, srv *testserver.Server, name string) (ak, sk string) {
	t.Helper()
	c := rootIAM(srv)
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	mustOK(t, "CreateUser "+name, err)
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	mustOK(t, "CreateAccessKey "+name, err)
	return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

// putUserPolicy gives a user one inline policy.
func putUserPolicy(t *testing.T, srv *testserver.Server, user, name, doc string) {
	t.Helper()
	_, err := rootIAM(srv).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	mustOK(t, "PutUserPolicy "+user, err)
}
