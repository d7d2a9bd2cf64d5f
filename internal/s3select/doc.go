// Package s3select runs S3 Select: the SQL dialect of SelectObjectContent
// (lexer, recursive-descent parser and evaluator), the input readers (CSV,
// JSON DOCUMENT and LINES, Parquet) with their decompression (GZIP, BZIP2),
// the CSV and JSON output writers, and the event-stream framing of the
// response (Records, Progress, Stats, Cont, End and error messages).
//
// It owns no storage: the caller opens the object's (decrypted) bytes and
// hands Run a reader, a random-access reader for Parquet, and a writer that
// reaches the client. Memory is bounded per request: one record at a time
// (at most MaxRecordSize), one Records payload (about 256 KiB) and, for
// Parquet, one page per column.
//
// Errors are *s3err.Error values with AWS's codes. s3select imports only
// s3err from Talus; it must not import s3api, meta or blob.
package s3select
