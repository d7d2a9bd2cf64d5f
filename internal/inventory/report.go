package inventory

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"talus/internal/meta"
)

// DateLayout is how reports write dates (CSV; Parquet stores timestamps).
const DateLayout = "2006-01-02T15:04:05.000Z"

// cell returns one column's value for a version: a string, bool, int64
// or time.Time, or nil when the column has no value for it.
func cell(col, bucket string, o *meta.Object) any {
	switch col {
	case "Bucket":
		return bucket
	case "Key":
		return o.Key
	case "VersionId":
		if o.VersionID == "null" || o.VersionID == "" {
			return nil
		}
		return o.VersionID
	case "IsLatest":
		return o.IsLatest
	case "IsDeleteMarker":
		return o.DeleteMarker
	}
	if o.DeleteMarker {
		return nil // a delete marker has only the columns above
	}
	at := &o.Attrs
	switch col {
	case "Size":
		return o.Size
	case "LastModifiedDate":
		return o.Modified.UTC()
	case "StorageClass":
		return o.StorageClass
	case "ETag":
		return strings.Trim(o.ETag, `"`)
	case "IsMultipartUploaded":
		return strings.Contains(o.ETag, "-")
	case "EncryptionStatus":
		switch {
		case at.Enc == nil:
			return "NOT-SSE"
		case at.Enc.CustomerKeyMD5 != "":
			return "SSE-C"
		case at.Enc.Algorithm == "AES256":
			return "SSE-S3"
		case at.Enc.Algorithm == "aws:kms:dsse":
			return "DSSE-KMS"
		}
		return "SSE-KMS"
	case "ObjectLockRetainUntilDate":
		if at.LockUntil.IsZero() {
			return nil
		}
		return at.LockUntil.UTC()
	case "ObjectLockMode":
		if at.LockMode == "" {
			return nil
		}
		return at.LockMode
	case "ObjectLockLegalHoldStatus":
		if at.LockLegalHold == "" {
			return "OFF"
		}
		return at.LockLegalHold
	case "IntelligentTieringAccessTier":
		if o.StorageClass == "INTELLIGENT_TIERING" {
			return "FREQUENT"
		}
		return nil
	case "BucketKeyStatus":
		if at.Enc != nil && strings.HasPrefix(at.Enc.Algorithm, "aws:kms") {
			if at.Enc.BucketKey {
				return "ENABLED"
			}
			return "DISABLED"
		}
		return nil
	case "ChecksumAlgorithm":
		algs := make([]string, 0, len(at.Checksums))
		for a := range at.Checksums {
			algs = append(algs, a)
		}
		sort.Strings(algs)
		return strings.Join(algs, ",")
	case "ObjectAccessControlList":
		return aclColumn(o)
	case "ObjectOwner":
		return o.Owner
	}
	return nil // ReplicationStatus, LifecycleExpirationDate: none
}

// aclColumn is the ObjectAccessControlList value: base64 of AWS's JSON
// form of the version's ACL.
func aclColumn(o *meta.Object) string {
	type grant struct {
		Permission  string `json:"permission"`
		Type        string `json:"type"`
		CanonicalID string `json:"canonicalId,omitempty"`
		URI         string `json:"uri,omitempty"`
		Email       string `json:"emailAddress,omitempty"`
	}
	doc := struct {
		Version string  `json:"version"`
		Status  string  `json:"status"`
		Grants  []grant `json:"grants"`
	}{Version: "2022-11-10", Status: "AVAILABLE"}
	acl := o.Attrs.ACL
	if len(acl) == 0 {
		acl = []meta.Grant{{ID: o.Owner, Permission: "FULL_CONTROL"}}
	}
	for _, g := range acl {
		switch {
		case g.URI != "":
			doc.Grants = append(doc.Grants, grant{Permission: g.Permission, Type: "Group", URI: g.URI})
		case g.Email != "":
			doc.Grants = append(doc.Grants, grant{Permission: g.Permission, Type: "AmazonCustomerByEmail", Email: g.Email})
		default:
			doc.Grants = append(doc.Grants, grant{Permission: g.Permission, Type: "CanonicalUser", CanonicalID: g.ID})
		}
	}
	b, _ := json.Marshal(doc)
	return base64.StdEncoding.EncodeToString(b)
}

// csvValue is a cell as CSV writes it; keys are URL-encoded, as AWS does.
func csvValue(col string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if col == "Key" {
			return strings.ReplaceAll(url.QueryEscape(x), "%2F", "/")
		}
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case time.Time:
		return x.Format(DateLayout)
	}
	return ""
}

// dataFile accumulates one data file of a report.
type dataFile interface {
	add(bucket string, o *meta.Object) error
	rows() int
	finish() ([]byte, error)
}

type csvFile struct {
	cols []string
	buf  bytes.Buffer
	gz   *gzip.Writer
	n    int
}

func newCSVFile(cols []string) *csvFile {
	f := &csvFile{cols: cols}
	f.gz = gzip.NewWriter(&f.buf)
	return f
}

func (f *csvFile) add(bucket string, o *meta.Object) error {
	var line strings.Builder
	for i, c := range f.cols {
		if i > 0 {
			line.WriteByte(',')
		}
		line.WriteByte('"')
		line.WriteString(strings.ReplaceAll(csvValue(c, cell(c, bucket, o)), `"`, `""`))
		line.WriteByte('"')
	}
	line.WriteByte('\n')
	f.n++
	_, err := f.gz.Write([]byte(line.String()))
	return err
}

func (f *csvFile) rows() int { return f.n }

func (f *csvFile) finish() ([]byte, error) {
	if err := f.gz.Close(); err != nil {
		return nil, err
	}
	return f.buf.Bytes(), nil
}

// ReadCSV decompresses and parses a CSV data file (for readers and tests).
func ReadCSV(data []byte) ([][]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return csv.NewReader(zr).ReadAll()
}

// parquetType is a column's Parquet type: AWS's schema, every column optional.
func parquetType(col string) parquet.Node {
	switch col {
	case "IsLatest", "IsDeleteMarker", "IsMultipartUploaded":
		return parquet.Optional(parquet.Leaf(parquet.BooleanType))
	case "Size":
		return parquet.Optional(parquet.Int(64))
	case "LastModifiedDate", "ObjectLockRetainUntilDate", "LifecycleExpirationDate":
		return parquet.Optional(parquet.Timestamp(parquet.Millisecond))
	}
	return parquet.Optional(parquet.String())
}

type parquetFile struct {
	cols   []string
	schema *parquet.Schema
	index  []int // report column → schema column
	buf    bytes.Buffer
	w      *parquet.Writer
	n      int
}

func newParquetFile(cols []string) *parquetFile {
	g := parquet.Group{}
	for _, c := range cols {
		g[parquetName[c]] = parquetType(c)
	}
	f := &parquetFile{cols: cols, schema: parquet.NewSchema("inventory", g)}
	f.index = make([]int, len(cols))
	for i, c := range cols {
		leaf, _ := f.schema.Lookup(parquetName[c])
		f.index[i] = leaf.ColumnIndex
	}
	f.w = parquet.NewWriter(&f.buf, f.schema)
	return f
}

func (f *parquetFile) add(bucket string, o *meta.Object) error {
	row := make(parquet.Row, len(f.cols))
	for i, c := range f.cols {
		col := f.index[i]
		var v parquet.Value
		switch x := cell(c, bucket, o).(type) {
		case nil:
			v = parquet.Value{}.Level(0, 0, col)
			row[col] = v
			continue
		case string:
			v = parquet.ByteArrayValue([]byte(x))
		case bool:
			v = parquet.BooleanValue(x)
		case int64:
			v = parquet.Int64Value(x)
		case time.Time:
			v = parquet.Int64Value(x.UnixMilli())
		}
		row[col] = v.Level(0, 1, col)
	}
	f.n++
	_, err := f.w.WriteRows([]parquet.Row{row})
	return err
}

func (f *parquetFile) rows() int { return f.n }

func (f *parquetFile) finish() ([]byte, error) {
	if err := f.w.Close(); err != nil {
		return nil, err
	}
	return f.buf.Bytes(), nil
}

// Manifest is manifest.json, as AWS writes it.
type Manifest struct {
	SourceBucket      string         `json:"sourceBucket"`
	DestinationBucket string         `json:"destinationBucket"`
	Version           string         `json:"version"`
	CreationTimestamp string         `json:"creationTimestamp"`
	FileFormat        string         `json:"fileFormat"`
	FileSchema        string         `json:"fileSchema"`
	Files             []ManifestFile `json:"files"`
}

// ManifestFile is one data file of a report.
type ManifestFile struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	MD5checksum string `json:"MD5checksum"`
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// fileSchema is the manifest's fileSchema: CSV column names joined with
// ", ", or for Parquet the message type.
func fileSchema(format string, cols []string) string {
	if format == Parquet {
		var b strings.Builder
		b.WriteString("message s3.inventory { ")
		for _, c := range cols {
			t := "binary " + parquetName[c] + " (UTF8)"
			switch parquetType(c).Type().Kind() {
			case parquet.Boolean:
				t = "boolean " + parquetName[c]
			case parquet.Int64:
				t = "int64 " + parquetName[c]
				if c != "Size" {
					t += " (TIMESTAMP(MILLIS,true))"
				}
			}
			b.WriteString("optional " + t + "; ")
		}
		b.WriteString("}")
		return b.String()
	}
	return strings.Join(cols, ", ")
}
