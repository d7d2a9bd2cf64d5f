package mdtables

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/catalog/rest"
	icebergio "github.com/apache/iceberg-go/io"
	_ "github.com/apache/iceberg-go/io/gocloud" // s3:// FileIO
	"github.com/apache/iceberg-go/table"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	_ "github.com/duckdb/duckdb-go/v2"

	"talus/internal/testserver"
)

var ctx = context.Background()

const warehouse = "arn:aws:s3tables:us-east-1:000000000000:bucket/aws-s3"

// row is what the tests compare of a table row.
type row struct {
	Key, Type, Version, Tags, Meta string
	Size                           string // "" when NULL
	DeleteMarker                   string // "true", "false" or "" (NULL)
	Seq                            string
	Requester, SourceIP, RequestID string
}

func (r row) String() string {
	return fmt.Sprintf("%s %s dm=%s size=%s tags=%s meta=%s", r.Type, r.Key, r.DeleteMarker, r.Size, r.Tags, r.Meta)
}

func catalog(t *testing.T, srv *testserver.Server) *rest.Catalog {
	t.Helper()
	cfg := aws.Config{Region: srv.Region, Credentials: credentials.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")}
	cat, err := rest.NewCatalog(ctx, "talus", srv.URL+"/iceberg", rest.WithSigV4RegionSvc(srv.Region, "s3tables"), rest.WithAwsConfig(cfg),
		rest.WithWarehouseLocation(warehouse), rest.WithAdditionalProps(map[string]string{
			icebergio.S3AccessKeyID: testserver.AccessKey, icebergio.S3SecretAccessKey: testserver.SecretKey}))
	if err != nil {
		t.Fatalf("REST catalog: %v", err)
	}
	return cat
}

// readTable scans the whole table with iceberg-go and returns its rows
// and the data files of its current snapshot.
func readTable(t *testing.T, cat *rest.Catalog, ns, name string) ([]row, []string) {
	t.Helper()
	tbl, err := cat.LoadTable(ctx, table.Identifier{ns, name})
	if err != nil {
		t.Fatalf("LoadTable %s.%s: %v", ns, name, err)
	}
	if tbl.CurrentSnapshot() == nil {
		return nil, nil
	}
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		t.Fatalf("PlanFiles: %v", err)
	}
	var files []string
	for _, task := range tasks {
		files = append(files, task.File.FilePath())
	}
	at, err := tbl.Scan().ToArrowTable(ctx)
	if err != nil {
		t.Fatalf("scan %s.%s: %v", ns, name, err)
	}
	defer at.Release()
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	var rows []row
	for tr.Next() {
		rec := tr.RecordBatch()
		col := func(name string) arrow.Array {
			idx := rec.Schema().FieldIndices(name)
			if len(idx) == 0 {
				return nil
			}
			return rec.Column(idx[0])
		}
		val := func(name string, i int) string {
			c := col(name)
			if c == nil || c.IsNull(i) {
				return ""
			}
			return c.ValueStr(i)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, row{Key: val("key", i), Type: val("record_type", i), Version: val("version_id", i),
				Tags: mapStr(col("object_tags"), i), Meta: mapStr(col("user_metadata"), i), Size: val("size", i),
				DeleteMarker: val("is_delete_marker", i), Seq: val("sequence_number", i), Requester: val("requester", i),
				SourceIP: val("source_ip_address", i), RequestID: val("request_id", i)})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	return rows, files
}

// mapStr renders a map<string,string> cell as k=v,k=v in key order.
func mapStr(c arrow.Array, i int) string {
	m, ok := c.(*array.Map)
	if !ok || m.IsNull(i) {
		return ""
	}
	start, end := m.ValueOffsets(i)
	keys, items := m.Keys().(*array.String), m.Items().(*array.String)
	var kv []string
	for j := start; j < end; j++ {
		kv = append(kv, keys.Value(int(j))+"="+items.Value(int(j)))
	}
	slices.Sort(kv)
	return strings.Join(kv, ",")
}

// waitRows polls the table until want(rows) holds.
func waitRows(t *testing.T, cat *rest.Catalog, ns, name string, want func([]row) bool) ([]row, []string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		rows, files := readTable(t, cat, ns, name)
		if want(rows) {
			return rows, files
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s.%s never got the expected rows; has %v", ns, name, rows)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestMetadataTablesReadBack(t *testing.T) {
	srv := testserver.Start(t, testserver.WithMetadataTableInterval(300*time.Millisecond))
	c := srv.Client()
	b := aws.String("src")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	put := func(key, body string, meta map[string]string, tagging string) {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: bytes.NewReader([]byte(body)), Metadata: meta}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
	}
	// Before the configuration: only the inventory (backfill) sees it.
	put("old.txt", "old", nil, "")

	_, err := c.CreateBucketMetadataConfiguration(ctx, &s3.CreateBucketMetadataConfigurationInput{Bucket: b,
		MetadataConfiguration: &types.MetadataConfiguration{
			JournalTableConfiguration:    &types.JournalTableConfiguration{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateDisabled}},
			InventoryTableConfiguration:  &types.InventoryTableConfiguration{ConfigurationState: types.InventoryConfigurationStateEnabled},
			AnnotationTableConfiguration: &types.AnnotationTableConfiguration{ConfigurationState: types.AnnotationConfigurationStateEnabled}}})
	if err != nil {
		t.Fatal(err)
	}
	put("a.txt", "hello", map[string]string{"color": "blue"}, "team=x")
	put("b.txt", "gone soon", nil, "")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("b.txt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("a.txt"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("y")}}}}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.PutObjectAnnotation(ctx, &s3.PutObjectAnnotationInput{Bucket: b, Key: aws.String("a.txt"), AnnotationName: aws.String("caption"),
		AnnotationPayload: strings.NewReader(`{"text":"a greeting"}`)}); err != nil {
		t.Fatalf("PutObjectAnnotation: %v", err)
	}
	waitActive(t, c, "src")
	cat := catalog(t, srv)
	nss, err := cat.ListNamespaces(ctx, nil)
	if err != nil || len(nss) != 1 || nss[0][0] != "b_src" {
		t.Fatalf("namespaces: %v %v", nss, err)
	}

	journal, jfiles := waitRows(t, cat, "b_src", "journal", func(r []row) bool { return len(r) >= 5 })
	want := []string{
		"CREATE a.txt dm=false size=5 tags=team=x meta=color=blue",
		"CREATE b.txt dm=false size=9 tags= meta=",
		"DELETE b.txt dm= size= tags= meta=",
		"UPDATE_METADATA a.txt dm=false size=5 tags=team=y meta=color=blue",
		"UPDATE_METADATA a.txt dm=false size=5 tags=team=y meta=color=blue", // the annotation
	}
	if got := rowStrings(journal); !slices.Equal(got, want) {
		t.Fatalf("journal rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range journal {
		if r.Requester != "000000000000" || r.SourceIP != "127.0.0.1" || r.RequestID == "" || r.Version != "null" {
			t.Errorf("journal row %v: requester %q, source %q, request %q, version %q", r, r.Requester, r.SourceIP, r.RequestID, r.Version)
		}
	}

	inventory, ifiles := waitRows(t, cat, "b_src", "inventory", func(r []row) bool {
		return slices.Equal(rowStrings(r), []string{" a.txt dm=false size=5 tags=team=y meta=color=blue", " old.txt dm=false size=3 tags= meta="}) ||
			slices.Equal(rowStrings(r), []string{" old.txt dm=false size=3 tags= meta=", " a.txt dm=false size=5 tags=team=y meta=color=blue"})
	})
	if len(inventory) != 2 {
		t.Fatalf("inventory: %v", inventory)
	}

	annotations, afiles := waitAnnotations(t, cat)
	if len(annotations) != 1 || annotations[0] != `src a.txt caption 21 {"text":"a greeting"} <null>` {
		t.Fatalf("annotation table: %v", annotations)
	}

	// DuckDB reads the same rows from the Parquet files, fetched through
	// the S3 API.
	if got := duckRows(t, c, jfiles, "SELECT record_type || ' ' || key FROM read_parquet(?) ORDER BY sequence_number"); !slices.Equal(got,
		[]string{"CREATE a.txt", "CREATE b.txt", "DELETE b.txt", "UPDATE_METADATA a.txt", "UPDATE_METADATA a.txt"}) {
		t.Fatalf("DuckDB journal: %v", got)
	}
	if got := duckRows(t, c, ifiles, "SELECT key || ' ' || size || ' ' || object_tags['team'] FROM read_parquet(?) WHERE key = 'a.txt'"); !slices.Equal(got, []string{"a.txt 5 y"}) {
		t.Fatalf("DuckDB inventory: %v", got)
	}
	// The tables' Iceberg schemas as the REST catalog serves them to
	// iceberg-go: name, type and required ("!") of every field, in order.
	ice := "version_id:string is_delete_marker:boolean size:long last_modified_date:timestamp e_tag:string storage_class:string " +
		"is_multipart:boolean encryption_status:string is_bucket_key_enabled:boolean kms_key_arn:string checksum_algorithm:string " +
		"object_tags:map<string, string> user_metadata:map<string, string>"
	for name, want := range map[string]string{
		"journal": "bucket:string! key:string! sequence_number:string! record_type:string! record_timestamp:timestamp! " + ice +
			" requester:string source_ip_address:string request_id:string",
		"inventory": "bucket:string! key:string! sequence_number:string! " + ice,
		"annotation": "bucket:string! object_key:string! object_version_id:string object_join_key:string! name:string! sequence_number:string! " +
			"last_modified_date:timestamp size:long e_tag:string checksum_algorithm:string replication_status:string text_value:string",
	} {
		tbl, err := cat.LoadTable(ctx, table.Identifier{"b_src", name})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range tbl.Schema().Fields() {
			c := f.Name + ":" + f.Type.String()
			if f.Required {
				c += "!"
			}
			got = append(got, c)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s schema through the catalog:\n%s\nwant\n%s", name, strings.Join(got, " "), want)
		}
	}
	// The journal and inventory tables' columns, field by field, as
	// DuckDB reads them from the Parquet files.
	object := "version_id:VARCHAR is_delete_marker:BOOLEAN size:BIGINT last_modified_date:TIMESTAMP e_tag:VARCHAR storage_class:VARCHAR " +
		"is_multipart:BOOLEAN encryption_status:VARCHAR is_bucket_key_enabled:BOOLEAN kms_key_arn:VARCHAR checksum_algorithm:VARCHAR " +
		"object_tags:MAP(VARCHAR, VARCHAR) user_metadata:MAP(VARCHAR, VARCHAR)"
	for _, x := range []struct {
		name  string
		files []string
		want  string
	}{
		{"journal", jfiles, "bucket:VARCHAR key:VARCHAR sequence_number:VARCHAR record_type:VARCHAR record_timestamp:TIMESTAMP " + object +
			" requester:VARCHAR source_ip_address:VARCHAR request_id:VARCHAR"},
		{"inventory", ifiles, "bucket:VARCHAR key:VARCHAR sequence_number:VARCHAR " + object},
	} {
		if got := duckRows(t, c, x.files, "SELECT string_agg(column_name || ':' || column_type, ' ') FROM (DESCRIBE SELECT * FROM read_parquet(?))"); !slices.Equal(got, []string{x.want}) {
			t.Errorf("DuckDB %s columns:\n%v\nwant\n%s", x.name, got, x.want)
		}
	}
	// The annotation table's columns as DuckDB reads them from Parquet,
	// field by field, and the payload queried as JSON.
	const annotationColumns = "bucket:VARCHAR object_key:VARCHAR object_version_id:VARCHAR object_join_key:VARCHAR name:VARCHAR " +
		"sequence_number:VARCHAR last_modified_date:TIMESTAMP size:BIGINT e_tag:VARCHAR checksum_algorithm:VARCHAR " +
		"replication_status:VARCHAR text_value:VARCHAR"
	if got := duckRows(t, c, afiles, "SELECT string_agg(column_name || ':' || column_type, ' ') FROM (DESCRIBE SELECT * FROM read_parquet(?))"); !slices.Equal(got, []string{annotationColumns}) {
		t.Fatalf("DuckDB annotation columns:\n%v\nwant\n%s", got, annotationColumns)
	}
	if got := duckRows(t, c, afiles, "SELECT object_key || ' ' || name || ' ' || json_extract_string(text_value, '$.text') FROM read_parquet(?)"); !slices.Equal(got, []string{"a.txt caption a greeting"}) {
		t.Fatalf("DuckDB annotation text: %v", got)
	}
}

// waitActive waits until both tables of bucket are ACTIVE.
func waitActive(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		r := out.GetBucketMetadataConfigurationResult.MetadataConfigurationResult
		if aws.ToString(r.JournalTableConfigurationResult.TableStatus) == "ACTIVE" && aws.ToString(r.InventoryTableConfigurationResult.TableStatus) == "ACTIVE" &&
			aws.ToString(r.AnnotationTableConfigurationResult.TableStatus) == "ACTIVE" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tables not ACTIVE: %+v %+v", r.JournalTableConfigurationResult, r.InventoryTableConfigurationResult)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func rowStrings(rows []row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	return out
}

// duckRows downloads the files (s3://bucket/key) with the S3 API and runs
// query with their local paths as its one parameter.
func duckRows(t *testing.T, c *s3.Client, files []string, query string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, f := range files {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(f, "s3://"), "/")
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %s: %v", f, err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("%d.parquet", i))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list := "['" + strings.Join(paths, "','") + "']"
	rs, err := db.Query(strings.Replace(query, "read_parquet(?)", "read_parquet("+list+")", 1))
	if err != nil {
		t.Fatalf("DuckDB %s: %v", query, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s sql.NullString
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	return out
}

// waitAnnotations polls the annotation table until it has a row and
// returns its rows as "bucket object_key name size text_value
// replication_status" (NULL as <null>) and its data files.
func waitAnnotations(t *testing.T, cat *rest.Catalog) ([]string, []string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		tbl, err := cat.LoadTable(ctx, table.Identifier{"b_src", "annotation"})
		if err != nil {
			t.Fatalf("LoadTable annotation: %v", err)
		}
		if tbl.CurrentSnapshot() != nil {
			at, err := tbl.Scan().ToArrowTable(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			tr := array.NewTableReader(at, 100)
			for tr.Next() {
				rec := tr.RecordBatch()
				v := func(n string, i int) string {
					c := rec.Column(rec.Schema().FieldIndices(n)[0])
					if c.IsNull(i) {
						return "<null>"
					}
					return c.ValueStr(i)
				}
				for i := 0; i < int(rec.NumRows()); i++ {
					out = append(out, v("bucket", i)+" "+v("object_key", i)+" "+v("name", i)+" "+v("size", i)+" "+v("text_value", i)+" "+v("replication_status", i))
				}
			}
			tr.Release()
			at.Release()
			if len(out) > 0 {
				tasks, err := tbl.Scan().PlanFiles(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var files []string
				for _, task := range tasks {
					files = append(files, task.File.FilePath())
				}
				return out, files
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("annotation table stayed empty")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
