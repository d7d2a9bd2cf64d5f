// Package lifecycle applies buckets' lifecycle configurations: it expires
// current versions, removes expired object delete markers, deletes
// noncurrent versions, aborts incomplete multipart uploads, and moves
// versions to colder storage classes (Transition,
// NoncurrentVersionTransition) and INTELLIGENT_TIERING versions to their
// archive tiers, as s3.LifecycleNext, s3.LifecycleAbortUpload,
// s3.LifecycleTransitionDue and s3.ITArchiveDue decide. It runs as one
// shared job of internal/worker, so one gateway at a time applies the
// rules, and resumes a pass from its checkpoint after a crash.
//
// Every change goes through Worker.apply: deletions run the metadata
// delete (object lock is checked inside its transaction) and free the
// blobs; moves (relocate) copy the blobs to the target tier and switch
// the version in one metadata transaction. The store journals each change
// in the same transaction, with S3 Lifecycle as the requester.
//
// It must not import the S3 API (internal/s3api) or net/http.
package lifecycle
