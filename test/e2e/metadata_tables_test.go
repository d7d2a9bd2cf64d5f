package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// waitTables waits until the journal and, if asked, the inventory table
// are ACTIVE.
func waitTables(t *testing.T, c *s3.Client, bucket string, inventory bool) *types.MetadataConfigurationResult {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := mdGetV2(t, c, bucket)
		ok := aws.ToString(r.JournalTableConfigurationResult.TableStatus) == "ACTIVE"
		if inventory {
			ok = ok && r.InventoryTableConfigurationResult != nil && aws.ToString(r.InventoryTableConfigurationResult.TableStatus) == "ACTIVE"
		}
		if ok {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("tables of %s not ACTIVE: journal %+v inventory %+v", bucket, r.JournalTableConfigurationResult, r.InventoryTableConfigurationResult)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestMetadataTablesWritten(t *testing.T) {
	srv := testserver.Start(t, testserver.WithMetadataTableInterval(200*time.Millisecond))
	c := srv.Client()
	mustCreateBucket(t, c, "mdsrc")
	mustCreateBucket(t, c, "mdsrc2")
	mustPut(t, c, "mdsrc", "before.txt", []byte("old"))
	if err := mdCreateV2(t, c, "mdsrc", &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0),
		InventoryTableConfiguration: &types.InventoryTableConfiguration{ConfigurationState: types.InventoryConfigurationStateEnabled}}); err != nil {
		t.Fatal(err)
	}
	waitTables(t, c, "mdsrc", true)
	mustPut(t, c, "mdsrc", "after.txt", []byte("new"))
	// The table bucket cannot have tables of its own (its files would be
	// journaled into it without end), nor be its own V1 destination.
	rqCode(t, mdCreateV2(t, c, "aws-s3", &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0)}), "InvalidRequest", http.StatusBadRequest)
	_, err := c.CreateBucketMetadataTableConfiguration(ctx, &s3.CreateBucketMetadataTableConfigurationInput{Bucket: aws.String("mdsrc2"),
		MetadataTableConfiguration: &types.MetadataTableConfiguration{S3TablesDestination: &types.S3TablesDestination{
			TableBucketArn: aws.String("arn:aws:s3tables:us-east-1:000000000000:bucket/mdsrc2"), TableName: aws.String("t")}}})
	rqCode(t, err, "InvalidRequest", http.StatusBadRequest)

	// The table files are ordinary objects of the table bucket.
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("aws-s3"), Prefix: aws.String("b_mdsrc/journal-")})
		if err != nil {
			t.Fatal(err)
		}
		parquet, meta := 0, ""
		for _, o := range out.Contents {
			k := aws.ToString(o.Key)
			if strings.HasSuffix(k, ".parquet") {
				parquet++
			}
			if strings.HasSuffix(k, ".metadata.json") && k > meta {
				meta = k
			}
		}
		if parquet > 0 {
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("aws-s3"), Key: aws.String(meta)})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(g.Body)
			g.Body.Close()
			var md struct {
				FormatVersion int    `json:"format-version"`
				Location      string `json:"location"`
			}
			if err := json.Unmarshal(b, &md); err != nil || md.FormatVersion != 2 || !strings.HasPrefix(md.Location, "s3://aws-s3/b_mdsrc/journal-") {
				t.Fatalf("metadata %s: %v %+v", meta, err, md)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no journal data file written: %d objects", len(out.Contents))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
