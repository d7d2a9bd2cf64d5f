package e2e

// Bucket versioning: configuration, version IDs, the null version, delete
// markers and ListObjectVersions.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"talus/internal/testserver"
)

// vrEntry is one <Version> or <DeleteMarker> of ListObjectVersions.
type vrEntry struct {
	Key       string
	VersionID string
	Latest    bool
	Marker    bool
	ETag      string
}

func (e vrEntry) String() string {
	kind := "V"
	if e.Marker {
		kind = "M"
	}
	latest := ""
	if e.Latest {
		latest = "*"
	}
	return fmt.Sprintf("%s%s(%q %s %s)", kind, latest, e.Key, e.VersionID, e.ETag)
}

func vrShow(es []vrEntry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// vrPage is one raw ListObjectVersions page, entries in document order.
type vrPage struct {
	Entries             []vrEntry
	Prefixes            []string
	IsTruncated         bool
	KeyMarker           string
	VersionIDMarker     string
	NextKeyMarker       string
	NextVersionIDMarker string
	MaxKeys             int
	EncodingType        string
}

// vrListPage sends GET ?versions with q and parses the answer, keeping
// the order in which versions and delete markers interleave (the SDK
// splits them into two lists).
func vrListPage(t testing.TB, srv *testserver.Server, bucket string, q url.Values) vrPage {
	t.Helper()
	qs := "versions"
	if enc := strings.ReplaceAll(q.Encode(), "+", "%20"); enc != "" {
		qs += "&" + enc
	}
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/" + bucket + "?" + qs})
	if r.Status != http.StatusOK {
		t.Fatalf("ListObjectVersions ?%s: %d %s", qs, r.Status, r.Body)
	}
	var doc struct {
		IsTruncated         bool
		KeyMarker           string
		VersionIdMarker     string
		NextKeyMarker       string
		NextVersionIdMarker string
		MaxKeys             int
		EncodingType        string
		Items               []struct {
			XMLName   xml.Name
			Key       string
			VersionId string
			IsLatest  bool
			ETag      string
			Prefix    string
		} `xml:",any"`
	}
	if err := xml.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("ListObjectVersions: %v in %s", err, r.Body)
	}
	p := vrPage{IsTruncated: doc.IsTruncated, KeyMarker: doc.KeyMarker, VersionIDMarker: doc.VersionIdMarker,
		NextKeyMarker: doc.NextKeyMarker, NextVersionIDMarker: doc.NextVersionIdMarker, MaxKeys: doc.MaxKeys, EncodingType: doc.EncodingType}
	for _, it := range doc.Items {
		switch it.XMLName.Local {
		case "Version", "DeleteMarker":
			p.Entries = append(p.Entries, vrEntry{Key: it.Key, VersionID: it.VersionId, Latest: it.IsLatest, Marker: it.XMLName.Local == "DeleteMarker", ETag: it.ETag})
		case "CommonPrefixes":
			p.Prefixes = append(p.Prefixes, it.Prefix)
		}
	}
	return p
}

// vrListAll pages through ListObjectVersions maxKeys at a time and
// returns every entry and common prefix (decoded with encoding-type=url).
func vrListAll(t testing.TB, srv *testserver.Server, bucket string, q url.Values, maxKeys int) ([]vrEntry, []string) {
	t.Helper()
	var entries []vrEntry
	var prefixes []string
	q = cloneValues(q)
	q.Set("max-keys", fmt.Sprint(maxKeys))
	q.Del("key-marker")
	q.Del("version-id-marker")
	encoded := q.Get("encoding-type") == "url"
	dec := func(s string) string {
		if !encoded {
			return s
		}
		d, err := unescapeQuery(s)
		if err != nil {
			t.Fatalf("%q is not URL-encoded: %v", s, err)
		}
		return d
	}
	for page := 0; ; page++ {
		p := vrListPage(t, srv, bucket, q)
		if n := len(p.Entries) + len(p.Prefixes); n > maxKeys || (p.IsTruncated && n == 0) {
			t.Fatalf("page %d holds %d entries with max-keys %d (truncated %v)", page, n, maxKeys, p.IsTruncated)
		}
		for _, e := range p.Entries {
			e.Key = dec(e.Key)
			entries = append(entries, e)
		}
		for _, cp := range p.Prefixes {
			prefixes = append(prefixes, dec(cp))
		}
		if !p.IsTruncated {
			if p.NextKeyMarker != "" || p.NextVersionIDMarker != "" {
				t.Fatalf("last page has NextKeyMarker %q NextVersionIdMarker %q", p.NextKeyMarker, p.NextVersionIDMarker)
			}
			return entries, prefixes
		}
		if p.NextKeyMarker == "" {
			t.Fatalf("truncated page %d without NextKeyMarker", page)
		}
		q.Set("key-marker", dec(p.NextKeyMarker))
		if p.NextVersionIDMarker != "" {
			q.Set("version-id-marker", p.NextVersionIDMarker)
		} else {
			q.Del("version-id-marker")
		}
		if page > 10000 {
			t.Fatal("ListObjectVersions paging does not end")
		}
	}
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

func unescapeQuery(s string) (string, error) { return url.QueryUnescape(s) }

// vrSetVersioning sets the bucket's versioning status.
func vrSetVersioning(t testing.TB, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}})
	if err != nil {
		t.Fatalf("PutBucketVersioning(%s, %s): %v", bucket, status, err)
	}
}

// vrErrHeader returns the HTTP headers of the response an SDK error came from.
func vrErrHeader(t testing.TB, err error) http.Header {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil {
		t.Fatalf("%v is not an HTTP response error", err)
	}
	return re.Response.Header
}

// vrOutHeader returns the HTTP headers of a successful SDK call.
func vrOutHeader(t testing.TB, md middleware.Metadata) (int, http.Header) {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw response in the result metadata")
	}
	return raw.StatusCode, raw.Header
}

// vrPut puts body and returns the version ID S3 answered.
func vrPut(t testing.TB, c *s3.Client, bucket, key string, body []byte) string {
	t.Helper()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject(%s/%s): %v", bucket, key, err)
	}
	return aws.ToString(out.VersionId)
}

// vrDelete deletes key (a version when vid != "") and returns the answer.
func vrDelete(t testing.TB, c *s3.Client, bucket, key, vid string) (string, bool) {
	t.Helper()
	in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.DeleteObject(ctx, in)
	if err != nil {
		t.Fatalf("DeleteObject(%s/%s, %q): %v", bucket, key, vid, err)
	}
	return aws.ToString(out.VersionId), aws.ToBool(out.DeleteMarker)
}

// vrGetVersion reads a version's body and the version id answered.
func vrGetVersion(t testing.TB, c *s3.Client, bucket, key, vid string) ([]byte, string) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		t.Fatalf("GetObject(%s/%s, %q): %v", bucket, key, vid, err)
	}
	return readAllBody(t, out.Body), aws.ToString(out.VersionId)
}

// vrExpect fails unless the bucket's full version listing (paged two at a
// time) is want.
func vrExpect(t testing.TB, srv *testserver.Server, bucket string, want []vrEntry) {
	t.Helper()
	got, _ := vrListAll(t, srv, bucket, nil, 2)
	if !slices.Equal(got, want) {
		t.Fatalf("versions:\n got  %s\n want %s", vrShow(got), vrShow(want))
	}
}

// vrLiveKeys lists the keys ListObjectsV2 and ListObjects (v1) show; both must agree.
func vrLiveKeys(t testing.TB, c *s3.Client, bucket string) []string {
	t.Helper()
	v2, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var k2, k1 []string
	for _, o := range v2.Contents {
		k2 = append(k2, aws.ToString(o.Key))
	}
	for _, o := range v1.Contents {
		k1 = append(k1, aws.ToString(o.Key))
	}
	if !slices.Equal(k1, k2) {
		t.Fatalf("ListObjects %q, ListObjectsV2 %q", k1, k2)
	}
	return k2
}

func TestVersioningConfiguration(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "vcfg")
	get := func() (types.BucketVersioningStatus, types.MFADeleteStatus) {
		t.Helper()
		out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("vcfg")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status, out.MFADelete
	}
	if s, mfa := get(); s != "" || mfa != "" {
		t.Fatalf("new bucket: Status %q MFADelete %q, want both empty", s, mfa)
	}
	// A never-versioned bucket answers an empty configuration.
	r := doRaw(t, rawReq{Method: http.MethodGet, URL: srv.URL + "/vcfg?versioning"})
	if r.Status != 200 || bytes.Contains(r.Body, []byte("<Status>")) || !bytes.Contains(r.Body, []byte("VersioningConfiguration")) {
		t.Fatalf("GET ?versioning: %d %s", r.Status, r.Body)
	}
	for _, st := range []types.BucketVersioningStatus{types.BucketVersioningStatusEnabled, types.BucketVersioningStatusSuspended, types.BucketVersioningStatusEnabled} {
		vrSetVersioning(t, c, "vcfg", st)
		if s, _ := get(); s != st {
			t.Fatalf("Status %q after setting %q", s, st)
		}
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vcfg"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: "Bogus"}})
	rqCode(t, err, "MalformedXML", http.StatusBadRequest)
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: srv.URL + "/vcfg?versioning", Body: []byte("<VersioningConfiguration><Status>Enabled"),
		Header: map[string]string{"Content-MD5": md5B64([]byte("<VersioningConfiguration><Status>Enabled"))}})
	wantRaw(t, "truncated XML", r, http.StatusBadRequest, "MalformedXML")
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vcfg"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	rqCode(t, err, "InvalidRequest", http.StatusBadRequest)
	if s, _ := get(); s != types.BucketVersioningStatusEnabled {
		t.Fatalf("Status %q after rejected requests", s)
	}
	_, err = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("no-such-bucket")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("no-such-bucket"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestVersioningVersionIDs(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "vids")
	// Unversioned: no version id anywhere.
	if id := vrPut(t, c, "vids", "plain", []byte("p")); id != "" {
		t.Fatalf("PUT in an unversioned bucket: version id %q", id)
	}
	if _, h := vrOutHeaderGet(t, c, "vids", "plain", ""); h.Get("x-amz-version-id") != "" {
		t.Fatalf("GET in an unversioned bucket: x-amz-version-id %q", h.Get("x-amz-version-id"))
	}
	vrSetVersioning(t, c, "vids", types.BucketVersioningStatusEnabled)

	v1 := vrPut(t, c, "vids", "k", []byte("one"))
	v2 := vrPut(t, c, "vids", "k", []byte("two"))
	if v1 == "" || v1 == "null" || v2 == "" || v2 == "null" || v1 == v2 {
		t.Fatalf("PUT version ids %q, %q", v1, v2)
	}
	// GET and HEAD, latest and by version.
	if b, id := vrGetVersion(t, c, "vids", "k", ""); string(b) != "two" || id != v2 {
		t.Fatalf("GET latest: %q version %q", b, id)
	}
	if b, id := vrGetVersion(t, c, "vids", "k", v1); string(b) != "one" || id != v1 {
		t.Fatalf("GET version 1: %q version %q", b, id)
	}
	ho, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vids"), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil || aws.ToString(ho.VersionId) != v1 || aws.ToString(ho.ETag) != etagFor([]byte("one")) || aws.ToInt64(ho.ContentLength) != 3 {
		t.Fatalf("HEAD version 1: %v %+v", err, ho)
	}

	// CopyObject: the new version's id, and the source version it read.
	co, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vids"), Key: aws.String("copy"), CopySource: cpSource("vids", "k")})
	if err != nil {
		t.Fatal(err)
	}
	if id := aws.ToString(co.VersionId); id == "" || id == "null" || aws.ToString(co.CopySourceVersionId) != v2 {
		t.Fatalf("CopyObject: VersionId %q CopySourceVersionId %q, want new and %q", id, aws.ToString(co.CopySourceVersionId), v2)
	}
	co, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vids"), Key: aws.String("copy"),
		CopySource: aws.String("vids/k?versionId=" + v1)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(co.CopySourceVersionId) != v1 {
		t.Fatalf("CopyObject of version 1: CopySourceVersionId %q", aws.ToString(co.CopySourceVersionId))
	}
	if b, id := vrGetVersion(t, c, "vids", "copy", ""); string(b) != "one" || id != aws.ToString(co.VersionId) {
		t.Fatalf("copy of version 1 reads %q version %q, want one %q", b, id, aws.ToString(co.VersionId))
	}

	// Copying an older version onto its own key restores it as a new version.
	ro, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("vids"), Key: aws.String("k"),
		CopySource: aws.String("vids/k?versionId=" + v1)})
	if err != nil {
		t.Fatalf("CopyObject of an older version onto its key: %v", err)
	}
	restored := aws.ToString(ro.VersionId)
	if restored == v1 || restored == v2 || aws.ToString(ro.CopySourceVersionId) != v1 {
		t.Fatalf("restore: VersionId %q CopySourceVersionId %q", restored, aws.ToString(ro.CopySourceVersionId))
	}
	if b, id := vrGetVersion(t, c, "vids", "k", ""); string(b) != "one" || id != restored {
		t.Fatalf("after restoring: %q %q", b, id)
	}
	if id, _ := vrDelete(t, c, "vids", "k", restored); id != restored {
		t.Fatalf("DELETE of the restored version: %q", id)
	}

	// CompleteMultipartUpload.
	up := mpCreate(t, c, "vids", "mp")
	part := mpUpload(t, c, "vids", "mp", up, 1, []byte("multipart"))
	mo := mpComplete(t, c, "vids", "mp", up, []types.CompletedPart{part})
	mpID := aws.ToString(mo.VersionId)
	if mpID == "" || mpID == "null" {
		t.Fatalf("CompleteMultipartUpload VersionId %q", mpID)
	}
	if b, id := vrGetVersion(t, c, "vids", "mp", mpID); string(b) != "multipart" || id != mpID {
		t.Fatalf("GET of the completed version: %q %q", b, id)
	}

	// GetObjectTagging by version.
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("vids"), Key: aws.String("k"), VersionId: aws.String(v1),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("v"), Value: aws.String("1")}}}})
	if err != nil {
		t.Fatal(err)
	}
	gt, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("vids"), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil || aws.ToString(gt.VersionId) != v1 || len(gt.TagSet) != 1 {
		t.Fatalf("GetObjectTagging(version 1): %v %+v", err, gt)
	}
	gt, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("vids"), Key: aws.String("k")})
	if err != nil || aws.ToString(gt.VersionId) != v2 || len(gt.TagSet) != 0 {
		t.Fatalf("GetObjectTagging(latest): %v %+v", err, gt)
	}

	// DELETE: a marker with its own id; then by version, permanently.
	mid, marker := vrDelete(t, c, "vids", "k", "")
	if !marker || mid == "" || mid == "null" || mid == v1 || mid == v2 {
		t.Fatalf("DELETE: version %q marker %v", mid, marker)
	}
	if id, marker := vrDelete(t, c, "vids", "k", v1); id != v1 || marker {
		t.Fatalf("DELETE version 1: version %q marker %v", id, marker)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vids"), Key: aws.String("k"), VersionId: aws.String(v1)})
	rqCode(t, err, "NoSuchVersion", http.StatusNotFound)
	vrExpect(t, srv, "vids", []vrEntry{
		{Key: "copy", VersionID: aws.ToString(co.VersionId), Latest: true, ETag: etagFor([]byte("one"))},
		{Key: "copy", VersionID: vrListFirstID(t, srv, "vids", "copy", 1), ETag: etagFor([]byte("two"))},
		{Key: "k", VersionID: mid, Latest: true, Marker: true},
		{Key: "k", VersionID: v2, ETag: etagFor([]byte("two"))},
		{Key: "mp", VersionID: mpID, Latest: true, ETag: aws.ToString(mo.ETag)},
		{Key: "plain", VersionID: "null", Latest: true, ETag: etagFor([]byte("p"))},
	})
}

// vrListFirstID returns the version id of the i-th version (newest first) of key.
func vrListFirstID(t testing.TB, srv *testserver.Server, bucket, key string, i int) string {
	t.Helper()
	p := vrListPage(t, srv, bucket, url.Values{"prefix": {key}})
	var ids []string
	for _, e := range p.Entries {
		if e.Key == key {
			ids = append(ids, e.VersionID)
		}
	}
	if i >= len(ids) {
		t.Fatalf("%s has %d versions, want at least %d", key, len(ids), i+1)
	}
	return ids[i]
}

// vrOutHeaderGet GETs a version and returns the response's status and headers.
func vrOutHeaderGet(t testing.TB, c *s3.Client, bucket, key, vid string) (int, http.Header) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		t.Fatalf("GetObject(%s/%s, %q): %v", bucket, key, vid, err)
	}
	out.Body.Close()
	return vrOutHeader(t, out.ResultMetadata)
}

func TestVersioningNullVersion(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "vnull"
	mustCreateBucket(t, c, b)
	e := func(s string) string { return etagFor([]byte(s)) }

	// Written before versioning: the null version, which survives enabling.
	vrPut(t, c, b, "a", []byte("a1"))
	vrPut(t, c, b, "gone", []byte("g"))
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	if _, h := vrOutHeaderGet(t, c, b, "a", ""); h.Get("x-amz-version-id") != "null" {
		t.Fatalf("GET of a pre-versioning object: x-amz-version-id %q, want null", h.Get("x-amz-version-id"))
	}
	x := vrPut(t, c, b, "a", []byte("a2"))
	if x == "null" || x == "" {
		t.Fatalf("PUT with Enabled: %q", x)
	}
	if body, id := vrGetVersion(t, c, b, "a", "null"); string(body) != "a1" || id != "null" {
		t.Fatalf("GET versionId=null: %q %q", body, id)
	}
	ho, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("a"), VersionId: aws.String("null")})
	if err != nil || aws.ToString(ho.VersionId) != "null" {
		t.Fatalf("HEAD versionId=null: %v", err)
	}
	vrExpect(t, srv, b, []vrEntry{
		{Key: "a", VersionID: x, Latest: true, ETag: e("a2")},
		{Key: "a", VersionID: "null", ETag: e("a1")},
		{Key: "gone", VersionID: "null", Latest: true, ETag: e("g")},
	})

	// Suspended: PUT replaces only the null version.
	vrSetVersioning(t, c, b, types.BucketVersioningStatusSuspended)
	if id := vrPut(t, c, b, "a", []byte("a3")); id != "null" {
		t.Fatalf("PUT with Suspended: version %q, want null", id)
	}
	if id := vrPut(t, c, b, "a", []byte("a4")); id != "null" {
		t.Fatalf("second PUT with Suspended: version %q, want null", id)
	}
	vrExpect(t, srv, b, []vrEntry{
		{Key: "a", VersionID: "null", Latest: true, ETag: e("a4")},
		{Key: "a", VersionID: x, ETag: e("a2")},
		{Key: "gone", VersionID: "null", Latest: true, ETag: e("g")},
	})
	if body, _ := vrGetVersion(t, c, b, "a", x); string(body) != "a2" {
		t.Fatalf("version %s reads %q", x, body)
	}
	// Suspended DELETE: a null delete marker that replaces the null version.
	if id, marker := vrDelete(t, c, b, "a", ""); id != "null" || !marker {
		t.Fatalf("DELETE with Suspended: version %q marker %v, want null marker", id, marker)
	}
	if id, marker := vrDelete(t, c, b, "gone", ""); id != "null" || !marker {
		t.Fatalf("DELETE with Suspended: version %q marker %v, want null marker", id, marker)
	}
	vrExpect(t, srv, b, []vrEntry{
		{Key: "a", VersionID: "null", Latest: true, Marker: true},
		{Key: "a", VersionID: x, ETag: e("a2")},
		{Key: "gone", VersionID: "null", Latest: true, Marker: true},
	})
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("gone")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	if h := vrErrHeader(t, err); h.Get("x-amz-delete-marker") != "true" || h.Get("x-amz-version-id") != "null" {
		t.Fatalf("GET of a null delete marker: headers %v", h)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("gone"), VersionId: aws.String("null")})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	if got := vrLiveKeys(t, c, b); len(got) != 0 {
		t.Fatalf("live keys %q, want none", got)
	}
	// A PUT replaces the null marker.
	if id := vrPut(t, c, b, "a", []byte("a5")); id != "null" {
		t.Fatalf("PUT with Suspended: version %q", id)
	}
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	y := vrPut(t, c, b, "a", []byte("a6"))
	vrExpect(t, srv, b, []vrEntry{
		{Key: "a", VersionID: y, Latest: true, ETag: e("a6")},
		{Key: "a", VersionID: "null", ETag: e("a5")},
		{Key: "a", VersionID: x, ETag: e("a2")},
		{Key: "gone", VersionID: "null", Latest: true, Marker: true},
	})
	// A Suspended DELETE removes a null version that is not the latest.
	vrSetVersioning(t, c, b, types.BucketVersioningStatusSuspended)
	if id, marker := vrDelete(t, c, b, "a", ""); id != "null" || !marker {
		t.Fatalf("DELETE with Suspended: version %q marker %v", id, marker)
	}
	vrExpect(t, srv, b, []vrEntry{
		{Key: "a", VersionID: "null", Latest: true, Marker: true},
		{Key: "a", VersionID: y, ETag: e("a6")},
		{Key: "a", VersionID: x, ETag: e("a2")},
		{Key: "gone", VersionID: "null", Latest: true, Marker: true},
	})
	// Deleting the null marker by id restores the newest version.
	if id, marker := vrDelete(t, c, b, "a", "null"); id != "null" || !marker {
		t.Fatalf("DELETE versionId=null of a marker: version %q marker %v", id, marker)
	}
	if body, id := vrGetVersion(t, c, b, "a", ""); string(body) != "a6" || id != y {
		t.Fatalf("after removing the null marker: %q %q", body, id)
	}
}

func TestVersioningDeleteMarkers(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "vdm"
	mustCreateBucket(t, c, b)
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	v1 := vrPut(t, c, b, "k", []byte("v1"))
	v2 := vrPut(t, c, b, "k", []byte("v2"))
	vrPut(t, c, b, "other", []byte("o"))

	// DELETE answers 204 with x-amz-delete-marker and the marker's id.
	r := doRaw(t, rawReq{Method: http.MethodDelete, URL: objURL(srv, b, "k")})
	wantRaw(t, "DELETE", r, http.StatusNoContent, "")
	m1 := r.Header.Get("x-amz-version-id")
	if r.Header.Get("x-amz-delete-marker") != "true" || m1 == "" || m1 == v2 {
		t.Fatalf("DELETE headers %v", r.Header)
	}

	// GET/HEAD of a key whose latest version is a marker: 404 with its headers.
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	if h := vrErrHeader(t, err); h.Get("x-amz-delete-marker") != "true" || h.Get("x-amz-version-id") != m1 {
		t.Fatalf("GET of a deleted key: headers %v, want delete marker %s", h, m1)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	rqCode(t, err, "NotFound", http.StatusNotFound)
	if h := vrErrHeader(t, err); h.Get("x-amz-delete-marker") != "true" || h.Get("x-amz-version-id") != m1 {
		t.Fatalf("HEAD of a deleted key: headers %v", h)
	}
	// By the marker's id: 405.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(m1)})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	if h := vrErrHeader(t, err); h.Get("x-amz-delete-marker") != "true" || h.Get("x-amz-version-id") != m1 {
		t.Fatalf("GET of a marker by id: headers %v", h)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(m1)})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	if h := vrErrHeader(t, err); h.Get("x-amz-delete-marker") != "true" {
		t.Fatalf("HEAD of a marker by id: headers %v", h)
	}
	// CopyObject from a deleted key, and from the marker by id.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("c"), CopySource: cpSource(b, "k")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	// Older versions still read.
	if body, id := vrGetVersion(t, c, b, "k", v2); string(body) != "v2" || id != v2 {
		t.Fatalf("GET version 2 under a marker: %q %q", body, id)
	}
	if got := vrLiveKeys(t, c, b); !slices.Equal(got, []string{"other"}) {
		t.Fatalf("live keys %q, want [other]", got)
	}
	// A second plain DELETE stacks another marker.
	m2, marker := vrDelete(t, c, b, "k", "")
	if !marker || m2 == m1 {
		t.Fatalf("second DELETE: %q %v", m2, marker)
	}
	vrExpect(t, srv, b, []vrEntry{
		{Key: "k", VersionID: m2, Latest: true, Marker: true},
		{Key: "k", VersionID: m1, Marker: true},
		{Key: "k", VersionID: v2, ETag: etagFor([]byte("v2"))},
		{Key: "k", VersionID: v1, ETag: etagFor([]byte("v1"))},
		{Key: "other", VersionID: vrListFirstID(t, srv, b, "other", 0), Latest: true, ETag: etagFor([]byte("o"))},
	})
	// Deleting a version permanently: gone, the others stay.
	if id, marker := vrDelete(t, c, b, "k", v2); id != v2 || marker {
		t.Fatalf("DELETE version 2: %q %v", id, marker)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(v2)})
	rqCode(t, err, "NotFound", http.StatusNotFound)
	// Deleting the markers by id restores the object (the next newest version).
	r = doRaw(t, rawReq{Method: http.MethodDelete, URL: objURL(srv, b, "k") + "?versionId=" + m2})
	wantRaw(t, "DELETE of a marker", r, http.StatusNoContent, "")
	if r.Header.Get("x-amz-delete-marker") != "true" || r.Header.Get("x-amz-version-id") != m2 {
		t.Fatalf("DELETE of a marker by id: headers %v", r.Header)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")}); apiCode(err) != "NoSuchKey" {
		t.Fatalf("GET with m1 latest: %v", err)
	}
	if id, marker := vrDelete(t, c, b, "k", m1); id != m1 || !marker {
		t.Fatalf("DELETE of marker 1: %q %v", id, marker)
	}
	if body, id := vrGetVersion(t, c, b, "k", ""); string(body) != "v1" || id != v1 {
		t.Fatalf("after removing the markers: %q %q, want v1 %s", body, id, v1)
	}
	// Deleting the latest version promotes the next newest.
	v3 := vrPut(t, c, b, "k", []byte("v3"))
	v4 := vrPut(t, c, b, "k", []byte("v4"))
	if id, _ := vrDelete(t, c, b, "k", v4); id != v4 {
		t.Fatalf("DELETE version 4: %q", id)
	}
	if body, id := vrGetVersion(t, c, b, "k", ""); string(body) != "v3" || id != v3 {
		t.Fatalf("after deleting the latest: %q %q, want v3", body, id)
	}
	if got := vrLiveKeys(t, c, b); !slices.Equal(got, []string{"k", "other"}) {
		t.Fatalf("live keys %q", got)
	}
	// A marker on a key that never existed is still a version.
	ghost, marker := vrDelete(t, c, b, "ghost", "")
	if !marker || ghost == "" {
		t.Fatalf("DELETE of a missing key: %q %v", ghost, marker)
	}

	// A bucket holding only delete markers is not empty.
	mustCreateBucket(t, c, "vdm-only")
	vrSetVersioning(t, c, "vdm-only", types.BucketVersioningStatusEnabled)
	ov := vrPut(t, c, "vdm-only", "x", []byte("x"))
	vrDelete(t, c, "vdm-only", "x", ov)
	om, _ := vrDelete(t, c, "vdm-only", "x", "")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("vdm-only")})
	rqCode(t, err, "BucketNotEmpty", http.StatusConflict)
	vrDelete(t, c, "vdm-only", "x", om)
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("vdm-only")}); err != nil {
		t.Fatalf("DeleteBucket once empty: %v", err)
	}
	// So is a bucket holding only noncurrent versions.
	mustCreateBucket(t, c, "vdm-old")
	vrSetVersioning(t, c, "vdm-old", types.BucketVersioningStatusEnabled)
	vrPut(t, c, "vdm-old", "x", []byte("x"))
	vrDelete(t, c, "vdm-old", "x", "")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("vdm-old")})
	rqCode(t, err, "BucketNotEmpty", http.StatusConflict)
}

func TestVersioningDeleteObjects(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "vdo"
	mustCreateBucket(t, c, b)
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	a1 := vrPut(t, c, b, "a", []byte("a1"))
	a2 := vrPut(t, c, b, "a", []byte("a2"))
	vrPut(t, c, b, "b", []byte("b1"))
	bm, _ := vrDelete(t, c, b, "b", "")

	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), VersionId: aws.String(a1)},
		{Key: aws.String("c")},
		{Key: aws.String("b"), VersionId: aws.String(bm)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 0 || len(out.Deleted) != 3 {
		t.Fatalf("DeleteObjects: deleted %d errors %+v", len(out.Deleted), out.Errors)
	}
	got := map[string]types.DeletedObject{}
	for _, d := range out.Deleted {
		got[aws.ToString(d.Key)] = d
	}
	// A version: its id, no marker.
	if d := got["a"]; aws.ToString(d.VersionId) != a1 || aws.ToBool(d.DeleteMarker) || d.DeleteMarkerVersionId != nil {
		t.Fatalf("a: %+v", d)
	}
	// No version: a new marker.
	cm := aws.ToString(got["c"].DeleteMarkerVersionId)
	if d := got["c"]; d.VersionId != nil || !aws.ToBool(d.DeleteMarker) || cm == "" || cm == "null" {
		t.Fatalf("c: VersionId %v DeleteMarker %v DeleteMarkerVersionId %q", d.VersionId, d.DeleteMarker, cm)
	}
	// A marker by id: S3 reports it was a marker, and its id as the marker's.
	if d := got["b"]; aws.ToString(d.VersionId) != bm || !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) != bm {
		t.Fatalf("b: VersionId %q DeleteMarker %v DeleteMarkerVersionId %q, want %s true %s",
			aws.ToString(d.VersionId), aws.ToBool(d.DeleteMarker), aws.ToString(d.DeleteMarkerVersionId), bm, bm)
	}
	if body, id := vrGetVersion(t, c, b, "b", ""); string(body) != "b1" {
		t.Fatalf("b after its marker was deleted: %q %q", body, id)
	}
	vrExpect(t, srv, b, []vrEntry{
		{Key: "a", VersionID: a2, Latest: true, ETag: etagFor([]byte("a2"))},
		{Key: "b", VersionID: vrListFirstID(t, srv, b, "b", 0), Latest: true, ETag: etagFor([]byte("b1"))},
		{Key: "c", VersionID: cm, Latest: true, Marker: true},
	})
	// An invalid version id fails that key only; S3 reports it as NoSuchVersion here.
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), VersionId: aws.String("not-a-version")},
		{Key: aws.String("a"), VersionId: aws.String(a2)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "NoSuchVersion" || aws.ToString(out.Errors[0].VersionId) != "not-a-version" ||
		len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].VersionId) != a2 {
		t.Fatalf("DeleteObjects with a bad id: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	mustNoKey(t, c, b, "a")

	// Suspended: the marker is the null version.
	vrSetVersioning(t, c, b, types.BucketVersioningStatusSuspended)
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("b")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 1 || !aws.ToBool(out.Deleted[0].DeleteMarker) || aws.ToString(out.Deleted[0].DeleteMarkerVersionId) != "null" {
		t.Fatalf("DeleteObjects with Suspended: %+v %+v", out.Deleted, out.Errors)
	}
	if got := vrLiveKeys(t, c, b); len(got) != 0 {
		t.Fatalf("live keys %q", got)
	}
}

func TestVersioningListVersions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "vlist"
	mustCreateBucket(t, c, b)
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	m := newModel()
	m.state = "Enabled"
	put := func(key, body string) {
		t.Helper()
		m.put(key, vrPut(t, c, b, key, []byte(body)), etagFor([]byte(body)))
	}
	del := func(key string) {
		t.Helper()
		id, _ := vrDelete(t, c, b, key, "")
		m.del(key, id)
	}
	put("a", "a1")
	put("a", "a2")
	put("b/1", "b1")
	del("b/1")
	put("b/2", "b2")
	put("c d", "cd1")
	put("c d", "cd2")
	del("e")
	put("f", "f1")
	del("f")
	put("f", "f3")
	put("z/only", "z")
	del("z/only")
	put("é", "e-acute")
	want := m.versions()

	// Full listing: keys ascending, newest first, IsLatest once per key.
	p := vrListPage(t, srv, b, nil)
	if !slices.Equal(p.Entries, want) || p.IsTruncated || p.MaxKeys != 1000 {
		t.Fatalf("ListObjectVersions:\n got  %s (truncated %v, max-keys %d)\n want %s", vrShow(p.Entries), p.IsTruncated, p.MaxKeys, vrShow(want))
	}
	latest := map[string]int{}
	for _, e := range p.Entries {
		if e.Latest {
			latest[e.Key]++
		}
	}
	for k := range m.keys {
		if latest[k] != 1 {
			t.Fatalf("key %q has %d latest entries", k, latest[k])
		}
	}
	// Paging at every size gives the same sequence.
	for _, mk := range []int{1, 2, 3, 5, 13} {
		if got, _ := vrListAll(t, srv, b, nil, mk); !slices.Equal(got, want) {
			t.Fatalf("max-keys %d:\n got  %s\n want %s", mk, vrShow(got), vrShow(want))
		}
	}
	filter := func(f func(vrEntry) bool) []vrEntry {
		var out []vrEntry
		for _, e := range want {
			if f(e) {
				out = append(out, e)
			}
		}
		return out
	}
	// Prefix.
	for _, mk := range []int{1, 1000} {
		got, _ := vrListAll(t, srv, b, url.Values{"prefix": {"b/"}}, mk)
		if w := filter(func(e vrEntry) bool { return strings.HasPrefix(e.Key, "b/") }); !slices.Equal(got, w) {
			t.Fatalf("prefix b/ (max-keys %d): %s, want %s", mk, vrShow(got), vrShow(w))
		}
	}
	// Delimiter: b/ folds into one common prefix, counted once, even paged.
	for _, mk := range []int{1, 2, 1000} {
		got, cps := vrListAll(t, srv, b, url.Values{"delimiter": {"/"}}, mk)
		if w := filter(func(e vrEntry) bool { return !strings.Contains(e.Key, "/") }); !slices.Equal(got, w) || !slices.Equal(cps, []string{"b/", "z/"}) {
			t.Fatalf("delimiter / (max-keys %d): %s %q, want %s [b/ z/]", mk, vrShow(got), cps, vrShow(w))
		}
	}
	// key-marker alone skips every version of that key.
	p = vrListPage(t, srv, b, url.Values{"key-marker": {"b/1"}})
	if w := filter(func(e vrEntry) bool { return e.Key > "b/1" }); !slices.Equal(p.Entries, w) || p.KeyMarker != "b/1" {
		t.Fatalf("key-marker b/1: %s (KeyMarker %q), want %s", vrShow(p.Entries), p.KeyMarker, vrShow(w))
	}
	// key-marker with version-id-marker resumes after that version.
	fIDs := m.keys["f"]
	p = vrListPage(t, srv, b, url.Values{"key-marker": {"f"}, "version-id-marker": {fIDs[1].ID}})
	w := []vrEntry{{Key: "f", VersionID: fIDs[2].ID, ETag: fIDs[2].ETag}}
	w = append(w, filter(func(e vrEntry) bool { return e.Key > "f" })...)
	if !slices.Equal(p.Entries, w) || p.VersionIDMarker != fIDs[1].ID {
		t.Fatalf("after f/%s: %s (VersionIdMarker %q), want %s", fIDs[1].ID, vrShow(p.Entries), p.VersionIDMarker, vrShow(w))
	}
	// A truncated page names where to resume.
	p = vrListPage(t, srv, b, url.Values{"max-keys": {"3"}})
	if !p.IsTruncated || p.NextKeyMarker != want[2].Key || p.NextVersionIDMarker != want[2].VersionID || !slices.Equal(p.Entries, want[:3]) {
		t.Fatalf("max-keys 3: %+v", p)
	}
	// encoding-type=url encodes keys (and they decode to the same sequence).
	p = vrListPage(t, srv, b, url.Values{"encoding-type": {"url"}, "prefix": {"c d"}})
	if p.EncodingType != "url" || len(p.Entries) != 2 || strings.Contains(p.Entries[0].Key, " ") {
		t.Fatalf("encoding-type=url: %+v", p)
	}
	for _, mk := range []int{1, 1000} {
		if got, _ := vrListAll(t, srv, b, url.Values{"encoding-type": {"url"}}, mk); !slices.Equal(got, want) {
			t.Fatalf("encoding-type=url (max-keys %d): %s", mk, vrShow(got))
		}
	}
	// The SDK's view: versions and delete markers, each in order.
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b), Prefix: aws.String("f")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Versions) != 2 || len(out.DeleteMarkers) != 1 ||
		aws.ToString(out.Versions[0].VersionId) != fIDs[0].ID || !aws.ToBool(out.Versions[0].IsLatest) ||
		aws.ToString(out.Versions[1].VersionId) != fIDs[2].ID || aws.ToBool(out.Versions[1].IsLatest) ||
		aws.ToString(out.DeleteMarkers[0].VersionId) != fIDs[1].ID || aws.ToBool(out.DeleteMarkers[0].IsLatest) ||
		aws.ToInt64(out.Versions[0].Size) != 2 || aws.ToString(out.Versions[0].ETag) != etagFor([]byte("f3")) {
		t.Fatalf("SDK ListObjectVersions(prefix f): %+v %+v", out.Versions, out.DeleteMarkers)
	}
	_, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b), VersionIdMarker: aws.String(fIDs[0].ID)})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("no-such-bucket")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)

	// Listings of current objects hide keys whose latest version is a marker.
	if got := vrLiveKeys(t, c, b); !slices.Equal(got, []string{"a", "b/2", "c d", "f", "é"}) {
		t.Fatalf("live keys %q", got)
	}
	// A prefix holding only deleted keys is no common prefix of the current objects.
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if got := lsEntries(lo.Contents, lo.CommonPrefixes); !slices.Equal(got, []string{"a\x00K", "b/\x00P", "c d\x00K", "f\x00K", "é\x00K"}) {
		t.Fatalf("ListObjectsV2 with delimiter: %q", got)
	}
}

func TestVersioningInvalidVersionID(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "vbad"
	mustCreateBucket(t, c, b)
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	v := vrPut(t, c, b, "k", []byte("k"))
	// A well-formed id that names no version.
	last := "0"
	if strings.HasSuffix(v, "0") {
		last = "1"
	}
	missing := v[:len(v)-1] + last

	for _, bad := range []string{"bogus", "../k", strings.Repeat("z", 32)} {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(bad)})
		rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(bad)})
		if rqStatus(err) != http.StatusBadRequest {
			t.Fatalf("HEAD versionId=%q: %v, want 400", bad, err)
		}
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(bad)})
		rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
		_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(bad)})
		rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("c"), CopySource: aws.String(b + "/k?versionId=" + url.QueryEscape(bad))})
		rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(missing)})
	rqCode(t, err, "NoSuchVersion", http.StatusNotFound)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(missing)})
	rqCode(t, err, "NotFound", http.StatusNotFound)
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(missing)})
	rqCode(t, err, "NoSuchVersion", http.StatusNotFound)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("c"), CopySource: aws.String(b + "/k?versionId=" + missing)})
	rqCode(t, err, "NoSuchVersion", http.StatusNotFound)
	// Deleting a version that does not exist succeeds and echoes the id.
	if id, marker := vrDelete(t, c, b, "k", missing); id != missing || marker {
		t.Fatalf("DELETE of a missing version: %q %v, want %q", id, marker, missing)
	}
	// versionId=null in a versioned bucket without a null version.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String("null")})
	rqCode(t, err, "NoSuchVersion", http.StatusNotFound)
	// The object itself is untouched.
	if body, id := vrGetVersion(t, c, b, "k", ""); string(body) != "k" || id != v {
		t.Fatalf("after the errors: %q %q", body, id)
	}
}

func TestVersioningListManyVersions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "vmany"
	mustCreateBucket(t, c, b)
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	const hot, others = 3000, 50
	start := time.Now()
	jobs := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for key := range jobs {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: strings.NewReader(key)})
				if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < hot; i++ {
		jobs <- "m-hot"
	}
	for i := 0; i < others; i++ {
		jobs <- fmt.Sprintf("k%02d", i)
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	t.Logf("%d PUTs in %v", hot+others, time.Since(start))

	list := func() []string {
		t.Helper()
		start := time.Now()
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("ListObjectsV2 over %d versions: %v", hot+others, time.Since(start))
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		return keys
	}
	keys := list()
	if len(keys) != others+1 || !slices.Contains(keys, "m-hot") || !slices.IsSorted(keys) {
		t.Fatalf("ListObjectsV2: %d keys %q", len(keys), keys)
	}
	// Paged one key at a time past the hot key.
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b), StartAfter: aws.String("k49"), MaxKeys: aws.Int32(1)})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "m-hot" || aws.ToBool(out.IsTruncated) {
		t.Fatalf("after k49: %v %+v", err, out)
	}
	// With a delete marker on top, the hot key disappears.
	vrDelete(t, c, b, "m-hot", "")
	if keys := list(); len(keys) != others || slices.Contains(keys, "m-hot") {
		t.Fatalf("after DELETE: %d keys", len(keys))
	}
	// The version listing pages through the hot key.
	start = time.Now()
	p := vrListPage(t, srv, b, url.Values{"prefix": {"m-hot"}, "max-keys": {"10"}})
	t.Logf("ListObjectVersions page: %v", time.Since(start))
	if len(p.Entries) != 10 || !p.IsTruncated || !p.Entries[0].Marker || !p.Entries[0].Latest || p.Entries[1].Latest {
		t.Fatalf("ListObjectVersions(m-hot): %s truncated %v", vrShow(p.Entries), p.IsTruncated)
	}
	p = vrListPage(t, srv, b, url.Values{"key-marker": {"m-hot"}})
	if len(p.Entries) != 0 || p.IsTruncated {
		t.Fatalf("key-marker m-hot: %d entries", len(p.Entries))
	}
}

// In a Suspended bucket every write answers x-amz-version-id: null, as S3
// does: PutObject, CopyObject, CompleteMultipartUpload, PostObject and
// DeleteObject (whose marker is the null version) — for root and for a
// user alike.
func TestVersioningSuspendedVersionHeader(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.Client()
	user, _, _ := newUser(t, srv, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	for _, tc := range []struct {
		name   string
		c      *s3.Client
		b      string
		everOn bool
	}{
		{"root", root, "vsusp-a", true}, {"user", user, "vsusp-b", true},
		{"root", root, "vsusp-c", false}, {"user", user, "vsusp-d", false},
	} {
		name, c, b := tc.name, tc.c, tc.b
		mustCreateBucket(t, root, b)
		if tc.everOn {
			vrSetVersioning(t, root, b, types.BucketVersioningStatusEnabled)
		}
		mustPut(t, root, b, "src", []byte("s"))
		vrSetVersioning(t, root, b, types.BucketVersioningStatusSuspended)
		want := func(what string, got *string) {
			t.Helper()
			if aws.ToString(got) != "null" {
				t.Fatalf("%s %s: version %q, want null", name, what, aws.ToString(got))
			}
		}
		put := mustPut(t, c, b, name+"-put", []byte("p"))
		want("PutObject", put.VersionId)
		cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String(name + "-copy"), CopySource: aws.String(b + "/src")})
		if err != nil {
			t.Fatal(err)
		}
		want("CopyObject", cp.VersionId)
		id := mpCreate(t, c, b, name+"-mpu")
		part := mpUpload(t, c, b, name+"-mpu", id, 1, []byte("m"))
		done := mpComplete(t, c, b, name+"-mpu", id, []types.CompletedPart{part})
		want("CompleteMultipartUpload", done.VersionId)
		del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(name + "-put")})
		if err != nil {
			t.Fatal(err)
		}
		want("DeleteObject", del.VersionId)
		if !aws.ToBool(del.DeleteMarker) {
			t.Fatalf("%s DeleteObject: no delete marker", name)
		}
		p, err := s3.NewPresignClient(c).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(name + "-post")})
		if err != nil {
			t.Fatal(err)
		}
		status, hdr, body := postForm(t, p.URL, p.Values, []string{"key"}, []byte("x"))
		if status != http.StatusNoContent || hdr.Get("x-amz-version-id") != "null" {
			t.Fatalf("%s PostObject = %d version %q %s", name, status, hdr.Get("x-amz-version-id"), body)
		}
	}
}
