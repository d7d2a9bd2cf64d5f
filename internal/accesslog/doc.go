// Package accesslog writes one log line per request and counts it in the
// request metrics. Handlers fill the request's Record (operation, bucket,
// key, error code, caller, cause) through the context; the middleware
// adds status, bytes, duration and request ID. It imports only
// internal/metrics.
package accesslog
