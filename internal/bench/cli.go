package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const cliUsage = `Usage: talus bench [WORKLOAD] [flags]

Load generator for any S3 endpoint. WORKLOAD (or --workload) is one of:
  put            PUT objects of --size (new keys, or cycling over --objects keys)
  get            GET random objects of a prepared set of --objects
  mixed          get/put/delete by --mix weights over a prepared set
  list           ListObjectsV2 pages of 1,000 over --objects prepared keys
  multipart-put  multipart uploads of --size in --part-size parts, --concurrency parts in flight
  delete         DELETE each of --objects prepared objects once

The run lasts --duration, or until --ops operations are done. A progress line
goes to stderr every second on a terminal (or with --progress); the final
table (or --json object) goes to stdout. Objects, and the bucket if the run
created it, are removed afterwards unless --keep.

Flags:
`

// Main is the "talus bench" command: it parses args, runs the workload and
// prints the report. "talus bench compare" runs it against two endpoints.
func Main(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "compare" {
		return compareMain(args[1:], stdout, stderr)
	}
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, cliUsage)
		fl.PrintDefaults()
	}
	parse := configFlags(fl)
	jsonOut := fl.Bool("json", false, "print the result as one JSON object instead of the table")
	progress := fl.Bool("progress", false, "print progress lines on stderr even when it is not a terminal")
	serverPID := fl.Int("server-pid", 0, "sample this local process's RSS (/proc/PID/status): idle before, peak during")
	cfg, err := parse(args)
	if err != nil || cfg == nil {
		return err
	}
	cfg.ServerPID = *serverPID
	tty := isTerminal(stderr)
	if tty || *progress {
		cfg.Progress, cfg.ProgressTTY = stderr, tty
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := Run(ctx, *cfg)
	if res != nil {
		var werr error
		if *jsonOut {
			werr = res.WriteJSON(stdout)
		} else {
			werr = res.WriteTable(stdout)
		}
		if err == nil {
			err = werr
		}
	}
	return err
}

// configFlags defines the workload flags on fl; the returned function
// parses args (an optional workload name first) into a Config. It returns
// a nil Config and no error when -h asked for help.
func configFlags(fl *flag.FlagSet) func(args []string) (*Config, error) {
	ak, sk := os.Getenv("TALUS_ROOT_ACCESS_KEY"), os.Getenv("TALUS_ROOT_SECRET_KEY")
	if ak == "" && sk == "" {
		ak, sk = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	}
	cfg := &Config{}
	fl.StringVar(&cfg.Workload, "workload", WorkloadPut, "workload: "+strings.Join(workloads, ", "))
	cfg.Endpoint = envOr("http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
	fl.Var(&endpointList{cfg: cfg}, "endpoint", "S3 endpoint URL (env AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL); repeat it (or separate with commas) for the gateways of one cluster: connections go to each in turn")
	fl.StringVar(&cfg.AccessKey, "access-key", ak, "access key (env TALUS_ROOT_ACCESS_KEY, else AWS_ACCESS_KEY_ID)")
	fl.StringVar(&cfg.SecretKey, "secret-key", sk, "secret key (env TALUS_ROOT_SECRET_KEY, else AWS_SECRET_ACCESS_KEY)")
	fl.StringVar(&cfg.Region, "region", envOr("us-east-1", "TALUS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"), "region to sign for")
	fl.StringVar(&cfg.Bucket, "bucket", "talus-bench", "bucket; created if missing, and then removed after the run unless --keep")
	fl.StringVar(&cfg.Prefix, "prefix", "talus-bench/", "key prefix; keys are PREFIX+WORKLOAD/NUMBER")
	fl.BoolVar(&cfg.PathStyle, "path-style", true, "path-style addressing; --path-style=false for virtual-hosted style (BUCKET.HOST)")
	vhost := fl.Bool("virtual-host", false, "virtual-hosted-style addressing (same as --path-style=false)")
	fl.StringVar(&cfg.ConnectTo, "connect-to", "", "connect to this host:port whatever the request's host name (virtual hosts without DNS)")
	fl.BoolVar(&cfg.Insecure, "insecure", false, "do not verify the TLS certificate")
	size := fl.String("size", "", "object size, e.g. 4KiB, 16MiB, 1.5GB (default 4KiB; list 0; multipart-put 64MiB)")
	partSize := fl.String("part-size", "5MiB", "multipart part size")
	chunkSize := fl.String("chunk-size", "64KiB", "chunk size of --payload streaming")
	fl.IntVar(&cfg.Objects, "objects", 0, "prepared set size (get 100, or 2x concurrency from 1 MiB; mixed likewise; list 10000; delete 1000); put: cycle over this many keys (default: a new key per PUT)")
	fl.IntVar(&cfg.Concurrency, "concurrency", 16, "concurrent requests (multipart-put: parts in flight per upload)")
	fl.IntVar(&cfg.Uploads, "uploads", 1, "multipart-put: concurrent uploads")
	fl.IntVar(&cfg.PrepareConcurrency, "prepare-concurrency", 0, "concurrency preparing objects (default max(concurrency, 32) below 1 MiB, else concurrency)")
	fl.DurationVar(&cfg.Duration, "duration", 0, "length of the measured phase (default 10s unless --ops is given; delete: until the set is gone)")
	fl.Int64Var(&cfg.Ops, "ops", 0, "stop after this many operations")
	fl.StringVar(&cfg.Payload, "payload", payloadUnsigned, "body signing: unsigned (UNSIGNED-PAYLOAD), signed (SHA-256 of the body), streaming (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)")
	mix := fl.String("mix", "get=70,put=20,delete=10", "mixed: operation weights")
	fl.StringVar(&cfg.SSE, "sse", "", "server-side encryption of written objects: AES256 (SSE-S3) or aws:kms (SSE-KMS with the default key); default none")
	fl.Uint64Var(&cfg.Seed, "seed", 1, "seed of the object data and of key choice")
	fl.BoolVar(&cfg.Keep, "keep", false, "do not delete the objects (or the bucket) afterwards")
	fl.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "per-request timeout")
	return func(args []string) (*Config, error) {
		var err error
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			cfg.Workload = args[0]
			args = args[1:]
		}
		if err := fl.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, nil
			}
			return nil, err
		}
		if fl.NArg() > 0 {
			return nil, fmt.Errorf("unexpected argument %q (the workload goes first)", fl.Arg(0))
		}
		if *vhost {
			cfg.PathStyle = false
		}
		cfg.Size = -1
		if *size != "" {
			if cfg.Size, err = ParseSize(*size); err != nil {
				return nil, fmt.Errorf("--size: %w", err)
			}
		}
		if cfg.PartSize, err = ParseSize(*partSize); err != nil || cfg.PartSize == 0 {
			return nil, fmt.Errorf("--part-size: bad size %q", *partSize)
		}
		cs, err := ParseSize(*chunkSize)
		if err != nil || cs == 0 || cs > 1<<30 {
			return nil, fmt.Errorf("--chunk-size: bad size %q", *chunkSize)
		}
		cfg.ChunkSize = int(cs)
		if cfg.Mix, err = ParseMix(*mix); err != nil {
			return nil, fmt.Errorf("--mix: %w", err)
		}
		return cfg, nil
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// endpointList collects --endpoint: the first one replaces the default,
// later ones are appended (comma-separated in Config.Endpoint).
type endpointList struct {
	cfg *Config
	set bool
}

func (e *endpointList) String() string {
	if e.cfg == nil {
		return ""
	}
	return e.cfg.Endpoint
}

func (e *endpointList) Set(v string) error {
	if !e.set {
		e.cfg.Endpoint, e.set = v, true
	} else {
		e.cfg.Endpoint += "," + v
	}
	return nil
}
