package e2e

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func TestDeleteObject(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "del")
	for _, size := range []int{3, 100 << 10} {
		key := fmt.Sprintf("obj-%d", size)
		mustPut(t, c, "del", key, randBytes(1, size))
		r := doRaw(t, rawReq{Method: http.MethodDelete, URL: objURL(srv, "del", key)})
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("DELETE: %d %q, want 204 and no body", r.Status, r.Body)
		}
		if r.Header.Get("x-amz-delete-marker") != "" || r.Header.Get("x-amz-version-id") != "" {
			t.Errorf("DELETE on an unversioned bucket returned version headers: %v", r.Header)
		}
		mustNoKey(t, c, "del", key)
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("del"), Key: aws.String(key)})
		mustCode(t, err, "NoSuchKey")
		// Idempotent.
		r = doRaw(t, rawReq{Method: http.MethodDelete, URL: objURL(srv, "del", key)})
		wantRaw(t, "second DELETE", r, 204, "")
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("del"), Key: aws.String("never-existed")}); err != nil {
		t.Fatalf("DELETE of a missing key: %v", err)
	}
	// Deleting a "directory" key does not touch keys under it, and the
	// other way round.
	mustPut(t, c, "del", "dir/", nil)
	mustPut(t, c, "del", "dir/file", []byte("f"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("del"), Key: aws.String("dir/")}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "del", "dir/file"); string(got) != "f" {
		t.Fatalf("dir/file = %q", got)
	}
	mustNoKey(t, c, "del", "dir/")
	// Missing bucket.
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
	mustCode(t, err, "NoSuchBucket")
	r := doRaw(t, rawReq{Method: http.MethodDelete, URL: objURL(srv, "no-such-bucket", "k")})
	wantRaw(t, "DELETE in a missing bucket", r, 404, "NoSuchBucket")
	// Too long a key.
	r = doRaw(t, rawReq{Method: http.MethodDelete, URL: objURL(srv, "del", strings.Repeat("k", 1025))})
	wantRaw(t, "DELETE with a 1025-byte key", r, 400, "KeyTooLongError")
	waitBlobCount(t, srv, 0)
}

// putKeys creates keys concurrently with small bodies.
func putKeys(t *testing.T, c *s3.Client, bucket string, keys []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	sem := make(chan struct{}, 16)
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
				errs <- fmt.Errorf("put %s: %w", k, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func listKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func objectIDs(keys ...string) []types.ObjectIdentifier {
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	return ids
}

func TestDeleteObjects(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "multi")

	// 1000 keys; only every tenth exists (creating all of them is slow
	// under -race, and deleting a missing key is the same work for S3).
	var keys, existing []string
	for i := range 1000 {
		k := fmt.Sprintf("k%04d", i)
		keys = append(keys, k)
		if i%10 == 0 || i >= 998 {
			existing = append(existing, k)
		}
	}
	putKeys(t, c, "multi", existing)

	// 1001 objects is one too many, and nothing is deleted.
	_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{Objects: objectIDs(append(keys, "extra")...)}})
	mustCode(t, err, "MalformedXML")
	if n := len(listKeys(t, c, "multi")); n != len(existing) {
		t.Fatalf("after a refused DeleteObjects, %d keys remain, want %d", n, len(existing))
	}

	// Verbose, 1000 keys, some missing (S3 reports those as deleted too).
	ids := objectIDs(append(keys[:998:998], "missing-1", "missing-2")...)
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{Objects: ids}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 1000 || len(out.Errors) != 0 {
		t.Fatalf("verbose delete: %d deleted, %d errors", len(out.Deleted), len(out.Errors))
	}
	var deleted []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
		if aws.ToBool(d.DeleteMarker) || d.VersionId != nil {
			t.Errorf("unversioned delete of %s reports marker/version", aws.ToString(d.Key))
		}
	}
	sort.Strings(deleted)
	want := append(keys[:998:998], "missing-1", "missing-2")
	sort.Strings(want)
	if strings.Join(deleted, ",") != strings.Join(want, ",") {
		t.Errorf("deleted keys differ from requested")
	}
	if got := listKeys(t, c, "multi"); strings.Join(got, ",") != "k0998,k0999" {
		t.Fatalf("remaining keys %v", got)
	}

	// Quiet: no <Deleted> entries, but errors are still reported.
	long := strings.Repeat("x", 1025)
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{Quiet: aws.Bool(true), Objects: objectIDs("k0998", long)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 0 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != long || aws.ToString(out.Errors[0].Code) != "KeyTooLongError" {
		t.Fatalf("quiet delete: deleted %v errors %+v", out.Deleted, out.Errors)
	}
	// Verbose with a per-key error: the other keys are still deleted.
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{Objects: objectIDs(long, "k0999")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "k0999" || len(out.Errors) != 1 ||
		aws.ToString(out.Errors[0].Code) != "KeyTooLongError" || aws.ToString(out.Errors[0].Message) == "" {
		t.Fatalf("verbose delete with an error: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	if got := listKeys(t, c, "multi"); len(got) != 0 {
		t.Fatalf("keys left: %v", got)
	}

	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("no-such-bucket"), Delete: &types.Delete{Objects: objectIDs("a")}})
	mustCode(t, err, "NoSuchBucket")
}

func TestDeleteObjectsRaw(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "raw")
	mustPut(t, c, "raw", "a", []byte("a"))
	mustPut(t, c, "raw", "b & <c>", []byte("b"))
	mustPut(t, c, "raw", "big", randBytes(3, 100<<10))
	url := srv.URL + "/raw?delete"
	body := []byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>b &amp; &lt;c&gt;</Key></Object><Object><Key>big</Key></Object></Delete>`)

	// S3 requires Content-MD5 or an x-amz-checksum-* header.
	r := doRaw(t, rawReq{Method: http.MethodPost, URL: url, Body: body})
	wantRaw(t, "DeleteObjects without Content-MD5", r, 400, "InvalidRequest")
	r = doRaw(t, rawReq{Method: http.MethodPost, URL: url, Body: body, Header: map[string]string{"Content-MD5": md5B64([]byte("other"))}})
	wantRaw(t, "DeleteObjects with a wrong Content-MD5", r, 400, "BadDigest")
	r = doRaw(t, rawReq{Method: http.MethodPost, URL: url, Body: body, Header: map[string]string{"x-amz-checksum-sha256": checksums([]byte("x"))["SHA256"]}})
	wantRaw(t, "DeleteObjects with a wrong checksum", r, 400, "BadDigest")
	r = doRaw(t, rawReq{Method: http.MethodPost, URL: url, Body: body, Header: map[string]string{"Content-MD5": "bm90IGFuIE1ENQ=="}})
	wantRaw(t, "DeleteObjects with a malformed Content-MD5", r, 400, "InvalidDigest")
	if got := listKeys(t, c, "raw"); len(got) != 3 {
		t.Fatalf("refused requests deleted objects: %v left", got)
	}

	for _, bad := range []string{
		`<Delete><Object><Key>a</Key></Object>`,              // unterminated
		`not xml at all`,                                     // not XML
		`<Delete></Delete>`,                                  // no objects
		`<Delete><Quiet>true</Quiet></Delete>`,               // no objects
		`<Other><Object><Key>a</Key></Object></Other>`,       // wrong root
		`<Delete><Object><Key>a</Key></Object></Delete><x/>`, // trailing element
	} {
		r = doRaw(t, rawReq{Method: http.MethodPost, URL: url, Body: []byte(bad), Header: map[string]string{"Content-MD5": md5B64([]byte(bad))}})
		wantRaw(t, "malformed XML "+bad, r, 400, "MalformedXML")
	}
	if got := listKeys(t, c, "raw"); len(got) != 3 {
		t.Fatalf("malformed requests deleted objects: %v left", got)
	}

	r = doRaw(t, rawReq{Method: http.MethodPost, URL: url, Body: body, Header: map[string]string{"Content-MD5": md5B64(body)}})
	wantRaw(t, "DeleteObjects", r, 200, "")
	var res struct {
		XMLName xml.Name
		Deleted []struct{ Key string }
		Error   []struct{ Key, Code string }
	}
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatalf("result: %v\n%s", err, r.Body)
	}
	if res.XMLName.Local != "DeleteResult" || res.XMLName.Space != "http://s3.amazonaws.com/doc/2006-03-01/" || len(res.Deleted) != 3 || len(res.Error) != 0 {
		t.Fatalf("result: %s", r.Body)
	}
	if got := listKeys(t, c, "raw"); len(got) != 0 {
		t.Fatalf("keys left: %v", got)
	}
	waitBlobCount(t, srv, 0)

	// A short body never deletes anything.
	mustPut(t, c, "raw", "a", []byte("a"))
	one := []byte(`<Delete><Object><Key>a</Key></Object></Delete>`)
	r = sendShortBody(t, rawReq{Method: http.MethodPost, URL: url, Body: one[:20], Payload: unsignedPayload, Header: map[string]string{"Content-MD5": md5B64(one)}}, len(one))
	wantRaw(t, "short DeleteObjects body", r, 400, "IncompleteBody")
	if got := mustGet(t, c, "raw", "a"); !bytes.Equal(got, []byte("a")) {
		t.Fatal("object deleted by a truncated request")
	}
}
