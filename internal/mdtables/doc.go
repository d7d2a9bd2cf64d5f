// Package mdtables keeps S3 Metadata tables: for every bucket with a
// metadata configuration it creates the journal and live inventory tables
// as Apache Iceberg v2 tables (Parquet data, Avro manifests, metadata
// JSON, written with iceberg-go) in a table bucket, an ordinary Talus
// bucket, and keeps them fresh from the change journal, backfilling the
// inventory and annotation tables from the bucket's listing and then
// updating only the rows of the keys the journal names, and compacting
// small files. Tables with a KMS key have their files stored SSE-KMS; an
// annotation table with a role is written only while the role may read
// the annotations. Commits
// swap the table's metadata location in the metadata store, so a commit
// is atomic; each journal snapshot records the last journal sequence it
// holds, so a run after a crash resumes without writing a row twice. It
// also serves the read side of the Iceberg REST catalog for the tables.
//
// It reaches objects only through s3api.Objects; it must not import
// package server.
package mdtables
