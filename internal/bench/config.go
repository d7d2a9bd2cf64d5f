package bench

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Workloads.
const (
	WorkloadPut       = "put"
	WorkloadGet       = "get"
	WorkloadMixed     = "mixed"
	WorkloadList      = "list"
	WorkloadMultipart = "multipart-put"
	WorkloadDelete    = "delete"
)

var workloads = []string{WorkloadPut, WorkloadGet, WorkloadMixed, WorkloadList, WorkloadMultipart, WorkloadDelete}

// Config is one benchmark run. Zero values take the defaults documented on
// each field (Defaults fills them in).
type Config struct {
	Workload  string // put, get, mixed, list, multipart-put, delete
	Endpoint  string // http(s)://host[:port]
	AccessKey string
	SecretKey string
	Region    string // default us-east-1
	Bucket    string // default talus-bench; created (and removed after) if missing
	Prefix    string // key prefix, default "talus-bench/"; keys are Prefix+workload+"/"+n
	PathStyle bool   // path-style (true) or virtual-hosted-style (false) addressing
	ConnectTo string // dial this host:port whatever the URL host (virtual hosts without DNS)
	Insecure  bool   // skip TLS certificate verification

	Size        int64         // object size; -1 = workload default (list 0, multipart-put 64 MiB, else 4 KiB)
	PartSize    int64         // multipart part size, default 5 MiB
	Objects     int           // prepared set (get, mixed, list, delete) or key cycle (put); 0 = workload default
	Concurrency int           // workers (multipart-put: parts in flight per upload); default 16
	Uploads     int           // multipart-put: concurrent uploads, default 1
	Duration    time.Duration // measured phase length; 0 with Ops > 0 = until Ops are done
	Ops         int64         // stop after this many operations (0 = no limit)
	Payload     string        // unsigned (default), signed or streaming
	ChunkSize   int           // aws-chunked chunk size, default 64 KiB
	Mix         Mix           // mixed: operation weights, default get 70, put 20, delete 10
	Seed        uint64        // data and key choice, default 1
	SSE         string        // server-side encryption of writes: "" (none), AES256, aws:kms
	Keep        bool          // leave objects (and the bucket) behind
	Timeout     time.Duration // per request, default 5m

	PrepareConcurrency int // workers preparing objects; default max(Concurrency, 32) under 1 MiB objects

	ServerPID int // sample this process's RSS (Linux /proc)

	// Progress, if non-nil, receives a status line every ProgressInterval
	// (default 1s); ProgressTTY rewrites one line instead of appending.
	Progress         io.Writer
	ProgressTTY      bool
	ProgressInterval time.Duration
}

// Mix is the mixed workload's operation weights (percentages or any ratio).
type Mix struct{ Get, Put, Delete int }

func (m Mix) String() string {
	return fmt.Sprintf("get=%d,put=%d,delete=%d", m.Get, m.Put, m.Delete)
}

// ParseMix parses "get=70,put=20,delete=10" (missing entries are 0).
func ParseMix(s string) (Mix, error) {
	var m Mix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < 0 {
			return m, fmt.Errorf("bad mix entry %q: want op=weight", part)
		}
		switch strings.TrimSpace(k) {
		case "get":
			m.Get = n
		case "put":
			m.Put = n
		case "delete":
			m.Delete = n
		default:
			return m, fmt.Errorf("bad mix entry %q: ops are get, put, delete", part)
		}
	}
	if m.Get+m.Put+m.Delete == 0 {
		return m, errors.New("mix has no weight")
	}
	return m, nil
}

// Defaults fills in unset fields and checks the rest.
func (c *Config) Defaults() error {
	ok := false
	for _, w := range workloads {
		ok = ok || c.Workload == w
	}
	if !ok {
		return fmt.Errorf("unknown workload %q (want one of %s)", c.Workload, strings.Join(workloads, ", "))
	}
	if c.Endpoint == "" {
		c.Endpoint = "http://127.0.0.1:9000"
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		return errors.New("no credentials: set --access-key and --secret-key (or TALUS_ROOT_ACCESS_KEY/TALUS_ROOT_SECRET_KEY, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)")
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Bucket == "" {
		c.Bucket = "talus-bench"
	}
	if c.Prefix == "" {
		c.Prefix = "talus-bench/"
	}
	if c.Size < 0 {
		switch c.Workload {
		case WorkloadList:
			c.Size = 0
		case WorkloadMultipart:
			c.Size = 64 << 20
		default:
			c.Size = 4 << 10
		}
	}
	if c.PartSize == 0 {
		c.PartSize = 5 << 20
	}
	if c.PartSize < 0 {
		return errors.New("--part-size must be positive")
	}
	if c.Workload == WorkloadMultipart {
		if c.Size == 0 {
			return errors.New("multipart-put needs --size > 0")
		}
		if (c.Size+c.PartSize-1)/c.PartSize > 10000 {
			return errors.New("--size / --part-size exceeds 10,000 parts")
		}
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.Uploads <= 0 {
		c.Uploads = 1
	}
	if c.Objects < 0 || c.Ops < 0 || c.Duration < 0 {
		return errors.New("--objects, --ops and --duration must not be negative")
	}
	if c.Objects == 0 {
		switch c.Workload {
		case WorkloadGet, WorkloadMixed:
			c.Objects = 100
			if c.Size >= 1<<20 {
				c.Objects = max(4, 2*c.Concurrency)
			}
		case WorkloadList:
			c.Objects = 10000
		case WorkloadDelete:
			c.Objects = 1000
		}
	}
	if c.Duration == 0 && c.Ops == 0 {
		c.Duration = 10 * time.Second
		if c.Workload == WorkloadDelete {
			c.Duration = 0 // until the prepared set is gone
		}
	}
	switch c.Payload {
	case "":
		c.Payload = payloadUnsigned
	case payloadUnsigned, payloadSigned, payloadStreaming:
	default:
		return fmt.Errorf("--payload %q: want unsigned, signed or streaming", c.Payload)
	}
	switch c.SSE {
	case "", "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return fmt.Errorf("--sse %q: want AES256 or aws:kms", c.SSE)
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = 64 << 10
	}
	if c.ChunkSize < 1 {
		return errors.New("--chunk-size must be positive")
	}
	if c.Mix == (Mix{}) {
		c.Mix = Mix{Get: 70, Put: 20, Delete: 10}
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Minute
	}
	if c.PrepareConcurrency <= 0 {
		c.PrepareConcurrency = c.Concurrency
		if c.Size < 1<<20 {
			c.PrepareConcurrency = max(c.Concurrency, 32)
		}
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = time.Second
	}
	return nil
}

// ParseSize parses a byte count: a number (decimals allowed) with an
// optional unit. Binary units: K, KI, KIB (1024), M, MI, MIB, G, GI, GIB, T,
// TI, TIB; decimal units: KB (1000), MB, GB, TB; B or none for bytes. Case
// does not matter; a space before the unit is allowed.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	if num == "" {
		return 0, fmt.Errorf("bad size %q", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "ki": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mi": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gi": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "ti": 1 << 40, "tib": 1 << 40, "tb": 1e12,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("bad size %q: unknown unit %q", s, unit)
	}
	v *= mult
	if v > math.MaxInt64/2 || v != math.Trunc(v) {
		return 0, fmt.Errorf("bad size %q: not a whole number of bytes below 4 EiB", s)
	}
	return int64(v), nil
}

// FormatSize prints n in the largest binary unit that keeps it readable
// ("4 KiB", "1.5 MiB", "100 B").
func FormatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v := float64(n)
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64) + " " + units[u]
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + " " + units[u]
}

func envOr(def string, names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return def
}
