package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

const compareUsage = `Usage: talus bench compare [WORKLOAD] --against URL [flags]

Runs one workload against two endpoints (--endpoint, the baseline, and
--against), interleaved for --rounds rounds (A B, then B A, ...), and prints
the median of each side and the ratio against/baseline, so that a
regression shows as a ratio below 1 (above 1 for latencies). Each run uses
its own key prefix. With --fail-below R the command exits non-zero when the
throughput ratio is below R.

Flags (the workload flags are those of "talus bench"):
`

// Comparison is what compare measured: the runs of each side and the
// medians and ratios.
type Comparison struct {
	Workload string    `json:"workload"`
	Rounds   int       `json:"rounds"`
	Baseline Side      `json:"baseline"`
	Against  Side      `json:"against"`
	Ratio    Ratios    `json:"ratio"`
	Runs     []*Result `json:"runs"`
}

// Side is one endpoint's medians over the rounds.
type Side struct {
	Endpoint  string  `json:"endpoint"`
	OpsPerSec float64 `json:"ops_per_s"`
	MiBPerSec float64 `json:"mib_per_s"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Errors    int64   `json:"errors"`
}

// Ratios are against / baseline.
type Ratios struct {
	OpsPerSec float64 `json:"ops_per_s"`
	MiBPerSec float64 `json:"mib_per_s"`
	P50       float64 `json:"p50"`
	P99       float64 `json:"p99"`
}

func compareMain(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("bench compare", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, compareUsage)
		fl.PrintDefaults()
	}
	parse := configFlags(fl)
	against := fl.String("against", "", "the second endpoint URL (required)")
	againstAK := fl.String("against-access-key", "", "access key for --against (default: --access-key)")
	againstSK := fl.String("against-secret-key", "", "secret key for --against (default: --secret-key)")
	rounds := fl.Int("rounds", 3, "rounds; each runs the workload once on each side")
	failBelow := fl.Float64("fail-below", 0, "exit non-zero when the throughput ratio against/baseline is below this")
	jsonOut := fl.Bool("json", false, "print the comparison as one JSON object instead of the table")
	cfg, err := parse(args)
	if err != nil || cfg == nil {
		return err
	}
	if *against == "" {
		return fmt.Errorf("compare needs --against URL")
	}
	if *rounds < 1 {
		return fmt.Errorf("--rounds must be at least 1")
	}
	other := *cfg
	other.Endpoint = *against
	if *againstAK != "" {
		other.AccessKey = *againstAK
	}
	if *againstSK != "" {
		other.SecretKey = *againstSK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmp, err := Compare(ctx, *cfg, other, *rounds)
	if cmp != nil {
		var werr error
		if *jsonOut {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			werr = enc.Encode(cmp)
		} else {
			werr = cmp.WriteTable(stdout)
		}
		if err == nil {
			err = werr
		}
	}
	if err == nil && *failBelow > 0 && cmp.Ratio.OpsPerSec < *failBelow {
		err = fmt.Errorf("throughput ratio %.3f is below %.3f", cmp.Ratio.OpsPerSec, *failBelow)
	}
	return err
}

// Compare runs base and against alternately, rounds times each (the order
// swaps every round so that neither side always runs on a warm or a cold
// machine), each run under its own key prefix, and returns the medians.
func Compare(ctx context.Context, base, against Config, rounds int) (*Comparison, error) {
	cmp := &Comparison{Workload: base.Workload, Rounds: rounds}
	var a, b []*Result
	for i := 0; i < rounds; i++ {
		order := []*Config{&base, &against}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, c := range order {
			run := *c
			run.Prefix = fmt.Sprintf("%sround%d/", c.Prefix, i)
			res, err := Run(ctx, run)
			if err != nil {
				return nil, fmt.Errorf("%s round %d: %w", c.Endpoint, i+1, err)
			}
			cmp.Runs = append(cmp.Runs, res)
			if c == &base {
				a = append(a, res)
			} else {
				b = append(b, res)
			}
		}
	}
	cmp.Baseline, cmp.Against = medianSide(base.Endpoint, a), medianSide(against.Endpoint, b)
	cmp.Ratio = Ratios{OpsPerSec: ratio(cmp.Against.OpsPerSec, cmp.Baseline.OpsPerSec), MiBPerSec: ratio(cmp.Against.MiBPerSec, cmp.Baseline.MiBPerSec),
		P50: ratio(cmp.Against.P50, cmp.Baseline.P50), P99: ratio(cmp.Against.P99, cmp.Baseline.P99)}
	return cmp, nil
}

func medianSide(endpoint string, rs []*Result) Side {
	s := Side{Endpoint: endpoint}
	s.OpsPerSec = median(rs, func(r *Result) float64 { return r.OpsPerSec })
	s.MiBPerSec = median(rs, func(r *Result) float64 { return r.MiBPerSec })
	s.P50 = median(rs, func(r *Result) float64 { return r.Latency.P50 })
	s.P99 = median(rs, func(r *Result) float64 { return r.Latency.P99 })
	for _, r := range rs {
		s.Errors += r.Errors
	}
	return s
}

// median of an odd count is the middle value, of an even count the mean
// of the two middle ones.
func median(rs []*Result, v func(*Result) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = v(r)
	}
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}

func ratio(x, y float64) float64 {
	if y == 0 {
		return 0
	}
	return x / y
}

// WriteTable prints the medians and ratios.
func (c *Comparison) WriteTable(w io.Writer) error {
	f := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	r := func(v float64) string { return fmt.Sprintf("%.3fx", v) }
	rows := [][]string{
		{"median of " + fmt.Sprint(c.Rounds), "baseline", "against", "against/baseline"},
		{"ops/s", f(c.Baseline.OpsPerSec), f(c.Against.OpsPerSec), r(c.Ratio.OpsPerSec)},
		{"MiB/s", f(c.Baseline.MiBPerSec), f(c.Against.MiBPerSec), r(c.Ratio.MiBPerSec)},
		{"p50 ms", ms(c.Baseline.P50), ms(c.Against.P50), r(c.Ratio.P50)},
		{"p99 ms", ms(c.Baseline.P99), ms(c.Against.P99), r(c.Ratio.P99)},
		{"errors", fmt.Sprint(c.Baseline.Errors), fmt.Sprint(c.Against.Errors), ""},
	}
	_, err := fmt.Fprintf(w, "%s: baseline %s, against %s\n%s", c.Workload, c.Baseline.Endpoint, c.Against.Endpoint, formatTable(rows))
	if err == nil && (c.Baseline.Errors > 0 || c.Against.Errors > 0) {
		_, err = fmt.Fprintln(w, "note: some requests failed; --json shows each run's errors")
	}
	return err
}
