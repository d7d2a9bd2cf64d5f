package server

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"talus/internal/console"
)

// The web console listens on its own address and serves only the app's
// files; the app calls the API listener with the user's keys. The API
// allows the console's origin by itself, without a bucket CORS rule: an
// Origin of the same host name as the API request's Host, on the console's
// port (or ConsoleOrigin when set), gets CORS headers for every method
// and header, and its preflights are answered before the bucket's rules
// are consulted. Bucket CORS rules still apply to every other origin.

// openConsole binds the console listener when configured.
func (s *Server) openConsole() error {
	if s.cfg.ConsoleAddress == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.ConsoleAddress)
	if err != nil {
		return err
	}
	s.consoleLn = ln
	_, port, _ := net.SplitHostPort(s.ln.Addr().String())
	s.consoleHTTP = &http.Server{
		Handler: console.Handler(console.Config{
			Endpoint: s.cfg.ConsoleAPIEndpoint, APIPort: port, Region: s.cfg.Region, Metrics: s.metrics,
		}),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		TLSConfig:         s.http.TLSConfig,
		ErrorLog:          s.http.ErrorLog,
	}
	return nil
}

// ConsoleAddr is the console's bound address (nil when it is off).
func (s *Server) ConsoleAddr() net.Addr {
	if s.consoleLn == nil {
		return nil
	}
	return s.consoleLn.Addr()
}

func (s *Server) serveConsole() {
	if s.consoleHTTP == nil {
		return
	}
	go func() {
		var err error
		if s.consoleHTTP.TLSConfig != nil {
			err = s.consoleHTTP.ServeTLS(s.consoleLn, "", "")
		} else {
			err = s.consoleHTTP.Serve(s.consoleLn)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("console listener", "err", err)
		}
	}()
}

// consoleOrigin reports whether origin is the console's, for a request
// that came to the API with Host host.
func (s *Server) consoleOrigin(origin, host string) bool {
	if s.consoleLn == nil || origin == "" {
		return false
	}
	if s.cfg.ConsoleOrigin != "" {
		return origin == strings.TrimSuffix(s.cfg.ConsoleOrigin, "/")
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" {
		return false
	}
	reqHost := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		reqHost = h
	}
	port := strconv.Itoa(s.consoleLn.Addr().(*net.TCPAddr).Port)
	return strings.EqualFold(u.Hostname(), reqHost) && u.Port() == port
}

// withConsoleCORS answers the console's preflights and adds CORS headers
// to the API's answers to it.
func (s *Server) withConsoleCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if !s.consoleOrigin(origin, r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE")
			if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
				h.Set("Access-Control-Allow-Headers", rh)
			}
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusOK)
			return
		}
		h.Set("Access-Control-Expose-Headers", "*")
		next.ServeHTTP(w, r)
	})
}
