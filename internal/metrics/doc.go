// Package metrics owns Talus's Prometheus registry: the process-wide
// collectors (HTTP requests, metadata group commits, Go runtime) and the
// /metrics handler with its optional bearer token. Any package may add a
// collector to Registry; metrics imports no other talus package.
package metrics
