package mdtables

import (
	"strings"

	"talus/internal/meta"
)

// journalRow is the journal table row of a journal record.
func journalRow(r *meta.Record) Row {
	row := recordRow(r)
	row.Seq = seqString(r.Seq)
	row.RecordType, row.RecordTime = r.Type, r.Time
	row.Requester, row.SourceIP, row.RequestID = r.Requester, r.SourceIP, r.RequestID
	row.Full = !r.IsPermanentDelete()
	return row
}

// inventoryRow is the inventory row of a current version, built from the
// record a new version would get.
func inventoryRow(r *meta.Record) Row {
	row := recordRow(r)
	row.Seq = seqString(r.VersionSeq)
	row.Full = true
	return row
}

func recordRow(r *meta.Record) Row {
	return Row{Bucket: r.Bucket, Key: r.Key, VersionID: r.VersionID, DeleteMarker: r.DeleteMarker,
		Size: r.Size, Modified: r.Modified, ETag: strings.Trim(r.ETag, `"`), StorageClass: storageClass(r.StorageClass),
		Multipart: r.Multipart, Encryption: r.Encryption, BucketKey: r.BucketKey, KMSKeyARN: r.KMSKeyARN,
		ChecksumAlgorithm: r.ChecksumAlgorithm, Tags: r.Tags, UserMeta: r.UserMeta}
}

func storageClass(c string) string {
	if c == "" {
		return "STANDARD"
	}
	return c
}
