// Command talus is the Talus S3-compatible object storage server.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"talus/internal/bench"
	"talus/internal/fsutil"
	"talus/internal/iam"
	"talus/internal/server"
)

const usage = `Usage: talus <command> [flags]

Commands:
  server    run the S3 server
  bench     load-test an S3 endpoint (put, get, mixed, list, multipart-put, delete)
  admin     manage users, access keys and user policies
  version   print the version

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
	case "version":
		fmt.Println("talus", version)
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
	region := fl.String("region", env("TALUS_REGION", "us-east-1"), "region name (env TALUS_REGION)")
	var doms domains
	fl.Var(&doms, "domain", "domain for virtual-hosted-style requests (bucket.DOMAIN); repeatable")
	cert := fl.String("tls-cert", "", "TLS certificate file (PEM); reloaded on SIGHUP")
	key := fl.String("tls-key", "", "TLS private key file (PEM)")
	inline := fl.Int("inline-max", 32<<10, "largest object kept inline in the metadata store, in bytes")
	logLevel := fl.String("log-level", env("TALUS_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	pprofAddr := fl.String("pprof", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060); off by default")
	limits := limitFlags(fl)
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if err := limits.check(); err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *pprofAddr != "" {
		servePprof(*pprofAddr, log)
	}

	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	ak, sk, err := rootCredentials(*data)
	if err != nil {
		return err
	}
	srv, err := server.New(limits.apply(server.Config{
		Address: *addr, DataDir: *data, Region: *region, Domains: doms,
		AccessKey: ak, SecretKey: sk, TLSCert: *cert, TLSKey: *key,
		InlineMax: *inline, Logger: log,
	}))
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

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
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
			log.Info("shutting down", "signal", sig.String())
			if err := srv.Shutdown(context.Background()); err != nil {
				log.Warn("shutdown", "err", err)
			}
			return
		}
	}()
	return srv.Serve()
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

// rootCredentials returns the root key pair: from the environment, else
// from the data directory, else freshly generated, stored 0600 and printed once.
func rootCredentials(dir string) (string, string, error) {
	ak, sk := os.Getenv("TALUS_ROOT_ACCESS_KEY"), os.Getenv("TALUS_ROOT_SECRET_KEY")
	if ak != "" || sk != "" {
		if ak == "" || sk == "" {
			return "", "", errors.New("set both TALUS_ROOT_ACCESS_KEY and TALUS_ROOT_SECRET_KEY, or neither")
		}
		if len(ak) < 3 || len(sk) < 8 {
			return "", "", errors.New("TALUS_ROOT_ACCESS_KEY needs at least 3 characters and TALUS_ROOT_SECRET_KEY at least 8")
		}
		return ak, sk, nil
	}
	path := filepath.Join(dir, "root-credentials.json")
	var c struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &c); err != nil || c.AccessKey == "" || c.SecretKey == "" {
			return "", "", fmt.Errorf("%s is damaged; remove it to generate new root credentials", path)
		}
		return c.AccessKey, c.SecretKey, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", "", err
	}
	c.AccessKey = "TL" + iam.RandomString(18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
	c.SecretKey = iam.RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
	b, _ = json.MarshalIndent(c, "", "  ")
	if err := fsutil.WriteFileAtomic(path, append(b, '\n'), 0o600); err != nil {
		return "", "", err
	}
	fmt.Fprintf(os.Stderr, "Generated root credentials (kept in %s, mode 0600):\n  access key: %s\n  secret key: %s\n", path, c.AccessKey, c.SecretKey)
	return c.AccessKey, c.SecretKey, nil
}
