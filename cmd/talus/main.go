// Command talus is the Talus S3-compatible object storage server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"talus/internal/bench"
	"talus/internal/s3"
	"talus/internal/server"
)

const usage = `Usage: talus <command> [flags]

Commands:
  server    run the S3 server
  bench     load-test an S3 endpoint (put, get, mixed, list, multipart-put, delete)
  admin     manage users, access keys and user policies; rotate-root replaces the root credentials
  health    probe a local server's readiness (exit 0 when ready; for container health checks)
  version   print the version and commit (also --version)

Run 'talus server -h' or 'talus bench -h' for their flags.
`

var version = "dev"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = runServer(os.Args[2:])
	case "admin":
		err = runAdmin(os.Args[2:], os.Stdout)
	case "bench":
		err = bench.Main(os.Args[2:], os.Stdout, os.Stderr)
	case "health":
		err = runHealth(os.Args[2:], os.Stdout)
	case "version", "--version", "-version":
		fmt.Println("talus", versionString())
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "talus: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "talus:", err)
		os.Exit(1)
	}
}

// domains collects repeated --domain flags.
type domains []string

func (d *domains) String() string { return strings.Join(*d, ",") }
func (d *domains) Set(v string) error {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return errors.New("empty domain")
	}
	*d = append(*d, v)
	return nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func runServer(args []string) error {
	fl := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fl.String("address", env("TALUS_ADDRESS", "127.0.0.1:9000"), "listen address (env TALUS_ADDRESS)")
	data := fl.String("data", env("TALUS_DATA", "./data"), "data directory (env TALUS_DATA)")
	metaDSN := fl.String("meta", "", "metadata store: empty for the embedded SQLite database in the data directory, or postgres://user:pass@host/db?sslmode=... for PostgreSQL shared by several gateways (env TALUS_META)")
	blobsAt := fl.String("blobs", "", "default blob tier: empty for DATA/blobs, a directory (a shared file system for several gateways), or s3://host[:port]/bucket[/prefix] (HTTPS; s3:http://... for plain HTTP) in an existing S3 cluster (credentials: --blobs-credentials or TALUS_BLOBS_ACCESS_KEY and TALUS_BLOBS_SECRET_KEY)")
	blobsCreds := fl.String("blobs-credentials", "", "file holding the access key and secret key (one a line) of --blobs s3://...")
	region := fl.String("region", env("TALUS_REGION", "us-east-1"), "region name (env TALUS_REGION)")
	var doms domains
	fl.Var(&doms, "domain", "domain for virtual-hosted-style requests (bucket.DOMAIN); repeatable")
	var webDoms domains
	fl.Var(&webDoms, "website-domain", "domain of the static website endpoint (bucket.DOMAIN serves the bucket's website); repeatable")
	cert := fl.String("tls-cert", "", "TLS certificate file (PEM); reloaded on SIGHUP")
	key := fl.String("tls-key", "", "TLS private key file (PEM)")
	inline := fl.Int("inline-max", 32<<10, "largest object kept inline in the metadata store, in bytes")
	logLevel := fl.String("log-level", env("TALUS_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	pprofAddr := fl.String("pprof", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060); off by default")
	ownership := fl.String("default-object-ownership", env("TALUS_DEFAULT_OBJECT_OWNERSHIP", s3.OwnerEnforced),
		"object ownership of buckets created without x-amz-object-ownership: BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter (env TALUS_DEFAULT_OBJECT_OWNERSHIP)")
	defaultEnc := fl.String("default-encryption", env("TALUS_DEFAULT_ENCRYPTION", s3.SSES3),
		"encryption of new objects in buckets with no default encryption of their own: AES256 (SSE-S3, as S3 does) or none (env TALUS_DEFAULT_ENCRYPTION)")
	sseCHTTP := fl.Bool("allow-sse-c-over-http", false, "accept customer-provided encryption keys (SSE-C) on plain HTTP requests, which S3 refuses (only behind a TLS-terminating proxy, or for tests)")
	grace := fl.Duration("shutdown-timeout", 30*time.Second, "on SIGTERM/SIGINT, how long in-flight requests may take to finish")
	lcDay := fl.Duration("lifecycle-day", 24*time.Hour, "how long one lifecycle day lasts (a test clock: e.g. 10s makes Days: 1 mean ten seconds); lifecycle rules are applied every tenth of it")
	olapTimeout := fl.Duration("object-lambda-timeout", 60*time.Second, "how long an Object Lambda transformer has to call WriteGetObjectResponse (AWS's 60s)")
	var tiers tierFlags
	fl.Var(&tiers, "tier", "a storage tier besides the data directory: NAME=dir:/path or NAME=s3:https://host:port/bucket[/prefix] (credentials: --tier-credentials or TALUS_TIER_<NAME>_ACCESS_KEY and _SECRET_KEY); repeatable")
	classTiers := pairFlags{}
	fl.Var(classTiers, "storage-class-tier", "CLASS=NAME keeps the data of storage class CLASS (or Intelligent-Tiering archive tier ARCHIVE_ACCESS, DEEP_ARCHIVE_ACCESS) in tier NAME; unmapped classes stay in the data directory; repeatable")
	tierCreds := pairFlags{}
	fl.Var(tierCreds, "tier-credentials", "NAME=FILE reads remote tier NAME's access key and secret key (one a line) from FILE; repeatable")
	accessLogEvery := fl.Duration("access-log-interval", 5*time.Minute, "how often server access log records are delivered to target buckets")
	limits := limitFlags(fl)
	var oidcs oidcFlags
	fl.Var(&oidcs, "oidc-provider", "OpenID Connect issuer trusted by STS AssumeRoleWithWebIdentity: URL[,jwks=FILE|URL][,client-id=AUD]...; repeatable")
	journal := journalFlags(fl)
	notifications := notifyFlags(fl)
	mdt := mdtablesFlags(fl)
	logFormat := fl.String("log-format", "text", "log format: text or json")
	metricsMode := fl.String("metrics", "open", "Prometheus metrics at /_talus/metrics (and /metrics on the console address): off, open, or token (Authorization: Bearer, the token from --metrics-token-file or env TALUS_METRICS_TOKEN)")
	metricsTokenFile := fl.String("metrics-token-file", "", "file holding the metrics bearer token (with --metrics token)")
	metricsTokenValue := fl.String("metrics-token", "", "the metrics bearer token itself (with --metrics token); prefer env TALUS_METRICS_TOKEN, the config file or --metrics-token-file, since a flag shows in the process list")
	consoleAddr := fl.String("console-address", "", `web console listen address; "" means the API's host on the next port (9001 next to 9000), "off" turns the console off`)
	consoleAPI := fl.String("console-api-url", "", "the API URL as browsers reach it, when not the console's host name on the API port (behind a proxy)")
	consoleOrigin := fl.String("console-origin", "", "the console's origin as browsers see it (scheme://host:port), when not the API's host name on the console port (behind a proxy)")
	printCfg, err := parseLayered(fl, args, os.Getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if printCfg {
		return printConfig(os.Stdout, fl)
	}
	metricsToken, err := readMetricsToken(*metricsMode, *metricsTokenValue, *metricsTokenFile)
	if err != nil {
		return err
	}
	if !s3.ValidDefaultEncryption(*defaultEnc) {
		return fmt.Errorf("--default-encryption must be AES256 or none, not %q", *defaultEnc)
	}
	if !s3.ValidObjectOwnership(*ownership) {
		return fmt.Errorf("--default-object-ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not %q", *ownership)
	}
	if *grace <= 0 {
		return errors.New("--shutdown-timeout must be positive")
	}
	if *lcDay < time.Second {
		return errors.New("--lifecycle-day must be at least 1s")
	}
	if *olapTimeout <= 0 {
		return errors.New("--object-lambda-timeout must be positive")
	}
	if err := limits.check(); err != nil {
		return err
	}
	if err := mdt.check(); err != nil {
		return err
	}
	if err := journal.check(); err != nil {
		return err
	}
	if err := notifications.check(); err != nil {
		return err
	}
	if err := tierCredentials(tiers, tierCreds); err != nil {
		return err
	}
	blobs, err := blobsConfig(*blobsAt, *blobsCreds)
	if err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log, err := newLogger(*logFormat, level)
	if err != nil {
		return err
	}
	if *pprofAddr != "" {
		servePprof(*pprofAddr, log)
	}

	// Everything the server creates (metadata, blobs, temp files, keys)
	// is object data or secrets: owner only, whatever the inherited umask.
	unix.Umask(0o077)
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	ak, sk, err := rootCredentials(*data)
	if err != nil {
		return err
	}
	srv, err := server.New(mdt.apply(notifications.apply(journal.apply(limits.apply(server.Config{
		Address: *addr, DataDir: *data, Meta: *metaDSN, Blobs: blobs, Region: *region, Domains: doms, WebsiteDomains: webDoms,
		AccessKey: ak, SecretKey: sk, TLSCert: *cert, TLSKey: *key,
		InlineMax: *inline, ShutdownTimeout: *grace, LifecycleDay: *lcDay, ObjectLambdaTimeout: *olapTimeout, Logger: log,
		DefaultObjectOwnership: *ownership, AllowSSECOverHTTP: *sseCHTTP,
		DefaultEncryption: *defaultEnc, AccessLogInterval: *accessLogEvery,
		Tiers: tiers, ClassTiers: classTiers,
		Metrics: *metricsMode, MetricsToken: metricsToken, Version: versionString(),
		ConsoleAddress: consoleAddress(*consoleAddr, *addr), ConsoleAPIEndpoint: *consoleAPI, ConsoleOrigin: *consoleOrigin,
		OIDCProviders: oidcs,
	})))))
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	log.Info("talus listening", "endpoint", scheme+"://"+srv.Addr().String(), "data", *data, "region", *region, "access_key", ak)
	if a := srv.ConsoleAddr(); a != nil {
		log.Info("console listening", "console", scheme+"://"+a.String())
	}

	// The first SIGTERM or SIGINT stops accepting connections and lets
	// requests in flight finish; the process exits only after the workers
	// have stopped and the stores are closed. A second one exits at once
	// (every acknowledged write is already durable).
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	stopped := make(chan error, 1)
	go func() {
		draining := false
		for sig := range sigs {
			if sig == syscall.SIGHUP {
				if *cert == "" {
					continue
				}
				if err := srv.ReloadCertificate(); err != nil {
					log.Error("certificate reload failed", "err", err)
				} else {
					log.Info("certificate reloaded")
				}
				continue
			}
			if draining {
				log.Warn("second signal: exiting without waiting for requests", "signal", sig.String())
				os.Exit(1)
			}
			draining = true
			log.Info("shutting down", "signal", sig.String(), "grace", grace.String())
			go func() { stopped <- srv.Shutdown(context.Background()) }()
		}
	}()
	if err := srv.Serve(); err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	// Serve returns as soon as the listener closes; wait for the drain.
	if err := <-stopped; err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// servePprof serves the runtime profiles on addr, apart from the S3
// listener and without authentication: bind it to loopback.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			log.Error("pprof listener", "addr", addr, "err", err)
		}
	}()
	log.Info("pprof listening", "addr", addr)
}
