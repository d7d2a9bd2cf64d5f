package e2e

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// vhostClient returns a virtual-hosted-style client for domain whose
// connections all go to srv, whatever host name the request carries.
func vhostClient(srv *testserver.Server, domain string) (*s3.Client, string) {
	hostport := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(hostport)
	var d net.Dialer
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, hostport)
		},
	}}
	c := testserver.NewClient("http://"+domain+":"+port, testserver.AccessKey, testserver.SecretKey, func(o *s3.Options) {
		o.UsePathStyle = false
		o.HTTPClient = hc
	})
	return c, port
}

func TestObjectVirtualHosted(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.WithDomain("s3.test"))
	path := srv.Client()
	vh, port := vhostClient(srv, "s3.test")

	// Bucket created virtual-hosted style, seen path style.
	mustCreateBucket(t, vh, "vhost")
	if _, err := path.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatalf("path-style HeadBucket of a vhost-created bucket: %v", err)
	}
	keys := []string{"plain", "a/b/c", "with space+plus", "日本", "trailing/", "double//slash", "/leading", "..", "q?x=1"}
	for i, k := range keys {
		b1 := randBytes(uint64(i), 100+i)
		mustPut(t, vh, "vhost", k, b1)
		if got := mustGet(t, path, "vhost", k); !bytes.Equal(got, b1) {
			t.Errorf("%q: vhost PUT, path GET: wrong body", k)
		}
		b2 := randBytes(uint64(i+100), 40<<10+i)
		mustPut(t, path, "vhost", k, b2)
		if got := mustGet(t, vh, "vhost", k); !bytes.Equal(got, b2) {
			t.Errorf("%q: path PUT, vhost GET: wrong body", k)
		}
		h, err := vh.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vhost"), Key: aws.String(k)})
		if err != nil || aws.ToString(h.ETag) != etagFor(b2) {
			t.Errorf("%q: vhost HEAD: %v", k, err)
		}
	}
	out, err := vh.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost")})
	if err != nil || len(out.Contents) != len(keys) {
		t.Fatalf("vhost list: %v (%d keys)", err, len(out.Contents))
	}

	// Raw signed requests with the Host header doing the routing; the host
	// name is case-insensitive.
	for _, host := range []string{"vhost.s3.test:" + port, "VHost.S3.Test:" + port} {
		r := doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/a/b/c", Host: host})
		if r.Status != 200 || r.Header.Get("ETag") == "" {
			t.Fatalf("raw vhost GET with Host %s: %d %s", host, r.Status, r.Body)
		}
		if got := mustGet(t, path, "vhost", "a/b/c"); !bytes.Equal(r.Body, got) {
			t.Errorf("raw vhost GET with Host %s: wrong body", host)
		}
	}
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/raw/key", Host: "vhost.s3.test:" + port, Body: []byte("raw")})
	wantRaw(t, "raw vhost PUT", r, 200, "")
	if got := mustGet(t, path, "vhost", "raw/key"); string(got) != "raw" {
		t.Errorf("raw vhost PUT stored %q", got)
	}
	// Without a port in Host too.
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/raw/key", Host: "vhost.s3.test"})
	if r.Status != 200 || string(r.Body) != "raw" {
		t.Errorf("Host without port: %d %s", r.Status, r.Body)
	}
	// In vhost style the whole path is the key: "/vhost/raw/key" is a key
	// "vhost/raw/key" in bucket vhost, not a path-style address.
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/vhost/raw/key", Host: "vhost.s3.test:" + port})
	wantRaw(t, "path-style path under a vhost Host", r, 404, "NoSuchKey")
	// The bare domain is not a bucket: it lists buckets.
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/", Host: "s3.test:" + port})
	if r.Status != 200 || !bytes.Contains(r.Body, []byte("<Name>vhost</Name>")) {
		t.Errorf("ListBuckets on the bare domain: %d %s", r.Status, r.Body)
	}
	// A bucket that does not exist.
	r = doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/k", Host: "missing.s3.test:" + port})
	wantRaw(t, "vhost GET in a missing bucket", r, 404, "NoSuchBucket")

	// Presigned URLs in vhost style.
	pre, err := s3.NewPresignClient(vh).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("with space+plus")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pre.URL, "http://vhost.s3.test:"+port+"/") {
		t.Fatalf("presigned URL is not virtual-hosted: %s", pre.URL)
	}
	req, _ := http.NewRequest(pre.Method, strings.Replace(pre.URL, "vhost.s3.test:"+port, strings.TrimPrefix(srv.URL, "http://"), 1), nil)
	req.Host = "vhost.s3.test:" + port
	r = send(t, req)
	if want := mustGet(t, path, "vhost", "with space+plus"); r.Status != 200 || !bytes.Equal(r.Body, want) {
		t.Errorf("vhost presigned GET: %d", r.Status)
	}

	// Deletes in vhost style.
	if _, err := vh.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vhost"), Key: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	mustNoKey(t, path, "vhost", "plain")
	var ids []types.ObjectIdentifier
	for _, k := range append(keys[1:], "raw/key") {
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
	}
	del, err := vh.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("vhost"), Delete: &types.Delete{Objects: ids}})
	if err != nil || len(del.Deleted) != len(ids) || len(del.Errors) != 0 {
		t.Fatalf("vhost DeleteObjects: %v, %d deleted, errors %+v", err, len(del.Deleted), del.Errors)
	}
	if got := listKeys(t, path, "vhost"); len(got) != 0 {
		t.Fatalf("keys left: %q", got)
	}
	waitBlobCount(t, srv, 0)
}
