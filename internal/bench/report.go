package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Result is what a run measured. Rates are over the measured phase only
// (preparation and cleanup are timed separately).
type Result struct {
	Workload      string `json:"workload"`
	Endpoint      string `json:"endpoint"`
	Bucket        string `json:"bucket"`
	BucketCreated bool   `json:"bucket_created"`
	Payload       string `json:"payload"`
	SSE           string `json:"sse,omitempty"`
	Size          int64  `json:"size_bytes"`
	PartSize      int64  `json:"part_size_bytes,omitempty"`
	Uploads       int    `json:"uploads,omitempty"`
	Objects       int    `json:"objects,omitempty"`
	Concurrency   int    `json:"concurrency"`
	Mix           string `json:"mix,omitempty"`

	Prepared   int64   `json:"prepared,omitempty"`
	PrepareSec float64 `json:"prepare_s,omitempty"`

	DurationSec   float64          `json:"duration_s"`
	Ops           int64            `json:"ops"`
	OpsPerSec     float64          `json:"ops_per_s"`
	Bytes         int64            `json:"bytes"`
	MiBPerSec     float64          `json:"mib_per_s"`
	ObjectsListed int64            `json:"objects_listed,omitempty"`
	ObjectsPerSec float64          `json:"objects_listed_per_s,omitempty"`
	Latency       Latency          `json:"latency_ms"`
	Errors        int64            `json:"errors"`
	ErrorsBy      map[string]int64 `json:"errors_by_status"`
	ErrorSample   string           `json:"error_sample,omitempty"`
	ByOp          []OpResult       `json:"by_op,omitempty"`

	Deleted      int64   `json:"cleaned_up,omitempty"`
	CleanupSec   float64 `json:"cleanup_s,omitempty"`
	CleanupError string  `json:"cleanup_error,omitempty"`

	ServerRSS *RSS `json:"server_rss,omitempty"`
}

// Latency is in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// OpResult is one kind of request within a workload (mixed: get, put,
// delete; multipart-put: create, part, complete).
type OpResult struct {
	Op        string           `json:"op"`
	Ops       int64            `json:"ops"`
	OpsPerSec float64          `json:"ops_per_s"`
	Bytes     int64            `json:"bytes"`
	MiBPerSec float64          `json:"mib_per_s"`
	Latency   Latency          `json:"latency_ms"`
	Errors    int64            `json:"errors"`
	ErrorsBy  map[string]int64 `json:"errors_by_status"`
}

func latencyOf(h *Histogram) Latency {
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	return Latency{
		P50: ms(h.Percentile(50)), P90: ms(h.Percentile(90)), P99: ms(h.Percentile(99)),
		Max: ms(h.Max()), Mean: ms(h.Mean()),
	}
}

// merged is several kindStats added up.
type merged struct {
	hist        *Histogram
	ops, bytes  int64
	items, errs int64
	errsBy      map[string]int64
	sample      string
}

func merge(all []*stats, kinds ...opKind) *merged {
	m := &merged{hist: NewHistogram(), errsBy: map[string]int64{}}
	for _, s := range all {
		for _, k := range kinds {
			ks := s.k[k]
			if ks == nil {
				continue
			}
			m.hist.Merge(ks.hist)
			m.ops += ks.ops
			m.bytes += ks.bytes
			m.items += ks.items
			for c, n := range ks.errs {
				m.errsBy[c] += n
				m.errs += n
			}
			if m.sample == "" {
				m.sample = ks.sample
			}
		}
	}
	return m
}

func (r *runner) summarize(res *Result, all []*stats, elapsed time.Duration) {
	var head, sub []opKind
	switch r.cfg.Workload {
	case WorkloadPut:
		head = []opKind{kPut}
	case WorkloadGet:
		head = []opKind{kGet}
	case WorkloadDelete:
		head = []opKind{kDelete}
	case WorkloadList:
		head = []opKind{kList}
	case WorkloadMultipart:
		head, sub = []opKind{kUpload}, []opKind{kCreate, kPart, kComplete}
	case WorkloadMixed:
		head = []opKind{kGet, kPut, kDelete}
		sub = head
	}
	sec := elapsed.Seconds()
	rate := func(n int64) float64 {
		if sec <= 0 {
			return 0
		}
		return float64(n) / sec
	}
	m := merge(all, head...)
	res.DurationSec = sec
	res.Ops, res.OpsPerSec = m.ops, rate(m.ops)
	res.Bytes, res.MiBPerSec = m.bytes, rate(m.bytes)/(1<<20)
	res.Latency = latencyOf(m.hist)
	res.Errors, res.ErrorsBy, res.ErrorSample = m.errs, m.errsBy, m.sample
	if r.cfg.Workload == WorkloadList {
		res.ObjectsListed, res.ObjectsPerSec = m.items, rate(m.items)
	}
	for _, k := range sub {
		s := merge(all, k)
		if s.ops+s.errs == 0 {
			continue
		}
		res.ByOp = append(res.ByOp, OpResult{
			Op: kindNames[k], Ops: s.ops, OpsPerSec: rate(s.ops), Bytes: s.bytes,
			MiBPerSec: rate(s.bytes) / (1 << 20), Latency: latencyOf(s.hist),
			Errors: s.errs, ErrorsBy: s.errsBy,
		})
		if res.ErrorSample == "" {
			res.ErrorSample = s.sample
		}
	}
}

// WriteJSON writes the result as one JSON object and a newline.
func (res *Result) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func fmtErrors(by map[string]int64) string {
	if len(by) == 0 {
		return "0"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(by)) {
		parts = append(parts, k+":"+strconv.FormatInt(by[k], 10))
	}
	return strings.Join(parts, " ")
}

func ms(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// WriteTable writes the human-readable report: a header line, the table
// (one row for the workload, indented rows for its request kinds), and the
// server's RSS when sampled.
func (res *Result) WriteTable(w io.Writer) error {
	var hdr strings.Builder
	fmt.Fprintf(&hdr, "%s  %s  bucket %s  %s payload", res.Workload, res.Endpoint, res.Bucket, res.Payload)
	if res.SSE != "" {
		fmt.Fprintf(&hdr, "  sse %s", res.SSE)
	}
	if res.Workload == WorkloadMultipart {
		fmt.Fprintf(&hdr, "  %d upload(s) x %d parts in flight", res.Uploads, res.Concurrency)
	} else {
		fmt.Fprintf(&hdr, "  concurrency %d", res.Concurrency)
	}
	switch res.Workload {
	case WorkloadMultipart:
		fmt.Fprintf(&hdr, "  %s objects in %s parts", FormatSize(res.Size), FormatSize(res.PartSize))
	case WorkloadList:
		fmt.Fprintf(&hdr, "  %d objects of %s, pages of 1000", res.Objects, FormatSize(res.Size))
	default:
		fmt.Fprintf(&hdr, "  %s objects", FormatSize(res.Size))
		if res.Objects > 0 {
			fmt.Fprintf(&hdr, " (set of %d)", res.Objects)
		}
	}
	if res.Mix != "" {
		fmt.Fprintf(&hdr, "  mix %s", res.Mix)
	}
	fmt.Fprintf(&hdr, "  %.1fs\n", res.DurationSec)
	if res.Prepared > 0 {
		fmt.Fprintf(&hdr, "prepared %d objects in %.1fs\n", res.Prepared, res.PrepareSec)
	}
	if _, err := io.WriteString(w, hdr.String()); err != nil {
		return err
	}

	list := res.Workload == WorkloadList
	head := []string{"workload", "ops", "ops/s", "MiB/s"}
	if list {
		head = append(head, "objects/s")
	}
	head = append(head, "p50 ms", "p90 ms", "p99 ms", "max ms", "errors")
	rows := [][]string{head}
	row := func(name string, ops int64, opsPS, mibPS, objPS float64, l Latency, errs map[string]int64) {
		r := []string{name, strconv.FormatInt(ops, 10), strconv.FormatFloat(opsPS, 'f', 1, 64), strconv.FormatFloat(mibPS, 'f', 2, 64)}
		if list {
			r = append(r, strconv.FormatFloat(objPS, 'f', 0, 64))
		}
		rows = append(rows, append(r, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), fmtErrors(errs)))
	}
	row(res.Workload, res.Ops, res.OpsPerSec, res.MiBPerSec, res.ObjectsPerSec, res.Latency, res.ErrorsBy)
	for _, o := range res.ByOp {
		row("  "+o.Op, o.Ops, o.OpsPerSec, o.MiBPerSec, 0, o.Latency, o.ErrorsBy)
	}
	if _, err := io.WriteString(w, formatTable(rows)); err != nil {
		return err
	}
	var tail strings.Builder
	if res.ErrorSample != "" {
		fmt.Fprintf(&tail, "first error: %s\n", res.ErrorSample)
	}
	if res.Deleted > 0 || res.CleanupError != "" {
		fmt.Fprintf(&tail, "cleaned up %d objects in %.1fs", res.Deleted, res.CleanupSec)
		if res.CleanupError != "" {
			fmt.Fprintf(&tail, " (%s)", res.CleanupError)
		}
		tail.WriteByte('\n')
	}
	if r := res.ServerRSS; r != nil {
		fmt.Fprintf(&tail, "server RSS (pid %d): idle %s, peak %s, end %s; process high-water mark %s\n",
			r.PID, FormatSize(r.IdleKiB<<10), FormatSize(r.PeakKiB<<10), FormatSize(r.EndKiB<<10), FormatSize(r.HWMKiB<<10))
		if r.Error != "" {
			fmt.Fprintf(&tail, "server RSS sampling stopped: %s\n", r.Error)
		}
	}
	_, err := io.WriteString(w, tail.String())
	return err
}

// formatTable lays out rows in columns: the first and last left-aligned,
// the numbers between right-aligned.
func formatTable(rows [][]string) string {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len(c))
			switch {
			case i == 0:
				b.WriteString(c + pad)
			case i == len(r)-1:
				b.WriteString("  " + c)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
