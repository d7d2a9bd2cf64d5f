package s3select

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"talus/internal/s3err"
)

type event struct {
	typ, code, msg string
	payload        []byte
}

// decodeEvents reads the stream with the SDK's decoder (CRCs checked).
func decodeEvents(t *testing.T, b []byte) []event {
	t.Helper()
	d := eventstream.NewDecoder()
	r := bytes.NewReader(b)
	var out []event
	for r.Len() > 0 {
		m, err := d.Decode(r, nil)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		ev := event{payload: m.Payload}
		if v := m.Headers.Get(":message-type"); v != nil && v.String() == "error" {
			ev.typ = "error"
			ev.code = m.Headers.Get(":error-code").String()
			ev.msg = m.Headers.Get(":error-message").String()
		} else {
			ev.typ = m.Headers.Get(":event-type").String()
		}
		out = append(out, ev)
	}
	return out
}

func memSource(data []byte) Source {
	return Source{Size: int64(len(data)), Open: func(off, n int64) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data[off : off+n])), nil
	}}
}

// run runs req over data and returns the records and the final events.
func run(t *testing.T, req *Request, data []byte) (string, []event, error) {
	t.Helper()
	p, err := Prepare(req)
	if err != nil {
		return "", nil, err
	}
	s, err := p.Open(context.Background(), memSource(data), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	s.Run(context.Background(), &buf, func() {})
	evs := decodeEvents(t, buf.Bytes())
	var recs strings.Builder
	for _, e := range evs {
		if e.typ == "Records" {
			recs.Write(e.payload)
		}
	}
	return recs.String(), evs, nil
}

func csvReq(sql string) *Request {
	return &Request{Expression: sql, ExpressionType: "SQL", CSVIn: &CSVInput{FileHeaderInfo: "USE"}, CSVOut: &CSVOutput{}, Inputs: 1, Outputs: 1}
}

const people = "name,age,city,joined\nAlice,30,Paris,2020-01-15T\nBob,25,Berlin,2021-06-01T\nCarol,41,Paris,2019-11-30T\nDan,,Rome,2022-02-02T\n"

func TestSQLOverCSV(t *testing.T) {
	for _, tc := range []struct{ name, sql, want string }{
		{"star", "SELECT * FROM S3Object", "Alice,30,Paris,2020-01-15T\nBob,25,Berlin,2021-06-01T\nCarol,41,Paris,2019-11-30T\nDan,,Rome,2022-02-02T\n"},
		{"columns", "SELECT name, city FROM S3Object WHERE city = 'Paris'", "Alice,Paris\nCarol,Paris\n"},
		{"positional", "SELECT _1 FROM S3Object s WHERE s._2 > 28", "Alice\nCarol\n"},
		{"quoted name", `SELECT "name" FROM S3Object WHERE "age" = '25'`, "Bob\n"},
		{"alias path", "SELECT s.name FROM S3Object AS s WHERE s.age < 30", "Bob\n"},
		{"and or not", "SELECT name FROM S3Object WHERE (city = 'Paris' AND age > 35) OR NOT city <> 'Rome'", "Carol\nDan\n"},
		{"like", "SELECT name FROM S3Object WHERE name LIKE '_a%'", "Carol\nDan\n"},
		{"like escape", "SELECT name FROM S3Object WHERE 'a%b' LIKE 'a!%b' ESCAPE '!' AND name = 'Bob'", "Bob\n"},
		{"in", "SELECT name FROM S3Object WHERE city IN ('Rome', 'Berlin')", "Bob\nDan\n"},
		{"not in", "SELECT name FROM S3Object WHERE city NOT IN ('Rome', 'Berlin')", "Alice\nCarol\n"},
		{"between", "SELECT name FROM S3Object WHERE CAST(NULLIF(age, '') AS INT) BETWEEN 26 AND 41", "Alice\nCarol\n"},
		{"is null", "SELECT name FROM S3Object WHERE NULLIF(age, '') IS NULL", "Dan\n"},
		{"is missing", "SELECT name FROM S3Object WHERE nosuch IS MISSING AND name = 'Bob'", "Bob\n"},
		{"arithmetic", "SELECT CAST(age AS INT) * 2 + 1, 7 % 3, 10 / 4, 1.5 * 2 FROM S3Object WHERE name = 'Alice'", "61,1,2,3.0\n"},
		{"cast", "SELECT CAST(age AS FLOAT), CAST('true' AS BOOL), CAST(3.9 AS INT), CAST(age AS STRING) FROM S3Object WHERE name = 'Bob'", "25.0,true,3,25\n"},
		{"case", "SELECT name, CASE WHEN age = '' THEN 'unknown' WHEN CAST(age AS INT) > 35 THEN 'old' WHEN age = '' THEN 'unknown' ELSE 'young' END FROM S3Object", "Alice,young\nBob,young\nCarol,old\nDan,unknown\n"},
		{"simple case", "SELECT CASE city WHEN 'Paris' THEN 1 ELSE 0 END FROM S3Object", "1\n0\n1\n0\n"},
		{"coalesce", "SELECT COALESCE(NULLIF(age, ''), 'n/a') FROM S3Object WHERE name = 'Dan'", "n/a\n"},
		{"strings", "SELECT UPPER(name), LOWER(city), CHAR_LENGTH(name), CHARACTER_LENGTH(city), SUBSTRING(name, 2, 3), SUBSTRING(name FROM 3), TRIM('  x  '), TRIM(LEADING 'A' FROM name) FROM S3Object WHERE name = 'Alice'", "ALICE,paris,5,5,lic,ice,x,lice\n"},
		{"concat", "SELECT name || '@' || city FROM S3Object LIMIT 1", "Alice@Paris\n"},
		{"dates", "SELECT EXTRACT(YEAR FROM TO_TIMESTAMP(joined)), DATE_DIFF(DAY, TO_TIMESTAMP('2020-01-01T'), TO_TIMESTAMP(joined)), TO_STRING(DATE_ADD(MONTH, 2, TO_TIMESTAMP(joined)), 'yyyy-MM-dd'), TO_STRING(TO_TIMESTAMP(joined), 'MMM d, y') FROM S3Object WHERE name = 'Alice'", "2020,14,2020-03-15,\"Jan 15, 2020\"\n"},
		{"utcnow", "SELECT EXTRACT(YEAR FROM UTCNOW()) FROM S3Object LIMIT 1", "2026\n"},
		{"timestamp compare", "SELECT name FROM S3Object WHERE TO_TIMESTAMP(joined) < TO_TIMESTAMP('2020-06-01T')", "Alice\nCarol\n"},
		{"aggregates", "SELECT COUNT(*), COUNT(NULLIF(age, '')), SUM(CAST(NULLIF(age, '') AS INT)), AVG(CAST(NULLIF(age, '') AS INT)), MIN(age), MAX(name) FROM S3Object", "4,3,96,32.0,25,Dan\n"},
		{"aggregate where", "SELECT COUNT(*) FROM S3Object WHERE city = 'Paris'", "2\n"},
		{"limit", "SELECT name FROM S3Object LIMIT 2", "Alice\nBob\n"},
		{"limit 0", "SELECT name FROM S3Object LIMIT 0", ""},
		{"case-insensitive keywords", "select NAME from s3object where CITY = 'Rome'", "Dan\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, evs, err := run(t, csvReq(tc.sql), []byte(people))
			if err != nil {
				t.Fatal(err)
			}
			if last := evs[len(evs)-1]; last.typ != "End" {
				t.Fatalf("last event %+v", last)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		code s3err.Code
	}{
		{"SELEC * FROM S3Object", s3err.ParseUnexpectedToken},
		{"SELECT * FROM S3Object WHERE", s3err.ParseExpectedExpression},
		{"SELECT * FROM S3Object WHERE a = ", s3err.ParseExpectedExpression},
		{"SELECT", s3err.ParseExpectedExpression},
		{"SELECT a", s3err.ParseSelectMissingFrom},
		{"SELECT FROM S3Object", s3err.ParseEmptySelect},
		{"SELECT a, * FROM S3Object", s3err.ParseAsteriskIsNotAloneInSelectList},
		{"SELECT * FROM S3Object WHERE a = 'x", s3err.LexerInvalidLiteral},
		{"SELECT * FROM S3Object WHERE a = #", s3err.LexerInvalidChar},
		{"SELECT * FROM S3Object WHERE UPPER(a, b) = 'x'", s3err.EvaluatorInvalidArguments},
		{"SELECT NOSUCH(a) FROM S3Object", s3err.UnsupportedFunction},
		{"SELECT CAST(a AS BLOB) FROM S3Object", s3err.ParseExpectedTypeName},
		{"SELECT CASE END FROM S3Object", s3err.ParseExpectedWhenClause},
		{"SELECT EXTRACT(WEEK FROM a) FROM S3Object", s3err.ParseExpectedDatePart},
		{"SELECT SUM(*) FROM S3Object", s3err.ParseUnsupportedCallWithStar},
		{"SELECT * FROM S3Object WHERE COUNT(*) > 1", s3err.UnsupportedSQLStructure},
		{"SELECT a, COUNT(*) FROM S3Object", s3err.UnsupportedSQLStructure},
		{"SELECT * FROM S3Object ORDER BY a", s3err.UnsupportedSQLOperation},
		{"SELECT * FROM S3Object GROUP BY a", s3err.UnsupportedSQLOperation},
		{"SELECT * FROM Table1", s3err.InvalidDataSource},
		{"SELECT * FROM S3Object LIMIT x", s3err.ParseExpectedNumber},
		{"SELECT * FROM S3Object WHERE a IN (1, 2", s3err.ParseExpectedRightParenBuiltin},
		{"SELECT * FROM S3Object WHERE a BETWEEN 1", s3err.ParseExpectedKeyword},
		{"SELECT * FROM S3Object WHERE a LIKE 'x' ESCAPE 'ab'", s3err.LikeInvalidInputs},
		{"SELECT a AS 1 FROM S3Object", s3err.ParseExpectedIdentForAlias},
		{"SELECT * FROM S3Object WHERE a = 1 b", s3err.ParseUnexpectedToken},
	} {
		_, err := Parse(tc.sql)
		e, ok := s3err.As(err)
		if !ok || e.Code != tc.code || e.Status != 400 {
			t.Errorf("%q: got %v, want %s", tc.sql, err, tc.code)
		}
	}
}
