package s3api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/torrent"
)

// maxTorrentObject: S3 makes torrents only of objects under 5 GB.
const maxTorrentObject = 5 << 30

// getObjectTorrent answers a .torrent of the object: SHA-1 pieces of its
// plaintext and a web seed at the object's own URL. The info dictionary
// is computed once per version and cached, so a second request does not
// read the object again.
func (a *API) getObjectTorrent(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	resp, err := onceMore(func() (*response, error) { return a.getObjectTorrentOnce(ctx, req) })
	return resp, a.hideMissing(ctx, req, err)
}

func (a *API) getObjectTorrentOnce(ctx context.Context, req *request) (*response, error) {
	o, err := a.lookupObject(ctx, req)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		return nil, deleteMarkerError(req, o)
	}
	if err := torrentRefusal(req.versioning, o); err != nil {
		return nil, err
	}
	ck := torrentCacheKey(o)
	info, ok := a.torrents.get(ck)
	if !ok {
		key, err := a.dataKey(ctx, o.Attrs.Enc, headerGetter(req), sseCustomerPrefix)
		if err != nil {
			return nil, err
		}
		r, err := a.openData(ctx, o, key, 0, o.Size)
		if err != nil {
			return nil, err
		}
		info, err = torrent.Info(r, torrentName(o.Key))
		r.Close()
		if err != nil {
			return nil, err
		}
		a.torrents.put(ck, info)
	}
	body := torrent.File(info, objectURL(req))
	resp := newResponse(http.StatusOK)
	resp.header.Set("Content-Type", "application/x-bittorrent")
	resp.header.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(torrentName(o.Key), `"`, "_")+`.torrent"`)
	resp.body, resp.length = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return resp, nil
}

// torrentRefusal is S3's answer for a version it makes no torrent of:
// one in a versioned bucket, one of 5 GB or more, one encrypted with a
// KMS key or a customer's key.
func torrentRefusal(versioning string, o *meta.Object) error {
	switch {
	case versioning != meta.Unversioned:
		return s3err.Newf(s3err.InvalidRequest, "Torrents are not supported for objects in versioned buckets.")
	case o.Size >= maxTorrentObject:
		return s3err.Newf(s3err.InvalidRequest, "Torrents are supported only for objects smaller than 5 GB.")
	case isCustomer(o.Attrs.Enc):
		return s3err.Newf(s3err.InvalidRequest, "Torrents are not supported for objects encrypted with customer-provided keys (SSE-C).")
	case o.Attrs.Enc != nil && strings.HasPrefix(o.Attrs.Enc.Algorithm, s3.SSEKMS):
		return s3err.Newf(s3err.InvalidRequest, "Torrents are not supported for objects encrypted with AWS KMS keys (SSE-KMS).")
	}
	return nil
}

// torrentName is the file name a torrent suggests: the key's last
// segment (BEP 3 names hold no slash).
func torrentName(key string) string {
	if i := strings.LastIndexByte(strings.TrimRight(key, "/"), '/'); i >= 0 {
		key = key[i+1:]
	}
	if key = strings.Trim(key, "/"); key == "" {
		return "object"
	}
	return key
}

// objectURL is the URL the request reached the object at, the torrent's
// web seed.
func objectURL(req *request) string {
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + req.Host + req.URL.EscapedPath()
}

// torrentCacheKey names one version's bytes: its store sequence number
// changes with every write, and the ETag guards against reuse.
func torrentCacheKey(o *meta.Object) string {
	return o.Bucket + "\x00" + o.Key + "\x00" + strconv.FormatInt(o.Seq, 10) + "\x00" + o.ETag
}

// torrentCache keeps computed info dictionaries, at most maxBytes of
// them, dropping the oldest first. A 5 GB object's is about 400 KB.
type torrentCache struct {
	mu       sync.Mutex
	maxBytes int
	size     int
	order    []string
	m        map[string][]byte
}

func newTorrentCache(maxBytes int) *torrentCache {
	return &torrentCache{maxBytes: maxBytes, m: map[string][]byte{}}
}

func (c *torrentCache) get(k string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *torrentCache) put(k string, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok || len(v) > c.maxBytes {
		return
	}
	for c.size+len(v) > c.maxBytes && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= len(c.m[old])
		delete(c.m, old)
	}
	c.m[k], c.size, c.order = v, c.size+len(v), append(c.order, k)
}
