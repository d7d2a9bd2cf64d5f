package s3select

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// syncBuffer is a buffer written by the scan and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) snapshot() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// pipeSource serves an object whose bytes arrive through a pipe.
func pipeSource(size int64, r io.Reader) Source {
	return Source{Size: size, Open: func(off, n int64) (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func eventTypes(t *testing.T, b []byte) []string {
	var out []string
	for _, e := range decodeEvents(t, b) {
		out = append(out, e.typ)
	}
	return out
}

// Rows reach the client while the object is still being read, and Cont
// events keep a scan that finds nothing alive.
func TestRecordsStreamedAsFound(t *testing.T) {
	defer func(f, c time.Duration) { flushEvery, contEvery = f, c }(flushEvery, contEvery)
	flushEvery, contEvery = 20*time.Millisecond, 50*time.Millisecond

	pr, pw := io.Pipe()
	p, err := Prepare(&Request{Expression: "SELECT _1 FROM S3Object WHERE _2 = 'yes'", ExpressionType: "SQL",
		CSVIn: &CSVInput{}, CSVOut: &CSVOutput{}, Inputs: 1, Outputs: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Open(context.Background(), pipeSource(1<<40, pr), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background(), &out, func() {}) }()

	pw.Write([]byte("first,yes\nsecond,no\n"))
	waitFor(t, "the first record", func() bool { return bytes.Contains(out.snapshot(), []byte("first\n")) })
	// No matches for a while: Cont events arrive.
	go pw.Write([]byte(strings.Repeat("x,no\n", 10)))
	waitFor(t, "a Cont event", func() bool {
		for _, e := range eventTypes(t, out.snapshot()) {
			if e == "Cont" {
				return true
			}
		}
		return false
	})
	pw.Write([]byte("last,yes\n"))
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs := decodeEvents(t, out.snapshot())
	var recs string
	for _, e := range evs {
		if e.typ == "Records" {
			recs += string(e.payload)
		}
	}
	if recs != "first\nlast\n" || evs[len(evs)-1].typ != "End" || evs[len(evs)-2].typ != "Stats" {
		t.Fatalf("records %q, events %v", recs, eventTypes(t, out.snapshot()))
	}
}

// The encoder's frames decode with the SDK's decoder, CRCs and headers intact.
func TestEventFramingRoundTrip(t *testing.T) {
	var b bytes.Buffer
	ew := newEventWriter(&b)
	ew.records([]byte("a,b\n"))
	ew.progress(Stats{1, 2, 3})
	ew.stats(Stats{10, 20, 30})
	ew.cont()
	ew.end()
	ew.fail("CSVParsingError", "bad row")
	raw := b.Bytes()
	d := eventstream.NewDecoder()
	r := bytes.NewReader(raw)
	want := []struct{ typ, ctype, payload string }{
		{"Records", "application/octet-stream", "a,b\n"},
		{"Progress", "text/xml", "<BytesScanned>1</BytesScanned><BytesProcessed>2</BytesProcessed><BytesReturned>3</BytesReturned>"},
		{"Stats", "text/xml", "<BytesScanned>10</BytesScanned><BytesProcessed>20</BytesProcessed><BytesReturned>30</BytesReturned>"},
		{"Cont", "", ""}, {"End", "", ""},
	}
	for _, w := range want {
		m, err := d.Decode(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.Headers.Get(":event-type").String() != w.typ || m.Headers.Get(":message-type").String() != "event" {
			t.Fatalf("headers %v", m.Headers)
		}
		if ct := m.Headers.Get(":content-type"); (ct == nil) != (w.ctype == "") || ct != nil && ct.String() != w.ctype {
			t.Fatalf("%s content-type %v", w.typ, ct)
		}
		if !strings.Contains(string(m.Payload), w.payload) {
			t.Fatalf("%s payload %q", w.typ, m.Payload)
		}
	}
	m, err := d.Decode(r, nil)
	if err != nil || m.Headers.Get(":message-type").String() != "error" || m.Headers.Get(":error-code").String() != "CSVParsingError" || m.Headers.Get(":error-message").String() != "bad row" {
		t.Fatalf("error message %v %v", m.Headers, err)
	}
	// A flipped payload byte fails the message CRC.
	raw[20] ^= 0xff
	if _, err := eventstream.NewDecoder().Decode(bytes.NewReader(raw), nil); err == nil {
		t.Fatal("corrupted frame decoded")
	}
}
