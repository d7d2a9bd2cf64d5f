// Package server wires the stores, the S3 API and the background workers
// into a running HTTP(S) server with graceful shutdown.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"talus/internal/accesslog"
	"talus/internal/blob"
	"talus/internal/blob/tiered"
	"talus/internal/cachebus"
	"talus/internal/iam"
	"talus/internal/iamapi"
	"talus/internal/kms"
	"talus/internal/kmsapi"
	"talus/internal/mdtables"
	"talus/internal/meta"
	"talus/internal/notify"
	"talus/internal/oidc"
	"talus/internal/policy"
	"talus/internal/replicate"
	"talus/internal/reqmetrics"
	"talus/internal/s3"
	"talus/internal/s3api"
	"talus/internal/space"
	"talus/internal/worker"
)

// Config is everything a server needs.
type Config struct {
	Address string
	// DataDir holds this gateway's own files (lock, master key copy,
	// access log spool) and, by default, the metadata and the blobs.
	DataDir string
	// Meta is the metadata store: "" is the embedded SQLite database in
	// the data directory, postgres://... a PostgreSQL database that
	// several gateways may share.
	Meta string
	// Blobs is the default blob tier (see BlobsConfig).
	Blobs   BlobsConfig
	Region  string
	Domains []string
	// WebsiteDomains are the website endpoint domains: bucket.DOMAIN on
	// the same listener serves the bucket's static website.
	WebsiteDomains []string
	AccessKey      string
	SecretKey      string
	TLSCert        string
	TLSKey         string
	// InlineMax is the largest object stored inside its metadata row.
	InlineMax int
	// DefaultObjectOwnership is the object ownership of new buckets created
	// without x-amz-object-ownership ("" means BucketOwnerEnforced).
	DefaultObjectOwnership string
	// AllowSSECOverHTTP accepts customer keys (SSE-C) on plain HTTP.
	AllowSSECOverHTTP bool
	// DefaultEncryption is the encryption of new objects in buckets
	// without a configuration of their own: "AES256" (or "", S3's SSE-S3)
	// or "none".
	DefaultEncryption string
	// ShutdownTimeout bounds how long in-flight requests may finish.
	ShutdownTimeout time.Duration
	// SweepInterval and SweepGrace drive the orphan blob sweeper.
	SweepInterval time.Duration
	SweepGrace    time.Duration
	Logger        *slog.Logger
	// ReplicationMultipartThreshold and ReplicationPartSize: replication
	// writes versions larger than the threshold with multipart uploads of
	// parts of that size (defaults 5 GiB and 64 MiB).
	ReplicationMultipartThreshold, ReplicationPartSize int64
	// LifecycleDay is how long one lifecycle day lasts (default 24h; a
	// test clock shortens it). Lifecycle passes run every tenth of it.
	LifecycleDay time.Duration
	// ObjectLambdaTimeout is how long an Object Lambda transformer has to
	// answer a GET (default 60s, AWS's).
	ObjectLambdaTimeout time.Duration
	// ExpressSessionDuration is how long CreateSession's credentials last
	// (0: five minutes, as S3; tests shorten it).
	ExpressSessionDuration time.Duration
	// JournalRetention bounds the change journal (zero fields: meta's defaults).
	JournalRetention meta.JournalRetention
	// Notify configures the event notification targets (nil: none).
	Notify *notify.File
	// Tiers are the storage tiers besides the data directory, and
	// ClassTiers maps a storage class (or Intelligent-Tiering archive
	// tier) to the tier that holds its data; unmapped classes stay in the
	// data directory.
	Tiers      []TierConfig
	ClassTiers map[string]string
	// MetadataTableInterval is the S3 Metadata tables' freshness and
	// MetadataTableCompaction their compaction interval (0: defaults).
	MetadataTableInterval, MetadataTableCompaction time.Duration

	// Disk space and slow clients (space.go, conn.go); zero values turn each off.
	// MinFreeSpace: below it, writes of new data get 507 InsufficientStorage.
	MinFreeSpace space.Threshold
	// SpaceReserve is the size of the reserve file released when the disk fills.
	SpaceReserve int64
	// Statfs replaces the file-system usage probe (tests).
	Statfs func(dir string) (space.Usage, error)
	// IdleTimeout bounds how long a request body or a response may stall.
	IdleTimeout time.Duration
	// MaxConnections bounds open client connections; more wait to be accepted.
	MaxConnections int

	// Metrics serves Prometheus metrics at /_talus/metrics: "" or "off"
	// (not served), "open", or "token" (Authorization: Bearer MetricsToken).
	Metrics      string
	MetricsToken string
	// Version is the build's version, reported in metrics.
	Version string

	// ConsoleAddress is the web console's listen address ("" turns it off).
	ConsoleAddress string
	// ConsoleAPIEndpoint is the API URL as browsers reach it, when it is
	// not the console's host name on the API's port (behind a proxy).
	ConsoleAPIEndpoint string
	// ConsoleOrigin is the console's origin as browsers see it, when it is
	// not the API's host name on the console's port.
	ConsoleOrigin string
	// OIDCProviders are the issuers STS AssumeRoleWithWebIdentity trusts.
	OIDCProviders []oidc.Provider
	// AccessLogInterval is how often access log records are delivered (default 5m).
	AccessLogInterval time.Duration
}

// Server is a running Talus server.
type Server struct {
	cfg      Config
	log      *slog.Logger
	meta     meta.Store
	blobs    blob.Store
	space    *space.Guard
	lock     *os.File
	http     *http.Server
	ln       net.Listener
	cert     atomic.Pointer[tls.Certificate]
	ready    atomic.Bool
	workers  *worker.Pool
	bus      *cachebus.Bus
	shutdown sync.Once
	keys     *kms.Local

	metrics     http.Handler
	consoleLn   net.Listener
	consoleHTTP *http.Server
	ids         *iam.Resolver
	repl        *replicate.Replicator
	notify      *notify.Service
	reports     reports
	reqMetrics  *reqmetrics.Collector
	mdtables    *mdtables.Worker
}

// Identities returns the server's credential resolver (for tests: its
// clock decides session expiry).
func (s *Server) Identities() *iam.Resolver { return s.ids }

// KMS returns the server's key service (for administration and tests).
func (s *Server) KMS() *kms.Local { return s.keys }

// New opens the data directory and stores. Call Serve to start serving.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = 6 * time.Hour
	}
	if cfg.SweepGrace == 0 {
		cfg.SweepGrace = time.Hour
	}
	if cfg.LifecycleDay <= 0 {
		cfg.LifecycleDay = 24 * time.Hour
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if v := cfg.DefaultObjectOwnership; v != "" && !s3.ValidObjectOwnership(v) {
		return nil, fmt.Errorf("server: default object ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not %q", v)
	}
	if !s3.ValidDefaultEncryption(cfg.DefaultEncryption) {
		return nil, fmt.Errorf("server: default encryption must be AES256 or none, not %q", cfg.DefaultEncryption)
	}
	switch cfg.Metrics {
	case "", "off", "open":
	case "token":
		if cfg.MetricsToken == "" {
			return nil, errors.New("server: metrics behind a token need the token")
		}
	default:
		return nil, fmt.Errorf("server: metrics must be off, open or token, not %q", cfg.Metrics)
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("server: root credentials are required")
	}
	tiers, err := openTiers(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	lock, err := lockDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s.lock = lock
	s.openSpace()
	if err := s.openMeta(); err != nil {
		s.closeStores()
		return nil, err
	}
	s.workers = worker.New(worker.Config{Leases: s.meta, Owner: gatewayID(cfg.DataDir), Logger: s.log})
	s.bus = cachebus.New(s.meta, s.log)
	if s.blobs, err = s.openBlobs(); err != nil {
		s.closeStores()
		return nil, err
	}
	ts, err := tiered.New(s.blobs, tiers)
	if err != nil {
		s.closeStores()
		return nil, err
	}
	s.blobs = ts
	sealer, owner, err := s.openRoot(context.Background())
	if err != nil {
		s.closeStores()
		return nil, err
	}
	if err := iam.EnsureAdminAccount(context.Background(), s.meta, owner, time.Now().UTC()); err != nil {
		s.closeStores()
		return nil, err
	}
	ids := iam.NewResolver(cfg.AccessKey, cfg.SecretKey, sealer, s.meta)
	keys, err := openKMS(cfg.DataDir, cfg.Region, s.meta)
	if err != nil {
		s.closeStores()
		return nil, err
	}
	s.keys = keys
	s.wireCaches(ids, keys)
	if err := s.openReports(); err != nil {
		s.closeStores()
		return nil, err
	}
	if err := s.openNotify(); err != nil {
		s.closeStores()
		return nil, err
	}
	s.reqMetrics = reqmetrics.New()
	api := s3api.New(s3api.Config{
		Region:         cfg.Region,
		Domains:        cfg.Domains,
		WebsiteDomains: cfg.WebsiteDomains,
		Identities:     ids,
		KMS:            keys,
		InlineMax:      cfg.InlineMax,
		Space:          s.space,
		LifecycleDay:   cfg.LifecycleDay,
		ClassTier:      s.classTier,
		Logger:         cfg.Logger,
		Notifier:       s.notify,

		DefaultObjectOwnership: cfg.DefaultObjectOwnership,
		AllowSSECOverHTTP:      cfg.AllowSSECOverHTTP,
		DefaultEncryption:      cfg.DefaultEncryption,
		AccessLog:              s.reports.accessLog,
		Analytics:              s.reports.counters,
		RequestMetrics:         s.reqMetrics,
		MetadataTablesWake:     func() { s.workers.Trigger(mdtables.JobName) },
		ObjectLambdaTimeout:    cfg.ObjectLambdaTimeout,
		ExpressSessionDuration: cfg.ExpressSessionDuration,
	}, s.meta, s.blobs)
	s.repl = s.newReplicator(api, ids)
	s.reports.api = api
	s.mdtables = s.newMetadataTables(api)
	mux := http.NewServeMux()
	mux.HandleFunc("/_talus/health/live", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/_talus/health/ready", func(w http.ResponseWriter, r *http.Request) {
		if s.ready.Load() {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	if s.metrics = s.metricsHandler(); s.metrics != nil {
		mux.Handle("/_talus/metrics", s.metrics)
	}
	iamHandler := iamapi.New(s.meta, ids, func(doc string) error {
		_, err := policy.Parse([]byte(doc), policy.IdentityPolicy, "")
		return err
	}, cfg.Logger)
	if len(cfg.OIDCProviders) > 0 {
		iamHandler.SetWebIdentity(oidc.New(cfg.OIDCProviders))
	}
	s.ids = ids
	if fi, err := os.Stat(filepath.Join(cfg.DataDir, keysDir, masterKeyFile)); err == nil {
		iamHandler.AccountCreated = fi.ModTime()
	}
	iamHandler.SetReplication(s.repl)
	s.http = &http.Server{
		Handler:           accesslog.Middleware(s.withConsoleCORS(withIdleBody(route(mux, iamHandler, kmsapi.New(keys, ids, cfg.Logger), s.mdtables.Catalog(ids, cfg.Region), api), cfg.IdleTimeout)), cfg.Logger),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		if err := s.ReloadCertificate(); err != nil {
			s.closeStores()
			return nil, err
		}
		s.http.TLSConfig = &tls.Config{
			MinVersion: tls.VersionTLS12,
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
				return s.cert.Load(), nil
			},
		}
	}
	return s, nil
}

// route sends /_talus/ to the internal mux, IAM query requests to the IAM
// API, KMS JSON requests to the KMS API, Iceberg REST catalog requests
// (under /iceberg/v1/, signed for s3tables) to the catalog and everything
// else to S3. Bucket
// names cannot contain '_', so the prefix never shadows a bucket, and S3
// has no form-encoded POST, nor one with X-Amz-Target, on "/".
func route(internal *http.ServeMux, iamHandler, kmsHandler, catalog, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case len(r.URL.Path) >= 8 && r.URL.Path[:8] == "/_talus/":
			rec := accesslog.From(r.Context())
			rec.API = "internal"
			if h, pattern := internal.Handler(r); h != nil && pattern != "" {
				rec.Operation = pattern[8:]
			}
			internal.ServeHTTP(w, r)
		case iamapi.Is(r):
			iamHandler.ServeHTTP(w, r)
		case kmsapi.Is(r):
			kmsHandler.ServeHTTP(w, r)
		case mdtables.IsCatalogRequest(r):
			catalog.ServeHTTP(w, r)
		default:
			api.ServeHTTP(w, r)
		}
	})
}

// ReloadCertificate loads the TLS key pair again (on SIGHUP).
func (s *Server) ReloadCertificate() error {
	cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
	if err != nil {
		return fmt.Errorf("server: load TLS key pair: %w", err)
	}
	s.cert.Store(&cert)
	return nil
}

// Listen binds the address; Addr is valid afterwards.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Address)
	if err != nil {
		return err
	}
	s.ln = newLimitListener(ln, s.cfg.MaxConnections, s.cfg.IdleTimeout)
	if err := s.openConsole(); err != nil {
		s.ln.Close()
		return err
	}
	return nil
}

// Addr returns the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve serves until Shutdown. It returns nil after a clean shutdown.
func (s *Server) Serve() error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	s.bus.Start()
	s.startWorkers()
	s.serveConsole()
	s.ready.Store(true)
	var err error
	if s.http.TLSConfig != nil {
		err = s.http.ServeTLS(s.ln, "", "")
	} else {
		err = s.http.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting, lets in-flight requests finish within the
// configured bound, stops workers and closes the stores.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.shutdown.Do(func() {
		s.ready.Store(false)
		ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
		defer cancel()
		if s.consoleHTTP != nil {
			s.consoleHTTP.Close()
			s.consoleLn.Close()
		}
		err = s.http.Shutdown(ctx)
		if err != nil {
			s.http.Close()
		}
		s.workers.Stop()
		s.bus.Stop()
		s.notify.Close()
		err = errors.Join(err, s.closeReports(), s.closeStores())
	})
	return err
}

func (s *Server) closeStores() error {
	var errs []error
	if s.meta != nil {
		errs = append(errs, s.meta.Close())
	}
	if s.blobs != nil {
		errs = append(errs, s.blobs.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// lockDir takes an exclusive lock so two servers never share a data directory.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "talus.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("server: data directory %s is in use by another process", dir)
	}
	return f, nil
}
