// Package bench is "talus bench", a load generator for any S3 endpoint.
//
// It owns the workloads (put, get, mixed, list, multipart-put, delete), their
// preparation and cleanup, a minimal S3 client (plain net/http with a tuned
// Transport, requests signed by sigv4.Sign, no SDK), deterministic object
// data (one pseudo-random pattern generated once; bodies are windows onto it,
// their SHA-256s and chunk hashes computed once per variant), latency
// histograms, the report (table or JSON) and sampling a local server's RSS.
//
// It does not own signing itself (internal/sigv4) or anything of the server:
// it only speaks HTTP to the endpoint it is given.
package bench
