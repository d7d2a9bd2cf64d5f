package process

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"talus/internal/testserver"
)

// scrape fetches the metrics with the token and parses them with the
// Prometheus text parser.
func scrape(t *testing.T, url, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

// sample returns the value of the series of fam whose labels include want.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	t.Helper()
	fam, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range fam.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func mustSample(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string, want float64) {
	t.Helper()
	got, ok := sample(t, fams, name, labels)
	if !ok || got != want {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
	}
}

// TestMetricsAndAccessLog drives known traffic at the binary, then checks
// the scraped metrics count it exactly and that the JSON access log has
// one line per request with its fields, the reason of a denial, and no
// secret.
func TestMetricsAndAccessLog(t *testing.T) {
	dir := t.TempDir()
	const token = "metrics-token-7f3a"
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
	const secret = "metrics-secret-key-value"
	p := testserver.StartProcess(t, talusBin, filepath.Join(dir, "data"), "AKMETRICS", secret,
		"--log-format", "json", "--metrics", "token", "--metrics-token-file", tokenFile)
	ctx := context.Background()
	c := testserver.NewClient(p.URL, "AKMETRICS", secret)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mtr")}); err != nil {
		t.Fatal(err)
	}
	for i, n := range []int{10, 20, 30} {
		key := []string{"a", "b", "c"}[i]
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mtr"), Key: aws.String(key), Body: bytes.NewReader(bytes.Repeat([]byte("x"), n))}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mtr"), Key: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mtr"), Key: aws.String("missing")}); err == nil {
		t.Fatal("GetObject of a missing key succeeded")
	}
	bad := testserver.NewClient(p.URL, "AKMETRICS", "wrong-secret")
	if _, err := bad.ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
		t.Fatal("a wrong signature was accepted")
	}

	// Without the token: 401, and nothing leaks.
	resp, err := http.Get(p.URL + "/_talus/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("metrics without the token: %s", resp.Status)
	}
	fams := scrape(t, p.URL+"/_talus/metrics", token)
	s3op := func(op, status string) map[string]string {
		return map[string]string{"api": "s3", "operation": op, "status": status}
	}
	mustSample(t, fams, "talus_http_requests_total", s3op("CreateBucket", "200"), 1)
	mustSample(t, fams, "talus_http_requests_total", s3op("PutObject", "200"), 3)
	mustSample(t, fams, "talus_http_requests_total", s3op("GetObject", "200"), 1)
	mustSample(t, fams, "talus_http_requests_total", s3op("GetObject", "404"), 1)
	mustSample(t, fams, "talus_http_requests_total", s3op("ListBuckets", "403"), 1)
	mustSample(t, fams, "talus_http_request_duration_seconds", map[string]string{"api": "s3", "operation": "PutObject"}, 3)
	mustSample(t, fams, "talus_bucket_objects", map[string]string{"bucket": "mtr"}, 3)
	mustSample(t, fams, "talus_bucket_bytes", map[string]string{"bucket": "mtr"}, 60)
	if in, _ := sample(t, fams, "talus_http_received_bytes_total", map[string]string{"operation": "PutObject"}); in < 60 {
		t.Errorf("PutObject bytes in = %v, want at least 60", in)
	}
	if sent, _ := sample(t, fams, "talus_http_sent_bytes_total", map[string]string{"operation": "GetObject"}); sent < 30 {
		t.Errorf("GetObject bytes out = %v, want at least 30", sent)
	}
	if n, _ := sample(t, fams, "talus_meta_commit_batch_size", nil); n < 4 {
		t.Errorf("commit batches observed = %v, want at least 4 (bucket and three puts)", n)
	}
	if n, _ := sample(t, fams, "talus_meta_commit_duration_seconds", nil); n < 4 {
		t.Errorf("commit durations observed = %v, want at least 4 (bucket and three puts)", n)
	}
	if free, ok := sample(t, fams, "talus_disk_free_bytes", map[string]string{"tier": "STANDARD"}); !ok || free <= 0 {
		t.Errorf("disk free = %v (present %v)", free, ok)
	}
	for _, name := range []string{"go_goroutines", "talus_worker_runs_total", "talus_worker_lag_seconds", "talus_uptime_seconds", "talus_build_info"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("metric %s missing", name)
		}
	}

	// The access log: JSON lines, one per S3 request.
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(p.Log()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "access" {
			lines = append(lines, m)
		}
	}
	find := func(op string, status float64) map[string]any {
		for _, l := range lines {
			if l["op"] == op && l["status"] == status {
				return l
			}
		}
		t.Fatalf("no access line for %s %v in:\n%s", op, status, p.Log())
		return nil
	}
	put := find("PutObject", 200)
	if put["level"] != "INFO" || put["bucket"] != "mtr" || put["caller"] != "arn:aws:iam::000000000000:root" || put["id"] == "" || put["in"].(float64) < 10 {
		t.Errorf("PutObject access line: %v", put)
	}
	if miss := find("GetObject", 404); miss["code"] != "NoSuchKey" || miss["key"] != "missing" {
		t.Errorf("404 access line: %v", miss)
	}
	denied := find("ListBuckets", 403)
	if denied["code"] != "SignatureDoesNotMatch" || denied["cause"] == nil || denied["caller"] != "" {
		t.Errorf("denied access line: %v", denied)
	}
	if get := find("GetObject", 200); get["out"].(float64) != 30 {
		t.Errorf("GetObject access line: %v", get)
	}
	for _, s := range []string{secret, token, "wrong-secret"} {
		if strings.Contains(p.Log(), s) {
			t.Errorf("the log contains the secret %q", s)
		}
	}
}
