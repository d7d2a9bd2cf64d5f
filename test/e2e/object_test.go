package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func TestObjectRoundTripSizes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "sizes")
	for i, size := range []int{0, 1, 32<<10 - 1, 32 << 10, 32<<10 + 1, 5<<20 + 3} {
		body := randBytes(uint64(i), size)
		key := fmt.Sprintf("obj-%d", size)
		put := mustPut(t, c, "sizes", key, body)
		if got, want := aws.ToString(put.ETag), etagFor(body); got != want {
			t.Errorf("size %d: PUT ETag %s, want %s", size, got, want)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sizes"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("size %d: GetObject: %v", size, err)
		}
		got := readAllBody(t, get.Body)
		if !bytes.Equal(got, body) {
			t.Fatalf("size %d: GET returned %d bytes, different content", size, len(got))
		}
		if aws.ToInt64(get.ContentLength) != int64(size) || aws.ToString(get.ETag) != etagFor(body) {
			t.Errorf("size %d: GET Content-Length %d ETag %s", size, aws.ToInt64(get.ContentLength), aws.ToString(get.ETag))
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sizes"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("size %d: HeadObject: %v", size, err)
		}
		if aws.ToInt64(head.ContentLength) != int64(size) || aws.ToString(head.ETag) != etagFor(body) {
			t.Errorf("size %d: HEAD Content-Length %d ETag %s", size, aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
		}
		if aws.ToString(head.AcceptRanges) != "bytes" {
			t.Errorf("size %d: Accept-Ranges %q", size, aws.ToString(head.AcceptRanges))
		}
		if lm := aws.ToTime(head.LastModified); time.Since(lm) > time.Minute || time.Until(lm) > 2*time.Second {
			t.Errorf("size %d: Last-Modified %v is not now", size, lm)
		}
	}
	// A HEAD never carries a body, even through a raw client.
	r := doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, "sizes", "obj-1")})
	if r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Length") != "1" {
		t.Fatalf("raw HEAD: %d, %d body bytes, Content-Length %q", r.Status, len(r.Body), r.Header.Get("Content-Length"))
	}
	// Missing keys.
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sizes"), Key: aws.String("nope")})
	mustCode(t, err, "NotFound")
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "sizes", "nope")})
	wantRaw(t, "GET missing", r, 404, "NoSuchKey")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
	mustCode(t, err, "NoSuchBucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
	mustCode(t, err, "NoSuchBucket")
}

func TestObjectKeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "keys")
	keys := []string{
		"plain",
		"日本語/キー.txt",
		"emoji 😀 ünïcödé",
		"a/b/c/d",
		"../escape",
		"a/../b",
		"./dot",
		"..",
		"percent%20sign%",
		"%2F%00",
		"plus+sign+",
		"with space  two",
		"trailing/",
		"double//slash",
		"//leading",
		"query?x=1&y=2#frag",
		"semi;colon,comma=eq@at:colon",
		"tab\there",
		"quote'\"<>&",
		"~tilde*star(paren)!",
		strings.Repeat("k", 1024),
		strings.Repeat("日", 341) + "a", // 1024 bytes
	}
	for i, key := range keys {
		body := []byte(fmt.Sprintf("body %d of %q", i, key))
		mustPut(t, c, "keys", key, body)
		if got := mustGet(t, c, "keys", key); !bytes.Equal(got, body) {
			t.Errorf("key %q: GET returned %q", key, got)
		}
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("keys"), Key: aws.String(key)}); err != nil {
			t.Errorf("key %q: HEAD: %v", key, err)
		}
	}
	// The keys are stored exactly as sent, not cleaned or decoded.
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("keys")})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, o := range out.Contents {
		listed = append(listed, aws.ToString(o.Key))
	}
	want := append([]string(nil), keys...)
	sort.Strings(want)
	if strings.Join(listed, "\n") != strings.Join(want, "\n") {
		t.Errorf("listed keys:\n%q\nwant:\n%q", listed, want)
	}

	for _, key := range []string{strings.Repeat("k", 1025), strings.Repeat("日", 341) + "ab"} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String(key), Body: strings.NewReader("x")})
		mustCode(t, err, "KeyTooLongError")
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "keys", key), Body: []byte("x")})
		wantRaw(t, "PUT 1025-byte key", r, 400, "KeyTooLongError")
		r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "keys", key)})
		wantRaw(t, "GET 1025-byte key", r, 400, "KeyTooLongError")
	}
}

func TestObjectMetadata(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "meta")
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

	// Default Content-Type, through a raw PUT that sends none.
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "meta", "plain"), Body: []byte("abc")})
	wantRaw(t, "PUT plain", r, 200, "")
	if r.Header.Get("ETag") != etagFor([]byte("abc")) {
		t.Errorf("PUT ETag %q", r.Header.Get("ETag"))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.ContentType); got != "binary/octet-stream" {
		t.Errorf("default Content-Type %q, want binary/octet-stream", got)
	}
	if head.StorageClass != "" || head.WebsiteRedirectLocation != nil || len(head.Metadata) != 0 {
		t.Errorf("plain object has extras: class %q redirect %v meta %v", head.StorageClass, head.WebsiteRedirectLocation, head.Metadata)
	}

	_, err = c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("meta"), Key: aws.String("full"), Body: strings.NewReader("hello"),
		ContentType:             aws.String("text/plain; charset=utf-8"),
		CacheControl:            aws.String("max-age=60, public"),
		ContentDisposition:      aws.String(`attachment; filename="a b.txt"`),
		ContentEncoding:         aws.String("identity"),
		ContentLanguage:         aws.String("de-CH"),
		Expires:                 aws.Time(expires),
		Metadata:                map[string]string{"Color": "Blue", "MiXeD-CaSe": "Value With Spaces", "empty": ""},
		StorageClass:            types.StorageClassStandardIa,
		WebsiteRedirectLocation: aws.String("/other/page.html"),
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, ct, cc, cd, ce, cl, exp, redirect *string, md map[string]string, class string) {
		t.Helper()
		for _, f := range [][3]string{
			{"Content-Type", aws.ToString(ct), "text/plain; charset=utf-8"},
			{"Cache-Control", aws.ToString(cc), "max-age=60, public"},
			{"Content-Disposition", aws.ToString(cd), `attachment; filename="a b.txt"`},
			{"Content-Encoding", aws.ToString(ce), "identity"},
			{"Content-Language", aws.ToString(cl), "de-CH"},
			{"Expires", aws.ToString(exp), expires.Format(http.TimeFormat)},
			{"Website-Redirect", aws.ToString(redirect), "/other/page.html"},
			{"StorageClass", class, "STANDARD_IA"},
		} {
			if f[1] != f[2] {
				t.Errorf("%s: %s = %q, want %q", what, f[0], f[1], f[2])
			}
		}
		wantMD := map[string]string{"color": "Blue", "mixed-case": "Value With Spaces", "empty": ""}
		if fmt.Sprint(md) != fmt.Sprint(wantMD) {
			t.Errorf("%s: metadata %v, want %v", what, md, wantMD)
		}
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	check("HEAD", h.ContentType, h.CacheControl, h.ContentDisposition, h.ContentEncoding, h.ContentLanguage, h.ExpiresString, h.WebsiteRedirectLocation, h.Metadata, string(h.StorageClass))
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	if b := readAllBody(t, g.Body); string(b) != "hello" {
		t.Errorf("GET body %q", b)
	}
	check("GET", g.ContentType, g.CacheControl, g.ContentDisposition, g.ContentEncoding, g.ContentLanguage, g.ExpiresString, g.WebsiteRedirectLocation, g.Metadata, string(g.StorageClass))

	// Metadata names come back lowercased on the wire too.
	r = doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, "meta", "full")})
	if r.Header.Get("X-Amz-Meta-Mixed-Case") != "Value With Spaces" {
		t.Errorf("raw HEAD meta header: %v", r.Header)
	}

	// An overwrite replaces all stored headers and metadata.
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "meta", "full"), Body: []byte("again")})
	wantRaw(t, "overwrite", r, 200, "")
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(h.ContentType) != "binary/octet-stream" || h.CacheControl != nil || h.ContentDisposition != nil || h.ContentEncoding != nil ||
		h.ContentLanguage != nil || h.ExpiresString != nil || h.WebsiteRedirectLocation != nil || len(h.Metadata) != 0 || h.StorageClass != "" {
		t.Errorf("overwrite kept old attributes: %+v", h)
	}

	// STANDARD is accepted and, like S3, not echoed.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("std"), Body: strings.NewReader("x"), StorageClass: types.StorageClassStandard})
	if err != nil {
		t.Fatal(err)
	}
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: objURL(srv, "meta", "std")})
	if r.Status != 200 || r.Header.Get("x-amz-storage-class") != "" {
		t.Errorf("STANDARD object: status %d x-amz-storage-class %q", r.Status, r.Header.Get("x-amz-storage-class"))
	}
	for _, class := range []types.StorageClass{types.StorageClassReducedRedundancy, types.StorageClassGlacierIr, types.StorageClassIntelligentTiering} {
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("c"), Body: strings.NewReader("x"), StorageClass: class})
		if err != nil {
			t.Fatalf("class %s: %v", class, err)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("c")})
		if err != nil || h.StorageClass != class {
			t.Errorf("class %s: HEAD says %q (%v)", class, h.StorageClass, err)
		}
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("bad-class"), Body: strings.NewReader("x"), StorageClass: "PLATINUM"})
	mustCode(t, err, "InvalidStorageClass")
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "meta", "bad-class"), Header: map[string]string{"x-amz-storage-class": "standard"}, Body: []byte("x")})
	wantRaw(t, "lowercase storage class", r, 400, "InvalidStorageClass")
	mustNoKey(t, c, "meta", "bad-class")

	// Website redirect must be a path or an http(s) URL.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("redir"), Body: strings.NewReader("x"), WebsiteRedirectLocation: aws.String("https://example.com/x")})
	if err != nil {
		t.Fatal(err)
	}
	h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("redir")})
	if err != nil || aws.ToString(h.WebsiteRedirectLocation) != "https://example.com/x" {
		t.Errorf("redirect: %v %v", aws.ToString(h.WebsiteRedirectLocation), err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("redir-bad"), Body: strings.NewReader("x"), WebsiteRedirectLocation: aws.String("ftp://example.com/x")})
	mustCode(t, err, "InvalidArgument")
	mustNoKey(t, c, "meta", "redir-bad")
}

func TestObjectMetadataSizeLimit(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mdlimit")
	// S3 counts the UTF-8 bytes of names (without x-amz-meta-) and values.
	ok := map[string]string{"k": strings.Repeat("v", 2047)}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mdlimit"), Key: aws.String("ok"), Body: strings.NewReader("x"), Metadata: ok}); err != nil {
		t.Fatalf("2048 bytes of metadata: %v", err)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mdlimit"), Key: aws.String("ok")})
	if err != nil || h.Metadata["k"] != ok["k"] {
		t.Fatalf("2048-byte metadata not returned: %v", err)
	}
	split := map[string]string{"aa": strings.Repeat("1", 1000), "bb": strings.Repeat("2", 1045)} // 2049
	for _, md := range []map[string]string{{"k": strings.Repeat("v", 2048)}, split} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mdlimit"), Key: aws.String("big"), Body: strings.NewReader("x"), Metadata: md})
		mustCode(t, err, "MetadataTooLarge")
	}
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, "mdlimit", "big"),
		Header: map[string]string{"X-Amz-Meta-K": strings.Repeat("é", 1024)}, Body: []byte("x")}) // 1+2048 bytes
	wantRaw(t, "multi-byte metadata over limit", r, 400, "MetadataTooLarge")
	mustNoKey(t, c, "mdlimit", "big")
}
