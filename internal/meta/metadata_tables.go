package meta

import "time"

// MetadataConfig is a bucket's S3 Metadata configuration (V1 or V2) and
// the state of its tables, which the metadata table worker advances.
type MetadataConfig struct {
	// V1 is set when CreateBucketMetadataTableConfiguration made it: one
	// journal table in the caller's table bucket.
	V1      bool      `json:"v1,omitempty"`
	Created time.Time `json:"created"`
	// TableBucket is the table bucket's name, Namespace the tables'.
	TableBucket string `json:"tableBucket"`
	Namespace   string `json:"ns"`
	// ExpirationDays is the journal's RecordExpiration (0: DISABLED).
	ExpirationDays int `json:"expDays,omitempty"`
	// JournalStart is the journal sequence when the configuration was
	// made: the journal table holds the records after it.
	JournalStart int64          `json:"journalStart,omitempty"`
	Journal      MetadataTable  `json:"journal"`
	Inventory    *MetadataTable `json:"inventory,omitempty"`
	Annotation   *MetadataTable `json:"annotation,omitempty"`
}

// MetadataTable is one table of a metadata configuration.
type MetadataTable struct {
	// Enabled is ConfigurationState (the journal is always enabled).
	Enabled bool `json:"enabled,omitempty"`
	// Status is CREATING, BACKFILLING, ACTIVE or FAILED ("" while disabled).
	Status string `json:"status,omitempty"`
	Name   string `json:"name"`
	// ID is the table's UUID, part of its ARN and location.
	ID           string `json:"id,omitempty"`
	ErrorCode    string `json:"errCode,omitempty"`
	ErrorMessage string `json:"errMsg,omitempty"`
	SSEAlgorithm string `json:"sse,omitempty"`
	KMSKeyARN    string `json:"kms,omitempty"`
	Role         string `json:"role,omitempty"`
}

// TableBucket is the catalog of a bucket used as an S3 table bucket: the
// Iceberg tables in it and where each one's current metadata is. A commit
// replaces MetadataLocation inside UpdateBucket, so it is atomic.
type TableBucket struct {
	Tables []TableEntry `json:"tables,omitempty"`
}

// TableEntry is one Iceberg table of a table bucket.
type TableEntry struct {
	Namespace string `json:"ns"`
	Name      string `json:"name"`
	// ID is the table's UUID (also in its ARN and location).
	ID string `json:"id"`
	// MetadataLocation is the current metadata file, s3://bucket/key;
	// Version its number.
	MetadataLocation string    `json:"loc"`
	Version          int       `json:"version"`
	Created          time.Time `json:"created"`
	// Source is the general purpose bucket whose metadata the table holds.
	Source string `json:"source,omitempty"`
	// KMSKeyARN: the table's files are written SSE-KMS under this key
	// ("" for the table bucket's default encryption).
	KMSKeyARN string `json:"kms,omitempty"`
}

// Find returns the entry of namespace ns and name, or nil.
func (t *TableBucket) Find(ns, name string) *TableEntry {
	if t == nil {
		return nil
	}
	for i := range t.Tables {
		if t.Tables[i].Namespace == ns && t.Tables[i].Name == name {
			return &t.Tables[i]
		}
	}
	return nil
}
