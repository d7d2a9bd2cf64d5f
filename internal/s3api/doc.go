// Package s3api serves the S3 REST protocol: it parses host and path into
// bucket and key, authenticates, routes method and sub-resource to a
// handler, and renders the handler's result or S3 error in one place.
// Handlers return values and never write to the connection themselves.
//
// It talks to storage only through meta.Store and blob.Store and never
// touches files.
package s3api
