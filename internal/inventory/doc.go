// Package inventory owns S3 Inventory reports: the optional fields and
// their column order (fields.go), the rows and the CSV and Parquet data
// files (report.go), the manifest.json / manifest.checksum / hive
// symlink.txt layout, and the scheduled job that writes each enabled
// configuration's report Daily or Weekly on the lifecycle day clock
// (job.go).
//
// It reads objects through meta.Store and writes reports through a Put
// function the server supplies; it must not import the S3 API or server.
package inventory
