package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func mdCreateV2(t *testing.T, c *s3.Client, bucket string, cfg *types.MetadataConfiguration) error {
	t.Helper()
	_, err := c.CreateBucketMetadataConfiguration(ctx, &s3.CreateBucketMetadataConfigurationInput{Bucket: aws.String(bucket), MetadataConfiguration: cfg})
	return err
}

func mdGetV2(t *testing.T, c *s3.Client, bucket string) *types.MetadataConfigurationResult {
	t.Helper()
	out, err := c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("GetBucketMetadataConfiguration(%s): %v", bucket, err)
	}
	if out.GetBucketMetadataConfigurationResult == nil || out.GetBucketMetadataConfigurationResult.MetadataConfigurationResult == nil {
		t.Fatalf("GetBucketMetadataConfiguration(%s): empty result", bucket)
	}
	return out.GetBucketMetadataConfigurationResult.MetadataConfigurationResult
}

func journalDays(d int32) *types.JournalTableConfiguration {
	if d == 0 {
		return &types.JournalTableConfiguration{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateDisabled}}
	}
	return &types.JournalTableConfiguration{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateEnabled, Days: aws.Int32(d)}}
}

func TestMetadataConfigurationV2(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mdv2")
	b := aws.String("mdv2")

	_, err := c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: b})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)
	_, err = c.GetBucketMetadataTableConfiguration(ctx, &s3.GetBucketMetadataTableConfigurationInput{Bucket: b})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)
	_, err = c.DeleteBucketMetadataConfiguration(ctx, &s3.DeleteBucketMetadataConfigurationInput{Bucket: b})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)
	_, err = c.UpdateBucketMetadataJournalTableConfiguration(ctx, &s3.UpdateBucketMetadataJournalTableConfigurationInput{Bucket: b,
		JournalTableConfiguration: &types.JournalTableConfigurationUpdates{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateDisabled}}})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)

	cfg := &types.MetadataConfiguration{JournalTableConfiguration: journalDays(30),
		InventoryTableConfiguration: &types.InventoryTableConfiguration{ConfigurationState: types.InventoryConfigurationStateEnabled,
			EncryptionConfiguration: &types.MetadataTableEncryptionConfiguration{SseAlgorithm: types.TableSseAlgorithmAes256}}}
	if err := mdCreateV2(t, c, "mdv2", cfg); err != nil {
		t.Fatalf("CreateBucketMetadataConfiguration: %v", err)
	}
	rqCode(t, mdCreateV2(t, c, "mdv2", cfg), "MetadataTableAlreadyExistsError", http.StatusConflict)

	r := mdGetV2(t, c, "mdv2")
	d := r.DestinationResult
	if d.TableBucketType != types.S3TablesBucketTypeAws || aws.ToString(d.TableBucketArn) != "arn:aws:s3tables:us-east-1:000000000000:bucket/aws-s3" ||
		aws.ToString(d.TableNamespace) != "b_mdv2" {
		t.Fatalf("destination: %+v", d)
	}
	j := r.JournalTableConfigurationResult
	if j == nil || aws.ToString(j.TableName) != "journal" || !okStatus(aws.ToString(j.TableStatus)) || j.RecordExpiration == nil ||
		j.RecordExpiration.Expiration != types.ExpirationStateEnabled || aws.ToInt32(j.RecordExpiration.Days) != 30 ||
		!strings.HasPrefix(aws.ToString(j.TableArn), "arn:aws:s3tables:us-east-1:000000000000:bucket/aws-s3/table/") {
		t.Fatalf("journal: %+v", j)
	}
	inv := r.InventoryTableConfigurationResult
	if inv == nil || inv.ConfigurationState != types.InventoryConfigurationStateEnabled || aws.ToString(inv.TableName) != "inventory" ||
		!okStatus(aws.ToString(inv.TableStatus)) || !strings.Contains(aws.ToString(inv.TableArn), "/table/") || inv.TableArn == j.TableArn {
		t.Fatalf("inventory: %+v", inv)
	}
	if r.AnnotationTableConfigurationResult != nil {
		t.Fatalf("annotation result without an annotation configuration: %+v", r.AnnotationTableConfigurationResult)
	}

	// V1 Get and Delete refuse a V2 configuration.
	_, err = c.GetBucketMetadataTableConfiguration(ctx, &s3.GetBucketMetadataTableConfigurationInput{Bucket: b})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)
	_, err = c.DeleteBucketMetadataTableConfiguration(ctx, &s3.DeleteBucketMetadataTableConfigurationInput{Bucket: b})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)

	// Record expiration can be changed and turned off.
	if _, err := c.UpdateBucketMetadataJournalTableConfiguration(ctx, &s3.UpdateBucketMetadataJournalTableConfigurationInput{Bucket: b,
		JournalTableConfiguration: &types.JournalTableConfigurationUpdates{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateDisabled}}}); err != nil {
		t.Fatalf("UpdateBucketMetadataJournalTableConfiguration: %v", err)
	}
	if e := mdGetV2(t, c, "mdv2").JournalTableConfigurationResult.RecordExpiration; e.Expiration != types.ExpirationStateDisabled || e.Days != nil {
		t.Fatalf("record expiration after DISABLED: %+v", e)
	}
	_, err = c.UpdateBucketMetadataJournalTableConfiguration(ctx, &s3.UpdateBucketMetadataJournalTableConfigurationInput{Bucket: b,
		JournalTableConfiguration: &types.JournalTableConfigurationUpdates{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateEnabled, Days: aws.Int32(3)}}})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)

	// Re-enabling an enabled inventory keeps its table; disabling drops it
	// from the configuration.
	before := aws.ToString(mdGetV2(t, c, "mdv2").InventoryTableConfigurationResult.TableArn)
	mdInventory(t, c, "mdv2", types.InventoryConfigurationStateEnabled)
	if after := aws.ToString(mdGetV2(t, c, "mdv2").InventoryTableConfigurationResult.TableArn); after != before {
		t.Fatalf("inventory table changed on re-enable: %s -> %s", before, after)
	}
	mdInventory(t, c, "mdv2", types.InventoryConfigurationStateDisabled)
	if inv := mdGetV2(t, c, "mdv2").InventoryTableConfigurationResult; inv == nil || inv.ConfigurationState != types.InventoryConfigurationStateDisabled ||
		inv.TableStatus != nil || inv.TableName != nil || inv.TableArn != nil {
		t.Fatalf("inventory after DISABLED: %+v", inv)
	}
	mdInventory(t, c, "mdv2", types.InventoryConfigurationStateEnabled)
	if inv := mdGetV2(t, c, "mdv2").InventoryTableConfigurationResult; aws.ToString(inv.TableArn) == before || !okStatus(aws.ToString(inv.TableStatus)) {
		t.Fatalf("inventory enabled again: %+v (old table %s)", inv, before)
	}

	// The annotation table is enabled and disabled the same way.
	annot := func(state types.AnnotationConfigurationState) {
		t.Helper()
		if _, err := c.UpdateBucketMetadataAnnotationTableConfiguration(ctx, &s3.UpdateBucketMetadataAnnotationTableConfigurationInput{Bucket: b,
			AnnotationTableConfiguration: &types.AnnotationTableConfigurationUpdates{ConfigurationState: state}}); err != nil {
			t.Fatalf("UpdateBucketMetadataAnnotationTableConfiguration(%s): %v", state, err)
		}
	}
	annot(types.AnnotationConfigurationStateEnabled)
	if an := mdGetV2(t, c, "mdv2").AnnotationTableConfigurationResult; an == nil || an.ConfigurationState != types.AnnotationConfigurationStateEnabled ||
		aws.ToString(an.TableName) != "annotation" || !okStatus(aws.ToString(an.TableStatus)) || !strings.Contains(aws.ToString(an.TableArn), "/table/") {
		t.Fatalf("annotation table: %+v", an)
	}
	annot(types.AnnotationConfigurationStateDisabled)
	if an := mdGetV2(t, c, "mdv2").AnnotationTableConfigurationResult; an == nil || an.ConfigurationState != types.AnnotationConfigurationStateDisabled || an.TableArn != nil {
		t.Fatalf("annotation table disabled: %+v", an)
	}

	if _, err := c.DeleteBucketMetadataConfiguration(ctx, &s3.DeleteBucketMetadataConfigurationInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketMetadataConfiguration: %v", err)
	}
	_, err = c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: b})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)
	// A new configuration can be made once the old one is gone.
	if err := mdCreateV2(t, c, "mdv2", &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0)}); err != nil {
		t.Fatalf("CreateBucketMetadataConfiguration again: %v", err)
	}
	if r := mdGetV2(t, c, "mdv2"); r.InventoryTableConfigurationResult != nil || r.JournalTableConfigurationResult.RecordExpiration.Expiration != types.ExpirationStateDisabled {
		t.Fatalf("second configuration: %+v", r)
	}
}

func okStatus(s string) bool {
	return s == "CREATING" || s == "BACKFILLING" || s == "ACTIVE"
}

func mdInventory(t *testing.T, c *s3.Client, bucket string, state types.InventoryConfigurationState) {
	t.Helper()
	if _, err := c.UpdateBucketMetadataInventoryTableConfiguration(ctx, &s3.UpdateBucketMetadataInventoryTableConfigurationInput{Bucket: aws.String(bucket),
		InventoryTableConfiguration: &types.InventoryTableConfigurationUpdates{ConfigurationState: state}}); err != nil {
		t.Fatalf("UpdateBucketMetadataInventoryTableConfiguration(%s): %v", state, err)
	}
}

func TestMetadataConfigurationV1(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mdv1")
	b := aws.String("mdv1")
	arn := "arn:aws:s3tables:us-east-1:000000000000:bucket/my-tables"
	create := func(arn, name string) error {
		_, err := c.CreateBucketMetadataTableConfiguration(ctx, &s3.CreateBucketMetadataTableConfigurationInput{Bucket: b,
			MetadataTableConfiguration: &types.MetadataTableConfiguration{S3TablesDestination: &types.S3TablesDestination{TableBucketArn: aws.String(arn), TableName: aws.String(name)}}})
		return err
	}
	rqCode(t, create("arn:aws:s3:::my-tables", "meta"), "InvalidArgument", http.StatusBadRequest)
	rqCode(t, create("arn:aws:s3tables:eu-west-1:000000000000:bucket/my-tables", "meta"), "InvalidRequest", http.StatusBadRequest)
	rqCode(t, create("arn:aws:s3tables:us-east-1:111111111111:bucket/my-tables", "meta"), "InvalidRequest", http.StatusBadRequest)
	rqCode(t, create(arn, "Bad-Name"), "InvalidArgument", http.StatusBadRequest)
	if err := create(arn, "mdv1_journal"); err != nil {
		t.Fatalf("CreateBucketMetadataTableConfiguration: %v", err)
	}
	rqCode(t, create(arn, "other"), "MetadataTableAlreadyExistsError", http.StatusConflict)
	rqCode(t, mdCreateV2(t, c, "mdv1", &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0)}), "MetadataTableAlreadyExistsError", http.StatusConflict)

	out, err := c.GetBucketMetadataTableConfiguration(ctx, &s3.GetBucketMetadataTableConfigurationInput{Bucket: b})
	if err != nil {
		t.Fatalf("GetBucketMetadataTableConfiguration: %v", err)
	}
	res := out.GetBucketMetadataTableConfigurationResult
	dst := res.MetadataTableConfigurationResult.S3TablesDestinationResult
	if !okStatus(aws.ToString(res.Status)) || aws.ToString(dst.TableBucketArn) != arn || aws.ToString(dst.TableName) != "mdv1_journal" ||
		aws.ToString(dst.TableNamespace) != "aws_s3_metadata" || !strings.HasPrefix(aws.ToString(dst.TableArn), arn+"/table/") || res.Error != nil {
		t.Fatalf("V1 result: status %v %+v", aws.ToString(res.Status), dst)
	}
	r := mdGetV2(t, c, "mdv1")
	if r.DestinationResult.TableBucketType != types.S3TablesBucketTypeCustomer || aws.ToString(r.DestinationResult.TableBucketArn) != arn ||
		aws.ToString(r.JournalTableConfigurationResult.TableName) != "mdv1_journal" || r.JournalTableConfigurationResult.RecordExpiration.Expiration != types.ExpirationStateDisabled {
		t.Fatalf("V1 configuration seen through V2: %+v %+v", r.DestinationResult, r.JournalTableConfigurationResult)
	}
	// The V2 updates need a V2 configuration.
	_, err = c.UpdateBucketMetadataInventoryTableConfiguration(ctx, &s3.UpdateBucketMetadataInventoryTableConfigurationInput{Bucket: b,
		InventoryTableConfiguration: &types.InventoryTableConfigurationUpdates{ConfigurationState: types.InventoryConfigurationStateEnabled}})
	rqCode(t, err, "MethodNotAllowed", http.StatusMethodNotAllowed)

	if _, err := c.DeleteBucketMetadataTableConfiguration(ctx, &s3.DeleteBucketMetadataTableConfigurationInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketMetadataTableConfiguration: %v", err)
	}
	_, err = c.GetBucketMetadataTableConfiguration(ctx, &s3.GetBucketMetadataTableConfigurationInput{Bucket: b})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)
	// V2 Delete also removes a V1 configuration.
	if err := create(arn, "mdv1_journal"); err != nil {
		t.Fatalf("CreateBucketMetadataTableConfiguration again: %v", err)
	}
	if _, err := c.DeleteBucketMetadataConfiguration(ctx, &s3.DeleteBucketMetadataConfigurationInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketMetadataConfiguration of a V1 configuration: %v", err)
	}
}

func TestMetadataConfigurationValidation(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "mdval")

	rqCode(t, mdCreateV2(t, c, "mdnone", &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0)}), "NoSuchBucket", http.StatusNotFound)
	rqCode(t, mdCreateV2(t, c, "mdval", &types.MetadataConfiguration{JournalTableConfiguration: journalDays(6)}), "InvalidArgument", http.StatusBadRequest)
	rqCode(t, mdCreateV2(t, c, "mdval", &types.MetadataConfiguration{JournalTableConfiguration: &types.JournalTableConfiguration{
		RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateEnabled}}}), "InvalidArgument", http.StatusBadRequest)
	rqCode(t, mdCreateV2(t, c, "mdval", &types.MetadataConfiguration{JournalTableConfiguration: &types.JournalTableConfiguration{
		RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateDisabled, Days: aws.Int32(10)}}}), "InvalidArgument", http.StatusBadRequest)
	kms := func(alg types.TableSseAlgorithm, arn string) *types.MetadataConfiguration {
		j := journalDays(0)
		j.EncryptionConfiguration = &types.MetadataTableEncryptionConfiguration{SseAlgorithm: alg}
		if arn != "" {
			j.EncryptionConfiguration.KmsKeyArn = aws.String(arn)
		}
		return &types.MetadataConfiguration{JournalTableConfiguration: j}
	}
	rqCode(t, mdCreateV2(t, c, "mdval", kms(types.TableSseAlgorithmAwsKms, "")), "InvalidArgument", http.StatusBadRequest)
	rqCode(t, mdCreateV2(t, c, "mdval", kms(types.TableSseAlgorithmAes256, "arn:aws:kms:us-east-1:000000000000:key/k")), "InvalidArgument", http.StatusBadRequest)
	rqCode(t, mdCreateV2(t, c, "mdval", kms(types.TableSseAlgorithmAwsKms, "arn:aws:kms:eu-west-1:000000000000:key/k")), "InvalidArgument", http.StatusBadRequest)
	// A KMS key that does not exist, is disabled or is AWS managed.
	rqCode(t, mdCreateV2(t, c, "mdval", kms(types.TableSseAlgorithmAwsKms, "arn:aws:kms:us-east-1:000000000000:key/k")), "KMS.NotFoundException", http.StatusBadRequest)
	off, err := srv.Server().KMS().CreateKey(ctx, "", "off")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Server().KMS().DisableKey(ctx, off.ID); err != nil {
		t.Fatal(err)
	}
	rqCode(t, mdCreateV2(t, c, "mdval", kms(types.TableSseAlgorithmAwsKms, off.ARN)), "KMS.DisabledException", http.StatusBadRequest)
	managed, err := srv.Server().KMS().Describe(ctx, "alias/aws/s3")
	if err != nil {
		t.Fatal(err)
	}
	rqCode(t, mdCreateV2(t, c, "mdval", kms(types.TableSseAlgorithmAwsKms, managed.ARN)), "InvalidArgument", http.StatusBadRequest)
	// A Role that is not a role ARN, of another account, missing, or not
	// trusting the metadata service.
	role := func(arn string) *types.MetadataConfiguration {
		return &types.MetadataConfiguration{JournalTableConfiguration: journalDays(0),
			AnnotationTableConfiguration: &types.AnnotationTableConfiguration{ConfigurationState: types.AnnotationConfigurationStateEnabled, Role: aws.String(arn)}}
	}
	_, err = rootIAM(srv).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("untrusting"), AssumeRolePolicyDocument: aws.String(trustOf("arn:aws:iam::000000000000:root"))})
	mustOK(t, "CreateRole", err)
	for _, arn := range []string{"metadata", "arn:aws:iam::000000000000:user/metadata", "arn:aws:iam::111111111111:role/metadata",
		"arn:aws:iam::000000000000:role/none", "arn:aws:iam::000000000000:role/untrusting"} {
		rqCode(t, mdCreateV2(t, c, "mdval", role(arn)), "InvalidArgument", http.StatusBadRequest)
	}

	// Bodies the SDK would not send.
	for name, body := range map[string]string{
		"no journal":         `<MetadataConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></MetadataConfiguration>`,
		"no expiration":      `<MetadataConfiguration><JournalTableConfiguration></JournalTableConfiguration></MetadataConfiguration>`,
		"unknown expiration": `<MetadataConfiguration><JournalTableConfiguration><RecordExpiration><Expiration>SOMETIMES</Expiration></RecordExpiration></JournalTableConfiguration></MetadataConfiguration>`,
		"bad state":          `<MetadataConfiguration><JournalTableConfiguration><RecordExpiration><Expiration>DISABLED</Expiration></RecordExpiration></JournalTableConfiguration><InventoryTableConfiguration><ConfigurationState>ON</ConfigurationState></InventoryTableConfiguration></MetadataConfiguration>`,
		"wrong root":         `<MetadataTableConfiguration/>`,
	} {
		res := rqDo(t, rqSigned(t, http.MethodPost, srv.URL+"/mdval?metadataConfiguration", []byte(body)))
		if res.Status != http.StatusBadRequest || parseCORSError(t, res.Body).Code != "MalformedXML" {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	// Nothing was stored by the refused requests.
	_, err = c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: aws.String("mdval")})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)
	_, err = c.UpdateBucketMetadataAnnotationTableConfiguration(ctx, &s3.UpdateBucketMetadataAnnotationTableConfigurationInput{Bucket: aws.String("mdval"),
		AnnotationTableConfiguration: &types.AnnotationTableConfigurationUpdates{ConfigurationState: types.AnnotationConfigurationStateEnabled}})
	rqCode(t, err, "MetadataConfigurationNotFound", http.StatusNotFound)
}
