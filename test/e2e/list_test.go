package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// lsPutAll uploads keys (body = key) with raw signed PUTs from a few
// workers; raw requests keep the client's share of the CPU small.
func lsPutAll(t *testing.T, srv *testserver.Server, bucket string, keys []string) {
	t.Helper()
	ch := make(chan string)
	errs := make(chan error, len(keys))
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ch {
				body := []byte(k)
				req, err := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/"+bucket+"/"+rqEscape(k), bytes.NewReader(body))
				if err != nil {
					errs <- err
					continue
				}
				req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				creds := aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
				if err := rqSigner.SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", testserver.Region, time.Now()); err != nil {
					errs <- err
					continue
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- fmt.Errorf("PUT %q: %w", k, err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("PUT %q: status %d", k, resp.StatusCode)
				}
			}
		}()
	}
	for _, k := range keys {
		ch <- k
	}
	close(ch)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A listing entry is its value plus "\x00K" (key) or "\x00P" (common
// prefix), so that sorting the strings sorts by value.
func lsEntries(contents []types.Object, prefixes []types.CommonPrefix) []string {
	var out []string
	for _, o := range contents {
		out = append(out, aws.ToString(o.Key)+"\x00K")
	}
	for _, p := range prefixes {
		out = append(out, aws.ToString(p.Prefix)+"\x00P")
	}
	sort.Strings(out)
	return out
}

// lsModel is what S3 lists for keys: entries after `after`, keys under
// prefix rolled up at the first delimiter after the prefix.
func lsModel(keys []string, prefix, delim, after string) []string {
	sorted := slices.Clone(keys)
	sort.Strings(sorted)
	var out []string
	seen := map[string]bool{}
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if cp > after && !seen[cp] {
					seen[cp] = true
					out = append(out, cp+"\x00P")
				}
				continue
			}
		}
		if k > after {
			out = append(out, k+"\x00K")
		}
	}
	return out
}

func lsShow(entries []string) string {
	return strings.ReplaceAll(fmt.Sprintf("%q", entries), `\x00`, "|")
}

// lsPageV2 pages with the v2 paginator and checks every page.
func lsPageV2(t *testing.T, c *s3.Client, in *s3.ListObjectsV2Input, limit int32) (all []string, pages int) {
	t.Helper()
	p := s3.NewListObjectsV2Paginator(c, in, func(o *s3.ListObjectsV2PaginatorOptions) {
		o.Limit = limit
		o.StopOnDuplicateToken = true
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		e := lsEntries(out.Contents, out.CommonPrefixes)
		if int(aws.ToInt32(out.KeyCount)) != len(e) {
			t.Fatalf("KeyCount %d, %d entries", aws.ToInt32(out.KeyCount), len(e))
		}
		trunc := aws.ToBool(out.IsTruncated)
		page := 1000
		if limit > 0 && limit < 1000 {
			page = int(limit)
		}
		if len(e) > page || trunc && len(e) != page {
			t.Fatalf("page %d: %d entries with max-keys %d (truncated %v)", pages, len(e), limit, trunc)
		}
		if trunc != (out.NextContinuationToken != nil) {
			t.Fatalf("IsTruncated %v, NextContinuationToken %v", trunc, out.NextContinuationToken)
		}
		if pages > 1 && out.ContinuationToken == nil {
			t.Fatal("ContinuationToken not echoed")
		}
		all = append(all, e...)
		if pages > 5000 {
			t.Fatal("paging does not end")
		}
	}
	return all, pages
}

// lsPageV1 pages ListObjects (v1) with marker / NextMarker.
func lsPageV1(t *testing.T, c *s3.Client, in s3.ListObjectsInput) (all []string, pages int) {
	t.Helper()
	for {
		out, err := c.ListObjects(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		e := lsEntries(out.Contents, out.CommonPrefixes)
		if aws.ToString(out.Marker) != aws.ToString(in.Marker) {
			t.Fatalf("Marker echoed %q, sent %q", aws.ToString(out.Marker), aws.ToString(in.Marker))
		}
		for _, o := range out.Contents {
			if o.Owner == nil || aws.ToString(o.Owner.ID) == "" {
				t.Fatalf("v1 entry %q has no Owner", aws.ToString(o.Key))
			}
		}
		all = append(all, e...)
		if !aws.ToBool(out.IsTruncated) {
			if out.NextMarker != nil {
				t.Fatalf("NextMarker %q on the last page", aws.ToString(out.NextMarker))
			}
			return all, pages
		}
		if in.MaxKeys != nil && len(e) != int(*in.MaxKeys) {
			t.Fatalf("truncated page of %d entries with max-keys %d", len(e), *in.MaxKeys)
		}
		next := aws.ToString(out.NextMarker)
		if aws.ToString(in.Delimiter) != "" {
			last := e[len(e)-1]
			if next != last[:len(last)-2] {
				t.Fatalf("NextMarker %q, last entry %q", next, last)
			}
		} else {
			if out.NextMarker != nil {
				t.Fatalf("NextMarker %q without a delimiter", next)
			}
			next = aws.ToString(out.Contents[len(out.Contents)-1].Key)
		}
		in.Marker = aws.String(next)
		if pages > 5000 {
			t.Fatal("paging does not end")
		}
	}
}

var lsKeys = []string{
	"a", "a/", "a/b", "a/b/c", "a//b", "a--b", "a--b--c", "ab", "abc/def", "b/a/x", "ba", "bar/baz",
	"c", "c/", "c/d/", "docs--old/y.txt", "docs/x.txt", "photos/2024/feb/b.jpg", "photos/2024/jan/a.jpg",
	"photos/2025/c.jpg", "photos/d.jpg", "rar", "readme", "z/z/z",
}

func TestListPrefixDelimiter(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lpd")
	lsPutAll(t, srv, "lpd", lsKeys)

	list := func(prefix, delim string) *s3.ListObjectsV2Output {
		t.Helper()
		in := &s3.ListObjectsV2Input{Bucket: aws.String("lpd")}
		if prefix != "" {
			in.Prefix = aws.String(prefix)
		}
		if delim != "" {
			in.Delimiter = aws.String(delim)
		}
		out, err := c.ListObjectsV2(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Prefix) != prefix || aws.ToString(out.Delimiter) != delim {
			t.Fatalf("echo Prefix %q Delimiter %q", aws.ToString(out.Prefix), aws.ToString(out.Delimiter))
		}
		if aws.ToString(out.Name) != "lpd" || aws.ToInt32(out.MaxKeys) != 1000 || aws.ToBool(out.IsTruncated) {
			t.Fatalf("Name %q MaxKeys %d IsTruncated %v", aws.ToString(out.Name), aws.ToInt32(out.MaxKeys), aws.ToBool(out.IsTruncated))
		}
		return out
	}
	check := func(prefix, delim string, keys, prefixes []string) {
		t.Helper()
		out := list(prefix, delim)
		var gk, gp []string
		for _, o := range out.Contents {
			gk = append(gk, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			gp = append(gp, aws.ToString(p.Prefix))
		}
		keys, prefixes = slices.Clone(keys), slices.Clone(prefixes)
		sort.Strings(keys)
		sort.Strings(prefixes)
		if !slices.Equal(gk, keys) || !slices.Equal(gp, prefixes) {
			t.Fatalf("prefix %q delimiter %q:\n keys %q\n want %q\n prefixes %q\n want %q", prefix, delim, gk, keys, gp, prefixes)
		}
	}
	check("photos/", "", []string{"photos/2024/feb/b.jpg", "photos/2024/jan/a.jpg", "photos/2025/c.jpg", "photos/d.jpg"}, nil)
	check("photos/", "/", []string{"photos/d.jpg"}, []string{"photos/2024/", "photos/2025/"})
	check("photos/2024/", "/", nil, []string{"photos/2024/feb/", "photos/2024/jan/"})
	check("", "/", []string{"a", "a--b", "a--b--c", "ab", "ba", "c", "rar", "readme"},
		[]string{"a/", "abc/", "b/", "bar/", "c/", "docs--old/", "docs/", "photos/", "z/"})
	check("a/", "/", []string{"a/", "a/b"}, []string{"a//", "a/b/"}) // "a/" itself: empty remainder
	check("c/", "/", []string{"c/"}, []string{"c/d/"})
	check("", "--", []string{"a", "a/", "a/b", "a/b/c", "a//b", "ab", "abc/def", "b/a/x", "ba", "bar/baz", "c", "c/", "c/d/",
		"docs/x.txt", "photos/2024/feb/b.jpg", "photos/2024/jan/a.jpg", "photos/2025/c.jpg", "photos/d.jpg", "rar", "readme", "z/z/z"},
		[]string{"a--", "docs--"})
	check("a--", "--", []string{"a--b"}, []string{"a--b--"})
	check("", "a", []string{"c", "c/", "c/d/", "docs--old/y.txt", "docs/x.txt", "photos/2024/feb/b.jpg", "photos/2025/c.jpg", "photos/d.jpg", "z/z/z"},
		[]string{"a", "b/a", "ba", "photos/2024/ja", "ra", "rea"})
	check("b", "a", nil, []string{"b/a", "ba"})
	check("nothing", "/", nil, nil)
	check("a/b/c", "/", []string{"a/b/c"}, nil)

	// Every combination, paged at several sizes, with both versions.
	for _, prefix := range []string{"", "a", "a/", "photos/", "c/", "zz"} {
		for _, delim := range []string{"", "/", "--", "a", "/b"} {
			want := lsModel(lsKeys, prefix, delim, "")
			for _, mk := range []int32{1, 3, 1000} {
				in := &s3.ListObjectsV2Input{Bucket: aws.String("lpd"), Prefix: aws.String(prefix), Delimiter: aws.String(delim)}
				got, _ := lsPageV2(t, c, in, mk)
				if !slices.Equal(got, want) {
					t.Fatalf("v2 prefix %q delimiter %q max-keys %d:\n got %s\nwant %s", prefix, delim, mk, lsShow(got), lsShow(want))
				}
				got, _ = lsPageV1(t, c, s3.ListObjectsInput{Bucket: aws.String("lpd"), Prefix: aws.String(prefix), Delimiter: aws.String(delim), MaxKeys: aws.Int32(mk)})
				if !slices.Equal(got, want) {
					t.Fatalf("v1 prefix %q delimiter %q max-keys %d:\n got %s\nwant %s", prefix, delim, mk, lsShow(got), lsShow(want))
				}
			}
		}
	}
}

func TestListCommonPrefixesCountAgainstMaxKeys(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lcp")
	lsPutAll(t, srv, "lcp", []string{"a/1", "a/2", "b/1", "c/1", "c/2", "c/3", "d", "e", "f"})
	delim := aws.String("/")

	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lcp"), Delimiter: delim, MaxKeys: aws.Int32(4)})
	if err != nil {
		t.Fatal(err)
	}
	if e := lsEntries(out.Contents, out.CommonPrefixes); lsShow(e) != lsShow([]string{"a/\x00P", "b/\x00P", "c/\x00P", "d\x00K"}) {
		t.Fatalf("entries %s", lsShow(e))
	}
	if aws.ToInt32(out.KeyCount) != 4 || !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil || aws.ToInt32(out.MaxKeys) != 4 {
		t.Fatalf("KeyCount %d IsTruncated %v token %v MaxKeys %d", aws.ToInt32(out.KeyCount), aws.ToBool(out.IsTruncated), out.NextContinuationToken, aws.ToInt32(out.MaxKeys))
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lcp"), Delimiter: delim, MaxKeys: aws.Int32(4), ContinuationToken: out.NextContinuationToken})
	if err != nil {
		t.Fatal(err)
	}
	if e := lsEntries(out.Contents, out.CommonPrefixes); lsShow(e) != lsShow([]string{"e\x00K", "f\x00K"}) || aws.ToBool(out.IsTruncated) || aws.ToInt32(out.KeyCount) != 2 {
		t.Fatalf("second page %s truncated %v", lsShow(e), aws.ToBool(out.IsTruncated))
	}

	// Exactly as many entries as max-keys: not truncated.
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lcp"), Delimiter: delim, MaxKeys: aws.Int32(6)})
	if err != nil || aws.ToBool(out.IsTruncated) || aws.ToInt32(out.KeyCount) != 6 || out.NextContinuationToken != nil {
		t.Fatalf("max-keys 6: %v truncated %v KeyCount %d", err, aws.ToBool(out.IsTruncated), aws.ToInt32(out.KeyCount))
	}

	// v1: a page ending in a common prefix has it as NextMarker, and the
	// next page resumes after everything under it.
	o1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lcp"), Delimiter: delim, MaxKeys: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(o1.CommonPrefixes) != 3 || len(o1.Contents) != 0 || !aws.ToBool(o1.IsTruncated) || aws.ToString(o1.NextMarker) != "c/" {
		t.Fatalf("v1 page 1: %s truncated %v NextMarker %q", lsShow(lsEntries(o1.Contents, o1.CommonPrefixes)), aws.ToBool(o1.IsTruncated), aws.ToString(o1.NextMarker))
	}
	o1, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lcp"), Delimiter: delim, MaxKeys: aws.Int32(3), Marker: o1.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if e := lsEntries(o1.Contents, o1.CommonPrefixes); lsShow(e) != lsShow([]string{"d\x00K", "e\x00K", "f\x00K"}) || aws.ToBool(o1.IsTruncated) {
		t.Fatalf("v1 page 2: %s truncated %v", lsShow(e), aws.ToBool(o1.IsTruncated))
	}
	// A marker that is a common prefix skips everything under it.
	o1, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lcp"), Delimiter: delim, MaxKeys: aws.Int32(1), Marker: aws.String("a/")})
	if err != nil {
		t.Fatal(err)
	}
	if e := lsEntries(o1.Contents, o1.CommonPrefixes); lsShow(e) != lsShow([]string{"b/\x00P"}) || !aws.ToBool(o1.IsTruncated) || aws.ToString(o1.NextMarker) != "b/" {
		t.Fatalf("v1 marker a/: %s truncated %v", lsShow(e), aws.ToBool(o1.IsTruncated))
	}
}

func TestListPaging2500(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "l2500")
	keys := make([]string, 2500)
	for i := range keys {
		keys[i] = fmt.Sprintf("k/%04d", i)
	}
	start := time.Now()
	lsPutAll(t, srv, "l2500", keys)
	t.Logf("PUT %d keys in %v", len(keys), time.Since(start))
	defer func() { t.Logf("total %v", time.Since(start)) }()
	want := lsModel(keys, "", "", "")

	// Defaults and the cap.
	for i, mk := range []*int32{nil, aws.Int32(1001), aws.Int32(2147483647)} {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("l2500"), MaxKeys: mk})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) != 1000 || aws.ToInt32(out.KeyCount) != 1000 || !aws.ToBool(out.IsTruncated) {
			t.Fatalf("max-keys %v: %d keys, KeyCount %d, truncated %v", mk, len(out.Contents), aws.ToInt32(out.KeyCount), aws.ToBool(out.IsTruncated))
		}
		if mk == nil && aws.ToInt32(out.MaxKeys) != 1000 {
			t.Fatalf("default MaxKeys = %d, want 1000", aws.ToInt32(out.MaxKeys))
		}
		if i == 0 {
			continue
		}
		o1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("l2500"), MaxKeys: mk})
		if err != nil {
			t.Fatal(err)
		}
		if len(o1.Contents) != 1000 || !aws.ToBool(o1.IsTruncated) {
			t.Fatalf("v1 max-keys %v: %d keys, truncated %v", mk, len(o1.Contents), aws.ToBool(o1.IsTruncated))
		}
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("l2500"), MaxKeys: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 0 || aws.ToInt32(out.KeyCount) != 0 || aws.ToInt32(out.MaxKeys) != 0 || aws.ToBool(out.IsTruncated) || out.NextContinuationToken != nil {
		t.Fatalf("max-keys 0: %d keys, KeyCount %d, MaxKeys %d, truncated %v", len(out.Contents), aws.ToInt32(out.KeyCount), aws.ToInt32(out.MaxKeys), aws.ToBool(out.IsTruncated))
	}
	o1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("l2500"), MaxKeys: aws.Int32(0)})
	if err != nil || len(o1.Contents) != 0 || aws.ToBool(o1.IsTruncated) {
		t.Fatalf("v1 max-keys 0: %v", err)
	}

	// v2 with the paginator, at the default page size and others.
	for _, tc := range []struct {
		limit int32
		pages int
	}{{0, 3}, {700, 4}, {2500, 3}} {
		got, pages := lsPageV2(t, c, &s3.ListObjectsV2Input{Bucket: aws.String("l2500")}, tc.limit)
		if !slices.Equal(got, want) || pages != tc.pages {
			t.Fatalf("v2 limit %d: %d entries in %d pages, want %d in %d", tc.limit, len(got), pages, len(want), tc.pages)
		}
	}
	// v2 with start-after: the paginator keeps sending start-after with the token.
	got, pages := lsPageV2(t, c, &s3.ListObjectsV2Input{Bucket: aws.String("l2500"), StartAfter: aws.String("k/0499")}, 0)
	if !slices.Equal(got, want[500:]) || pages != 2 {
		t.Fatalf("v2 start-after: %d entries in %d pages", len(got), pages)
	}

	// v1 without a delimiter (marker = last key) and with one (NextMarker).
	got, pages = lsPageV1(t, c, s3.ListObjectsInput{Bucket: aws.String("l2500")})
	if !slices.Equal(got, want) || pages != 3 {
		t.Fatalf("v1: %d entries in %d pages", len(got), pages)
	}
	got, pages = lsPageV1(t, c, s3.ListObjectsInput{Bucket: aws.String("l2500"), Delimiter: aws.String("#"), MaxKeys: aws.Int32(600), Marker: aws.String("k/0099")})
	if !slices.Equal(got, want[100:]) || pages != 4 {
		t.Fatalf("v1 with delimiter from marker: %d entries in %d pages", len(got), pages)
	}
}

func TestListStartAfter(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lsa")
	keys := []string{"a", "b", "c/1", "c/2", "d", "e"}
	lsPutAll(t, srv, "lsa", keys)
	for _, tc := range []struct {
		after, delim string
		want         []string
	}{
		{"b", "", []string{"c/1", "c/2", "d", "e"}},
		{"bb", "", []string{"c/1", "c/2", "d", "e"}},
		{"c/1", "", []string{"c/2", "d", "e"}},
		{"", "", keys},
		{"0", "", keys},
		{"e", "", nil},
		{"zzz", "", nil},
		{"b", "/", []string{"c/", "d", "e"}},
		{"c/", "/", []string{"d", "e"}},
	} {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lsa"), StartAfter: aws.String(tc.after), Delimiter: aws.String(tc.delim)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range lsEntries(out.Contents, out.CommonPrefixes) {
			got = append(got, e[:len(e)-2])
		}
		if !slices.Equal(got, tc.want) {
			t.Fatalf("start-after %q delimiter %q: %q, want %q", tc.after, tc.delim, got, tc.want)
		}
		if aws.ToString(out.StartAfter) != tc.after {
			t.Fatalf("StartAfter echoed %q", aws.ToString(out.StartAfter))
		}
		// v1 marker behaves the same.
		o1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lsa"), Marker: aws.String(tc.after), Delimiter: aws.String(tc.delim)})
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		for _, e := range lsEntries(o1.Contents, o1.CommonPrefixes) {
			got = append(got, e[:len(e)-2])
		}
		if !slices.Equal(got, tc.want) {
			t.Fatalf("v1 marker %q delimiter %q: %q, want %q", tc.after, tc.delim, got, tc.want)
		}
	}
}

func TestListEmptyBucket(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lempty")
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lempty"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 0 || len(out.CommonPrefixes) != 0 || aws.ToInt32(out.KeyCount) != 0 || aws.ToBool(out.IsTruncated) || aws.ToString(out.Name) != "lempty" {
		t.Fatalf("empty bucket: %+v", out)
	}
	o1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lempty")})
	if err != nil || len(o1.Contents) != 0 || aws.ToBool(o1.IsTruncated) || aws.ToInt32(o1.MaxKeys) != 1000 {
		t.Fatalf("empty bucket v1: %v", err)
	}
}

func TestListFetchOwner(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lfo")
	lsPutAll(t, srv, "lfo", []string{"x", "y"})
	for _, fetch := range []*bool{nil, aws.Bool(false), aws.Bool(true)} {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lfo"), FetchOwner: fetch})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			if aws.ToBool(fetch) != (o.Owner != nil) {
				t.Fatalf("fetch-owner %v: Owner %v", fetch, o.Owner)
			}
			if o.Owner != nil && aws.ToString(o.Owner.ID) != testserver.AccessKey {
				t.Fatalf("Owner ID %q", aws.ToString(o.Owner.ID))
			}
		}
	}
	o1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lfo")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range o1.Contents {
		if o.Owner == nil || aws.ToString(o.Owner.ID) == "" {
			t.Fatal("v1 entry without Owner")
		}
	}
}

func TestListObjectFields(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lof")
	body := []byte("hello, listing")
	put := mustPut(t, c, "lof", "obj", body)
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lof")})
	if err != nil || len(out.Contents) != 1 {
		t.Fatalf("%v", err)
	}
	o := out.Contents[0]
	if aws.ToString(o.ETag) != aws.ToString(put.ETag) || aws.ToString(o.ETag) != rqETag(body) {
		t.Errorf("ETag %q, PUT said %q", aws.ToString(o.ETag), aws.ToString(put.ETag))
	}
	if aws.ToInt64(o.Size) != int64(len(body)) || o.StorageClass != types.ObjectStorageClassStandard || o.LastModified == nil || o.LastModified.IsZero() {
		t.Errorf("Size %d StorageClass %q LastModified %v", aws.ToInt64(o.Size), o.StorageClass, o.LastModified)
	}
}

func TestListUTF8Order(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lutf")
	keys := []string{"é", "Z", "a", "日本", "~", "e", "A", "ä", "😀", "z", "日", "\u00ff", "\u0100", "0", "-"}
	lsPutAll(t, srv, "lutf", keys)
	want := slices.Clone(keys)
	sort.Strings(want) // Go compares strings byte-wise, as S3 orders keys
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lutf")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range out.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
	// Paging one at a time keeps the order (token and marker carry UTF-8).
	all, _ := lsPageV2(t, c, &s3.ListObjectsV2Input{Bucket: aws.String("lutf")}, 1)
	if lsShow(all) != lsShow(lsModel(keys, "", "", "")) {
		t.Fatalf("v2 paged order %s", lsShow(all))
	}
	all, _ = lsPageV1(t, c, s3.ListObjectsInput{Bucket: aws.String("lutf"), MaxKeys: aws.Int32(2)})
	if lsShow(all) != lsShow(lsModel(keys, "", "", "")) {
		t.Fatalf("v1 paged order %s", lsShow(all))
	}
	// A multi-byte prefix and delimiter.
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lutf"), Prefix: aws.String("日"), Delimiter: aws.String("本")})
	if err != nil {
		t.Fatal(err)
	}
	if e := lsEntries(out.Contents, out.CommonPrefixes); lsShow(e) != lsShow([]string{"日\x00K", "日本\x00P"}) {
		t.Fatalf("prefix 日 delimiter 本: %s", lsShow(e))
	}
}

func TestListEncodingTypeURL(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lenc")
	keys := []string{
		"with space", "plus+sign", "percent%25literal", "ctrl\x01char", "tab\tkey", "new\nline", "cr\rkey",
		"amp&lt<>\"'", "é ü", "dir with space/inner", "dir with space/other", "q?x=y#z", "tilde~star*", "semi;colon,comma",
	}
	lsPutAll(t, srv, "lenc", keys)
	dec := func(s string) string {
		t.Helper()
		d, err := url.QueryUnescape(s)
		if err != nil {
			t.Fatalf("%q is not URL-encoded: %v", s, err)
		}
		return d
	}
	noRaw := func(s string) {
		t.Helper()
		if strings.ContainsAny(s, " \x01\t\n\r<>&\"'") || strings.ContainsRune(s, 'é') {
			t.Fatalf("%q is not URL-encoded", s)
		}
	}

	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lenc"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	if out.EncodingType != types.EncodingTypeUrl {
		t.Fatalf("EncodingType = %q", out.EncodingType)
	}
	var got []string
	for _, o := range out.Contents {
		k := aws.ToString(o.Key)
		noRaw(k)
		got = append(got, dec(k))
	}
	want := slices.Clone(keys)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("decoded keys %q, want %q", got, want)
	}
	// Each listed key names the object.
	for _, k := range keys {
		if b := mustGet(t, c, "lenc", k); string(b) != k {
			t.Fatalf("GetObject(%q) = %q", k, b)
		}
	}

	// Prefix, Delimiter, StartAfter and CommonPrefixes are encoded too.
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lenc"), EncodingType: types.EncodingTypeUrl,
		Prefix: aws.String("dir with"), Delimiter: aws.String("e/"), StartAfter: aws.String("dir with a")})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{aws.ToString(out.Prefix), aws.ToString(out.Delimiter), aws.ToString(out.StartAfter)} {
		noRaw(s)
	}
	if dec(aws.ToString(out.Prefix)) != "dir with" || dec(aws.ToString(out.Delimiter)) != "e/" || dec(aws.ToString(out.StartAfter)) != "dir with a" {
		t.Fatalf("echo Prefix %q Delimiter %q StartAfter %q", aws.ToString(out.Prefix), aws.ToString(out.Delimiter), aws.ToString(out.StartAfter))
	}
	if len(out.CommonPrefixes) != 1 || dec(aws.ToString(out.CommonPrefixes[0].Prefix)) != "dir with space/" || len(out.Contents) != 0 {
		t.Fatalf("CommonPrefixes %s", lsShow(lsEntries(out.Contents, out.CommonPrefixes)))
	}
	noRaw(aws.ToString(out.CommonPrefixes[0].Prefix))

	// v1, paged one entry at a time through encoded NextMarkers.
	var all []string
	marker := ""
	for i := 0; ; i++ {
		o1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lenc"), EncodingType: types.EncodingTypeUrl,
			Delimiter: aws.String("/"), MaxKeys: aws.Int32(1), Marker: aws.String(marker)})
		if err != nil {
			t.Fatal(err)
		}
		if o1.EncodingType != types.EncodingTypeUrl || dec(aws.ToString(o1.Marker)) != marker || dec(aws.ToString(o1.Delimiter)) != "/" {
			t.Fatalf("v1 echo EncodingType %q Marker %q Delimiter %q", o1.EncodingType, aws.ToString(o1.Marker), aws.ToString(o1.Delimiter))
		}
		for _, o := range o1.Contents {
			noRaw(aws.ToString(o.Key))
			all = append(all, dec(aws.ToString(o.Key)))
		}
		for _, p := range o1.CommonPrefixes {
			noRaw(aws.ToString(p.Prefix))
			all = append(all, dec(aws.ToString(p.Prefix)))
		}
		if !aws.ToBool(o1.IsTruncated) {
			break
		}
		noRaw(aws.ToString(o1.NextMarker))
		marker = dec(aws.ToString(o1.NextMarker))
		if i > 100 {
			t.Fatal("paging does not end")
		}
	}
	var wantV1 []string
	for _, e := range lsModel(keys, "", "/", "") {
		wantV1 = append(wantV1, e[:len(e)-2])
	}
	if !slices.Equal(all, wantV1) {
		t.Fatalf("v1 decoded %q, want %q", all, wantV1)
	}

	// Without encoding-type, XML-special characters are escaped, not encoded.
	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/lenc?list-type=2&prefix=amp", nil))
	if res.Status != http.StatusOK || !bytes.Contains(res.Body, []byte("<Key>amp&amp;lt&lt;&gt;")) {
		t.Fatalf("unencoded listing: %d %s", res.Status, res.Body)
	}
	out, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lenc"), Prefix: aws.String("with")})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "with space" || out.EncodingType != "" {
		t.Fatalf("unencoded: %v %+v", err, out.Contents)
	}
}

func TestListInvalidArguments(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "linv")
	mustPut(t, c, "linv", "k", []byte("v"))

	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("linv"), EncodingType: "bogus"})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("linv"), EncodingType: "URL2"})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("linv"), MaxKeys: aws.Int32(-1)})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("linv"), MaxKeys: aws.Int32(-5)})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("linv"), ContinuationToken: aws.String("!!not-a-token!!")})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)

	for _, q := range []string{
		"list-type=2&max-keys=abc", "max-keys=abc", "max-keys=1.5", "max-keys=99999999999999999999",
	} {
		rqErr(t, rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/linv?"+q, nil)), http.StatusBadRequest, "InvalidArgument")
	}

	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nosuchlist")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("nosuchlist")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/nosuchlist?list-type=2", nil))
	if doc := rqErr(t, res, http.StatusNotFound, "NoSuchBucket"); doc.Resource != "/nosuchlist" {
		t.Errorf("Resource = %q", doc.Resource)
	}
}

// encoding-type=url as S3 answers it, read from the raw XML (the SDK would
// hide the encoding): '/' stays literal, a space is %20 and '+' is %2B.
// ListObjects version 1 echoes Prefix as sent; version 2,
// ListObjectVersions and ListMultipartUploads encode it.
func TestListEncodingTypeURLForm(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lform")
	lsPutAll(t, srv, "lform", []string{"foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b", "quux ab/x y"})
	for _, k := range []string{"foo+1/bar", "quux ab/x y"} {
		mpCreate(t, c, "lform", k)
	}
	get := func(query string) string {
		t.Helper()
		res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/lform?"+query, nil))
		if res.Status != http.StatusOK {
			t.Fatalf("GET ?%s = %d %s", query, res.Status, res.Body)
		}
		return string(res.Body)
	}
	has := func(body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Fatalf("missing %s in\n%s", w, body)
			}
		}
	}
	for _, q := range []string{"encoding-type=url&delimiter=%2F", "list-type=2&encoding-type=url&delimiter=%2F"} {
		body := get(q)
		has(body, "<Delimiter>/</Delimiter>", "<Key>asdf%2Bb</Key>", "<Prefix>foo%2B1/</Prefix>",
			"<Prefix>foo/</Prefix>", "<Prefix>quux%20ab/</Prefix>", "<EncodingType>url</EncodingType>")
	}
	v1 := get("encoding-type=url&prefix=quux%20ab%2F&marker=quux%20ab%2Fa")
	has(v1, "<Prefix>quux ab/</Prefix>", "<Marker>quux%20ab/a</Marker>", "<Key>quux%20ab/thud</Key>", "<Key>quux%20ab/x%20y</Key>")
	v1 = get("encoding-type=url&prefix=quux%20ab%2F&max-keys=1&delimiter=%20")
	has(v1, "<Prefix>quux ab/</Prefix>", "<Delimiter>%20</Delimiter>", "<NextMarker>quux%20ab/thud</NextMarker>")
	v2 := get("list-type=2&encoding-type=url&prefix=quux%20ab%2F&start-after=quux%20ab%2Fa&delimiter=%20")
	has(v2, "<Prefix>quux%20ab/</Prefix>", "<StartAfter>quux%20ab/a</StartAfter>", "<Delimiter>%20</Delimiter>",
		"<Key>quux%20ab/thud</Key>", "<Prefix>quux%20ab/x%20</Prefix>")
	vers := get("versions&encoding-type=url&prefix=quux%20ab%2F&key-marker=foo%2B&max-keys=1")
	has(vers, "<Prefix>quux%20ab/</Prefix>", "<KeyMarker>foo%2B</KeyMarker>", "<Key>quux%20ab/thud</Key>",
		"<NextKeyMarker>quux%20ab/thud</NextKeyMarker>")
	ups := get("uploads&encoding-type=url&prefix=foo%2B&key-marker=a%20b")
	has(ups, "<Prefix>foo%2B</Prefix>", "<KeyMarker>a%20b</KeyMarker>", "<Key>foo%2B1/bar</Key>")
	ups = get("uploads&encoding-type=url&delimiter=%2F")
	has(ups, "<Delimiter>/</Delimiter>", "<Prefix>foo%2B1/</Prefix>", "<Prefix>quux%20ab/</Prefix>")
}

// An empty continuation-token is accepted: the listing starts from the
// beginning and the empty token is echoed.
func TestListV2EmptyContinuationToken(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lempty")
	keys := []string{"bar", "baz", "foo", "quxx"}
	lsPutAll(t, srv, "lempty", keys)
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lempty"), ContinuationToken: aws.String("")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range out.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	if !slices.Equal(got, keys) || aws.ToBool(out.IsTruncated) {
		t.Fatalf("keys %q truncated %v, want %q", got, aws.ToBool(out.IsTruncated), keys)
	}
	res := rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/lempty?list-type=2&continuation-token=&max-keys=2", nil))
	if res.Status != http.StatusOK || !bytes.Contains(res.Body, []byte("<ContinuationToken></ContinuationToken>")) ||
		!bytes.Contains(res.Body, []byte("<Key>bar</Key>")) || !bytes.Contains(res.Body, []byte("<NextContinuationToken>")) {
		t.Fatalf("empty token: %d %s", res.Status, res.Body)
	}
	// Without the parameter, no ContinuationToken element.
	res = rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/lempty?list-type=2", nil))
	if res.Status != http.StatusOK || bytes.Contains(res.Body, []byte("<ContinuationToken>")) {
		t.Fatalf("no token: %d %s", res.Status, res.Body)
	}
}
