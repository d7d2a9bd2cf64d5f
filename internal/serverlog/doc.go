// Package serverlog owns server access logging: the record of one request
// in S3's log format (record.go), the durable spool of records waiting for
// delivery in the data directory (spool.go), and the delivery job that
// writes spooled records as log objects into target buckets (deliver.go).
//
// It knows nothing of HTTP handlers or storage: the S3 API builds records
// and hands them to a Sink; delivery writes objects through a Deliverer.
// It must not import the S3 API, the server or a metadata backend.
package serverlog
