// Package s3api serves the S3 REST protocol: it parses host and path into
// bucket and key, authenticates, routes method and sub-resource to a
// handler, and renders the handler's result or S3 error in one place.
// Handlers return values and never write to the connection themselves.
//
// It talks to storage only through meta.Store and blob.Store and never
// touches files. Object data passes through sealed.go, which encrypts and
// decrypts it (internal/crypt) when a version is encrypted; sse.go decides
// how a write is encrypted and unwraps the data keys of reads.
package s3api
