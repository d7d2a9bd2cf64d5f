package mdtables

import (
	"maps"
	"slices"
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

// annotationRow is the annotation table row of annotation a of version o.
func annotationRow(o *meta.Object, a *meta.Annotation) Row {
	row := Row{Bucket: o.Bucket, Key: o.Key, VersionID: o.VersionID, JoinKey: seqString(o.Seq), Name: a.Name,
		Seq: seqString(a.Modified.UnixNano()), Full: true, Size: a.Size, Modified: a.Modified, ETag: strings.Trim(a.ETag, `"`)}
	algs := slices.Sorted(maps.Keys(a.Checksums))
	if len(algs) > 0 {
		row.ChecksumAlgorithm = algs[0]
	}
	return row
}
