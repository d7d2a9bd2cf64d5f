// Package mdtables reads the S3 Metadata tables a real Talus server writes
// with independent readers: apache/iceberg-go through the server's Iceberg
// REST catalog (SigV4, service s3tables) and DuckDB's Parquet reader over
// the data files fetched through the S3 API. It is a module of its own
// because DuckDB needs cgo; the server binary does not.
package mdtables
