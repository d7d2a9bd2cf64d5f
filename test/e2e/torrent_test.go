package e2e

import (
	"bytes"
	"crypto/sha1"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// bdecode is a minimal bencode reader, independent of the server's
// encoder: strings, integers, lists and dictionaries.
func bdecode(t *testing.T, b []byte) (any, []byte) {
	t.Helper()
	switch {
	case len(b) == 0:
		t.Fatal("bencode: truncated")
	case b[0] == 'i':
		end := bytes.IndexByte(b, 'e')
		n, err := strconv.ParseInt(string(b[1:end]), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n, b[end+1:]
	case b[0] == 'l':
		var l []any
		b = b[1:]
		for b[0] != 'e' {
			var v any
			v, b = bdecode(t, b)
			l = append(l, v)
		}
		return l, b[1:]
	case b[0] == 'd':
		d := map[string]any{}
		b = b[1:]
		for b[0] != 'e' {
			var k, v any
			k, b = bdecode(t, b)
			v, b = bdecode(t, b)
			d[k.(string)] = v
		}
		return d, b[1:]
	}
	colon := bytes.IndexByte(b, ':')
	n, err := strconv.Atoi(string(b[:colon]))
	if err != nil {
		t.Fatalf("bencode: %v", err)
	}
	return string(b[colon+1 : colon+1+n]), b[colon+1+n:]
}

func getTorrent(t *testing.T, c *s3.Client, bucket, key string) ([]byte, error) {
	t.Helper()
	out, err := c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	return readAllBody(t, out.Body), nil
}

// GetObjectTorrent answers a real .torrent: SHA-1 over 256 KiB pieces of
// the object's plaintext and a web seed at the object's URL; it is
// cached per version and refused where S3 refuses it.
func TestGetObjectTorrent(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "tor")
	body := randBytes(7, 600<<10+13) // three pieces, the last short
	mustPut(t, c, "tor", "dir/file.bin", body)

	f, err := getTorrent(t, c, "tor", "dir/file.bin")
	if err != nil {
		t.Fatal(err)
	}
	v, rest := bdecode(t, f)
	if len(rest) != 0 {
		t.Fatalf("%d bytes after the torrent", len(rest))
	}
	d := v.(map[string]any)
	seeds, _ := d["url-list"].([]any)
	if len(seeds) != 1 || seeds[0] != srv.URL+"/tor/dir/file.bin" {
		t.Fatalf("url-list %v", d["url-list"])
	}
	info := d["info"].(map[string]any)
	if info["name"] != "file.bin" || info["length"] != int64(len(body)) || info["piece length"] != int64(256<<10) {
		t.Fatalf("info %v %v %v", info["name"], info["length"], info["piece length"])
	}
	var want []byte
	for off := 0; off < len(body); off += 256 << 10 {
		s := sha1.Sum(body[off:min(off+256<<10, len(body))])
		want = append(want, s[:]...)
	}
	if info["pieces"] != string(want) {
		t.Fatalf("pieces: %d bytes, want %d", len(info["pieces"].(string)), len(want))
	}

	// The web seed serves the bytes the pieces hash (here to the owner).
	if got := mustGet(t, c, "tor", "dir/file.bin"); !bytes.Equal(got, body) {
		t.Fatal("web seed body differs")
	}

	// Cached: with the stored bytes gone, the torrent is still answered
	// without reading them, while a GET of the object fails.
	for _, p := range blobFiles(t, srv) {
		if err := os.Remove(filepath.Join(srv.Dir, "blobs", p)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tor"), Key: aws.String("dir/file.bin")}); err == nil {
		t.Fatal("GetObject succeeded without its blob")
	}
	again, err := getTorrent(t, c, "tor", "dir/file.bin")
	if err != nil || !bytes.Equal(again, f) {
		t.Fatalf("cached torrent: %v", err)
	}
	// A new version is hashed afresh.
	mustPut(t, c, "tor", "dir/file.bin", []byte("small"))
	f2, err := getTorrent(t, c, "tor", "dir/file.bin")
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := bdecode(t, f2)
	s := sha1.Sum([]byte("small"))
	if in := v2.(map[string]any)["info"].(map[string]any); in["pieces"] != string(s[:]) || in["length"] != int64(5) {
		t.Fatalf("torrent of the new version: %v", in)
	}

	_, err = getTorrent(t, c, "tor", "missing")
	mustCode(t, err, "NoSuchKey")

	// SSE-KMS objects get no torrent.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tor"), Key: aws.String("kms"), Body: bytes.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms}); err != nil {
		t.Fatal(err)
	}
	_, err = getTorrent(t, c, "tor", "kms")
	mustCode(t, err, "InvalidRequest")

	// Nor do objects in versioned buckets.
	mustCreateBucket(t, c, "torv")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("torv"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "torv", "k", []byte("v"))
	_, err = getTorrent(t, c, "torv", "k")
	mustCode(t, err, "InvalidRequest")

	// Another account without a grant is denied, as for GetObject.
	other := newAccount(t, srv, "bee", "bee@example.com")
	_, err = getTorrent(t, other.Root, "tor", "dir/file.bin")
	mustCode(t, err, "AccessDenied")
}
