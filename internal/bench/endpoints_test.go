package bench

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Several endpoints: requests are addressed to the first, and new
// connections go to each endpoint in turn.
func TestEndpointsSpreadConnections(t *testing.T) {
	var hits [2]atomic.Int32
	var srvs [2]*httptest.Server
	for i := range srvs {
		srvs[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits[i].Add(1) }))
		defer srvs[i].Close()
	}
	c, err := newClient(&Config{Endpoint: srvs[0].URL + "," + srvs[1].URL, Timeout: 10 * time.Second}, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for i := 0; i < 6; i++ {
		req, _ := http.NewRequest(http.MethodGet, c.scheme+"://"+c.host+"/", nil)
		req.Close = true // a new connection for each
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if hits[0].Load() != 3 || hits[1].Load() != 3 {
		t.Fatalf("connections per endpoint: %d and %d, want 3 and 3", hits[0].Load(), hits[1].Load())
	}
	if _, err := newClient(&Config{Endpoint: srvs[0].URL + ",https://127.0.0.1:1"}, 1); err == nil {
		t.Fatal("endpoints with different schemes accepted")
	}
}
