package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

const testARN = "arn:aws:sqs:us-east-1:000000000000:q"

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, fmt.Sprintf("f%d.json", len(body)))
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	os.WriteFile(filepath.Join(dir, "secret"), []byte("s3cr3t\n"), 0o600)
	t.Setenv("TALUS_NOTIFY_TEST_TOKEN", "Bearer tok")
	f, err := LoadFile(write(`{"max_backoff":"30s","targets":[{"arn":"` + testARN + `","type":"webhook","url":"https://u:pw@example.com/h?token=x","auth_header":"env:TALUS_NOTIFY_TEST_TOKEN","hmac_secret":"file:` + filepath.Join(dir, "secret") + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(f.MaxBackoff) != 30*time.Second {
		t.Errorf("max_backoff %v", f.MaxBackoff)
	}
	r := f.Targets[0].resolved()
	if r.AuthHeader != "Bearer tok" || r.HMACSecret != "s3cr3t" {
		t.Errorf("secrets not resolved: %+v", r)
	}
	if a := f.Targets[0].Address(); strings.Contains(a, "pw") || strings.Contains(a, "token=x") {
		t.Errorf("address shows a secret: %s", a)
	}
	for _, bad := range []string{
		`{"targets":[{"arn":"arn:aws:s3:::b","type":"webhook","url":"http://x"}]}`,
		`{"targets":[{"arn":"` + testARN + `","type":"smtp","url":"http://x"}]}`,
		`{"targets":[{"arn":"` + testARN + `","type":"webhook"}]}`,
		`{"targets":[{"arn":"` + testARN + `","type":"kafka","topic":"t"}]}`,
		`{"targets":[{"arn":"` + testARN + `","type":"webhook","url":"env:TALUS_NOTIFY_TEST_UNSET"}]}`,
		`{"targets":[{"arn":"` + testARN + `","type":"webhook","url":"http://x"},{"arn":"` + testARN + `","type":"webhook","url":"http://y"}]}`,
		`{"targets":[{"arn":"arn:aws:lambda:us-east-1:0:fn","type":"webhook","url":"http://x"}]}`,
	} {
		if _, err := LoadFile(write(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestEventJSON(t *testing.T) {
	b := &meta.Bucket{Name: "b", Region: "eu-west-1", Owner: "owner-id"}
	tm := time.Date(2026, 12, 2, 3, 4, 5, 678_000_000, time.UTC)
	r := &meta.Record{Seq: 42, Time: tm, Type: meta.RecordCreate, Event: meta.EventPut, Bucket: "b", Key: "a b/c=d", VersionID: "null",
		Size: 5, ETag: `"abc"`, Change: meta.Change{Requester: "000000000000", Principal: "arn:aws:iam::000000000000:user/alice", SourceIP: "10.0.0.1", RequestID: "RID", HostID: "REQHOST"}}
	var doc map[string][]map[string]any
	if err := json.Unmarshal(EventJSON(r, b, "cfg", "HOST"), &doc); err != nil {
		t.Fatal(err)
	}
	e := doc["Records"][0]
	s3 := e["s3"].(map[string]any)
	obj := s3["object"].(map[string]any)
	for k, want := range map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1", "eventTime": "2026-12-02T03:04:05.678Z", "eventName": "ObjectCreated:Put",
	} {
		if e[k] != want {
			t.Errorf("%s = %v, want %v", k, e[k], want)
		}
	}
	if e["userIdentity"].(map[string]any)["principalId"] != "AWS:arn:aws:iam::000000000000:user/alice" ||
		e["requestParameters"].(map[string]any)["sourceIPAddress"] != "10.0.0.1" ||
		e["responseElements"].(map[string]any)["x-amz-request-id"] != "RID" || e["responseElements"].(map[string]any)["x-amz-id-2"] != "REQHOST" {
		t.Errorf("request fields: %v", e)
	}
	if s3["configurationId"] != "cfg" || s3["s3SchemaVersion"] != "1.0" || s3["bucket"].(map[string]any)["arn"] != "arn:aws:s3:::b" ||
		s3["bucket"].(map[string]any)["ownerIdentity"].(map[string]any)["principalId"] != "owner-id" {
		t.Errorf("s3: %v", s3)
	}
	if obj["key"] != "a+b/c%3Dd" || obj["size"] != 5.0 || obj["eTag"] != "abc" || obj["sequencer"] != "000000000000002A" || obj["versionId"] != nil {
		t.Errorf("object: %v", obj)
	}
	// A permanent delete has no size or ETag; lifecycle events are 2.3.
	d := &meta.Record{Seq: 43, Time: tm, Type: meta.RecordDelete, Event: meta.EventLifecycleDelete, Bucket: "b", Key: "k", VersionID: "v1", Change: meta.Change{Requester: meta.LifecycleRequester}}
	json.Unmarshal(EventJSON(d, b, "cfg", "HOST"), &doc)
	e = doc["Records"][0]
	obj = e["s3"].(map[string]any)["object"].(map[string]any)
	if e["eventVersion"] != "2.3" || e["eventName"] != "LifecycleExpiration:Delete" || obj["size"] != nil || obj["eTag"] != nil || obj["versionId"] != "v1" ||
		e["userIdentity"].(map[string]any)["principalId"] != meta.LifecycleRequester {
		t.Errorf("lifecycle delete: %v", e)
	}
	var tev map[string]string
	json.Unmarshal(S3TestEvent("b", "RID", "HOST", tm), &tev)
	if tev["Service"] != "Amazon S3" || tev["Event"] != "s3:TestEvent" || tev["Time"] != "2026-12-02T03:04:05.678Z" || tev["Bucket"] != "b" || tev["RequestId"] != "RID" || tev["HostId"] != "HOST" {
		t.Errorf("test event: %v", tev)
	}
}

// fakeSender records what it accepts and fails while down.
type fakeSender struct {
	mu    sync.Mutex
	fails int // sends left to fail
	got   []Message
}

func (f *fakeSender) Send(_ context.Context, msgs []Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("down")
	}
	f.got = append(f.got, msgs...)
	return nil
}

func (f *fakeSender) Close() error { return nil }

func (f *fakeSender) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.got) }

func testService(t *testing.T, file File) (*Service, *sqlite.Store, *fakeSender) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.CreateBucket(context.Background(), meta.Bucket{Name: "b", Created: time.Now(), Region: "us-east-1", Owner: "o", Config: meta.BucketConfig{
		Notification: &meta.Notification{Rules: []meta.NotificationRule{{ID: "all", Kind: "Queue", ARN: testARN, Events: []string{"s3:ObjectCreated:*"}, Prefix: "in/"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	file.MinBackoff, file.MaxBackoff = Duration(time.Millisecond), Duration(5*time.Millisecond)
	file.Targets = []TargetConfig{{ARN: testARN, Type: "webhook", URL: "http://127.0.0.1:1/"}}
	s, err := New(Config{File: &file, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeSender{}
	s.targets[0].sender = fake
	return s, st, fake
}

func putN(t *testing.T, st meta.Store, prefix string, n int) {
	t.Helper()
	for i := range n {
		o := &meta.Object{Bucket: "b", Key: fmt.Sprintf("%s%03d", prefix, i), ETag: "e", Size: 1, StorageClass: "STANDARD", Owner: "o", BlobID: "x"}
		if _, err := st.PutObject(context.Background(), o, meta.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// runUntil delivers until cond holds (or fails after 10 s).
func runUntil(t *testing.T, s *Service, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Deliver(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDeliverRetriesInOrderAndFilters(t *testing.T) {
	s, st, fake := testService(t, File{BatchSize: 4})
	fake.fails = 3
	putN(t, st, "in/", 10)
	putN(t, st, "out/", 3) // not selected by the prefix
	putN(t, st, "in/z", 2)
	runUntil(t, s, func() bool { return fake.count() >= 12 })
	for i := 1; i < len(fake.got); i++ {
		// Keys were written in increasing order.
		if fake.got[i].Key <= fake.got[i-1].Key {
			t.Fatalf("out of order: %s after %s", fake.got[i].Key, fake.got[i-1].Key)
		}
	}
	if fake.count() != 12 {
		t.Errorf("%d messages, want 12", fake.count())
	}
	st0 := s.Stats()[0]
	if st0.Failures != 3 || st0.Delivered != 12 || st0.Dropped != 0 {
		t.Errorf("stats %+v", st0)
	}
	c, err := st.GetJournalCursor(context.Background(), CursorName(testARN))
	if err != nil || c.Seq != 15 {
		t.Errorf("cursor %+v %v, want seq 15", c, err)
	}
}

func TestDeliverBoundsBacklog(t *testing.T) {
	s, st, fake := testService(t, File{MaxBacklog: 4})
	putN(t, st, "in/", 10)
	runUntil(t, s, func() bool { return fake.count() >= 4 })
	if fake.got[0].Key != "b/in/006" {
		t.Errorf("first delivered %s, want the newest four", fake.got[0].Key)
	}
	if st0 := s.Stats()[0]; st0.Dropped != 6 {
		t.Errorf("dropped %d, want 6", st0.Dropped)
	}
}

func TestDeliverSkipsTrimmedRecords(t *testing.T) {
	s, st, fake := testService(t, File{})
	putN(t, st, "in/", 10)
	// Retention's cap trims what the cursor has not read.
	if _, err := st.TrimJournal(context.Background(), meta.JournalRetention{Age: time.Hour, MaxRecords: 3}); err != nil {
		t.Fatal(err)
	}
	runUntil(t, s, func() bool { return fake.count() >= 3 })
	if fake.got[0].Key != "b/in/007" {
		t.Errorf("first delivered %s", fake.got[0].Key)
	}
	if st0 := s.Stats()[0]; st0.Dropped != 7 {
		t.Errorf("dropped %d, want 7", st0.Dropped)
	}
}
