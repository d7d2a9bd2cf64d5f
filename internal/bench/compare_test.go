package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"talus/internal/testserver"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{3}, 3},
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rs []*Result
			for _, v := range tc.in {
				rs = append(rs, &Result{OpsPerSec: v})
			}
			if got := median(rs, func(r *Result) float64 { return r.OpsPerSec }); got != tc.want {
				t.Fatalf("median %v = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// TestCompareTwoServers: compare runs each side once per round, in
// alternating order, and reports medians and ratios of real runs.
func TestCompareTwoServers(t *testing.T) {
	a, b := testserver.Start(t), testserver.Start(t)
	base, other := baseConfig(a, WorkloadPut), baseConfig(b, WorkloadPut)
	base.Ops, other.Ops = 200, 200
	cmp, err := Compare(ctx, base, other, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Runs) != 6 {
		t.Fatalf("%d runs, want 6", len(cmp.Runs))
	}
	wantOrder := []string{a.URL, b.URL, b.URL, a.URL, a.URL, b.URL}
	for i, r := range cmp.Runs {
		if r.Endpoint != wantOrder[i] || r.Ops != 200 || r.Errors != 0 {
			t.Fatalf("run %d: endpoint %s ops %d errors %d, want %s 200 0", i, r.Endpoint, r.Ops, r.Errors, wantOrder[i])
		}
	}
	if cmp.Baseline.OpsPerSec <= 0 || cmp.Against.OpsPerSec <= 0 || cmp.Baseline.P99 <= 0 {
		t.Fatalf("medians %+v %+v", cmp.Baseline, cmp.Against)
	}
	if want := cmp.Against.OpsPerSec / cmp.Baseline.OpsPerSec; cmp.Ratio.OpsPerSec != want {
		t.Fatalf("ratio %v, want %v", cmp.Ratio.OpsPerSec, want)
	}
	var table bytes.Buffer
	if err := cmp.WriteTable(&table); err != nil || !strings.Contains(table.String(), "against/baseline") || !strings.Contains(table.String(), a.URL) {
		t.Fatalf("table %q: %v", table.String(), err)
	}
	t.Logf("\n%s", table.String())
}

// TestCompareCommand: the CLI prints JSON and --fail-below turns a ratio
// under the bound into an error.
func TestCompareCommand(t *testing.T) {
	a, b := testserver.Start(t), testserver.Start(t)
	t.Setenv("TALUS_ROOT_ACCESS_KEY", testserver.AccessKey)
	t.Setenv("TALUS_ROOT_SECRET_KEY", testserver.SecretKey)
	args := []string{"compare", "put", "--endpoint", a.URL, "--against", b.URL, "--ops", "50", "--concurrency", "2", "--rounds", "1", "--region", testserver.Region}
	var out, errOut bytes.Buffer
	if err := Main(append(args, "--json"), &out, &errOut); err != nil {
		t.Fatalf("compare: %v\n%s", err, errOut.String())
	}
	var cmp Comparison
	if err := json.Unmarshal(out.Bytes(), &cmp); err != nil || cmp.Rounds != 1 || len(cmp.Runs) != 2 || cmp.Ratio.OpsPerSec <= 0 {
		t.Fatalf("json %s: %v", out.String(), err)
	}
	out.Reset()
	if err := Main(append(args, "--fail-below", "1000"), &out, &errOut); err == nil || !strings.Contains(err.Error(), "below 1000") {
		t.Fatalf("--fail-below 1000: err %v", err)
	}
	if err := Main([]string{"compare", "put", "--endpoint", a.URL}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--against") {
		t.Fatalf("without --against: %v", err)
	}
}
