package console

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed dist
var dist embed.FS

// Config is what the app is told about the API.
type Config struct {
	// Endpoint is the API URL as browsers reach it; "" means the console's
	// own host name with APIPort and the console's scheme.
	Endpoint string `json:"endpoint,omitempty"`
	APIPort  string `json:"apiPort"`
	Region   string `json:"region"`
	// Metrics serves /metrics on the console origin (nil: not served).
	Metrics http.Handler `json:"-"`
}

// Handler serves the app.
func Handler(cfg Config) http.Handler {
	files, _ := fs.Sub(dist, "dist")
	static := http.FileServerFS(files)
	conf, _ := json.Marshal(cfg)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The app runs only its own script and talks only to itself and the API.
		h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' "+connectSrc(cfg, r)+"; img-src 'self' data:; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		switch {
		case r.URL.Path == "/config.json":
			h.Set("Content-Type", "application/json")
			h.Set("Cache-Control", "no-store")
			w.Write(conf)
		case r.URL.Path == "/metrics" && cfg.Metrics != nil:
			cfg.Metrics.ServeHTTP(w, r)
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		default:
			// The files' names do not change with their content, and embedded
			// files carry no modification time: revalidate every time.
			h.Set("Cache-Control", "no-cache")
			static.ServeHTTP(w, r)
		}
	})
}

// connectSrc is the API origin the app may call.
func connectSrc(cfg Config, r *http.Request) string {
	if cfg.Endpoint != "" {
		return strings.TrimSuffix(cfg.Endpoint, "/")
	}
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + host + ":" + cfg.APIPort
}
