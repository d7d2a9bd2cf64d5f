// Package replicate carries out bucket replication: a shared background
// job (once across gateways, internal/worker) reads the change journal in
// lanes, one per destination, each from its own durable cursor, and copies
// the versions, delete markers and metadata changes that a bucket's
// replication rules select to their destinations: a bucket on the same
// Talus (through the S3 API in process) or on a remote S3 endpoint the
// operator named (talus admin remote). Large and multipart versions are
// copied with multipart uploads. It sets the source versions'
// replication status (COMPLETED or FAILED; PENDING is set when the
// version is written) and appends the s3:Replication:* events to the
// journal for the notification service. A second job replicates the
// versions that existed before a rule, on request.
//
// It reads plaintext through the Source the server gives it and writes
// through aws-sdk-go-v2. It must not import s3api or server.
package replicate
