package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
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

// waitTable polls the V2 configuration until check holds.
func waitTable(t *testing.T, c *s3.Client, bucket, what string, check func(*types.MetadataConfigurationResult) bool) *types.MetadataConfigurationResult {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := mdGetV2(t, c, bucket)
		if check(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s never held: journal %+v inventory %+v annotation %+v", bucket, what, r.JournalTableConfigurationResult,
				r.InventoryTableConfigurationResult, r.AnnotationTableConfigurationResult)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestMetadataTablesSSEKMS: tables configured with SSE-KMS have every
// file (data, manifests, metadata JSON) stored SSE-KMS under that key;
// with the key disabled the tables fail as S3 reports missing KMS
// permissions, and recover once it is enabled again.
func TestMetadataTablesSSEKMS(t *testing.T) {
	srv := testserver.Start(t, testserver.WithMetadataTableInterval(200*time.Millisecond))
	c := srv.Client()
	mustCreateBucket(t, c, "mdkms")
	mustPut(t, c, "mdkms", "a.txt", []byte("a"))
	km, err := srv.Server().KMS().CreateKey(ctx, "", "metadata tables")
	if err != nil {
		t.Fatal(err)
	}
	enc := &types.MetadataTableEncryptionConfiguration{SseAlgorithm: types.TableSseAlgorithmAwsKms, KmsKeyArn: aws.String(km.ARN)}
	j := journalDays(0)
	j.EncryptionConfiguration = enc
	if err := mdCreateV2(t, c, "mdkms", &types.MetadataConfiguration{JournalTableConfiguration: j,
		InventoryTableConfiguration: &types.InventoryTableConfiguration{ConfigurationState: types.InventoryConfigurationStateEnabled, EncryptionConfiguration: enc}}); err != nil {
		t.Fatal(err)
	}
	waitTables(t, c, "mdkms", true)
	mustPut(t, c, "mdkms", "b.txt", []byte("b"))
	// Wait for the journal's data file, then check every table file.
	deadline := time.Now().Add(30 * time.Second)
	var keys []string
	for {
		keys = nil
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("aws-s3"), Prefix: aws.String("b_mdkms/")})
		if err != nil {
			t.Fatal(err)
		}
		parquet := map[string]bool{}
		for _, o := range out.Contents {
			k := aws.ToString(o.Key)
			keys = append(keys, k)
			if strings.HasSuffix(k, ".parquet") {
				parquet[strings.SplitN(k, "/", 3)[1][:7]] = true
			}
		}
		if parquet["journal"] && parquet["invento"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("table files: %v", keys)
		}
		time.Sleep(100 * time.Millisecond)
	}
	kinds := map[string]int{}
	for _, k := range keys {
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("aws-s3"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("HeadObject %s: %v", k, err)
		}
		if h.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != km.ARN {
			t.Errorf("%s: encryption %q key %q, want aws:kms %s", k, h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), km.ARN)
		}
		kinds[k[strings.LastIndexByte(k, '.')+1:]]++
	}
	if kinds["parquet"] == 0 || kinds["avro"] == 0 || kinds["json"] == 0 {
		t.Fatalf("file kinds checked: %v", kinds)
	}
	if _, err := srv.Server().KMS().DisableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "mdkms", "c.txt", []byte("c"))
	r := waitTable(t, c, "mdkms", "journal FAILED", func(r *types.MetadataConfigurationResult) bool {
		return aws.ToString(r.JournalTableConfigurationResult.TableStatus) == "FAILED"
	})
	if e := r.JournalTableConfigurationResult.Error; e == nil || aws.ToString(e.ErrorCode) != "AccessDeniedCreatingResources" {
		t.Fatalf("journal error with a disabled key: %+v", e)
	}
	if _, err := srv.Server().KMS().EnableKey(ctx, km.ID); err != nil {
		t.Fatal(err)
	}
	waitTable(t, c, "mdkms", "journal ACTIVE again", func(r *types.MetadataConfigurationResult) bool {
		return aws.ToString(r.JournalTableConfigurationResult.TableStatus) == "ACTIVE" && r.JournalTableConfigurationResult.Error == nil
	})
}

// TestMetadataAnnotationTableRole: the annotation table's Role is
// checked when given (iam:PassRole for a user), returned by Get, and the
// table is written only while the role may read the bucket's
// annotations.
func TestMetadataAnnotationTableRole(t *testing.T) {
	srv := testserver.Start(t, testserver.WithMetadataTableInterval(200*time.Millisecond))
	c := srv.Client()
	mustCreateBucket(t, c, "mdrole")
	mustPut(t, c, "mdrole", "a.txt", []byte("a"))
	if _, err := c.PutObjectAnnotation(ctx, &s3.PutObjectAnnotationInput{Bucket: aws.String("mdrole"), Key: aws.String("a.txt"),
		AnnotationName: aws.String("caption"), AnnotationPayload: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	ic := rootIAM(srv)
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"metadata.s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	const read = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListObjectAnnotations","s3:GetObjectAnnotation"],"Resource":"arn:aws:s3:::mdrole/*"}]}`
	_, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("annotations"), AssumeRolePolicyDocument: aws.String(trust)})
	mustOK(t, "CreateRole", err)
	_, err = ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("annotations"), PolicyName: aws.String("read"), PolicyDocument: aws.String(read)})
	mustOK(t, "PutRolePolicy", err)
	const roleARN = "arn:aws:iam::000000000000:role/annotations"

	// A user allowed to configure metadata but not to pass the role.
	_, err = ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("cfg")})
	mustOK(t, "CreateUser", err)
	_, err = ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("cfg"), PolicyName: aws.String("md"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*MetadataTableConfiguration","s3:UpdateBucketMetadata*"],"Resource":"*"}]}`)})
	mustOK(t, "PutUserPolicy", err)
	key, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("cfg")})
	mustOK(t, "CreateAccessKey", err)
	uc := s3.NewFromConfig(awsConfig(srv, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""), func(o *s3.Options) { o.UsePathStyle = true })
	withRole := &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0),
		AnnotationTableConfiguration: &types.AnnotationTableConfiguration{ConfigurationState: types.AnnotationConfigurationStateEnabled, Role: aws.String(roleARN)}}
	rqCode(t, mdCreateV2(t, uc, "mdrole", withRole), "AccessDenied", http.StatusForbidden)
	// Allowed iam:PassRole on the role, the same user may.
	_, err = ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("cfg"), PolicyName: aws.String("pass"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + roleARN + `"}]}`)})
	mustOK(t, "PutUserPolicy", err)
	deadline := time.Now().Add(10 * time.Second) // the user's policies may be cached briefly
	for {
		err := mdCreateV2(t, uc, "mdrole", withRole)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("create with iam:PassRole: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := waitTable(t, c, "mdrole", "annotation table ACTIVE", func(r *types.MetadataConfigurationResult) bool {
		a := r.AnnotationTableConfigurationResult
		return a != nil && aws.ToString(a.TableStatus) == "ACTIVE"
	})
	if got := aws.ToString(r.AnnotationTableConfigurationResult.Role); got != roleARN {
		t.Fatalf("Role = %q, want %s", got, roleARN)
	}
	// Without its permissions the role cannot read the annotations: the
	// table fails, and is written again once they are back.
	_, err = ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("annotations"), PolicyName: aws.String("read")})
	mustOK(t, "DeleteRolePolicy", err)
	if _, err := c.PutObjectAnnotation(ctx, &s3.PutObjectAnnotationInput{Bucket: aws.String("mdrole"), Key: aws.String("a.txt"),
		AnnotationName: aws.String("review"), AnnotationPayload: strings.NewReader("ok")}); err != nil {
		t.Fatal(err)
	}
	r = waitTable(t, c, "mdrole", "annotation table FAILED", func(r *types.MetadataConfigurationResult) bool {
		return aws.ToString(r.AnnotationTableConfigurationResult.TableStatus) == "FAILED"
	})
	if e := r.AnnotationTableConfigurationResult.Error; e == nil || aws.ToString(e.ErrorCode) != "AccessDeniedCreatingResources" {
		t.Fatalf("annotation table error without the role's permissions: %+v", e)
	}
	_, err = ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("annotations"), PolicyName: aws.String("read"), PolicyDocument: aws.String(read)})
	mustOK(t, "PutRolePolicy", err)
	waitTable(t, c, "mdrole", "annotation table ACTIVE again", func(r *types.MetadataConfigurationResult) bool {
		return aws.ToString(r.AnnotationTableConfigurationResult.TableStatus) == "ACTIVE"
	})
	// Update checks a new role as Create does.
	_, err = c.UpdateBucketMetadataAnnotationTableConfiguration(ctx, &s3.UpdateBucketMetadataAnnotationTableConfigurationInput{Bucket: aws.String("mdrole"),
		AnnotationTableConfiguration: &types.AnnotationTableConfigurationUpdates{ConfigurationState: types.AnnotationConfigurationStateEnabled, Role: aws.String("arn:aws:iam::000000000000:role/missing")}})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
}
