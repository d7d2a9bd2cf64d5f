// Package analytics owns storage class analysis: the per-gateway access
// counters fed by GET requests (counters.go) and the daily CSV export of
// each configuration with a DataExport, on the lifecycle day clock
// (export.go).
//
// It reads objects through meta.Store and writes exports through a Put
// function the server supplies; it must not import the S3 API or server.
package analytics
