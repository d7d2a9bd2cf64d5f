// Package lifecycle applies buckets' lifecycle configurations: it expires
// current versions, removes expired object delete markers, deletes
// noncurrent versions and aborts incomplete multipart uploads, as
// s3.LifecycleNext and s3.LifecycleAbortUpload decide. It runs as one
// shared job of internal/worker, so one gateway at a time applies the
// rules, and resumes a pass from its checkpoint after a crash.
//
// Every change goes through Worker.apply, which runs the metadata delete
// (object lock is checked inside its transaction; the store journals it
// in the same transaction, with S3 Lifecycle as the requester) and frees
// the blobs.
//
// It must not import the S3 API (internal/s3api) or net/http.
package lifecycle
