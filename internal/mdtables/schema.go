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
	// Annotation table only: the annotation's name and the version's
	// join key (its store sequence, the inventory's sequence_number).
	Name, JoinKey string
	// Annotation table only: the payload (UTF-8 text, as stored) and
	// the annotation's replication status ("" when it has none).
	Text              string
	HasText           bool
	ReplicationStatus string
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
	kindJournal    = "journal"
	kindInventory  = "inventory"
	kindAnnotation = "annotation"
)

// column is one column of the metadata tables, in AWS's order.
type column struct {
	name     string
	typ      string // string, long, boolean, timestamp, map
	required bool
	journal  bool // only in the journal table (the event columns)
}

var columns = []column{
	{"bucket", "string", true, false},
	{"key", "string", true, false},
	{"sequence_number", "string", true, false},
	{"record_type", "string", true, true},
	{"record_timestamp", "timestamp", true, true},
	{"version_id", "string", false, false},
	{"is_delete_marker", "boolean", false, false},
	{"size", "long", false, false},
	{"last_modified_date", "timestamp", false, false},
	{"e_tag", "string", false, false},
	{"storage_class", "string", false, false},
	{"is_multipart", "boolean", false, false},
	{"encryption_status", "string", false, false},
	{"is_bucket_key_enabled", "boolean", false, false},
	{"kms_key_arn", "string", false, false},
	{"checksum_algorithm", "string", false, false},
	{"object_tags", "map", false, false},
	{"user_metadata", "map", false, false},
	{"requester", "string", false, true},
	{"source_ip_address", "string", false, true},
	{"request_id", "string", false, true},
}

// annotationColumns are the annotation table's, in AWS's order.
var annotationColumns = []column{
	{"bucket", "string", true, false},
	{"object_key", "string", true, false},
	{"object_version_id", "string", false, false},
	{"object_join_key", "string", true, false},
	{"name", "string", true, false},
	{"sequence_number", "string", true, false},
	{"last_modified_date", "timestamp", false, false},
	{"size", "long", false, false},
	{"e_tag", "string", false, false},
	{"checksum_algorithm", "string", false, false},
	{"replication_status", "string", false, false},
	{"text_value", "string", false, false},
}

// tableSchema is the Iceberg schema of a journal table (all columns) or
// live inventory table (the object columns, without the event ones).
// Timestamps are Iceberg timestamp (without zone, UTC values); maps are
// map<string, string>. Field IDs number the columns in order, then the
// maps' keys and values.
func tableSchema(kind string) *iceberg.Schema {
	var fields []iceberg.NestedField
	var maps []int
	cols := columns
	if kind == kindAnnotation {
		cols = annotationColumns
	}
	for _, c := range cols {
		if c.journal && kind != kindJournal {
			continue
		}
		f := iceberg.NestedField{ID: len(fields) + 1, Name: c.name, Required: c.required}
		switch c.typ {
		case "string":
			f.Type = iceberg.PrimitiveTypes.String
		case "long":
			f.Type = iceberg.PrimitiveTypes.Int64
		case "boolean":
			f.Type = iceberg.PrimitiveTypes.Bool
		case "timestamp":
			f.Type = iceberg.PrimitiveTypes.Timestamp
		case "map":
			maps = append(maps, len(fields))
		}
		fields = append(fields, f)
	}
	next := len(fields) + 1
	for _, i := range maps {
		fields[i].Type = &iceberg.MapType{KeyID: next, KeyType: iceberg.PrimitiveTypes.String, ValueID: next + 1, ValueType: iceberg.PrimitiveTypes.String}
		next += 2
	}
	return iceberg.NewSchema(0, fields...)
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
	case "key", "object_key":
		appendString(fb, r.Key, true)
	case "object_version_id":
		appendString(fb, r.VersionID, r.VersionID != "")
	case "object_join_key":
		appendString(fb, r.JoinKey, true)
	case "name":
		appendString(fb, r.Name, true)
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
	case "replication_status":
		appendString(fb, r.ReplicationStatus, r.ReplicationStatus != "")
	case "text_value":
		appendString(fb, r.Text, r.HasText)
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
