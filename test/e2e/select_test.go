package e2e

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/parquet-go/parquet-go"

	"talus/internal/testserver"
)

// selectResult is what one SelectObjectContent streamed back.
type selectResult struct {
	records  string
	stats    *types.Stats
	progress []*types.Progress
	conts    int
	ends     int
	err      error // the stream's error (an error message mid-stream)
}

func runSelect(t *testing.T, c *s3.Client, in *s3.SelectObjectContentInput) (selectResult, error) {
	t.Helper()
	out, err := c.SelectObjectContent(ctx, in)
	if err != nil {
		return selectResult{}, err
	}
	st := out.GetStream()
	defer st.Close()
	var r selectResult
	var recs strings.Builder
	for ev := range st.Events() {
		switch v := ev.(type) {
		case *types.SelectObjectContentEventStreamMemberRecords:
			recs.Write(v.Value.Payload)
		case *types.SelectObjectContentEventStreamMemberStats:
			r.stats = v.Value.Details
		case *types.SelectObjectContentEventStreamMemberProgress:
			r.progress = append(r.progress, v.Value.Details)
		case *types.SelectObjectContentEventStreamMemberCont:
			r.conts++
		case *types.SelectObjectContentEventStreamMemberEnd:
			r.ends++
		}
	}
	r.records, r.err = recs.String(), st.Err()
	return r, nil
}

func csvSelect(bucket, key, sql string, in *types.CSVInput, out *types.CSVOutput) *s3.SelectObjectContentInput {
	if in == nil {
		in = &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse}
	}
	if out == nil {
		out = &types.CSVOutput{}
	}
	return &s3.SelectObjectContentInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Expression: aws.String(sql),
		ExpressionType:      types.ExpressionTypeSql,
		InputSerialization:  &types.InputSerialization{CSV: in},
		OutputSerialization: &types.OutputSerialization{CSV: out},
	}
}

func mustSelect(t *testing.T, c *s3.Client, in *s3.SelectObjectContentInput, want string) selectResult {
	t.Helper()
	r, err := runSelect(t, c, in)
	if err != nil {
		t.Fatalf("%s: %v", aws.ToString(in.Expression), err)
	}
	if r.err != nil {
		t.Fatalf("%s: stream error %v", aws.ToString(in.Expression), r.err)
	}
	if r.records != want {
		t.Fatalf("%s: records %q, want %q", aws.ToString(in.Expression), r.records, want)
	}
	if r.ends != 1 || r.stats == nil {
		t.Fatalf("%s: ends %d, stats %v", aws.ToString(in.Expression), r.ends, r.stats)
	}
	return r
}

const selectPeople = "name,age,city\nAlice,30,Paris\nBob,25,Berlin\nCarol,41,Paris\nDan,19,Rome\n"

func TestSelectCSV(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "sel")
	mustPut(t, c, "sel", "people.csv", []byte(selectPeople))

	for _, tc := range []struct{ sql, want string }{
		{"SELECT * FROM S3Object", "Alice,30,Paris\nBob,25,Berlin\nCarol,41,Paris\nDan,19,Rome\n"},
		{"SELECT s.name, s.city FROM S3Object s WHERE s.city = 'Paris' AND CAST(s.age AS INT) > 35", "Carol,Paris\n"},
		{"SELECT name FROM S3Object WHERE name LIKE '%o%' OR city IN ('Rome')", "Bob\nCarol\nDan\n"},
		{"SELECT UPPER(name), CHAR_LENGTH(city), SUBSTRING(name, 1, 2) FROM S3Object WHERE CAST(age AS INT) BETWEEN 20 AND 29", "BOB,6,Bo\n"},
		{"SELECT CASE WHEN CAST(age AS INT) < 21 THEN 'minor' ELSE 'adult' END AS k FROM S3Object LIMIT 2", "adult\nadult\n"},
		{"SELECT COUNT(*), SUM(CAST(age AS INT)), AVG(CAST(age AS INT)), MIN(CAST(age AS INT)), MAX(CAST(age AS INT)) FROM S3Object", "4,115,28.75,19,41\n"},
		{"SELECT COALESCE(nosuch, 'none'), NULLIF(city, 'Paris') FROM S3Object WHERE name = 'Alice'", "none,\n"},
		{"SELECT EXTRACT(YEAR FROM TO_TIMESTAMP('2024-05-06T')), DATE_DIFF(DAY, TO_TIMESTAMP('2024-05-06T'), DATE_ADD(DAY, 3, TO_TIMESTAMP('2024-05-06T'))), TO_STRING(TO_TIMESTAMP('2024-05-06T07:08:09Z'), 'yyyy/MM/dd HH:mm') FROM S3Object LIMIT 1", "2024,3,2024/05/06 07:08\n"},
		{"SELECT name FROM S3Object WHERE nosuch IS MISSING AND age IS NOT NULL AND CAST(age AS INT) % 2 = 1 AND -CAST(age AS INT) * 2 < -40", "Bob\nCarol\n"},
	} {
		mustSelect(t, c, csvSelect("sel", "people.csv", tc.sql, nil, nil), tc.want)
	}

	// Positional columns with IGNORE and NONE.
	mustSelect(t, c, csvSelect("sel", "people.csv", "SELECT _1 FROM S3Object WHERE _3 = 'Rome'",
		&types.CSVInput{FileHeaderInfo: types.FileHeaderInfoIgnore}, nil), "Dan\n")
	mustSelect(t, c, csvSelect("sel", "people.csv", "SELECT _2 FROM S3Object LIMIT 1",
		&types.CSVInput{FileHeaderInfo: types.FileHeaderInfoNone}, nil), "age\n")

	// Input options: delimiters, quote and escape characters, comments,
	// quoted record delimiters.
	odd := "# a comment|id;note|1;'it''s; fine, really'|2;'x'|3;plain|"
	in := &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoNone, FieldDelimiter: aws.String(";"),
		RecordDelimiter: aws.String("|"), QuoteCharacter: aws.String("'"), Comments: aws.String("#")}
	mustPut(t, c, "sel", "odd.csv", []byte(odd))
	mustSelect(t, c, csvSelect("sel", "odd.csv", "SELECT _2 FROM S3Object WHERE _1 = '1' OR _1 = '3'", in, nil), "\"it's; fine, really\"\nplain\n")
	mustPut(t, c, "sel", "multi.csv", []byte("id,note\n1,\"multi\nline\"\n2,\"say \"\"hi\"\"\"\n"))
	mustPut(t, c, "sel", "esc.csv", []byte("id,note\n2,\"say \\\"hi\\\"\"\n"))
	mustSelect(t, c, csvSelect("sel", "multi.csv", "SELECT note FROM S3Object WHERE id = '2'", nil, nil), "\"say \"\"hi\"\"\"\n")
	mustSelect(t, c, csvSelect("sel", "multi.csv", "SELECT note FROM S3Object WHERE id = '1'",
		&types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse, AllowQuotedRecordDelimiter: aws.Bool(true)}, nil), "\"multi\nline\"\n")
	mustSelect(t, c, csvSelect("sel", "esc.csv", "SELECT note FROM S3Object WHERE id = '2'",
		&types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse, AllowQuotedRecordDelimiter: aws.Bool(true), QuoteEscapeCharacter: aws.String("\\")},
		&types.CSVOutput{QuoteFields: types.QuoteFieldsAlways, QuoteEscapeCharacter: aws.String("\\")}), "\"say \\\"hi\\\"\"\n")

	// Output options.
	mustSelect(t, c, csvSelect("sel", "people.csv", "SELECT name, age FROM S3Object LIMIT 2", nil,
		&types.CSVOutput{FieldDelimiter: aws.String("\t"), RecordDelimiter: aws.String("\r\n"), QuoteFields: types.QuoteFieldsAlways, QuoteCharacter: aws.String("'")}),
		"'Alice'\t'30'\r\n'Bob'\t'25'\r\n")
	in2 := csvSelect("sel", "people.csv", "SELECT name, CAST(age AS INT) AS age FROM S3Object WHERE city = 'Paris'", nil, nil)
	in2.OutputSerialization = &types.OutputSerialization{JSON: &types.JSONOutput{RecordDelimiter: aws.String(";")}}
	mustSelect(t, c, in2, `{"name":"Alice","age":30};{"name":"Carol","age":41};`)
	in3 := csvSelect("sel", "people.csv", "SELECT * FROM S3Object LIMIT 1", nil, nil)
	in3.OutputSerialization = &types.OutputSerialization{JSON: &types.JSONOutput{}}
	mustSelect(t, c, in3, `{"name":"Alice","age":"30","city":"Paris"}`+"\n")
}

func TestSelectJSON(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "selj")
	doc := `{"users":[{"name":"Alice","age":30,"tags":["a","b"],"addr":{"city":"Paris"}},{"name":"Bob","age":25,"addr":{"city":"Berlin"}}]}`
	mustPut(t, c, "selj", "doc.json", []byte(doc))
	lines := "{\"id\":1,\"v\":1.5,\"ok\":true}\n{\"id\":2,\"v\":null,\"ok\":false}\n\n{\"id\":3,\"v\":7,\"ok\":true,\"x\":{\"y\":[10,20]}}\n"
	mustPut(t, c, "selj", "lines.json", []byte(lines))
	js := func(key, typ, sql string, jsonOut bool) *s3.SelectObjectContentInput {
		in := &s3.SelectObjectContentInput{Bucket: aws.String("selj"), Key: aws.String(key), Expression: aws.String(sql),
			ExpressionType:      types.ExpressionTypeSql,
			InputSerialization:  &types.InputSerialization{JSON: &types.JSONInput{Type: types.JSONType(typ)}},
			OutputSerialization: &types.OutputSerialization{CSV: &types.CSVOutput{}}}
		if jsonOut {
			in.OutputSerialization = &types.OutputSerialization{JSON: &types.JSONOutput{}}
		}
		return in
	}
	mustSelect(t, c, js("doc.json", "DOCUMENT", "SELECT u.name, u.addr.city FROM S3Object[*].users[*] u WHERE u.age > 26", false), "Alice,Paris\n")
	mustSelect(t, c, js("doc.json", "DOCUMENT", "SELECT u.tags[1] AS t, u.name FROM S3Object[*].users[*] AS u", true), "{\"t\":\"b\",\"name\":\"Alice\"}\n{\"name\":\"Bob\"}\n")
	mustSelect(t, c, js("doc.json", "DOCUMENT", "SELECT * FROM S3Object[*].users[*] u WHERE u.addr.city = 'Berlin'", true), `{"name":"Bob","age":25,"addr":{"city":"Berlin"}}`+"\n")
	mustSelect(t, c, js("lines.json", "LINES", "SELECT s.id FROM S3Object s WHERE s.ok = true AND s.v > 1", false), "1\n3\n")
	mustSelect(t, c, js("lines.json", "LINES", "SELECT s.id, s.v FROM S3Object s WHERE s.v IS NULL", true), "{\"id\":2,\"v\":null}\n")
	mustSelect(t, c, js("lines.json", "LINES", "SELECT s.x.y[1] FROM S3Object s WHERE s.x IS NOT MISSING", false), "20\n")
	mustSelect(t, c, js("lines.json", "LINES", "SELECT COUNT(*), SUM(s.v), MAX(s.id) FROM S3Object s", false), "3,8.5,3\n")

	// Malformed JSON is an error message mid-stream.
	mustPut(t, c, "selj", "bad.json", []byte("{\"id\":1}\n{\"id\":\n"))
	r, err := runSelect(t, c, js("bad.json", "LINES", "SELECT * FROM S3Object", false))
	if err != nil || apiCode(r.err) != "JSONParsingError" {
		t.Fatalf("bad JSON: %v / %v", err, r.err)
	}
}

type parquetRow struct {
	ID    int64   `parquet:"id"`
	Name  string  `parquet:"name"`
	Score float64 `parquet:"score"`
	Flag  bool    `parquet:"flag"`
}

func TestSelectParquet(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "selp")
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[parquetRow](&buf)
	rows := make([]parquetRow, 1000)
	for i := range rows {
		rows[i] = parquetRow{ID: int64(i), Name: "n" + strconv.Itoa(i), Score: float64(i) / 2, Flag: i%3 == 0}
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "selp", "t.parquet", buf.Bytes())
	pq := func(sql string, jsonOut bool) *s3.SelectObjectContentInput {
		in := &s3.SelectObjectContentInput{Bucket: aws.String("selp"), Key: aws.String("t.parquet"), Expression: aws.String(sql),
			ExpressionType:      types.ExpressionTypeSql,
			InputSerialization:  &types.InputSerialization{Parquet: &types.ParquetInput{}},
			OutputSerialization: &types.OutputSerialization{CSV: &types.CSVOutput{}}}
		if jsonOut {
			in.OutputSerialization = &types.OutputSerialization{JSON: &types.JSONOutput{}}
		}
		return in
	}
	mustSelect(t, c, pq("SELECT id, name, score FROM S3Object WHERE id BETWEEN 10 AND 12", false), "10,n10,5.0\n11,n11,5.5\n12,n12,6.0\n")
	mustSelect(t, c, pq("SELECT * FROM S3Object s WHERE s.id = 999", true), `{"id":999,"name":"n999","score":499.5,"flag":true}`+"\n")
	mustSelect(t, c, pq("SELECT COUNT(*), SUM(id) FROM S3Object WHERE flag", false), "334,166833\n")
	// Parquet is its own compression: GZIP is refused before the stream.
	in := pq("SELECT * FROM S3Object", false)
	in.InputSerialization.CompressionType = types.CompressionTypeGzip
	_, err := runSelect(t, c, in)
	mustFail(t, "parquet gzip", err, 400, "InvalidCompressionFormat")
}

func TestSelectCompression(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "selz")
	var data strings.Builder
	data.WriteString("n,sq\n")
	for i := 0; i < 5000; i++ {
		data.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(i*i) + "\n")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(data.String()))
	zw.Close()
	mustPut(t, c, "selz", "d.csv.gz", gz.Bytes())
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = strings.NewReader(data.String())
	bz, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	mustPut(t, c, "selz", "d.csv.bz2", bz)
	for key, ct := range map[string]types.CompressionType{"d.csv.gz": types.CompressionTypeGzip, "d.csv.bz2": types.CompressionTypeBzip2} {
		in := csvSelect("selz", key, "SELECT sq FROM S3Object WHERE n = '4999' OR n = '7'", nil, nil)
		in.InputSerialization.CompressionType = ct
		r := mustSelect(t, c, in, "49\n24990001\n")
		if aws.ToInt64(r.stats.BytesScanned) >= aws.ToInt64(r.stats.BytesProcessed) || aws.ToInt64(r.stats.BytesProcessed) != int64(data.Len()) {
			t.Fatalf("%s stats: scanned %d processed %d (plain %d)", key, aws.ToInt64(r.stats.BytesScanned), aws.ToInt64(r.stats.BytesProcessed), data.Len())
		}
	}
	// Plain data read as GZIP fails before the stream starts.
	mustPut(t, c, "selz", "plain.csv", []byte(data.String()))
	in := csvSelect("selz", "plain.csv", "SELECT * FROM S3Object", nil, nil)
	in.InputSerialization.CompressionType = types.CompressionTypeGzip
	_, err = runSelect(t, c, in)
	mustFail(t, "gzip of plain data", err, 400, "InvalidCompressionFormat")
}

func TestSelectScanRangeAndProgress(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "selr")
	body := "aaaa\nbbbb\ncccc\ndddd\n" // records start at 0, 5, 10, 15
	mustPut(t, c, "selr", "r.csv", []byte(body))
	none := &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoNone}
	for _, tc := range []struct {
		start, end *int64
		want       string
	}{
		{aws.Int64(0), aws.Int64(4), "aaaa\n"},
		{aws.Int64(1), aws.Int64(5), "bbbb\n"}, // only bbbb starts inside [1,5]
		{aws.Int64(5), aws.Int64(10), "bbbb\ncccc\n"},
		{aws.Int64(6), nil, "cccc\ndddd\n"},
		{nil, aws.Int64(6), "dddd\n"}, // the last 6 bytes: records starting at 14..19
		{aws.Int64(100), nil, ""},
	} {
		in := csvSelect("selr", "r.csv", "SELECT * FROM S3Object", none, nil)
		in.ScanRange = &types.ScanRange{Start: tc.start, End: tc.end}
		mustSelect(t, c, in, tc.want)
	}
	in := csvSelect("selr", "r.csv", "SELECT * FROM S3Object", none, nil)
	in.ScanRange = &types.ScanRange{Start: aws.Int64(9), End: aws.Int64(3)}
	_, err := runSelect(t, c, in)
	mustFail(t, "reversed scan range", err, 400, "InvalidScanRange")

	in = csvSelect("selr", "r.csv", "SELECT * FROM S3Object WHERE _1 <> 'cccc'", none, nil)
	in.RequestProgress = &types.RequestProgress{Enabled: aws.Bool(true)}
	r := mustSelect(t, c, in, "aaaa\nbbbb\ndddd\n")
	if len(r.progress) == 0 {
		t.Fatal("no Progress event with RequestProgress enabled")
	}
	p := r.progress[len(r.progress)-1]
	if aws.ToInt64(p.BytesScanned) != int64(len(body)) || aws.ToInt64(r.stats.BytesReturned) != 15 || aws.ToInt64(r.stats.BytesProcessed) != int64(len(body)) {
		t.Fatalf("progress %+v stats %+v", p, r.stats)
	}
}

func TestSelectErrors(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "sele")
	mustPut(t, c, "sele", "p.csv", []byte(selectPeople))
	for _, tc := range []struct{ sql, code string }{
		{"SELEC * FROM S3Object", "ParseUnexpectedToken"},
		{"SELECT * FROM S3Object WHERE", "ParseExpectedExpression"},
		{"SELECT * FROM S3Object WHERE name = 'x", "LexerInvalidLiteral"},
		{"SELECT name FROM S3Object ORDER BY name", "UnsupportedSqlOperation"},
		{"SELECT WHATEVER(name) FROM S3Object", "UnsupportedFunction"},
		{"", "MissingRequiredParameter"},
	} {
		_, err := runSelect(t, c, csvSelect("sele", "p.csv", tc.sql, nil, nil))
		mustFail(t, tc.sql, err, 400, tc.code)
	}
	_, err := runSelect(t, c, csvSelect("sele", "missing.csv", "SELECT * FROM S3Object", nil, nil))
	mustFail(t, "missing key", err, 404, "NoSuchKey")
	_, err = runSelect(t, c, csvSelect("sele", "p.csv", "SELECT * FROM S3Object", &types.CSVInput{FileHeaderInfo: "SOME"}, nil))
	mustFail(t, "bad header info", err, 400, "InvalidFileHeaderInfo")

	// Bad CSV found mid-stream: rows before it were already sent.
	var big strings.Builder
	big.WriteString("a,b\n")
	for i := 0; i < 20000; i++ {
		big.WriteString("x" + strconv.Itoa(i) + ",y\n")
	}
	big.WriteString("\"broken\"z,1\n")
	mustPut(t, c, "sele", "bad.csv", []byte(big.String()))
	r, err := runSelect(t, c, csvSelect("sele", "bad.csv", "SELECT a FROM S3Object", nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if apiCode(r.err) != "CSVParsingError" || !strings.HasPrefix(r.records, "x0\nx1\n") || r.ends != 0 {
		t.Fatalf("bad CSV: err %v, %d bytes of records, ends %d", r.err, len(r.records), r.ends)
	}
	// A failing CAST mid-stream is an error message too.
	r, err = runSelect(t, c, csvSelect("sele", "p.csv", "SELECT CAST(name AS INT) FROM S3Object", nil, nil))
	if err != nil || apiCode(r.err) != "CastFailed" {
		t.Fatalf("cast: %v / %v", err, r.err)
	}
}

func TestSelectSSEC(t *testing.T) {
	srv := testserver.Start(t, testserver.WithSSECOverHTTP())
	c := srv.Client()
	mustCreateBucket(t, c, "selc")
	allowSSEC(t, c, "selc")
	k := newSSECKey(7)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("selc"), Key: aws.String("c.csv"), Body: strings.NewReader(selectPeople),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}); err != nil {
		t.Fatal(err)
	}
	in := csvSelect("selc", "c.csv", "SELECT name FROM S3Object WHERE city = 'Berlin'", nil, nil)
	_, err := runSelect(t, c, in)
	mustFail(t, "no customer key", err, 400, "InvalidRequest")
	other := newSSECKey(8)
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(other.key), aws.String(other.md5)
	_, err = runSelect(t, c, in)
	mustFail(t, "wrong customer key", err, 403, "AccessDenied")
	in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String(k.key), aws.String(k.md5)
	mustSelect(t, c, in, "Bob\n")
	// A multipart object larger than a part, encrypted with SSE-S3 (the default).
	var big strings.Builder
	for i := 0; big.Len() < 12<<20; i++ {
		big.WriteString(strconv.Itoa(i) + ",row,padding-padding-padding\n")
	}
	mustMultipartPut(t, c, "selc", "big.csv", []byte(big.String()), 5<<20)
	in = csvSelect("selc", "big.csv", "SELECT _1 FROM S3Object WHERE _1 = '5' OR _1 = '300000'", &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoNone}, nil)
	mustSelect(t, c, in, "5\n300000\n")
}

// mustMultipartPut uploads body in parts of partSize.
func mustMultipartPut(t *testing.T, c *s3.Client, bucket, key string, body []byte, partSize int) {
	t.Helper()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for n, off := int32(1), 0; off < len(body); n, off = n+1, off+partSize {
		end := min(off+partSize, len(body))
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(body[off:end])})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(n)})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
}

const boto3Select = `
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
    aws_secret_access_key=sys.argv[3], region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}))
def run(key, sql, inp, out):
    r = s3.select_object_content(Bucket="selb", Key=key, Expression=sql, ExpressionType="SQL",
        InputSerialization=inp, OutputSerialization=out, RequestProgress={"Enabled": True})
    recs, kinds = b"", []
    for ev in r["Payload"]:
        kinds.extend(ev.keys())
        if "Records" in ev:
            recs += ev["Records"]["Payload"]
    assert kinds[-1] == "End" and "Stats" in kinds and "Progress" in kinds, kinds
    return recs.decode()
print(run("p.csv", "SELECT name FROM S3Object WHERE city = 'Paris'", {"CSV": {"FileHeaderInfo": "USE"}}, {"CSV": {}}), end="|")
print(run("l.json", "SELECT s.a FROM S3Object s WHERE s.a > 1", {"JSON": {"Type": "LINES"}}, {"JSON": {}}), end="|")
print(run("t.parquet", "SELECT s.name FROM S3Object s WHERE s.id IN (3, 5)", {"Parquet": {}}, {"CSV": {}}), end="|")
print(run("p.csv.gz", "SELECT COUNT(*) FROM S3Object", {"CSV": {"FileHeaderInfo": "USE"}, "CompressionType": "GZIP"}, {"JSON": {}}), end="|")
try:
    run("p.csv", "SELECT FROM WHERE", {"CSV": {}}, {"CSV": {}})
except s3.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], end="")
`

func TestSelectBoto3(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is needed")
	}
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "selb")
	mustPut(t, c, "selb", "p.csv", []byte(selectPeople))
	mustPut(t, c, "selb", "l.json", []byte("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"))
	var pq bytes.Buffer
	w := parquet.NewGenericWriter[parquetRow](&pq)
	rows := make([]parquetRow, 10)
	for i := range rows {
		rows[i] = parquetRow{ID: int64(i), Name: "n" + strconv.Itoa(i)}
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "selb", "t.parquet", pq.Bytes())
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(selectPeople))
	zw.Close()
	mustPut(t, c, "selb", "p.csv.gz", gz.Bytes())
	script := filepath.Join(t.TempDir(), "boto_select.py")
	if err := os.WriteFile(script, []byte(boto3Select), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", script, srv.URL, testserver.AccessKey, testserver.SecretKey)
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	want := "Alice\nCarol\n|{\"a\":2}\n{\"a\":3}\n|n3\nn5\n|{\"_1\":" + strconv.Itoa(strings.Count(selectPeople, "\n")-1) + "}\n|ParseEmptySelect"
	if string(out) != want {
		t.Fatalf("boto3 got %q, want %q", out, want)
	}
}

// SelectObjectContent is authorized by s3:GetObject, as in AWS.
func TestSelectAuthorization(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.Client()
	mustCreateBucket(t, root, "sela")
	mustPut(t, root, "sela", "p.csv", []byte(selectPeople))
	reader, _, _ := newUser(t, srv, "reader", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sela/*"}]}`)
	lister, _, _ := newUser(t, srv, "lister", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:ListBucket","s3:PutObject"],"Resource":["arn:aws:s3:::sela","arn:aws:s3:::sela/*"]}]}`)
	mustSelect(t, reader, csvSelect("sela", "p.csv", "SELECT name FROM S3Object WHERE city = 'Rome'", nil, nil), "Dan\n")
	_, err := runSelect(t, lister, csvSelect("sela", "p.csv", "SELECT name FROM S3Object", nil, nil))
	mustFail(t, "select without s3:GetObject", err, 403, "AccessDenied")
}

// ScanRange on JSON LINES reads the lines that start in the range.
func TestSelectScanRangeJSONLines(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "selrj")
	body := "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n" // lines start at 0, 8, 16
	mustPut(t, c, "selrj", "l.json", []byte(body))
	in := &s3.SelectObjectContentInput{Bucket: aws.String("selrj"), Key: aws.String("l.json"), Expression: aws.String("SELECT s.a FROM S3Object s"),
		ExpressionType:      types.ExpressionTypeSql,
		InputSerialization:  &types.InputSerialization{JSON: &types.JSONInput{Type: types.JSONTypeLines}},
		OutputSerialization: &types.OutputSerialization{CSV: &types.CSVOutput{}},
		ScanRange:           &types.ScanRange{Start: aws.Int64(3), End: aws.Int64(16)}}
	mustSelect(t, c, in, "2\n3\n")
	in.InputSerialization.JSON.Type = types.JSONTypeDocument
	_, err := runSelect(t, c, in)
	mustFail(t, "scan range on a JSON document", err, 400, "UnsupportedScanRangeInput")
}
