package s3api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"talus/internal/s3err"
)

// olapDelivery is a WriteGetObjectResponse handed to the GET waiting on
// its route: the status, headers and body the client gets. done receives
// the GET's verdict once it is finished with the body (nil: all of it was
// sent), which the WriteGetObjectResponse then answers with.
type olapDelivery struct {
	status          int
	header          http.Header
	errCode, errMsg string
	body            io.Reader
	length          int64 // -1: unknown
	done            chan error
}

// olapWaiter is a GET through an Object Lambda access point waiting for
// its transformer's WriteGetObjectResponse.
type olapWaiter struct {
	token string
	ch    chan *olapDelivery // buffered: the one delivery never blocks
}

// olapRoutes is the in-process rendezvous of waiting GETs, by output
// route. A route is this gateway's: the WriteGetObjectResponse must reach
// the gateway that sent the event.
type olapRoutes struct {
	mu sync.Mutex
	m  map[string]*olapWaiter
}

func newOLAPRoutes() *olapRoutes { return &olapRoutes{m: map[string]*olapWaiter{}} }

// open registers a waiter for a new route whose token expires at exp.
func (r *olapRoutes) open(exp time.Time) (string, *olapWaiter) {
	var b [10]byte
	rand.Read(b[:])
	// A DNS label: the SDKs put the route in front of the endpoint host.
	route := "io-" + hex.EncodeToString(b[:])
	var t [24]byte
	rand.Read(t[:])
	w := &olapWaiter{token: strconv.FormatInt(exp.Unix(), 10) + "-" + hex.EncodeToString(t[:]), ch: make(chan *olapDelivery, 1)}
	r.mu.Lock()
	r.m[route] = w
	r.mu.Unlock()
	return route, w
}

// deliver hands d to the GET waiting on route if token is its token
// (compared in constant time). A route is delivered to once.
func (r *olapRoutes) deliver(route, token string, d *olapDelivery, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.m[route]
	if !ok {
		// The GET gave up (or never was): say so if the token says it expired.
		if exp, _, found := strings.Cut(token, "-"); found {
			if sec, err := strconv.ParseInt(exp, 10, 64); err == nil && now.Unix() > sec {
				return s3err.New(s3err.ExpiredToken)
			}
		}
		return s3err.New(s3err.InvalidToken)
	}
	if subtle.ConstantTimeCompare([]byte(w.token), []byte(token)) != 1 {
		return s3err.New(s3err.InvalidToken)
	}
	delete(r.m, route)
	w.ch <- d
	return nil
}

// abandon withdraws a waiting GET's route. If a delivery already claimed
// it, abandon returns that delivery instead, which the GET must serve.
func (r *olapRoutes) abandon(route string, w *olapWaiter) *olapDelivery {
	r.mu.Lock()
	if r.m[route] == w {
		delete(r.m, route)
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	return <-w.ch
}

// olapBody is the client's response body: the WriteGetObjectResponse's,
// read straight from its request. Close tells the WriteGetObjectResponse
// the outcome.
type olapBody struct {
	d    *olapDelivery
	eof  bool
	once sync.Once
}

func (b *olapBody) Read(p []byte) (int, error) {
	n, err := b.d.body.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *olapBody) Close() error {
	b.once.Do(func() {
		if b.eof {
			b.d.done <- nil
		} else {
			b.d.done <- s3err.Newf(s3err.InternalError, "The requester closed the connection before the response body was sent.")
		}
	})
	return nil
}
