package serverlog

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Record is one request as S3's server access log describes it. Fields
// left empty (zero for numbers) are written as "-".
type Record struct {
	BucketOwner    string // canonical user ID of the source bucket's owner
	Bucket         string
	Time           time.Time // when the request was received
	RemoteIP       string
	Requester      string // canonical ID, IAM ARN, or "" when anonymous
	RequestID      string
	Operation      string // REST.GET.OBJECT, ...
	Key            string // as stored; written URL-encoded
	RequestURI     string // "GET /bucket/key?x HTTP/1.1"
	Status         int
	ErrorCode      string
	BytesSent      int64
	ObjectSize     int64
	TotalTime      time.Duration
	TurnAround     time.Duration
	Referer        string
	UserAgent      string
	VersionID      string
	HostID         string
	SignatureVer   string // SigV2, SigV4
	CipherSuite    string
	AuthType       string // AuthHeader, QueryString
	HostHeader     string
	TLSVersion     string
	AccessPointARN string
	ACLRequired    bool
	SourceRegion   string
}

// TimeLayout is the log's time stamp, written inside brackets.
const TimeLayout = "02/Jan/2006:15:04:05 -0700"

// Line formats the record as one line of S3's server access log (without
// the newline): space-separated fields in S3's order, the time in
// brackets, Request-URI, Referer and User-Agent in double quotes.
func (r *Record) Line() string {
	var b strings.Builder
	b.Grow(512)
	field := func(v string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if v == "" {
			v = "-"
		}
		b.WriteString(v)
	}
	quoted := func(v string) {
		if v == "" {
			v = "-"
		}
		b.WriteString(` "`)
		b.WriteString(strings.ReplaceAll(v, `"`, `\"`))
		b.WriteByte('"')
	}
	num := func(n int64) {
		if n <= 0 {
			field("")
			return
		}
		field(strconv.FormatInt(n, 10))
	}
	field(r.BucketOwner)
	field(r.Bucket)
	field("[" + r.Time.UTC().Format(TimeLayout) + "]")
	field(r.RemoteIP)
	field(r.Requester)
	field(r.RequestID)
	field(r.Operation)
	field(encodeKey(r.Key))
	quoted(r.RequestURI)
	field(strconv.Itoa(r.Status))
	field(r.ErrorCode)
	num(r.BytesSent)
	num(r.ObjectSize)
	field(strconv.FormatInt(r.TotalTime.Milliseconds(), 10))
	if r.TurnAround < 0 {
		field("")
	} else {
		field(strconv.FormatInt(r.TurnAround.Milliseconds(), 10))
	}
	quoted(r.Referer)
	quoted(r.UserAgent)
	field(r.VersionID)
	field(r.HostID)
	field(r.SignatureVer)
	field(r.CipherSuite)
	field(r.AuthType)
	field(r.HostHeader)
	field(r.TLSVersion)
	field(r.AccessPointARN)
	if r.ACLRequired {
		field("Yes")
	} else {
		field("")
	}
	field(r.SourceRegion)
	return b.String()
}

// encodeKey URL-encodes a key as the log writes it: path escaping that
// keeps '/' readable.
func encodeKey(k string) string {
	if k == "" {
		return ""
	}
	parts := strings.Split(k, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// Fields splits a log line back into its fields (quotes and brackets
// removed), for readers and tests.
func Fields(line string) []string {
	var out []string
	for i := 0; i < len(line); {
		switch line[i] {
		case ' ':
			i++
		case '"':
			j := i + 1
			var b strings.Builder
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' && j+1 < len(line) {
					j++
				}
				b.WriteByte(line[j])
				j++
			}
			out = append(out, b.String())
			i = j + 1
		case '[':
			j := strings.IndexByte(line[i:], ']')
			if j < 0 {
				return append(out, line[i+1:])
			}
			out = append(out, line[i+1:i+j])
			i += j + 1
		default:
			j := strings.IndexByte(line[i:], ' ')
			if j < 0 {
				return append(out, line[i:])
			}
			out = append(out, line[i:i+j])
			i += j
		}
	}
	return out
}
