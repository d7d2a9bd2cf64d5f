package e2e

// Object and bucket tagging.

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// tgTags builds a tag set from key, value pairs.
func tgTags(kv ...string) []types.Tag {
	var ts []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		ts = append(ts, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return ts
}

func tgMap(ts []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// tgPut sets an object's (or a version's) tags.
func tgPut(c *s3.Client, bucket, key, vid string, tags []types.Tag) (*s3.PutObjectTaggingOutput, error) {
	in := &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key), Tagging: &types.Tagging{TagSet: tags}}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	return c.PutObjectTagging(ctx, in)
}

// tgGet returns an object's (or a version's) tags.
func tgGet(t *testing.T, c *s3.Client, bucket, key, vid string) map[string]string {
	t.Helper()
	in := &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObjectTagging(ctx, in)
	if err != nil {
		t.Fatalf("GetObjectTagging(%s/%s, %q): %v", bucket, key, vid, err)
	}
	return tgMap(out.TagSet)
}

// tgCount returns x-amz-tagging-count of GET and HEAD (-1 when absent);
// both must agree.
func tgCount(t *testing.T, c *s3.Client, bucket, key, vid string) int {
	t.Helper()
	gi := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	hi := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		gi.VersionId, hi.VersionId = aws.String(vid), aws.String(vid)
	}
	g, err := c.GetObject(ctx, gi)
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	h, err := c.HeadObject(ctx, hi)
	if err != nil {
		t.Fatal(err)
	}
	gc, hc := -1, -1
	if g.TagCount != nil {
		gc = int(*g.TagCount)
	}
	if h.TagCount != nil {
		hc = int(*h.TagCount)
	}
	if gc != hc {
		t.Fatalf("x-amz-tagging-count: GET %d, HEAD %d", gc, hc)
	}
	return gc
}

func TestTaggingObject(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "tobj"
	mustCreateBucket(t, c, b)

	// Unversioned: no version id in the answers.
	mustPut(t, c, b, "plain", []byte("p"))
	out, err := tgPut(c, b, "plain", "", tgTags("k", "v"))
	if err != nil || out.VersionId != nil {
		t.Fatalf("PutObjectTagging: %v, VersionId %v", err, out.VersionId)
	}
	if status, _ := vrOutHeader(t, out.ResultMetadata); status != http.StatusOK {
		t.Fatalf("PutObjectTagging status %d, want 200", status)
	}
	if got := tgGet(t, c, b, "plain", ""); !maps.Equal(got, map[string]string{"k": "v"}) {
		t.Fatalf("tags %v", got)
	}
	if n := tgCount(t, c, b, "plain", ""); n != 1 {
		t.Fatalf("tag count %d, want 1", n)
	}
	// Replacing replaces the whole set.
	if _, err := tgPut(c, b, "plain", "", tgTags("x", "1", "y", "")); err != nil {
		t.Fatal(err)
	}
	if got := tgGet(t, c, b, "plain", ""); !maps.Equal(got, map[string]string{"x": "1", "y": ""}) {
		t.Fatalf("tags after replacing %v", got)
	}
	do, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := vrOutHeader(t, do.ResultMetadata); status != http.StatusNoContent {
		t.Fatalf("DeleteObjectTagging status %d, want 204", status)
	}
	if got := tgGet(t, c, b, "plain", ""); len(got) != 0 {
		t.Fatalf("tags after DeleteObjectTagging %v", got)
	}
	if n := tgCount(t, c, b, "plain", ""); n != -1 {
		t.Fatalf("tag count %d of an untagged object, want no header", n)
	}
	// The object's data is untouched by tagging.
	if got := mustGet(t, c, b, "plain"); string(got) != "p" {
		t.Fatalf("body %q", got)
	}

	// Versioned: tags belong to versions.
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	v1 := vrPut(t, c, b, "k", []byte("1"))
	v2 := vrPut(t, c, b, "k", []byte("2"))
	out, err = tgPut(c, b, "k", "", tgTags("latest", "yes", "n", "2"))
	if err != nil || aws.ToString(out.VersionId) != v2 {
		t.Fatalf("PutObjectTagging(latest): %v, VersionId %q want %q", err, aws.ToString(out.VersionId), v2)
	}
	out, err = tgPut(c, b, "k", v1, tgTags("old", "yes"))
	if err != nil || aws.ToString(out.VersionId) != v1 {
		t.Fatalf("PutObjectTagging(v1): %v, VersionId %q want %q", err, aws.ToString(out.VersionId), v1)
	}
	if got := tgGet(t, c, b, "k", v1); !maps.Equal(got, map[string]string{"old": "yes"}) {
		t.Fatalf("v1 tags %v", got)
	}
	if got := tgGet(t, c, b, "k", ""); !maps.Equal(got, map[string]string{"latest": "yes", "n": "2"}) {
		t.Fatalf("latest tags %v", got)
	}
	if n := tgCount(t, c, b, "k", v1); n != 1 {
		t.Fatalf("v1 tag count %d", n)
	}
	if n := tgCount(t, c, b, "k", ""); n != 2 {
		t.Fatalf("latest tag count %d", n)
	}
	do, err = c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil || aws.ToString(do.VersionId) != v1 {
		t.Fatalf("DeleteObjectTagging(v1): %v %q", err, aws.ToString(do.VersionId))
	}
	if got := tgGet(t, c, b, "k", v1); len(got) != 0 {
		t.Fatalf("v1 tags after delete %v", got)
	}
	if got := tgGet(t, c, b, "k", ""); len(got) != 2 {
		t.Fatalf("latest tags after deleting v1's %v", got)
	}
	// A new version starts without tags.
	vrPut(t, c, b, "k", []byte("3"))
	if got := tgGet(t, c, b, "k", ""); len(got) != 0 {
		t.Fatalf("new version's tags %v", got)
	}
	// An empty tag set clears the tags.
	if _, err := tgPut(c, b, "k", v2, []types.Tag{}); err != nil {
		t.Fatalf("PutObjectTagging with an empty set: %v", err)
	}
	if got := tgGet(t, c, b, "k", v2); len(got) != 0 {
		t.Fatalf("v2 tags after an empty set %v", got)
	}
	// Missing objects and buckets.
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("missing")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = tgPut(c, b, "missing", "", tgTags("a", "b"))
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("missing")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestTaggingOnWrite(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "twrite"
	mustCreateBucket(t, c, b)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("src"), Body: strings.NewReader("src"),
		Tagging: aws.String("a=1&b=two%20words&c=")})
	if err != nil {
		t.Fatal(err)
	}
	srcTags := map[string]string{"a": "1", "b": "two words", "c": ""}
	if got := tgGet(t, c, b, "src", ""); !maps.Equal(got, srcTags) {
		t.Fatalf("tags from x-amz-tagging: %v, want %v", got, srcTags)
	}
	if n := tgCount(t, c, b, "src", ""); n != 3 {
		t.Fatalf("tag count %d, want 3", n)
	}
	r := doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, b, "src")})
	if r.Header.Get("x-amz-tagging-count") != "3" {
		t.Fatalf("HEAD x-amz-tagging-count %q", r.Header.Get("x-amz-tagging-count"))
	}
	// An invalid x-amz-tagging fails the PUT.
	for _, bad := range []string{"aws:x=1", "a=1&a=2", "k*=v", strings.Repeat("k", 129) + "=v",
		"t0=0&t1=1&t2=2&t3=3&t4=4&t5=5&t6=6&t7=7&t8=8&t9=9&t10=10"} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("bad"), Body: strings.NewReader("x"), Tagging: aws.String(bad)})
		rqCode(t, err, "InvalidTag", http.StatusBadRequest)
	}
	mustNoKey(t, c, b, "bad")

	// Multipart: the upload's tags land on the completed object.
	up := mpCreate(t, c, b, "mp", func(in *s3.CreateMultipartUploadInput) { in.Tagging = aws.String("mp=yes&part=1") })
	part := mpUpload(t, c, b, "mp", up, 1, []byte("multipart body"))
	mpComplete(t, c, b, "mp", up, []types.CompletedPart{part})
	if got := tgGet(t, c, b, "mp", ""); !maps.Equal(got, map[string]string{"mp": "yes", "part": "1"}) {
		t.Fatalf("multipart tags %v", got)
	}
	if n := tgCount(t, c, b, "mp", ""); n != 2 {
		t.Fatalf("multipart tag count %d", n)
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp2"), Tagging: aws.String("aws:no=1")})
	rqCode(t, err, "InvalidTag", http.StatusBadRequest)

	// CopyObject: COPY (the default) keeps the source's tags, even with a
	// Tagging header; REPLACE takes the header's, or none.
	copyTo := func(dst string, directive types.TaggingDirective, tagging *string) {
		t.Helper()
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String(dst), CopySource: cpSource(b, "src"),
			TaggingDirective: directive, Tagging: tagging}); err != nil {
			t.Fatalf("CopyObject(%s, %q): %v", dst, directive, err)
		}
	}
	copyTo("c-default", "", nil)
	copyTo("c-copy", types.TaggingDirectiveCopy, aws.String("ignored=1"))
	copyTo("c-replace", types.TaggingDirectiveReplace, aws.String("r=new"))
	copyTo("c-replace-none", types.TaggingDirectiveReplace, nil)
	for key, want := range map[string]map[string]string{
		"c-default": srcTags, "c-copy": srcTags, "c-replace": {"r": "new"}, "c-replace-none": {},
	} {
		if got := tgGet(t, c, b, key, ""); !maps.Equal(got, want) {
			t.Fatalf("%s tags %v, want %v", key, got, want)
		}
	}
	if n := tgCount(t, c, b, "c-replace-none", ""); n != -1 {
		t.Fatalf("c-replace-none tag count %d", n)
	}
	// The tags are a copy: changing the copy's leaves the source's alone.
	if _, err := tgPut(c, b, "c-default", "", tgTags("z", "z")); err != nil {
		t.Fatal(err)
	}
	if got := tgGet(t, c, b, "src", ""); !maps.Equal(got, srcTags) {
		t.Fatalf("source tags changed to %v", got)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("c-bad"), CopySource: cpSource(b, "src"), TaggingDirective: "MOVE"})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("c-bad"), CopySource: cpSource(b, "src"),
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("aws:x=1")})
	rqCode(t, err, "InvalidTag", http.StatusBadRequest)
	mustNoKey(t, c, b, "c-bad")
}

func TestTaggingLimits(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "tlim"
	mustCreateBucket(t, c, b)
	mustPut(t, c, b, "k", []byte("k"))
	ten := make([]string, 0, 22)
	for i := 0; i < 10; i++ {
		ten = append(ten, fmt.Sprintf("key%d", i), fmt.Sprintf("value %d", i))
	}
	astral := strings.Repeat("\U00020000", 64) // a CJK letter outside the BMP: 2 UTF-16 units each
	ok := [][]types.Tag{
		tgTags(ten...),
		tgTags(strings.Repeat("k", 128), strings.Repeat("v", 256)),
		tgTags(astral, "128 UTF-16 units"),
		tgTags("letters é ü 日本", "digits 0123 and _.:/=+-@"),
		tgTags("a", "A"), // keys are case-sensitive
	}
	for i, ts := range ok {
		if _, err := tgPut(c, b, "k", "", ts); err != nil {
			t.Fatalf("valid tag set %d: %v", i, err)
		}
		if got := tgGet(t, c, b, "k", ""); !maps.Equal(got, tgMap(ts)) {
			t.Fatalf("valid tag set %d reads back as %v", i, got)
		}
	}
	bad := map[string][]types.Tag{
		"11 tags":                tgTags(append(ten, "key10", "v")...),
		"key of 129":             tgTags(strings.Repeat("k", 129), "v"),
		"key of 65 astral chars": tgTags(astral+"\U00020000", "v"),
		"key of 65 emoji":        tgTags(strings.Repeat("\U0001F600", 65), "v"),
		"value of 257":           tgTags("k", strings.Repeat("v", 257)),
		"duplicate keys":         tgTags("dup", "1", "dup", "2"),
		"aws: prefix":            tgTags("aws:created", "x"),
		"empty key":              tgTags("", "v"),
		"key with *":             tgTags("a*b", "v"),
		"key with #":             tgTags("a#b", "v"),
		"value with !":           tgTags("k", "v!"),
		"value with <":           tgTags("k", "<v>"),
	}
	for name, ts := range bad {
		_, err := tgPut(c, b, "k", "", ts)
		if apiCode(err) != "InvalidTag" || rqStatus(err) != http.StatusBadRequest {
			t.Fatalf("%s: %v, want 400 InvalidTag", name, err)
		}
	}
	// Rejected sets change nothing.
	if got := tgGet(t, c, b, "k", ""); !maps.Equal(got, map[string]string{"a": "A"}) {
		t.Fatalf("tags after rejected sets %v", got)
	}
	// Malformed XML.
	body := []byte("<Tagging><TagSet><Tag><Key>a</Key>")
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, b, "k") + "?tagging", Body: body, Header: map[string]string{"Content-MD5": md5B64(body)}})
	wantRaw(t, "truncated Tagging", r, http.StatusBadRequest, "MalformedXML")
}

func TestTaggingDeleteMarker(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "tdm"
	mustCreateBucket(t, c, b)
	vrSetVersioning(t, c, b, types.BucketVersioningStatusEnabled)
	v := vrPut(t, c, b, "k", []byte("k"))
	m, _ := vrDelete(t, c, b, "k", "")

	// By the marker's version id: 405.
	_, err := tgPut(c, b, "k", m, tgTags("a", "b"))
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(m)})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	if h := vrErrHeader(t, err); h.Get("x-amz-delete-marker") != "true" {
		t.Fatalf("405 headers %v", h)
	}
	_, err = c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), VersionId: aws.String(m)})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	// Latest is a marker: 404.
	_, err = tgPut(c, b, "k", "", tgTags("a", "b"))
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	if h := vrErrHeader(t, err); h.Get("x-amz-delete-marker") != "true" || h.Get("x-amz-version-id") != m {
		t.Fatalf("404 headers %v", h)
	}
	_, err = c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
	// The version under the marker can still be tagged.
	if _, err := tgPut(c, b, "k", v, tgTags("under", "marker")); err != nil {
		t.Fatal(err)
	}
	if got := tgGet(t, c, b, "k", v); !maps.Equal(got, map[string]string{"under": "marker"}) {
		t.Fatalf("tags %v", got)
	}
}

func TestTaggingBucket(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "tbkt"
	mustCreateBucket(t, c, b)
	_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	rqCode(t, err, "NoSuchTagSet", http.StatusNotFound)

	var fifty []string
	for i := 0; i < 50; i++ {
		fifty = append(fifty, fmt.Sprintf("tag-%02d", i), fmt.Sprintf("value %d", i))
	}
	put := func(ts []types.Tag) (*s3.PutBucketTaggingOutput, error) {
		return c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: ts}})
	}
	out, err := put(tgTags(fifty...))
	if err != nil {
		t.Fatalf("50 bucket tags: %v", err)
	}
	if status, _ := vrOutHeader(t, out.ResultMetadata); status != http.StatusNoContent {
		t.Fatalf("PutBucketTagging status %d, want 204", status)
	}
	get := func() map[string]string {
		t.Helper()
		out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		return tgMap(out.TagSet)
	}
	if got := get(); !maps.Equal(got, tgMap(tgTags(fifty...))) {
		t.Fatalf("bucket tags: %d of 50", len(got))
	}
	for name, ts := range map[string][]types.Tag{
		"51 tags":        tgTags(append(fifty, "tag-50", "v")...),
		"aws: prefix":    tgTags("aws:x", "v"),
		"duplicate keys": tgTags("d", "1", "d", "2"),
		"key of 129":     tgTags(strings.Repeat("k", 129), "v"),
	} {
		_, err := put(ts)
		if apiCode(err) != "InvalidTag" || rqStatus(err) != http.StatusBadRequest {
			t.Fatalf("%s: %v, want 400 InvalidTag", name, err)
		}
	}
	if got := get(); len(got) != 50 {
		t.Fatalf("bucket tags after rejected sets: %d", len(got))
	}
	// Bucket tags and object tags are separate.
	mustPut(t, c, b, "obj", []byte("o"))
	if got := tgGet(t, c, b, "obj", ""); len(got) != 0 {
		t.Fatalf("object inherits bucket tags: %v", got)
	}
	if _, err := put(tgTags("one", "1")); err != nil {
		t.Fatal(err)
	}
	if got := get(); !maps.Equal(got, map[string]string{"one": "1"}) {
		t.Fatalf("bucket tags after replacing %v", got)
	}
	for i := 0; i < 2; i++ { // deleting twice is fine
		do, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := vrOutHeader(t, do.ResultMetadata); status != http.StatusNoContent {
			t.Fatalf("DeleteBucketTagging status %d, want 204", status)
		}
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	rqCode(t, err, "NoSuchTagSet", http.StatusNotFound)
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("no-such-bucket"), Tagging: &types.Tagging{TagSet: tgTags("a", "b")}})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
}
