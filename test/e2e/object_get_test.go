package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

func TestObjectRange(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "ranges")
	mustPut(t, c, "ranges", "empty", nil)
	// One inline object and one stored as a blob: both read paths.
	for _, size := range []int{100, 100 << 10} {
		body := randBytes(uint64(size), size)
		key := fmt.Sprintf("obj-%d", size)
		mustPut(t, c, "ranges", key, body)
		n := int64(size)
		partial := []struct {
			spec       string
			start, end int64 // inclusive
		}{
			{"bytes=0-9", 0, 9},
			{"bytes=0-0", 0, 0},
			{"bytes=10-", 10, n - 1},
			{"bytes=-10", n - 10, n - 1},
			{"bytes=-1", n - 1, n - 1},
			{"bytes=" + strconv.FormatInt(n-1, 10) + "-", n - 1, n - 1},
			{"bytes=90-" + strconv.FormatInt(n+1000, 10), 90, n - 1}, // end clipped
			{"bytes=-" + strconv.FormatInt(n+1000, 10), 0, n - 1},    // suffix longer than the object
			{"bytes=5-99999999999999999999", 5, n - 1},
		}
		for _, tc := range partial {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				r := doRaw(t, rawReq{Method: method, URL: objURL(srv, "ranges", key), Header: map[string]string{"Range": tc.spec}})
				what := fmt.Sprintf("%s %s size %d", method, tc.spec, size)
				wantRaw(t, what, r, 206, "")
				wantCR := fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end, n)
				wantLen := tc.end - tc.start + 1
				if got := r.Header.Get("Content-Range"); got != wantCR {
					t.Errorf("%s: Content-Range %q, want %q", what, got, wantCR)
				}
				if got := r.Header.Get("Content-Length"); got != strconv.FormatInt(wantLen, 10) {
					t.Errorf("%s: Content-Length %q, want %d", what, got, wantLen)
				}
				if r.Header.Get("ETag") != etagFor(body) {
					t.Errorf("%s: ETag %q", what, r.Header.Get("ETag"))
				}
				if method == http.MethodGet && !bytes.Equal(r.Body, body[tc.start:tc.end+1]) {
					t.Errorf("%s: wrong body (%d bytes)", what, len(r.Body))
				}
				if method == http.MethodHead && len(r.Body) != 0 {
					t.Errorf("%s: HEAD has a body", what)
				}
			}
		}
		// S3 ignores what it cannot use and sends the whole object.
		for _, spec := range []string{"bytes=0-9,20-29", "bytes=0-1, 5-6", "bytes=9-5", "bytes=abc", "items=0-9", "bytes=", "bytes=--5", "0-9"} {
			r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "ranges", key), Header: map[string]string{"Range": spec}})
			wantRaw(t, spec, r, 200, "")
			if !bytes.Equal(r.Body, body) || r.Header.Get("Content-Range") != "" || r.Header.Get("Content-Length") != strconv.Itoa(size) {
				t.Errorf("%s size %d: got %d bytes, Content-Range %q", spec, size, len(r.Body), r.Header.Get("Content-Range"))
			}
		}
		for _, spec := range []string{"bytes=" + strconv.FormatInt(n, 10) + "-", "bytes=" + strconv.FormatInt(n, 10) + "-" + strconv.FormatInt(n+10, 10), "bytes=99999999-"} {
			r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "ranges", key), Header: map[string]string{"Range": spec}})
			wantRaw(t, spec, r, 416, "InvalidRange")
			r = doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, "ranges", key), Header: map[string]string{"Range": spec}})
			if r.Status != 416 || len(r.Body) != 0 {
				t.Errorf("HEAD %s: %d with %d body bytes, want 416 and no body", spec, r.Status, len(r.Body))
			}
		}
		// Through the SDK.
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String(key), Range: aws.String("bytes=3-7")})
		if err != nil {
			t.Fatal(err)
		}
		if got := readAllBody(t, out.Body); !bytes.Equal(got, body[3:8]) || aws.ToInt64(out.ContentLength) != 5 ||
			aws.ToString(out.ContentRange) != fmt.Sprintf("bytes 3-7/%d", n) {
			t.Errorf("SDK range: %d bytes, length %d, range %q", len(got), aws.ToInt64(out.ContentLength), aws.ToString(out.ContentRange))
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String(key), Range: aws.String(fmt.Sprintf("bytes=%d-", n))})
		mustCode(t, err, "InvalidRange")
	}
	// Any range on an empty object is unsatisfiable.
	for _, spec := range []string{"bytes=0-0", "bytes=0-", "bytes=-1", "bytes=-100"} {
		r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "ranges", "empty"), Header: map[string]string{"Range": spec}})
		wantRaw(t, "empty "+spec, r, 416, "InvalidRange")
	}
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "ranges", "empty"), Header: map[string]string{"Range": "bytes=0-1,3-4"}})
	if r.Status != 200 || len(r.Body) != 0 {
		t.Errorf("empty object, multiple ranges: %d", r.Status)
	}
}

func TestObjectConditionalGet(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "cond")
	body := []byte("conditional body")
	put := mustPut(t, c, "cond", "k", body)
	etag := aws.ToString(put.ETag)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	lm := aws.ToTime(head.LastModified)
	date := func(d time.Duration) string { return lm.Add(d).UTC().Format(http.TimeFormat) }
	before, at, after := date(-time.Hour), date(0), date(time.Hour)
	const wrong = `"00000000000000000000000000000000"`

	tests := []struct {
		name   string
		h      map[string]string
		status int
	}{
		{"if-match hit", map[string]string{"If-Match": etag}, 200},
		{"if-match unquoted", map[string]string{"If-Match": etag[1 : len(etag)-1]}, 200},
		{"if-match star", map[string]string{"If-Match": "*"}, 200},
		{"if-match list", map[string]string{"If-Match": wrong + ", " + etag}, 200},
		{"if-match miss", map[string]string{"If-Match": wrong}, 412},
		{"if-none-match hit", map[string]string{"If-None-Match": etag}, 304},
		{"if-none-match star", map[string]string{"If-None-Match": "*"}, 304},
		{"if-none-match miss", map[string]string{"If-None-Match": wrong}, 200},
		{"ims before", map[string]string{"If-Modified-Since": before}, 200},
		{"ims at", map[string]string{"If-Modified-Since": at}, 304},
		{"ims after", map[string]string{"If-Modified-Since": after}, 304},
		{"ims garbage ignored", map[string]string{"If-Modified-Since": "yesterday"}, 200},
		{"ius before", map[string]string{"If-Unmodified-Since": before}, 412},
		{"ius at", map[string]string{"If-Unmodified-Since": at}, 200},
		{"ius after", map[string]string{"If-Unmodified-Since": after}, 200},
		// S3's precedence rules.
		{"if-match true, ius false", map[string]string{"If-Match": etag, "If-Unmodified-Since": before}, 200},
		{"if-none-match false, ims true", map[string]string{"If-None-Match": etag, "If-Modified-Since": before}, 304},
		{"if-none-match true, ims false", map[string]string{"If-None-Match": wrong, "If-Modified-Since": after}, 200},
		{"if-match false, if-none-match false", map[string]string{"If-Match": wrong, "If-None-Match": etag}, 412},
		{"ius false, ims false", map[string]string{"If-Unmodified-Since": before, "If-Modified-Since": after}, 412},
		{"if-match true, if-none-match false", map[string]string{"If-Match": etag, "If-None-Match": etag}, 304},
	}
	for _, tc := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			what := method + " " + tc.name
			h := map[string]string{}
			for k, v := range tc.h {
				h[k] = v
			}
			r := doRaw(t, rawReq{Method: method, URL: objURL(srv, "cond", "k"), Header: h})
			if r.Status != tc.status {
				t.Errorf("%s: status %d, want %d; body %s", what, r.Status, tc.status, r.Body)
				continue
			}
			switch {
			case tc.status == 200 && method == http.MethodGet:
				if !bytes.Equal(r.Body, body) {
					t.Errorf("%s: body %q", what, r.Body)
				}
			case tc.status == 304:
				if len(r.Body) != 0 {
					t.Errorf("%s: 304 has a body: %q", what, r.Body)
				}
				if r.Header.Get("ETag") != etag || r.Header.Get("Last-Modified") == "" {
					t.Errorf("%s: 304 headers %v", what, r.Header)
				}
			case tc.status == 412 && method == http.MethodGet:
				if r.Code() != "PreconditionFailed" {
					t.Errorf("%s: code %q", what, r.Code())
				}
			case tc.status == 412:
				if len(r.Body) != 0 {
					t.Errorf("%s: HEAD 412 has a body", what)
				}
			}
		}
	}
	// versionId=null names the only version of an unversioned object.
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "cond", "k") + "?versionId=null"})
	if r.Status != 200 || !bytes.Equal(r.Body, body) || r.Header.Get("x-amz-version-id") != "" {
		t.Errorf("versionId=null: %d %q version %q", r.Status, r.Body, r.Header.Get("x-amz-version-id"))
	}
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "cond", "k") + "?versionId="})
	wantRaw(t, "empty versionId", r, 400, "InvalidArgument")

	// Conditions on a missing key: 404 wins.
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "cond", "missing"), Header: map[string]string{"If-Match": etag}})
	wantRaw(t, "if-match on missing key", r, 404, "NoSuchKey")

	// Through the SDK.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(wrong)})
	mustCode(t, err, "PreconditionFailed")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfNoneMatch: aws.String(etag)})
	mustCode(t, err, "NotModified")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfModifiedSince: aws.Time(lm.Add(time.Hour))})
	mustCode(t, err, "NotModified")
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(lm.Add(-time.Hour))})
	if err != nil {
		t.Fatalf("if-match true + ius false: %v", err)
	}
	readAllBody(t, out.Body)

	// A 304 or 412 also applies to a range request, and a passing condition
	// still honours the range.
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "cond", "k"), Header: map[string]string{"If-None-Match": etag, "Range": "bytes=0-3"}})
	if r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("range + if-none-match hit: %d", r.Status)
	}
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "cond", "k"), Header: map[string]string{"If-Match": etag, "Range": "bytes=0-3"}})
	if r.Status != 206 || string(r.Body) != "cond" {
		t.Errorf("range + if-match hit: %d %q", r.Status, r.Body)
	}
}

func TestObjectResponseOverrides(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "over")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("over"), Key: aws.String("k"), Body: bytes.NewReader([]byte("data")),
		ContentType: aws.String("text/plain"), CacheControl: aws.String("no-cache")})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("over"), Key: aws.String("k"),
		ResponseContentType:        aws.String("application/json"),
		ResponseContentLanguage:    aws.String("fr"),
		ResponseExpires:            aws.Time(exp),
		ResponseCacheControl:       aws.String("max-age=3600"),
		ResponseContentDisposition: aws.String(`attachment; filename="x y.json"`),
		ResponseContentEncoding:    aws.String("identity"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if b := readAllBody(t, out.Body); string(b) != "data" {
		t.Errorf("body %q", b)
	}
	for _, f := range [][3]string{
		{"Content-Type", aws.ToString(out.ContentType), "application/json"},
		{"Content-Language", aws.ToString(out.ContentLanguage), "fr"},
		{"Expires", aws.ToString(out.ExpiresString), exp.Format(http.TimeFormat)},
		{"Cache-Control", aws.ToString(out.CacheControl), "max-age=3600"},
		{"Content-Disposition", aws.ToString(out.ContentDisposition), `attachment; filename="x y.json"`},
		{"Content-Encoding", aws.ToString(out.ContentEncoding), "identity"},
	} {
		if f[1] != f[2] {
			t.Errorf("GET override %s = %q, want %q", f[0], f[1], f[2])
		}
	}
	// HEAD takes the same overrides.
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("over"), Key: aws.String("k"), ResponseContentType: aws.String("image/png")})
	if err != nil || aws.ToString(h.ContentType) != "image/png" {
		t.Errorf("HEAD override: %q %v", aws.ToString(h.ContentType), err)
	}
	// The override is per request: the stored values are unchanged.
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("over"), Key: aws.String("k")})
	if err != nil || aws.ToString(h.ContentType) != "text/plain" || aws.ToString(h.CacheControl) != "no-cache" {
		t.Errorf("stored headers changed: %q %q %v", aws.ToString(h.ContentType), aws.ToString(h.CacheControl), err)
	}
}
