package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"talus/internal/oidc"
	"talus/internal/testserver"
)

// issuer is the test's own OpenID Connect provider: it signs ID tokens
// and serves its discovery document and JWKS.
type issuer struct {
	url string
	key any
	kid string
	alg jose.SignatureAlgorithm
}

func (is *issuer) mint(t *testing.T, claims map[string]any) string {
	t.Helper()
	return mintWith(t, is.key, is.kid, is.alg, claims)
}

func mintWith(t *testing.T, key any, kid string, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func claims(iss, sub, aud string, exp time.Duration) map[string]any {
	now := time.Now()
	return map[string]any{"iss": iss, "sub": sub, "aud": aud, "iat": now.Unix(), "exp": now.Add(exp).Unix()}
}

// startIssuer serves discovery and JWKS for an RSA key over HTTP.
func startIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key, kid: "rsa-1", alg: jose.RS256}
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	is.url = hs.URL + "/realms/test"
	mux.HandleFunc("/realms/test/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": is.url, "jwks_uri": hs.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: is.kid, Algorithm: "RS256", Use: "sig"}}})
	})
	return is
}

// TestSTSAssumeRoleWithWebIdentity: tokens of configured issuers (JWKS by
// discovery or from a file) become role sessions when the trust policy's
// aud/sub conditions hold; bad signatures, audiences, expiry and unknown
// issuers are refused with STS's codes.
func TestSTSAssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	is := startIssuer(t)
	// A second issuer with an EC key whose JWKS is a file.
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwksFile := filepath.Join(t.TempDir(), "jwks.json")
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ecKey.PublicKey, KeyID: "ec-1", Algorithm: "ES256", Use: "sig"}}})
	os.WriteFile(jwksFile, b, 0o600)
	fileIss := &issuer{url: "https://login.example.test/tenant", key: ecKey, kid: "ec-1", alg: jose.ES256}

	srv := testserver.Start(t,
		testserver.WithOIDCProvider(oidc.Provider{Issuer: is.url, ClientIDs: []string{"talus-app"}}),
		testserver.WithOIDCProvider(oidc.Provider{Issuer: fileIss.url, JWKS: jwksFile}))
	c := rootIAM(srv)
	mustCreateBucket(t, srv.Client(), "web")
	mustPut(t, srv.Client(), "web", "page", []byte("hello web"))

	host := strings.TrimPrefix(is.url, "http://")
	provider := "arn:aws:iam::000000000000:oidc-provider/" + host
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"` + host + `:aud":"talus-app","` + host + `:sub":"user-1"}}},
		{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/login.example.test/tenant"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringLike":{"login.example.test/tenant:sub":"svc-*"}}}]}`
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trust)})
	mustOK(t, "CreateRole", err)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::web/*"}]}`)})
	mustOK(t, "PutRolePolicy", err)

	// AssumeRoleWithWebIdentity is unsigned: the token is the credential.
	anon := sts.NewFromConfig(aws.Config{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1})
	assume := func(token string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String("arn:aws:iam::000000000000:role/web"), RoleSessionName: aws.String("browser"), WebIdentityToken: aws.String(token)})
	}
	out, err := assume(is.mint(t, claims(is.url, "user-1", "talus-app", time.Hour)))
	mustOK(t, "AssumeRoleWithWebIdentity", err)
	if aws.ToString(out.SubjectFromWebIdentityToken) != "user-1" || aws.ToString(out.Audience) != "talus-app" || aws.ToString(out.Provider) != is.url ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/web/browser" {
		t.Fatalf("AssumeRoleWithWebIdentity = %+v %+v", out, out.AssumedRoleUser)
	}
	sess := s3Temp(srv, out.Credentials)
	if got := mustGet(t, sess, "web", "page"); string(got) != "hello web" {
		t.Fatalf("read %q", got)
	}
	_, err = sess.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("x"), Body: strings.NewReader("x")})
	mustCode(t, err, "AccessDenied")

	// The file-configured issuer, with a StringLike on sub.
	fout, err := assume(fileIss.mint(t, claims(fileIss.url, "svc-backup", "anything", time.Hour)))
	mustOK(t, "AssumeRoleWithWebIdentity (JWKS file)", err)
	mustGet(t, s3Temp(srv, fout.Credentials), "web", "page")
	_, err = assume(fileIss.mint(t, claims(fileIss.url, "human", "anything", time.Hour)))
	mustCode(t, err, "AccessDenied")

	// Failures.
	_, err = assume(is.mint(t, claims(is.url, "user-2", "talus-app", time.Hour)))
	mustCode(t, err, "AccessDenied") // sub not trusted
	_, err = assume(is.mint(t, claims(is.url, "user-1", "other-app", time.Hour)))
	mustCode(t, err, "InvalidIdentityToken") // audience not a client ID
	_, err = assume(is.mint(t, claims(is.url, "user-1", "talus-app", -time.Minute)))
	mustCode(t, err, "ExpiredTokenException")
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, err = assume(mintWith(t, forger, is.kid, jose.RS256, claims(is.url, "user-1", "talus-app", time.Hour)))
	mustCode(t, err, "InvalidIdentityToken") // bad signature
	_, err = assume(mintWith(t, forger, "rsa-1", jose.RS256, claims("https://evil.example.test", "user-1", "talus-app", time.Hour)))
	mustCode(t, err, "InvalidIdentityToken") // unknown issuer
	_, err = assume("not-a-jwt")
	mustCode(t, err, "InvalidIdentityToken")
	notYet := claims(is.url, "user-1", "talus-app", time.Hour)
	notYet["nbf"] = time.Now().Add(10 * time.Minute).Unix()
	_, err = assume(is.mint(t, notYet))
	mustCode(t, err, "InvalidIdentityToken")
}
