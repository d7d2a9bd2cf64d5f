// Package testserver starts a real Talus server on a random 127.0.0.1 port
// for end-to-end tests, and builds aws-sdk-go-v2 clients pointed at it.
package testserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/meta"
	"talus/internal/notify"
	"talus/internal/oidc"
	"talus/internal/server"
)

// Credentials used by every test server.
const (
	AccessKey = "AKIATALUSTEST0000001"
	SecretKey = "talus-test-secret-key-0123456789abcdefgh"
	Region    = "us-east-1"
)

// Server is a running test server.
type Server struct {
	URL    string // http://127.0.0.1:port
	Dir    string
	Region string // the server's region; Client signs for it
	srv    *server.Server
}

// Option adjusts the server configuration.
type Option func(*server.Config)

// WithDomain enables virtual-hosted-style requests for bucket.domain.
func WithDomain(d string) Option { return func(c *server.Config) { c.Domains = append(c.Domains, d) } }

// WithWebsiteDomain serves bucket.domain as the bucket's static website.
func WithWebsiteDomain(d string) Option {
	return func(c *server.Config) { c.WebsiteDomains = append(c.WebsiteDomains, d) }
}

// WithInlineMax sets the inline threshold.
func WithInlineMax(n int) Option { return func(c *server.Config) { c.InlineMax = n } }

// WithDefaultObjectOwnership sets the object ownership of new buckets.
func WithDefaultObjectOwnership(v string) Option {
	return func(c *server.Config) { c.DefaultObjectOwnership = v }
}

// WithSSECOverHTTP lets customer keys (SSE-C) travel on plain HTTP, as
// --allow-sse-c-over-http does.
func WithSSECOverHTTP() Option { return func(c *server.Config) { c.AllowSSECOverHTTP = true } }

// WithDefaultEncryption sets the encryption of new objects in buckets
// without their own, as --default-encryption does ("AES256" or "none").
func WithDefaultEncryption(v string) Option {
	return func(c *server.Config) { c.DefaultEncryption = v }
}

// WithDir uses dir as the data directory (to restart over the same data).
func WithDir(dir string) Option { return func(c *server.Config) { c.DataDir = dir } }

// WithReplicationMultipart makes replication write versions over
// threshold bytes as multipart uploads of partSize parts.
func WithReplicationMultipart(threshold, partSize int64) Option {
	return func(c *server.Config) { c.ReplicationMultipartThreshold, c.ReplicationPartSize = threshold, partSize }
}

// WithLifecycleDay makes one lifecycle day last d (a test clock).
func WithLifecycleDay(d time.Duration) Option { return func(c *server.Config) { c.LifecycleDay = d } }

// WithMetadataTableInterval sets how often the S3 Metadata tables are written.
func WithMetadataTableInterval(d time.Duration) Option {
	return func(c *server.Config) { c.MetadataTableInterval = d }
}

// WithJournalRetention bounds the change journal.
func WithJournalRetention(r meta.JournalRetention) Option {
	return func(c *server.Config) { c.JournalRetention = r }
}

// WithTier adds a storage tier, as --tier does.
func WithTier(t server.TierConfig) Option {
	return func(c *server.Config) { c.Tiers = append(c.Tiers, t) }
}

// WithClassTier keeps a storage class's data in a tier, as
// --storage-class-tier does.
func WithClassTier(class, tier string) Option {
	return func(c *server.Config) {
		if c.ClassTiers == nil {
			c.ClassTiers = map[string]string{}
		}
		c.ClassTiers[class] = tier
	}
}

// WithObjectLambdaTimeout sets how long an Object Lambda transformer has to
// answer, as --object-lambda-timeout does.
func WithObjectLambdaTimeout(d time.Duration) Option {
	return func(c *server.Config) { c.ObjectLambdaTimeout = d }
}

// WithExpressSessionDuration shortens CreateSession's credentials.
func WithExpressSessionDuration(d time.Duration) Option {
	return func(c *server.Config) { c.ExpressSessionDuration = d }
}

// WithRegion sets the server's region (us-east-1 unless set).
func WithRegion(r string) Option { return func(c *server.Config) { c.Region = r } }

// WithOIDCProvider trusts an OpenID Connect issuer for web identity.
func WithOIDCProvider(p oidc.Provider) Option {
	return func(c *server.Config) { c.OIDCProviders = append(c.OIDCProviders, p) }
}

// WithNotify configures event notification targets, as --notify-config does.
func WithNotify(f *notify.File) Option { return func(c *server.Config) { c.Notify = f } }

// WithAccessLogInterval sets how often access log records are delivered.
func WithAccessLogInterval(d time.Duration) Option {
	return func(c *server.Config) { c.AccessLogInterval = d }
}

// Start starts a server and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	level := slog.LevelWarn
	if os.Getenv("TALUS_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	cfg := server.Config{
		Address:   "127.0.0.1:0",
		DataDir:   t.TempDir(),
		Region:    Region,
		AccessKey: AccessKey,
		SecretKey: SecretKey,
		InlineMax: 32 << 10,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Meta == "" {
		cfg.Meta = metaDSN(t, cfg.DataDir)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	s := &Server{URL: "http://" + srv.Addr().String(), Dir: cfg.DataDir, Region: cfg.Region, srv: srv}
	t.Cleanup(func() { s.Stop(t) })
	// Serve sets readiness before accepting; wait for it, keeping no
	// connection open (it would hold one of MaxConnections).
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := probe.Get(s.URL + "/_talus/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// Stop shuts the server down; calling it twice is harmless.
func (s *Server) Stop(t testing.TB) {
	if err := s.srv.Shutdown(context.Background()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// Server returns the underlying server (for Sweep and the like).
func (s *Server) Server() *server.Server { return s.srv }

// Client returns an S3 client for the server, path-style by default.
func (s *Server) Client(opts ...func(*s3.Options)) *s3.Client {
	if s.Region != Region {
		opts = append([]func(*s3.Options){func(o *s3.Options) { o.Region = s.Region }}, opts...)
	}
	return NewClient(s.URL, AccessKey, SecretKey, opts...)
}

// NewClient returns an S3 client for any endpoint.
func NewClient(endpoint, ak, sk string, opts ...func(*s3.Options)) *s3.Client {
	// Checksum settings as config.LoadDefaultConfig resolves them, so tests
	// see what a default SDK client sends (CRC32 on uploads) and validates.
	cfg := aws.Config{
		Region:                     Region,
		Credentials:                credentials.NewStaticCredentialsProvider(ak, sk, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1
	}}, opts...)...)
}

// WithConsole serves the web console on a kernel-chosen port.
func WithConsole() Option { return func(c *server.Config) { c.ConsoleAddress = "127.0.0.1:0" } }

// WithMetrics serves /_talus/metrics: "open", or "token" with the token.
func WithMetrics(mode, token string) Option {
	return func(c *server.Config) { c.Metrics, c.MetricsToken = mode, token }
}

// IAMCall sends one IAM query-API request to endpoint, signed with the
// keys, and returns the status and body.
func IAMCall(t testing.TB, endpoint, ak, sk string, params url.Values) (int, string) {
	t.Helper()
	params.Set("Version", "2010-05-08")
	body := params.Encode()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
