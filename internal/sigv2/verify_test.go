package sigv2

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The examples of the S3 Signature Version 2 documentation ("Signing and
// authenticating REST requests"), with their original johnsmith bucket.
func TestDocExamples(t *testing.T) {
	rfc := func(v string) time.Time { return mustParse(time.RFC1123Z, v) }
	cases := []struct {
		name, method, target, bucket string
		hdr                          map[string]string
		multi                        map[string][]string
		sig                          string
		now                          time.Time
		sts                          string
	}{
		{
			name: "object GET", method: "GET", target: "/photos/puppy.jpg", bucket: "johnsmith",
			hdr: map[string]string{"Host": "johnsmith.s3.amazonaws.com", "Date": "Tue, 27 Mar 2007 19:36:42 +0000"},
			sig: "bWq2s1WEIj+Ydj0vQ697zp+IXMU=", now: rfc("Tue, 27 Mar 2007 19:36:42 +0000"),
			sts: "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg",
		},
		{
			name: "object PUT", method: "PUT", target: "/photos/puppy.jpg", bucket: "johnsmith",
			hdr: map[string]string{"Content-Type": "image/jpeg", "Content-Length": "94328", "Date": "Tue, 27 Mar 2007 21:15:45 +0000"},
			sig: "MyyxeRY7whkBe+bq8fHCL/2kKUg=", now: rfc("Tue, 27 Mar 2007 21:15:45 +0000"),
			sts: "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/johnsmith/photos/puppy.jpg",
		},
		{
			name: "list", method: "GET", target: "/?prefix=photos&max-keys=50&marker=puppy", bucket: "johnsmith",
			hdr: map[string]string{"User-Agent": "Mozilla/5.0", "Date": "Tue, 27 Mar 2007 19:42:41 +0000"},
			sig: "htDYFYduRNen8P9ZfE/s9SuKy0U=", now: rfc("Tue, 27 Mar 2007 19:42:41 +0000"),
			sts: "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/johnsmith/",
		},
		{
			name: "fetch acl", method: "GET", target: "/?acl", bucket: "johnsmith",
			hdr: map[string]string{"Date": "Tue, 27 Mar 2007 19:44:46 +0000"},
			sig: "c2WLPFtWHVgbEmeEG93a4cG37dM=", now: rfc("Tue, 27 Mar 2007 19:44:46 +0000"),
			sts: "GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/johnsmith/?acl",
		},
		{
			// The documented form: x-amz-date on the Date line, not among
			// the headers.
			name: "delete path-style with x-amz-date", method: "DELETE", target: "/johnsmith/photos/puppy.jpg",
			hdr: map[string]string{"User-Agent": "dotnet", "Date": "Tue, 27 Mar 2007 21:20:27 +0000", "X-Amz-Date": "Tue, 27 Mar 2007 21:20:26 +0000"},
			sig: "lx3byBScXR6KzyMaifNkardMwNk=", now: rfc("Tue, 27 Mar 2007 21:20:30 +0000"),
			sts: "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg",
		},
		{
			name: "upload CNAME bucket with metadata", method: "PUT", target: "/db-backup.dat.gz", bucket: "static.johnsmith.net",
			hdr: map[string]string{
				"User-Agent": "curl/7.15.5", "Date": "Tue, 27 Mar 2007 21:06:08 +0000",
				"x-amz-acl": "public-read", "content-type": "application/x-download",
				"Content-MD5": "4gJE4saaMU4BqNR0kLY+lw==", "X-Amz-Meta-FileChecksum": "0x02661779",
				"X-Amz-Meta-ChecksumAlgorithm": "crc32", "Content-Disposition": "attachment; filename=database.dat",
				"Content-Encoding": "gzip", "Content-Length": "5913339",
			},
			multi: map[string][]string{"X-Amz-Meta-ReviewedBy": {"joe@johnsmith.net", " jane@johnsmith.net "}},
			sig:   "ilyl83RwaSoYIEdixDQcA4OnAnc=", now: rfc("Tue, 27 Mar 2007 21:06:08 +0000"),
			sts: "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n" +
				"x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n" +
				"x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n/static.johnsmith.net/db-backup.dat.gz",
		},
		{
			name: "list all my buckets", method: "GET", target: "/",
			hdr: map[string]string{"Date": "Wed, 28 Mar 2007 01:29:59 +0000"},
			sig: "qGdzdERIC03wnaRNKh6OqZehG9s=", now: rfc("Wed, 28 Mar 2007 01:29:59 +0000"),
			sts: "GET\n\n\nWed, 28 Mar 2007 01:29:59 +0000\n/",
		},
		{
			// Signed literally: mixed-case percent escapes.
			name: "unicode keys", method: "GET", target: "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
			hdr: map[string]string{"Date": "Wed, 28 Mar 2007 01:49:49 +0000"},
			sig: "DNEZGsoieTZ92F3bUfSPQcbGmlM=", now: rfc("Wed, 28 Mar 2007 01:49:49 +0000"),
			sts: "GET\n\n\nWed, 28 Mar 2007 01:49:49 +0000\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := serverReq(c.method, c.target, c.hdr)
			for k, vv := range c.multi {
				for _, v := range vv {
					r.Header.Add(k, v)
				}
			}
			// (For the delete example this is the primary form, with
			// x-amz-date among the headers; the documented form is the
			// fallback that the signature matches.)
			if got := StringToSign(r, Options{Bucket: c.bucket}); got != c.sts {
				t.Fatalf("StringToSign\n got %q\nwant %q", got, c.sts)
			}
			r.Header.Set("Authorization", "AWS "+docAK+":"+c.sig)
			ak, err := VerifyOptions(r, lookup, c.now, Options{Bucket: c.bucket})
			mustOK(t, ak, err)

			// One bit of the request changed: rejected.
			r.Header.Set("Authorization", "AWS "+docAK+":"+strings.Replace(c.sig, c.sig[:1], "A", 1))
			if c.sig[0] == 'A' {
				r.Header.Set("Authorization", "AWS "+docAK+":B"+c.sig[1:])
			}
			_, err = VerifyOptions(r, lookup, c.now, Options{Bucket: c.bucket})
			wantCode(t, err, "SignatureDoesNotMatch", 403)
		})
	}
}

func TestDocQueryStringExample(t *testing.T) {
	target := "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
	r := serverReq("GET", target, map[string]string{"Host": "johnsmith.s3.amazonaws.com"})
	if !IsV2(r) {
		t.Fatal("IsV2 = false")
	}
	opts := Options{Bucket: "johnsmith"}
	if got, want := StringToSign(r, opts), "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"; got != want {
		t.Fatalf("StringToSign %q, want %q", got, want)
	}
	ak, err := VerifyOptions(r, lookup, time.Unix(1175139620, 0), opts)
	mustOK(t, ak, err)
	// Query auth ignores the clock skew rule: a week early is fine.
	ak, err = VerifyOptions(r, lookup, time.Unix(1175139620-7*86400, 0), opts)
	mustOK(t, ak, err)
	_, err = VerifyOptions(r, lookup, time.Unix(1175139621, 0), opts)
	e := wantCode(t, err, "AccessDenied", 403)
	if e.Message != "Request has expired" {
		t.Fatalf("message %q", e.Message)
	}
	// The signature's '+' sent unescaped (decoded as a space) is accepted.
	r2 := serverReq("GET", strings.Replace(target, "%2B", "+", 1), nil)
	ak, err = VerifyOptions(r2, lookup, time.Unix(1175139620, 0), opts)
	mustOK(t, ak, err)
	// Same signature, other bucket.
	_, err = VerifyOptions(r, lookup, time.Unix(1175139620, 0), Options{Bucket: "other"})
	wantCode(t, err, "SignatureDoesNotMatch", 403)
}

func TestHeaderTimeRules(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sign := func(hdr map[string]string) *http.Request {
		r := serverReq("GET", "/bucket/key", hdr)
		Sign(r, docAK, docSecret, base, Options{})
		return r
	}
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		now  time.Time
		code string
	}{
		{"date ok", map[string]string{"Date": base.Format(http.TimeFormat)}, base, ""},
		{"date +14m", map[string]string{"Date": base.Format(http.TimeFormat)}, base.Add(14 * time.Minute), ""},
		{"date -14m", map[string]string{"Date": base.Format(http.TimeFormat)}, base.Add(-14 * time.Minute), ""},
		{"date too old", map[string]string{"Date": base.Format(http.TimeFormat)}, base.Add(16 * time.Minute), "RequestTimeTooSkewed"},
		{"date in future", map[string]string{"Date": base.Format(http.TimeFormat)}, base.Add(-16 * time.Minute), "RequestTimeTooSkewed"},
		{"x-amz-date ok", map[string]string{"X-Amz-Date": base.Format(http.TimeFormat)}, base, ""},
		{"x-amz-date iso8601", map[string]string{"X-Amz-Date": base.Format("20060102T150405Z")}, base, ""},
		{"x-amz-date wins over stale Date", map[string]string{"X-Amz-Date": base.Format(http.TimeFormat), "Date": base.Add(-time.Hour).Format(http.TimeFormat)}, base, ""},
		{"x-amz-date skewed", map[string]string{"X-Amz-Date": base.Format(http.TimeFormat), "Date": base.Add(time.Hour).Format(http.TimeFormat)}, base.Add(time.Hour), "RequestTimeTooSkewed"},
		{"rfc850 date", map[string]string{"Date": base.Format(time.RFC850)}, base, ""},
		{"ansic date", map[string]string{"Date": base.Format(time.ANSIC)}, base, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sign(tc.hdr)
			ak, err := Verify(r, lookup, tc.now)
			if tc.code == "" {
				mustOK(t, ak, err)
				return
			}
			wantCode(t, err, tc.code, 403)
		})
	}

	// Old and far-future times are skewed.
	for _, date := range []string{"Tue, 07 Jul 2010 21:53:04 GMT", "Tue, 07 Jul 2030 21:53:04 GMT", "Tue, 07 Jul 9999 21:53:04 GMT"} {
		for _, h := range []string{"Date", "X-Amz-Date"} {
			_, err := Verify(sign(map[string]string{h: date}), lookup, base)
			wantCode(t, err, "RequestTimeTooSkewed", 403)
		}
	}

	// No usable date at all: none, an empty or unreadable one, one before
	// the epoch, or an x-amz-date sent empty beside a good Date (it does
	// not fall back to Date).
	good := base.Format(http.TimeFormat)
	for _, hdr := range []map[string]string{
		{},
		{"Date": ""},
		{"Date": "yesterday"},
		{"Date": "Tue, 07 Jul 1950 21:53:04 GMT"},
		{"X-Amz-Date": "Tue, 07 Jul 1950 21:53:04 GMT"},
		{"X-Amz-Date": "Bad Date", "Date": good},
		{"X-Amz-Date": "", "Date": good},
	} {
		r := sign(hdr)
		for k, v := range hdr {
			r.Header[k] = []string{v} // as sent, even when empty
		}
		if _, ok := hdr["Date"]; !ok {
			r.Header.Del("Date")
		}
		_, err := Verify(r, lookup, base)
		e := wantCode(t, err, "AccessDenied", 403)
		if e.Message != "AWS authentication requires a valid Date or x-amz-date header" {
			t.Fatalf("%v: message %q", hdr, e.Message)
		}
	}
	// A custom skew bound.
	r := sign(map[string]string{"Date": base.Format(http.TimeFormat)})
	_, err := VerifyOptions(r, lookup, base.Add(2*time.Minute), Options{MaxSkew: time.Minute})
	wantCode(t, err, "RequestTimeTooSkewed", 403)
}

func TestTampering(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	signed := func() *http.Request {
		r := serverReq("PUT", "/bucket/some%20key+x?uploadId=abc&partNumber=2&foo=bar", map[string]string{
			"Content-Type": "text/plain", "Content-Md5": "1B2M2Y8AsgTpgAmY7PhCfg==",
			"X-Amz-Meta-A": "one", "X-Amz-Acl": "private",
		})
		Sign(r, docAK, docSecret, now, Options{})
		if _, err := Verify(r, lookup, now); err != nil {
			t.Fatalf("untampered: %v", err)
		}
		return r
	}
	retarget := func(r *http.Request, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatal(err)
		}
		r.URL, r.RequestURI = u, target
	}
	for name, mutate := range map[string]func(r *http.Request){
		"method":          func(r *http.Request) { r.Method = "POST" },
		"path":            func(r *http.Request) { retarget(r, "/bucket/some%20key+y?uploadId=abc&partNumber=2&foo=bar") },
		"bucket":          func(r *http.Request) { retarget(r, "/other/some%20key+x?uploadId=abc&partNumber=2&foo=bar") },
		"subresource":     func(r *http.Request) { retarget(r, "/bucket/some%20key+x?uploadId=abc&partNumber=3&foo=bar") },
		"new subresource": func(r *http.Request) { retarget(r, "/bucket/some%20key+x?uploadId=abc&partNumber=2&foo=bar&acl") },
		"content-type":    func(r *http.Request) { r.Header.Set("Content-Type", "text/html") },
		"content-md5":     func(r *http.Request) { r.Header.Del("Content-Md5") },
		"amz header":      func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "two") },
		"new amz header":  func(r *http.Request) { r.Header.Set("X-Amz-Meta-B", "x") },
		"amz value added": func(r *http.Request) { r.Header.Add("X-Amz-Acl", "public-read") },
		"date":            func(r *http.Request) { r.Header.Set("Date", now.Add(time.Second).Format(http.TimeFormat)) },
		"signature": func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-5]+"AAAA=")
		},
		"secret": func(r *http.Request) {
			r.Header.Del("Authorization")
			Sign(r, docAK, "not-the-secret", now, Options{})
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := signed()
			mutate(r)
			_, err := Verify(r, lookup, now)
			wantCode(t, err, "SignatureDoesNotMatch", 403)
		})
	}
	// Unsigned things may change: other query parameters and headers.
	r := signed()
	retarget(r, "/bucket/some%20key+x?uploadId=abc&partNumber=2&foo=baz")
	r.Header.Set("User-Agent", "other")
	if _, err := Verify(r, lookup, now); err != nil {
		t.Fatalf("unsigned parts changed: %v", err)
	}
}

// A signature over "/b/k?acl" (the ACL of k) must not authenticate the
// object "k?acl" (/b/k%3Facl), which a decoded-path fallback would allow.
func TestNoDecodedPathCollision(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := serverReq("GET", "/b/k?acl", nil)
	Sign(r, docAK, docSecret, now, Options{})
	if _, err := Verify(r, lookup, now); err != nil {
		t.Fatal(err)
	}
	r2 := serverReq("GET", "/b/k%3Facl", map[string]string{"Date": r.Header.Get("Date"), "Authorization": r.Header.Get("Authorization")})
	_, err := Verify(r2, lookup, now)
	wantCode(t, err, "SignatureDoesNotMatch", 403)
}

// Keys with spaces, '+' and non-ASCII, encoded the several ways clients send
// them; the StringToSign is written out by hand.
func TestRawPathEncodings(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	for _, tc := range []struct {
		name, target, signedPath string
	}{
		{"minio style", "/bkt/a%20b%2Bc/fran%C3%A7ais", "/bkt/a%20b%2Bc/fran%C3%A7ais"},
		{"literal plus", "/bkt/a%20b+c/fran%C3%A7ais", "/bkt/a%20b+c/fran%C3%A7ais"},
		{"lower-case escapes", "/bkt/a%20b+c/fran%c3%a7ais", "/bkt/a%20b+c/fran%c3%a7ais"},
		{"signed re-encoded, sent literal", "/bkt/a%20b+c/fran%c3%a7ais", "/bkt/a%20b%2Bc/fran%C3%A7ais"},
		{"tilde and specials", "/bkt/~x/!$&'()*,;=:@", "/bkt/~x/!$&'()*,;=:@"},
		{"double slash and dots", "/bkt//a/../b/", "/bkt//a/../b/"},
		{"encoded slash", "/bkt/a%2Fb", "/bkt/a%2Fb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := "GET\n\n\n" + date + "\n" + tc.signedPath
			r := serverReq("GET", tc.target, map[string]string{"Date": date})
			r.Header.Set("Authorization", "AWS "+docAK+":"+signature(docSecret, []byte(sts)))
			ak, err := Verify(r, lookup, now)
			mustOK(t, ak, err)
		})
	}
	// A signature over one key does not authenticate another that only
	// differs in encoding of a character S3 treats as distinct ('+' is
	// not a space in a path).
	sts := "GET\n\n\n" + date + "\n/bkt/a+b"
	r := serverReq("GET", "/bkt/a%20b", map[string]string{"Date": date})
	r.Header.Set("Authorization", "AWS "+docAK+":"+signature(docSecret, []byte(sts)))
	_, err := Verify(r, lookup, now)
	wantCode(t, err, "SignatureDoesNotMatch", 403)
}

func TestSubresources(t *testing.T) {
	r := serverReq("GET", "/b/k?versioning&acl=&prefix=x&versionId=v%201&uploads&response-content-type=text%2Fplain&tagging&x-id=GetObject", nil)
	r.Header.Set("Date", "d")
	want := "GET\n\n\nd\n/b/k?acl&response-content-type=text/plain&tagging&uploads&versionId=v 1&versioning"
	if got := StringToSign(r, Options{}); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// Sorted bytewise, as signed.
	for i := 1; i < len(signedSubresources); i++ {
		if signedSubresources[i-1] >= signedSubresources[i] {
			t.Fatalf("signedSubresources not sorted at %q", signedSubresources[i])
		}
	}
}

func TestMalformed(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	for _, h := range []string{"AWS", "AWS ", "AWS nocolon", "AWS :sig", "AWS ak:", "AWS a k:sig", "AWS ak:s ig"} {
		r := serverReq("GET", "/b/k", map[string]string{"Date": date, "Authorization": h})
		_, err := Verify(r, lookup, now)
		if h == "AWS" {
			wantCode(t, err, "InvalidArgument", 400) // unsupported type
			continue
		}
		e := wantCode(t, err, "InvalidArgument", 400)
		if !strings.Contains(e.Message, "Expected AwsAccessKeyId:signature") {
			t.Fatalf("%q: message %q", h, e.Message)
		}
	}
	// Another scheme.
	r := serverReq("GET", "/b/k", map[string]string{"Date": date, "Authorization": "Bearer x"})
	_, err := Verify(r, lookup, now)
	wantCode(t, err, "InvalidArgument", 400)

	// Two Authorization headers.
	r = serverReq("GET", "/b/k", map[string]string{"Date": date})
	Sign(r, docAK, docSecret, now, Options{})
	r.Header.Add("Authorization", r.Header.Get("Authorization"))
	_, err = Verify(r, lookup, now)
	wantCode(t, err, "InvalidArgument", 400)

	// Header and query auth together.
	r = serverReq("GET", "/b/k?AWSAccessKeyId=x&Signature=y&Expires=1", map[string]string{"Date": date})
	Sign(r, docAK, docSecret, now, Options{})
	_, err = Verify(r, lookup, now)
	wantCode(t, err, "InvalidArgument", 400)

	// Unknown key.
	r = serverReq("GET", "/b/k", nil)
	Sign(r, "AKIDUNKNOWN", docSecret, now, Options{})
	_, err = Verify(r, lookup, now)
	wantCode(t, err, "InvalidAccessKeyId", 403)
	_, err = Verify(r, nil, now)
	wantCode(t, err, "InvalidAccessKeyId", 403)

	// Query auth: incomplete, repeated, bad Expires, unknown key.
	for target, code := range map[string]string{
		"/b/k?AWSAccessKeyId=" + docAK + "&Signature=x":                                    "AccessDenied",
		"/b/k?AWSAccessKeyId=" + docAK + "&Expires=9999999999":                             "AccessDenied",
		"/b/k?Signature=x&Expires=9999999999":                                              "AccessDenied",
		"/b/k?AWSAccessKeyId=" + docAK + "&Signature=&Expires=9999999999":                  "AccessDenied",
		"/b/k?AWSAccessKeyId=" + docAK + "&Signature=x&Expires=soon":                       "AccessDenied",
		"/b/k?AWSAccessKeyId=" + docAK + "&Signature=x&Expires=1&Expires=9999999999":       "InvalidArgument",
		"/b/k?AWSAccessKeyId=nobody&Signature=x&Expires=9999999999":                        "InvalidAccessKeyId",
		"/b/k?AWSAccessKeyId=" + docAK + "&Signature=x&Expires=9999999999":                 "SignatureDoesNotMatch",
		"/b/k?AWSAccessKeyId=" + docAK + "&Signature=x&Expires=9999999999&X-Amz-Signature": "InvalidArgument",
	} {
		r := serverReq("GET", target, nil)
		_, err := Verify(r, lookup, now)
		status := 403
		if code == "InvalidArgument" {
			status = 400
		}
		wantCode(t, err, code, status)
	}
}

func TestAnonymousAndIsV2(t *testing.T) {
	for target, hdr := range map[string]string{
		"/b/k":            "",
		"/b/k?versions":   "",
		"/b/k?Signature=": "AWS4-HMAC-SHA256 Credential=x",
	} {
		r := serverReq("GET", target, nil)
		if hdr != "" {
			r.Header.Set("Authorization", hdr)
		}
		if IsV2(r) {
			t.Fatalf("%s %q: IsV2 = true", target, hdr)
		}
	}
	r := serverReq("GET", "/b/k", nil)
	ak, err := Verify(r, lookup, time.Now())
	if ak != "" || err != nil {
		t.Fatalf("anonymous: %q %v", ak, err)
	}
	for _, tc := range []struct{ target, hdr string }{
		{"/b/k", "AWS a:b"},
		{"/b/k", "  AWS a:b"},
		{"/b/k?AWSAccessKeyId=a", ""},
		{"/b/k?Signature=a&Expires=1", ""},
	} {
		r := serverReq("GET", tc.target, nil)
		if tc.hdr != "" {
			r.Header.Set("Authorization", tc.hdr)
		}
		if !IsV2(r) {
			t.Fatalf("%+v: IsV2 = false", tc)
		}
	}
	r = serverReq("GET", "/b/k?X-Amz-Signature=x&AWSAccessKeyId=a", nil)
	if IsV2(r) {
		t.Fatal("SigV4 presigned query claimed as V2")
	}
}

func TestSignPresignRoundTrip(t *testing.T) {
	now := time.Now()
	r := serverReq("GET", "/k%20x?versionId=3&list=1", nil)
	Presign(r, docAK, docSecret, now.Add(time.Minute), Options{Bucket: "vh"})
	ak, err := VerifyOptions(r, lookup, now, Options{Bucket: "vh"})
	mustOK(t, ak, err)
	_, err = VerifyOptions(r, lookup, now.Add(2*time.Minute), Options{Bucket: "vh"})
	wantCode(t, err, "AccessDenied", 403)
}

func TestErrorString(t *testing.T) {
	e := errSignatureMismatch()
	if !strings.HasPrefix(e.Error(), "SignatureDoesNotMatch: ") {
		t.Fatal(e.Error())
	}
	if clip(strings.Repeat("x", 100)) != strings.Repeat("x", 64)+"..." {
		t.Fatal("clip")
	}
}

func TestUnfold(t *testing.T) {
	for in, want := range map[string]string{
		"  a  ":           "a",
		"a\r\n  b":        "a b",
		"a  \n\t b \n c ": "a b c",
	} {
		if got := unfold(in); got != want {
			t.Fatalf("unfold(%q) = %q, want %q", in, got, want)
		}
	}
}

// A request on a bucket is signed over "/bucket/" (the S3 documentation,
// s3cmd, boto2 and botocore's virtual-hosted auth path) or over the path
// as sent, "/bucket" (botocore path style); both must verify, with and
// without sub-resources, and the alias never reaches into keys.
func TestBucketResourceTrailingSlash(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	for _, tc := range []struct {
		name, method, target, bucket, signed string
		ok                                   bool
	}{
		{"sent bare, signed slash", "PUT", "/bkt", "", "/bkt/", true},
		{"sent slash, signed bare", "GET", "/bkt/", "", "/bkt", true},
		{"sent bare, signed bare", "DELETE", "/bkt", "", "/bkt", true},
		{"sent slash, signed slash", "GET", "/bkt/?versioning", "", "/bkt/?versioning", true},
		{"sub-resource, signed bare", "GET", "/bkt/?acl", "", "/bkt?acl", true},
		{"virtual host, signed slash", "GET", "/", "bkt", "/bkt/", true},
		{"virtual host, signed bare", "GET", "/?location", "bkt", "/bkt?location", true},
		{"service level is not a bucket", "GET", "/", "", "//", false},
		{"object does not lose its slash", "GET", "/bkt/k/", "", "/bkt/k", false},
		{"object does not gain a slash", "GET", "/bkt/k", "", "/bkt/k/", false},
		{"other bucket", "GET", "/bkt", "", "/bkt2/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := tc.method + "\n\n\n" + date + "\n" + tc.signed
			r := serverReq(tc.method, tc.target, map[string]string{"Date": date})
			r.Header.Set("Authorization", "AWS "+docAK+":"+signature(docSecret, []byte(sts)))
			ak, err := VerifyOptions(r, lookup, now, Options{Bucket: tc.bucket})
			if tc.ok {
				mustOK(t, ak, err)
			} else {
				wantCode(t, err, "SignatureDoesNotMatch", 403)
			}
		})
	}
}
