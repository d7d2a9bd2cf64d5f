// Package s3remote is a blob.Store kept in a bucket of any S3 endpoint
// (another Talus, AWS, MinIO...): a storage tier on a remote server. Each
// blob is one object named prefix + ID. Bytes are streamed: a Put goes up
// in parts of bounded size, an Open is one ranged GET.
//
// It must not import internal/meta or internal/s3api.
package s3remote
