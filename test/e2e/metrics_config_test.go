package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func putMetrics(c *s3.Client, bucket, id string, f types.MetricsFilter) error {
	_, err := c.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: aws.String(bucket), Id: aws.String(id),
		MetricsConfiguration: &types.MetricsConfiguration{Id: aws.String(id), Filter: f}})
	return err
}

// Request metrics configurations: stored and validated as S3 does, and
// the requests each selects exported on the Prometheus endpoint
// labelled with its Id.
func TestBucketMetricsConfigurations(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.WithMetrics("open", ""))
	c := srv.Client()
	mustCreateBucket(t, c, "metered")
	if _, err := c.GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: aws.String("metered"), Id: aws.String("none")}); apiCode(err) != "NoSuchConfiguration" {
		t.Fatalf("missing configuration: %v", err)
	}
	// A whole-bucket configuration (no filter), a prefix, a tag, an And.
	if _, err := c.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: aws.String("metered"), Id: aws.String("EntireBucket"),
		MetricsConfiguration: &types.MetricsConfiguration{Id: aws.String("EntireBucket")}}); err != nil {
		t.Fatal(err)
	}
	if err := putMetrics(c, "metered", "logs", &types.MetricsFilterMemberPrefix{Value: "logs/"}); err != nil {
		t.Fatal(err)
	}
	if err := putMetrics(c, "metered", "hot", &types.MetricsFilterMemberTag{Value: types.Tag{Key: aws.String("tier"), Value: aws.String("hot")}}); err != nil {
		t.Fatal(err)
	}
	if err := putMetrics(c, "metered", "hot-logs", &types.MetricsFilterMemberAnd{Value: types.MetricsAndOperator{Prefix: aws.String("logs/"),
		Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("hot")}}}}); err != nil {
		t.Fatal(err)
	}
	ap := "arn:aws:s3:us-east-1:123456789012:accesspoint/ap1"
	if err := putMetrics(c, "metered", "ap", &types.MetricsFilterMemberAccessPointArn{Value: ap}); err != nil {
		t.Fatal(err)
	}

	got, err := c.GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: aws.String("metered"), Id: aws.String("hot-logs")})
	if err != nil {
		t.Fatal(err)
	}
	and, ok := got.MetricsConfiguration.Filter.(*types.MetricsFilterMemberAnd)
	if !ok || aws.ToString(and.Value.Prefix) != "logs/" || len(and.Value.Tags) != 1 || aws.ToString(and.Value.Tags[0].Value) != "hot" {
		t.Fatalf("And filter read back: %#v", got.MetricsConfiguration.Filter)
	}
	got, err = c.GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: aws.String("metered"), Id: aws.String("logs")})
	if p, ok := got.MetricsConfiguration.Filter.(*types.MetricsFilterMemberPrefix); err != nil || !ok || p.Value != "logs/" {
		t.Fatalf("prefix filter read back: %#v %v", got.MetricsConfiguration.Filter, err)
	}

	// Validation.
	mustCode(t, putMetrics(c, "metered", "bad id", &types.MetricsFilterMemberPrefix{Value: "x"}), "InvalidArgument")
	mustCode(t, putMetrics(c, "metered", strings.Repeat("a", 65), &types.MetricsFilterMemberPrefix{Value: "x"}), "InvalidArgument")
	mustCode(t, putMetrics(c, "metered", "badap", &types.MetricsFilterMemberAccessPointArn{Value: "arn:aws:s3:::metered"}), "InvalidArgument")
	mustCode(t, putMetrics(c, "metered", "badtag", &types.MetricsFilterMemberTag{Value: types.Tag{Key: aws.String("aws:x"), Value: aws.String("y")}}), "InvalidTag")
	raw := doRaw(t, rawReq{Method: "PUT", URL: srv.URL + "/metered?metrics&id=two", Body: []byte(`<MetricsConfiguration><Id>two</Id><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter></MetricsConfiguration>`)})
	wantRaw(t, "two predicates outside And", raw, 400, "MalformedXML")
	raw = doRaw(t, rawReq{Method: "PUT", URL: srv.URL + "/metered?metrics&id=one", Body: []byte(`<MetricsConfiguration><Id>other</Id></MetricsConfiguration>`)})
	wantRaw(t, "Id differing from the id parameter", raw, 400, "InvalidArgument")

	// Traffic.
	mustPut(t, c, "metered", "logs/a", []byte("12345"))
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("metered"), Key: aws.String("logs/hot"), Body: bytes.NewReader([]byte("hot!")), Tagging: aws.String("tier=hot")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "metered", "img/x", []byte("ab"))
	mustGet(t, c, "metered", "logs/a")
	mustGet(t, c, "metered", "logs/hot")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("metered"), Key: aws.String("logs/hot")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("metered"), Key: aws.String("logs/missing")})
	mustCode(t, err, "NoSuchKey")
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("metered")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("metered"), Key: aws.String("img/x")}); err != nil {
		t.Fatal(err)
	}

	series := func(id, metric string) string {
		return fmt.Sprintf(`talus_s3_request_metrics_requests_total{bucket="metered",configuration_id=%q,metric=%q}`, id, metric)
	}
	// logs: PUT logs/a, PUT logs/hot, GET logs/a, GET logs/hot, HEAD logs/hot, GET logs/missing (404).
	want := map[string]float64{
		series("logs", "AllRequests"): 6, series("logs", "PutRequests"): 2, series("logs", "GetRequests"): 3,
		series("logs", "HeadRequests"): 1, series("logs", "4xxErrors"): 1,
		// hot: the tagged PUT (x-amz-tagging), its GET and HEAD.
		series("hot", "AllRequests"): 3, series("hot-logs", "AllRequests"): 3, series("hot", "GetRequests"): 1,
		// Everything after the configuration existed: 3 PUTs, 3 GETs, HEAD, LIST, DELETE.
		series("EntireBucket", "ListRequests"): 1, series("EntireBucket", "DeleteRequests"): 1,
	}
	text := scrape(t, srv)
	for s, v := range want {
		if !strings.Contains(text, fmt.Sprintf("%s %g\n", s, v)) {
			t.Errorf("want %s %g in\n%s", s, v, grepLines(text, "requests_total"))
		}
	}
	entire := `talus_s3_request_metrics_requests_total{bucket="metered",configuration_id="EntireBucket",metric="AllRequests"}`
	if !strings.Contains(text, entire+" ") {
		t.Errorf("no EntireBucket AllRequests series")
	}
	if strings.Contains(text, `configuration_id="ap"`) {
		t.Error("an access point filter counted requests that came to the bucket endpoint")
	}
	for _, s := range []string{
		`talus_s3_request_metrics_bytes_total{bucket="metered",configuration_id="logs",metric="BytesDownloaded"} 9`,
		`talus_s3_request_metrics_bytes_total{bucket="metered",configuration_id="logs",metric="BytesUploaded"} 9`,
		`talus_s3_request_metrics_latency_seconds_count{bucket="metered",configuration_id="logs",metric="FirstByteLatency"} 6`,
		`talus_s3_request_metrics_latency_seconds_count{bucket="metered",configuration_id="logs",metric="TotalRequestLatency"} 6`,
	} {
		if !strings.Contains(text, s+"\n") {
			t.Errorf("want %s in\n%s", s, grepLines(text, `"logs"`))
		}
	}

	// Listing, in Id order, and deletion.
	list, err := c.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: aws.String("metered")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range list.MetricsConfigurationList {
		ids = append(ids, aws.ToString(m.Id))
	}
	if strings.Join(ids, ",") != "EntireBucket,ap,hot,hot-logs,logs" || aws.ToBool(list.IsTruncated) {
		t.Fatalf("list: %v truncated %v", ids, aws.ToBool(list.IsTruncated))
	}
	if _, err := c.DeleteBucketMetricsConfiguration(ctx, &s3.DeleteBucketMetricsConfigurationInput{Bucket: aws.String("metered"), Id: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucketMetricsConfiguration(ctx, &s3.DeleteBucketMetricsConfigurationInput{Bucket: aws.String("metered"), Id: aws.String("logs")}); apiCode(err) != "NoSuchConfiguration" {
		t.Fatalf("deleting twice: %v", err)
	}
	mustGet(t, c, "metered", "logs/a")
	if text := scrape(t, srv); strings.Contains(text, `configuration_id="logs"`) {
		t.Errorf("a deleted configuration still exported:\n%s", grepLines(text, `"logs"`))
	}

	// Pages of 100, up to S3's limit of 1,000.
	mustCreateBucket(t, c, "many")
	for i := range 1000 {
		if err := putMetrics(c, "many", fmt.Sprintf("id%04d", i), &types.MetricsFilterMemberPrefix{Value: "p"}); err != nil {
			t.Fatal(err)
		}
	}
	mustCode(t, putMetrics(c, "many", "one-too-many", &types.MetricsFilterMemberPrefix{Value: "p"}), "TooManyConfigurations")
	if err := putMetrics(c, "many", "id0000", &types.MetricsFilterMemberPrefix{Value: "q"}); err != nil {
		t.Fatalf("replacing at the limit: %v", err)
	}
	n, pages := 0, 0
	var token *string
	for {
		out, err := c.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: aws.String("many"), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range out.MetricsConfigurationList {
			if want := fmt.Sprintf("id%04d", n); aws.ToString(m.Id) != want {
				t.Fatalf("config %d is %s, want %s", n, aws.ToString(m.Id), want)
			}
			n++
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		token = out.NextContinuationToken
	}
	if n != 1000 || pages != 10 {
		t.Fatalf("%d configurations in %d pages", n, pages)
	}
}

// scrape is the server's Prometheus endpoint's text.
func scrape(t *testing.T, srv *testserver.Server) string {
	t.Helper()
	resp, err := http.Get(srv.URL + "/_talus/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("metrics endpoint: %d", resp.StatusCode)
	}
	return string(readAllBody(t, resp.Body))
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
