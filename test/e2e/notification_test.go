package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"talus/internal/notify"
	"talus/internal/testserver"
)

const (
	hookARN   = "arn:aws:sqs:us-east-1:000000000000:hook"
	lambdaARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"
	hookToken = "Bearer secret-token"
	hookHMAC  = "hmac-secret"
)

// hook is a webhook receiver that records every event body; while down it
// answers 503.
type hook struct {
	mu     sync.Mutex
	bodies [][]byte
	down   bool
	bad    []string // requests without the right auth or signature
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if r.Header.Get("Authorization") != hookToken || r.Header.Get(notify.SignatureHeader) != notify.Sign(hookHMAC, body) {
		h.bad = append(h.bad, string(body))
	}
	h.bodies = append(h.bodies, body)
}

func (h *hook) setDown(d bool) { h.mu.Lock(); h.down = d; h.mu.Unlock() }

// events returns the S3 event records received so far (test events aside).
func (h *hook) events(t *testing.T) []eventRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []eventRecord
	for _, b := range h.bodies {
		var doc struct{ Records []eventRecord }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("event %s: %v", b, err)
		}
		out = append(out, doc.Records...)
	}
	return out
}

func (h *hook) testEvents() []map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]string
	for _, b := range h.bodies {
		var m map[string]string
		if json.Unmarshal(b, &m) == nil && m["Event"] == "s3:TestEvent" {
			out = append(out, m)
		}
	}
	return out
}

type eventRecord struct {
	EventVersion string `json:"eventVersion"`
	EventSource  string `json:"eventSource"`
	AWSRegion    string `json:"awsRegion"`
	EventTime    string `json:"eventTime"`
	EventName    string `json:"eventName"`
	UserIdentity struct {
		PrincipalID string `json:"principalId"`
	}
	RequestParameters struct {
		SourceIPAddress string `json:"sourceIPAddress"`
	}
	ResponseElements map[string]string
	S3               struct {
		SchemaVersion   string `json:"s3SchemaVersion"`
		ConfigurationID string `json:"configurationId"`
		Bucket          struct {
			Name          string
			OwnerIdentity struct {
				PrincipalID string `json:"principalId"`
			}
			ARN string `json:"arn"`
		}
		Object struct {
			Key       string
			Size      *int64
			ETag      string `json:"eTag"`
			VersionID string `json:"versionId"`
			Sequencer string
		}
	} `json:"s3"`
}

// waitEvents waits until f holds for the events received.
func waitEvents(t *testing.T, h *hook, timeout time.Duration, f func([]eventRecord) bool) []eventRecord {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ev := h.events(t)
		if f(ev) {
			return ev
		}
		if time.Now().After(deadline) {
			t.Fatalf("events not delivered in %v; got %d: %+v", timeout, len(ev), ev)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func startNotifyServer(t *testing.T, h *hook, opts ...testserver.Option) *testserver.Server {
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	t.Setenv("TALUS_TEST_HOOK_TOKEN", hookToken)
	return testserver.Start(t, append(opts, testserver.WithMetrics("open", ""), testserver.WithNotify(&notify.File{
		MinBackoff: notify.Duration(50 * time.Millisecond), MaxBackoff: notify.Duration(200 * time.Millisecond),
		Targets: []notify.TargetConfig{
			{ARN: hookARN, Type: "webhook", URL: hs.URL + "/events", AuthHeader: "env:TALUS_TEST_HOOK_TOKEN", HMACSecret: hookHMAC},
			{ARN: lambdaARN, Type: "webhook", URL: hs.URL + "/fn", AuthHeader: hookToken, HMACSecret: hookHMAC},
		},
	}))...)
}

func queueConfig(id, arn string, events []types.Event, prefix, suffix string) types.QueueConfiguration {
	q := types.QueueConfiguration{Id: aws.String(id), QueueArn: aws.String(arn), Events: events}
	var rules []types.FilterRule
	if prefix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNamePrefix, Value: aws.String(prefix)})
	}
	if suffix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNameSuffix, Value: aws.String(suffix)})
	}
	if rules != nil {
		q.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: rules}}
	}
	return q
}

func TestNotificationConfigurationValidation(t *testing.T) {
	h := &hook{}
	srv := startNotifyServer(t, h)
	c := srv.Client()
	ctx := context.Background()
	mustCreateBucket(t, c, "cfg")
	put := func(nc *types.NotificationConfiguration, skip bool) error {
		in := &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("cfg"), NotificationConfiguration: nc}
		if skip {
			in.SkipDestinationValidation = aws.Bool(true)
		}
		_, err := c.PutBucketNotificationConfiguration(ctx, in)
		return err
	}
	all := []types.Event{"s3:ObjectCreated:*"}

	// An empty configuration first.
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cfg")})
	if err != nil || len(got.QueueConfigurations)+len(got.TopicConfigurations)+len(got.LambdaFunctionConfigurations) != 0 || got.EventBridgeConfiguration != nil {
		t.Fatalf("empty configuration: %+v %v", got, err)
	}

	// A destination that is not a configured target.
	unknown := "arn:aws:sqs:us-east-1:000000000000:nope"
	err = put(&types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{queueConfig("a", unknown, all, "", "")}}, false)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidArgument" || ae.ErrorMessage() != "Unable to validate the following destination configurations" {
		t.Fatalf("unknown destination: %v", err)
	}
	// The error names the destination as S3 does.
	raw := doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/cfg?notification", Body: []byte(
		`<NotificationConfiguration><TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration></NotificationConfiguration>`)})
	wantRaw(t, "unknown topic", raw, 400, "InvalidArgument")
	if !bytes.Contains(raw.Body, []byte("<ArgumentName1>arn:aws:sns:us-east-1:000000000000:t</ArgumentName1>")) || !bytes.Contains(raw.Body, []byte("<ArgumentValue1>")) {
		t.Errorf("error body: %s", raw.Body)
	}
	// A lambda ARN given as a queue.
	err = put(&types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{queueConfig("a", lambdaARN, all, "", "")}}, false)
	mustCode(t, err, "InvalidArgument")
	// Unknown events, overlaps and doubled filter rules.
	err = put(&types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{queueConfig("a", hookARN, []types.Event{"s3:ObjectCreated:Get"}, "", "")}}, false)
	mustCode(t, err, "InvalidArgument")
	err = put(&types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("a", hookARN, all, "img/", ""), queueConfig("b", hookARN, []types.Event{"s3:ObjectCreated:Put"}, "img/x", "")}}, false)
	mustCode(t, err, "InvalidArgument")
	q := queueConfig("a", hookARN, all, "a", "")
	q.Filter.Key.FilterRules = append(q.Filter.Key.FilterRules, types.FilterRule{Name: types.FilterRuleNamePrefix, Value: aws.String("b")})
	mustCode(t, put(&types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{q}}, false), "InvalidArgument")
	if n := len(h.testEvents()); n != 0 {
		t.Fatalf("refused configurations sent %d test events", n)
	}

	// A valid one: stored as sent, and each destination gets a test event.
	nc := &types.NotificationConfiguration{
		QueueConfigurations: []types.QueueConfiguration{
			queueConfig("images", hookARN, all, "img/", ".jpg"),
			queueConfig("", hookARN, []types.Event{"s3:ObjectRemoved:*"}, "", ""),
		},
		LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{Id: aws.String("fn"), LambdaFunctionArn: aws.String(lambdaARN), Events: []types.Event{"s3:ObjectTagging:*"}}},
	}
	if err := put(nc, false); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cfg")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.QueueConfigurations) != 2 || len(got.LambdaFunctionConfigurations) != 1 {
		t.Fatalf("got %+v", got)
	}
	q0 := got.QueueConfigurations[0]
	if *q0.Id != "images" || *q0.QueueArn != hookARN || q0.Events[0] != "s3:ObjectCreated:*" || len(q0.Filter.Key.FilterRules) != 2 ||
		*q0.Filter.Key.FilterRules[0].Value != "img/" || *q0.Filter.Key.FilterRules[1].Value != ".jpg" {
		t.Errorf("first queue configuration: %+v", q0)
	}
	if id := aws.ToString(got.QueueConfigurations[1].Id); id == "" {
		t.Error("no ID generated")
	}
	if *got.LambdaFunctionConfigurations[0].LambdaFunctionArn != lambdaARN {
		t.Errorf("lambda: %+v", got.LambdaFunctionConfigurations[0])
	}
	tests := h.testEvents()
	if len(tests) != 2 || tests[0]["Bucket"] != "cfg" || tests[0]["Service"] != "Amazon S3" || tests[0]["RequestId"] == "" {
		t.Errorf("test events: %+v", tests)
	}
	h.mu.Lock()
	bad := len(h.bad)
	h.mu.Unlock()
	if bad != 0 {
		t.Errorf("%d requests without the auth header or signature", bad)
	}

	// x-amz-skip-destination-validation: no check, no test event.
	if err := put(&types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{queueConfig("a", unknown, all, "", "")}}, true); err != nil {
		t.Fatalf("skip validation: %v", err)
	}
	// EventBridge needs an EventBridge target; none is configured.
	mustCode(t, put(&types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}}, false), "InvalidArgument")
	// An empty configuration removes it.
	if err := put(&types.NotificationConfiguration{}, false); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cfg")})
	if len(got.QueueConfigurations) != 0 {
		t.Errorf("not removed: %+v", got)
	}
	// The deprecated form: a single Event and CloudFunctionConfiguration with InvocationRole.
	body := `<NotificationConfiguration><QueueConfiguration><Id>old</Id><Event>s3:ObjectCreated:Put</Event><Queue>` + hookARN +
		`</Queue></QueueConfiguration><CloudFunctionConfiguration><Id>f</Id><Event>s3:ObjectRemoved:Delete</Event><CloudFunction>` + lambdaARN +
		`</CloudFunction><InvocationRole>arn:aws:iam::000000000000:role/r</InvocationRole></CloudFunctionConfiguration></NotificationConfiguration>`
	wantRaw(t, "deprecated PutBucketNotification", doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/cfg?notification", Body: []byte(body)}), 200, "")
	got, _ = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cfg")})
	if len(got.QueueConfigurations) != 1 || len(got.LambdaFunctionConfigurations) != 1 || got.LambdaFunctionConfigurations[0].Events[0] != "s3:ObjectRemoved:Delete" {
		t.Errorf("deprecated form stored as %+v", got)
	}
}

func TestNotificationEventsDelivered(t *testing.T) {
	h := &hook{}
	srv := startNotifyServer(t, h)
	c := srv.Client()
	ctx := context.Background()
	mustCreateBucket(t, c, "events")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("events"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queueConfig("created", hookARN, []types.Event{"s3:ObjectCreated:*"}, "docs/", ""),
			queueConfig("removed", hookARN, []types.Event{"s3:ObjectRemoved:*", "s3:ObjectTagging:Put", "s3:ObjectAcl:Put"}, "", ""),
		}}}); err != nil {
		t.Fatal(err)
	}
	put := mustPut(t, c, "events", "docs/Happy Face+1.txt", []byte("hello"))
	mustPut(t, c, "events", "other/skipped.txt", []byte("not selected by the filter"))
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("events"), Key: aws.String("docs/copy"), CopySource: aws.String("events/docs/Happy Face+1.txt")}); err != nil {
		t.Fatal(err)
	}
	mu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("events"), Key: aws.String("docs/mp")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("events"), Key: aws.String("docs/mp"), UploadId: mu.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("events"), Key: aws.String("docs/mp"), UploadId: mu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("events"), Key: aws.String("docs/copy"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("events"), Key: aws.String("docs/Happy Face+1.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("events"), Key: aws.String("docs/copy"), VersionId: aws.String("nonexistent-version")}); err == nil {
		t.Log("deleting a missing version succeeded (no event expected)")
	}
	want := []string{"ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload", "ObjectTagging:Put", "ObjectRemoved:DeleteMarkerCreated"}
	ev := waitEvents(t, h, 10*time.Second, func(ev []eventRecord) bool { return len(ev) >= len(want) })
	time.Sleep(300 * time.Millisecond) // nothing more may come
	ev = h.events(t)
	if len(ev) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(ev), len(want), ev)
	}
	for i, e := range ev {
		if e.EventName != want[i] {
			t.Errorf("event %d is %s, want %s", i, e.EventName, want[i])
		}
		if e.EventSource != "aws:s3" || e.AWSRegion != "us-east-1" || e.S3.SchemaVersion != "1.0" || e.S3.Bucket.Name != "events" ||
			e.S3.Bucket.ARN != "arn:aws:s3:::events" || e.S3.Bucket.OwnerIdentity.PrincipalID == "" || e.UserIdentity.PrincipalID == "" ||
			e.RequestParameters.SourceIPAddress != "127.0.0.1" || e.ResponseElements["x-amz-request-id"] == "" || e.ResponseElements["x-amz-id-2"] == "" {
			t.Errorf("event %d: %+v", i, e)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", e.EventTime); err != nil {
			t.Errorf("eventTime %q: %v", e.EventTime, err)
		}
		if i > 0 && e.S3.Object.Sequencer <= ev[i-1].S3.Object.Sequencer {
			t.Errorf("sequencer not increasing: %s after %s", e.S3.Object.Sequencer, ev[i-1].S3.Object.Sequencer)
		}
	}
	first := ev[0]
	if first.S3.Object.Key != "docs/Happy+Face%2B1.txt" || first.S3.ConfigurationID != "created" || first.EventVersion != "2.1" ||
		first.S3.Object.Size == nil || *first.S3.Object.Size != 5 || first.S3.Object.ETag != strings.Trim(*put.ETag, `"`) ||
		first.S3.Object.VersionID != aws.ToString(put.VersionId) {
		t.Errorf("put event: %+v", first)
	}
	if ev[3].EventVersion != "2.3" || ev[3].S3.ConfigurationID != "removed" {
		t.Errorf("tagging event: %+v", ev[3])
	}
	last := ev[4]
	if last.S3.Object.VersionID != aws.ToString(del.VersionId) || last.S3.Object.Size != nil || last.S3.Object.Key != first.S3.Object.Key ||
		last.S3.Object.Sequencer <= first.S3.Object.Sequencer {
		t.Errorf("delete marker event: %+v", last)
	}
}

// TestNotificationWebhookOutage: events written while the webhook fails
// arrive, in order, once it answers again.
func TestNotificationWebhookOutage(t *testing.T) {
	h := &hook{}
	srv := startNotifyServer(t, h)
	c := srv.Client()
	ctx := context.Background()
	mustCreateBucket(t, c, "out")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("out"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queueConfig("all", hookARN, []types.Event{"s3:ObjectCreated:*"}, "", "")}}}); err != nil {
		t.Fatal(err)
	}
	h.setDown(true)
	const n = 50
	start := time.Now()
	for i := range n {
		mustPut(t, c, "out", "k", []byte{byte(i)})
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("writes took %v while the target was down", d)
	}
	time.Sleep(2 * time.Second)
	if got := len(h.events(t)); got != 0 {
		t.Fatalf("%d events while down", got)
	}
	for _, st := range srv.Server().Notify().Stats() {
		if st.ARN == hookARN && (st.Failures == 0 || st.LastError == "") {
			t.Errorf("stats while down: %+v", st)
		}
	}
	h.setDown(false)
	ev := waitEvents(t, h, 10*time.Second, func(ev []eventRecord) bool { return len(ev) >= n })
	for i := 1; i < len(ev); i++ {
		if ev[i].S3.Object.Sequencer <= ev[i-1].S3.Object.Sequencer {
			t.Fatalf("out of order at %d", i)
		}
	}
	if prom := scrape(t, srv); !strings.Contains(prom, `talus_notify_events_delivered_total{target="`+hookARN+`",type="webhook"} `) {
		t.Errorf("prometheus output:\n%s", grepLines(prom, "talus_notify"))
	}
}

// TestNotificationEventBridge: a bucket with EventBridge enabled sends its
// events, in EventBridge's format, to the EventBridge target only.
func TestNotificationEventBridge(t *testing.T) {
	bus, h := &hook{}, &hook{}
	bs := httptest.NewServer(bus)
	defer bs.Close()
	hs := httptest.NewServer(h)
	defer hs.Close()
	srv := testserver.Start(t, testserver.WithNotify(&notify.File{Targets: []notify.TargetConfig{
		{ARN: hookARN, Type: "webhook", URL: hs.URL, AuthHeader: hookToken, HMACSecret: hookHMAC},
		{ARN: "arn:aws:sqs:us-east-1:000000000000:bus", Type: "webhook", EventBridge: true, URL: bs.URL},
	}}))
	c := srv.Client()
	ctx := context.Background()
	mustCreateBucket(t, c, "bridge")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("bridge"),
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("bridge")})
	if err != nil || got.EventBridgeConfiguration == nil {
		t.Fatalf("EventBridge not stored: %+v %v", got, err)
	}
	mustPut(t, c, "bridge", "a key", []byte("hello"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bridge"), Key: aws.String("a key")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var evs []map[string]any
	for len(evs) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("EventBridge events: %v", evs)
		}
		time.Sleep(50 * time.Millisecond)
		bus.mu.Lock()
		evs = evs[:0]
		for _, b := range bus.bodies {
			var m map[string]any
			json.Unmarshal(b, &m)
			evs = append(evs, m)
		}
		bus.mu.Unlock()
	}
	if evs[0]["detail-type"] != "Object Created" || evs[0]["source"] != "aws.s3" || evs[1]["detail-type"] != "Object Deleted" {
		t.Errorf("events: %v", evs)
	}
	d := evs[0]["detail"].(map[string]any)
	if d["bucket"].(map[string]any)["name"] != "bridge" || d["object"].(map[string]any)["key"] != "a key" || d["reason"] != "PutObject" {
		t.Errorf("detail: %v", d)
	}
	if d1 := evs[1]["detail"].(map[string]any); d1["deletion-type"] != "Permanently Deleted" {
		t.Errorf("delete detail: %v", d1)
	}
	if n := len(h.events(t)); n != 0 {
		t.Errorf("the other target got %d events", n)
	}
}

// TestNotificationAnnotationAndRestoreEvents: the journal records of
// annotations (2026-06) and restore requests become their S3 events.
func TestNotificationAnnotationAndRestoreEvents(t *testing.T) {
	h := &hook{}
	srv := startNotifyServer(t, h)
	c := srv.Client()
	ctx := context.Background()
	mustCreateBucket(t, c, "annot-events")
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("annot-events"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queueConfig("ann", hookARN, []types.Event{"s3:ObjectAnnotation:*", "s3:ObjectRestore:*"}, "", "")}}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "annot-events", "doc", []byte("body"))
	mustPutAnn(t, c, "annot-events", "doc", "summary", []byte("short"))
	if _, err := c.DeleteObjectAnnotation(ctx, &s3.DeleteObjectAnnotationInput{Bucket: aws.String("annot-events"), Key: aws.String("doc"), AnnotationName: aws.String("summary")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("annot-events"), Key: aws.String("cold"), Body: strings.NewReader("ice"), StorageClass: types.StorageClassGlacier}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("annot-events"), Key: aws.String("cold"),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}}); err != nil {
		t.Fatal(err)
	}
	ev := waitEvents(t, h, 10*time.Second, func(ev []eventRecord) bool { return len(ev) >= 3 })
	want := []string{"ObjectAnnotation:Put doc", "ObjectAnnotation:Delete doc", "ObjectRestore:Post cold"}
	for i, w := range want {
		if got := ev[i].EventName + " " + ev[i].S3.Object.Key; got != w {
			t.Errorf("event %d: %s, want %s", i, got, w)
		}
	}
	h.mu.Lock()
	body := string(h.bodies[len(h.bodies)-3])
	h.mu.Unlock()
	if !strings.Contains(body, `"annotationEventData":{"annotationName":"summary"}`) {
		t.Errorf("annotation event: %s", body)
	}
}
