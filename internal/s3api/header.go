package s3api

import (
	"net/http"
	"net/textproto"
	"sync"
)

// headerKeys caches the canonical form of the header names the handlers
// ask for. S3 documents its headers in lower case and the code spells them
// so; http.Header.Get would canonicalise (and allocate) the name on every
// call, which was a fifth of a GET's allocations.
var headerKeys sync.Map // lower-case name -> canonical key

// maxHeaderKeys bounds the cache; the names come from the code, so it
// stays far below this, but a caller passing a request-supplied name must
// not grow it without limit.
const maxHeaderKeys = 1024

var headerKeyCount struct {
	sync.Mutex
	n int
}

// headerKey returns name in canonical MIME header form.
func headerKey(name string) string {
	if k, ok := headerKeys.Load(name); ok {
		return k.(string)
	}
	k := textproto.CanonicalMIMEHeaderKey(name)
	headerKeyCount.Lock()
	if headerKeyCount.n < maxHeaderKeys {
		if _, loaded := headerKeys.LoadOrStore(name, k); !loaded {
			headerKeyCount.n++
		}
	}
	headerKeyCount.Unlock()
	return k
}

// headerValue is h.Get(name) without canonicalising name each time.
func headerValue(h http.Header, name string) string {
	if v := h[headerKey(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}
