package bigobject

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

const (
	selectSize = 1 << 30 // the CSV object scanned
	rowLen     = 64
	matchEvery = 1_000_000
)

// csvGen yields selectSize bytes of 64-byte CSV rows "id,payload,flag\n";
// every matchEvery-th row's flag is "match".
type csvGen struct {
	row, remaining int64
	cur            []byte
}

func (g *csvGen) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && g.remaining > 0 {
		if len(g.cur) == 0 {
			flag := "plain"
			if g.row%matchEvery == 0 {
				flag = "match"
			}
			id := strconv.FormatInt(g.row, 10)
			g.cur = []byte(strings.Repeat("0", 10-len(id)) + id + "," + strings.Repeat("p", 46) + "," + flag + "\n")
			g.row++
		}
		c := copy(p[n:], g.cur)
		g.cur = g.cur[c:]
		n += c
		g.remaining -= int64(c)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// TestSelect1GiBCSV scans a 1 GiB CSV object with a WHERE through
// SelectObjectContent and bounds the server's peak RSS.
func TestSelect1GiBCSV(t *testing.T) {
	p := start(t, t.TempDir())
	pid := p.Cmd.Process.Pid
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	req, err := http.NewRequest(http.MethodPut, p.URL+"/"+bucket+"/big.csv", io.NopCloser(&csvGen{remaining: selectSize}))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = selectSize
	sign(t, req)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s\n%s", resp.Status, b)
	}

	rss := sampleRSS(pid)
	c := testserver.NewClient(p.URL, accessKey, secretKey)
	t0 := time.Now()
	out, err := c.SelectObjectContent(ctx, &s3.SelectObjectContentInput{
		Bucket: aws.String(bucket), Key: aws.String("big.csv"), ExpressionType: types.ExpressionTypeSql,
		Expression:          aws.String("SELECT _1 FROM S3Object WHERE _3 = 'match'"),
		InputSerialization:  &types.InputSerialization{CSV: &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoNone}},
		OutputSerialization: &types.OutputSerialization{CSV: &types.CSVOutput{}},
		RequestProgress:     &types.RequestProgress{Enabled: aws.Bool(true)},
	})
	if err != nil {
		t.Fatalf("SelectObjectContent: %v", err)
	}
	st := out.GetStream()
	var recs strings.Builder
	var stats *types.Stats
	for ev := range st.Events() {
		switch v := ev.(type) {
		case *types.SelectObjectContentEventStreamMemberRecords:
			recs.Write(v.Value.Payload)
		case *types.SelectObjectContentEventStreamMemberStats:
			stats = v.Value.Details
		}
	}
	st.Close()
	dur := time.Since(t0)
	if err := st.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	var want strings.Builder
	rows := int64(selectSize / rowLen)
	for i := int64(0); i < rows; i += matchEvery {
		id := strconv.FormatInt(i, 10)
		want.WriteString(strings.Repeat("0", 10-len(id)) + id + "\n")
	}
	if recs.String() != want.String() {
		t.Fatalf("records %q, want %q", recs.String(), want.String())
	}
	if stats == nil || aws.ToInt64(stats.BytesScanned) != selectSize || aws.ToInt64(stats.BytesProcessed) != selectSize {
		t.Fatalf("stats %+v", stats)
	}
	t.Logf("scanned 1 GiB in %v: %.0f MB/s", dur.Round(time.Millisecond), float64(selectSize)/1e6/dur.Seconds())

	sampled := rss.finish()
	hwm, err := procStatus(pid, "VmHWM")
	if err != nil {
		t.Fatalf("reading VmHWM: %v", err)
	}
	peak := max(sampled, hwm)
	t.Logf("server peak RSS: VmHWM %.1f MiB, highest 100 ms VmRSS sample %.1f MiB", mib(hwm), mib(sampled))
	if peak >= rssLimit {
		t.Errorf("server peak RSS %.1f MiB, limit %.0f MiB", mib(peak), mib(rssLimit))
	}
}
