package s3select

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// benchCSV is about 32 MiB of CSV: id,name,score,city.
func benchCSV() []byte {
	var b bytes.Buffer
	b.WriteString("id,name,score,city\n")
	cities := []string{"Paris", "Berlin", "Rome", "Madrid", "Lisbon"}
	for i := 0; b.Len() < 32<<20; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteString(",user-")
		b.WriteString(strconv.Itoa(i * 7))
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(i % 1000))
		b.WriteByte(',')
		b.WriteString(cities[i%len(cities)])
		b.WriteByte('\n')
	}
	return b.Bytes()
}

type benchRow struct {
	ID    int64  `parquet:"id"`
	Name  string `parquet:"name"`
	Score int64  `parquet:"score"`
	City  string `parquet:"city"`
}

func benchParquet(b *testing.B) ([]byte, int64) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[benchRow](&buf)
	cities := []string{"Paris", "Berlin", "Rome", "Madrid", "Lisbon"}
	rows := make([]benchRow, 0, 4096)
	var n int64
	for i := 0; i < 1_000_000; i++ {
		rows = append(rows, benchRow{int64(i), "user-" + strconv.Itoa(i*7), int64(i % 1000), cities[i%len(cities)]})
		if len(rows) == cap(rows) {
			if _, err := w.Write(rows); err != nil {
				b.Fatal(err)
			}
			rows = rows[:0]
		}
		n++
	}
	w.Write(rows)
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes(), n
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPerCore adds MB per CPU-second: the per-core throughput whatever
// else the machine is running.
func reportPerCore(b *testing.B, bytes int64, cpu time.Duration) {
	b.ReportMetric(float64(bytes)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
}

func benchRun(b *testing.B, req *Request, data []byte) {
	p, err := Prepare(req)
	if err != nil {
		b.Fatal(err)
	}
	s, err := p.Open(context.Background(), memSource(data), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Run(context.Background(), io.Discard, func() {}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkScanCSV scans CSV with a simple WHERE on one core; MB/s is of
// the object's bytes.
func BenchmarkScanCSV(b *testing.B) {
	data := benchCSV()
	req := &Request{Expression: "SELECT name FROM S3Object WHERE city = 'Rome' AND CAST(score AS INT) > 990", ExpressionType: "SQL",
		CSVIn: &CSVInput{FileHeaderInfo: "USE"}, CSVOut: &CSVOutput{}, Inputs: 1, Outputs: 1}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		benchRun(b, req, data)
	}
	reportPerCore(b, int64(len(data)), cpuTime()-start)
}

// BenchmarkScanParquet scans a 1,000,000-row Parquet object with the same
// WHERE on one core; MB/s is of the (compressed) Parquet bytes, so rows
// per CPU-second is reported too.
func BenchmarkScanParquet(b *testing.B) {
	data, rows := benchParquet(b)
	req := &Request{Expression: "SELECT name FROM S3Object WHERE city = 'Rome' AND score > 990", ExpressionType: "SQL",
		ParquetIn: true, CSVOut: &CSVOutput{}, Inputs: 1, Outputs: 1}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		benchRun(b, req, data)
	}
	cpu := cpuTime() - start
	reportPerCore(b, int64(len(data)), cpu)
	b.ReportMetric(float64(rows)*float64(b.N)/cpu.Seconds(), "rows/cpu-s")
}
