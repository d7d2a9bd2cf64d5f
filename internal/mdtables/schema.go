package mdtables

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// Row is one row of a journal or inventory table. Object columns are NULL
// (Full false) for a permanent delete, as S3 leaves them.
type Row struct {
	Bucket, Key, Seq string
	// Journal only: the event columns.
	RecordType string
	RecordTime time.Time
	Requester  string
	SourceIP   string
	RequestID  string

	VersionID         string
	Full              bool
	DeleteMarker      bool
	Size              int64
	Modified          time.Time
	ETag              string
	StorageClass      string
	Multipart         bool
	Encryption        string
	BucketKey         bool
	KMSKeyARN         string
	ChecksumAlgorithm string
	Tags              map[string]string
	UserMeta          map[string]string
}

// Kinds of table.
const (
	kindJournal   = "journal"
	kindInventory = "inventory"
)

func str() iceberg.Type { return iceberg.PrimitiveTypes.String }

func strMap(keyID, valueID int) iceberg.Type {
	return &iceberg.MapType{KeyID: keyID, KeyType: str(), ValueID: valueID, ValueType: str(), ValueRequired: false}
}

// journalSchema is the S3 Metadata journal table's columns, in AWS's
// order with AWS's names; timestamps are Iceberg timestamp (without zone,
// UTC values).
func journalSchema() *iceberg.Schema {
	return iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "bucket", Type: str(), Required: true},
		iceberg.NestedField{ID: 2, Name: "key", Type: str(), Required: true},
		iceberg.NestedField{ID: 3, Name: "sequence_number", Type: str(), Required: true},
		iceberg.NestedField{ID: 4, Name: "record_type", Type: str(), Required: true},
		iceberg.NestedField{ID: 5, Name: "record_timestamp", Type: iceberg.PrimitiveTypes.Timestamp, Required: true},
		iceberg.NestedField{ID: 6, Name: "version_id", Type: str()},
		iceberg.NestedField{ID: 7, Name: "is_delete_marker", Type: iceberg.PrimitiveTypes.Bool},
		iceberg.NestedField{ID: 8, Name: "size", Type: iceberg.PrimitiveTypes.Int64},
		iceberg.NestedField{ID: 9, Name: "last_modified_date", Type: iceberg.PrimitiveTypes.Timestamp},
		iceberg.NestedField{ID: 10, Name: "e_tag", Type: str()},
		iceberg.NestedField{ID: 11, Name: "storage_class", Type: str()},
		iceberg.NestedField{ID: 12, Name: "is_multipart", Type: iceberg.PrimitiveTypes.Bool},
		iceberg.NestedField{ID: 13, Name: "encryption_status", Type: str()},
		iceberg.NestedField{ID: 14, Name: "is_bucket_key_enabled", Type: iceberg.PrimitiveTypes.Bool},
		iceberg.NestedField{ID: 15, Name: "kms_key_arn", Type: str()},
		iceberg.NestedField{ID: 16, Name: "checksum_algorithm", Type: str()},
		iceberg.NestedField{ID: 17, Name: "object_tags", Type: strMap(22, 23)},
		iceberg.NestedField{ID: 18, Name: "user_metadata", Type: strMap(24, 25)},
		iceberg.NestedField{ID: 19, Name: "requester", Type: str()},
		iceberg.NestedField{ID: 20, Name: "source_ip_address", Type: str()},
		iceberg.NestedField{ID: 21, Name: "request_id", Type: str()},
	)
}

// inventorySchema is the live inventory table's: the journal's object
// columns without the event ones.
func inventorySchema() *iceberg.Schema {
	return iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "bucket", Type: str(), Required: true},
		iceberg.NestedField{ID: 2, Name: "key", Type: str(), Required: true},
		iceberg.NestedField{ID: 3, Name: "sequence_number", Type: str(), Required: true},
		iceberg.NestedField{ID: 4, Name: "version_id", Type: str()},
		iceberg.NestedField{ID: 5, Name: "is_delete_marker", Type: iceberg.PrimitiveTypes.Bool},
		iceberg.NestedField{ID: 6, Name: "size", Type: iceberg.PrimitiveTypes.Int64},
		iceberg.NestedField{ID: 7, Name: "last_modified_date", Type: iceberg.PrimitiveTypes.Timestamp},
		iceberg.NestedField{ID: 8, Name: "e_tag", Type: str()},
		iceberg.NestedField{ID: 9, Name: "storage_class", Type: str()},
		iceberg.NestedField{ID: 10, Name: "is_multipart", Type: iceberg.PrimitiveTypes.Bool},
		iceberg.NestedField{ID: 11, Name: "encryption_status", Type: str()},
		iceberg.NestedField{ID: 12, Name: "is_bucket_key_enabled", Type: iceberg.PrimitiveTypes.Bool},
		iceberg.NestedField{ID: 13, Name: "kms_key_arn", Type: str()},
		iceberg.NestedField{ID: 14, Name: "checksum_algorithm", Type: str()},
		iceberg.NestedField{ID: 15, Name: "object_tags", Type: strMap(17, 18)},
		iceberg.NestedField{ID: 16, Name: "user_metadata", Type: strMap(19, 20)},
	)
}

func schemaFor(kind string) *iceberg.Schema {
	if kind == kindJournal {
		return journalSchema()
	}
	return inventorySchema()
}

// recordBuilder turns Rows into Arrow record batches of a table's schema.
type recordBuilder struct {
	kind   string
	schema *arrow.Schema
	b      *array.RecordBuilder
	n      int
}

func newRecordBuilder(kind string, sc *iceberg.Schema) (*recordBuilder, error) {
	as, err := table.SchemaToArrowSchema(sc, nil, true, false)
	if err != nil {
		return nil, err
	}
	return &recordBuilder{kind: kind, schema: as, b: array.NewRecordBuilder(memory.DefaultAllocator, as)}, nil
}

func (rb *recordBuilder) release() { rb.b.Release() }

// add appends r; columns are matched by name, so the two schemas share it.
func (rb *recordBuilder) add(r *Row) error {
	for i, f := range rb.schema.Fields() {
		fb := rb.b.Field(i)
		if err := appendColumn(fb, f.Name, r); err != nil {
			return err
		}
	}
	rb.n++
	return nil
}

// flush returns the rows added since the last flush as one batch.
func (rb *recordBuilder) flush() arrow.RecordBatch {
	rb.n = 0
	return rb.b.NewRecordBatch()
}

func appendColumn(fb array.Builder, name string, r *Row) error {
	switch name {
	case "bucket":
		appendString(fb, r.Bucket, true)
	case "key":
		appendString(fb, r.Key, true)
	case "sequence_number":
		appendString(fb, r.Seq, true)
	case "record_type":
		appendString(fb, r.RecordType, true)
	case "record_timestamp":
		appendTime(fb, r.RecordTime, true)
	case "version_id":
		appendString(fb, r.VersionID, true)
	case "requester":
		appendString(fb, r.Requester, r.Requester != "")
	case "source_ip_address":
		appendString(fb, r.SourceIP, r.SourceIP != "")
	case "request_id":
		appendString(fb, r.RequestID, r.RequestID != "")
	case "is_delete_marker":
		appendBool(fb, r.DeleteMarker, r.Full)
	case "size":
		if !r.Full || r.DeleteMarker {
			fb.AppendNull()
		} else {
			fb.(*array.Int64Builder).Append(r.Size)
		}
	case "last_modified_date":
		appendTime(fb, r.Modified, r.Full && !r.Modified.IsZero())
	case "e_tag":
		appendString(fb, r.ETag, r.Full && r.ETag != "")
	case "storage_class":
		appendString(fb, r.StorageClass, r.Full && r.StorageClass != "")
	case "is_multipart":
		appendBool(fb, r.Multipart, r.Full && !r.DeleteMarker)
	case "encryption_status":
		appendString(fb, r.Encryption, r.Full && r.Encryption != "")
	case "is_bucket_key_enabled":
		appendBool(fb, r.BucketKey, r.Full && !r.DeleteMarker)
	case "kms_key_arn":
		appendString(fb, r.KMSKeyARN, r.Full && r.KMSKeyARN != "")
	case "checksum_algorithm":
		appendString(fb, r.ChecksumAlgorithm, r.Full && r.ChecksumAlgorithm != "")
	case "object_tags":
		appendMap(fb, r.Tags, r.Full && !r.DeleteMarker)
	case "user_metadata":
		appendMap(fb, r.UserMeta, r.Full && !r.DeleteMarker)
	default:
		return fmt.Errorf("mdtables: no value for column %q", name)
	}
	return nil
}

func appendString(fb array.Builder, v string, valid bool) {
	if !valid {
		fb.AppendNull()
		return
	}
	fb.(*array.StringBuilder).Append(v)
}

func appendBool(fb array.Builder, v, valid bool) {
	if !valid {
		fb.AppendNull()
		return
	}
	fb.(*array.BooleanBuilder).Append(v)
}

func appendTime(fb array.Builder, t time.Time, valid bool) {
	if !valid {
		fb.AppendNull()
		return
	}
	fb.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UTC().UnixMicro()))
}

func appendMap(fb array.Builder, m map[string]string, valid bool) {
	mb := fb.(*array.MapBuilder)
	if !valid {
		mb.AppendNull()
		return
	}
	mb.Append(true)
	kb, vb := mb.KeyBuilder().(*array.StringBuilder), mb.ItemBuilder().(*array.StringBuilder)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kb.Append(k)
		vb.Append(m[k])
	}
}

// seqString formats a sequence so that a larger one sorts after a
// smaller one as a string, as S3's sequence_number does.
func seqString(n int64) string { return fmt.Sprintf("%020d", n) }
