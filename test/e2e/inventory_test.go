package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/parquet-go/parquet-go"

	"talus/internal/inventory"
	"talus/internal/testserver"
)

var allInventoryFields = []types.InventoryOptionalField{"Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded",
	"ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode", "ObjectLockLegalHoldStatus",
	"IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm", "ObjectAccessControlList", "ObjectOwner", "LifecycleExpirationDate"}

// waitManifests polls until n manifest.json objects exist under prefix.
func waitManifests(t *testing.T, c *s3.Client, bucket, prefix string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, o := range out.Contents {
			if strings.HasSuffix(*o.Key, "/manifest.json") {
				found = append(found, *o.Key)
			}
		}
		if len(found) >= n {
			sort.Strings(found)
			return found
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d manifests under %s/%s, want %d", len(found), bucket, prefix, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestInventoryReports: a Daily CSV report of all versions under a
// prefix with every optional field, SSE-S3 encrypted, and a Parquet
// report of current versions encrypted with SSE-KMS, each in AWS's layout: data files, then
// manifest.json (fields as AWS's example), manifest.checksum (its MD5)
// and hive/dt=.../symlink.txt; a next report comes a lifecycle day later.
func TestInventoryReports(t *testing.T) {
	day := 3 * time.Second
	srv := testserver.Start(t, testserver.WithLifecycleDay(day))
	c := srv.Client()
	admin := adminAccount(srv)
	mustCreateBucket(t, c, "invsrc")
	mustCreateBucket(t, c, "invdest")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("invsrc"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	putBucketPolicy(t, c, "invdest", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"inventory.s3.amazonaws.com"},`+
		`"Action":"s3:PutObject","Resource":"arn:aws:s3:::invdest/*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::invsrc"},"StringEquals":{"aws:SourceAccount":"`+admin.ID+`"}}}]}`)
	v1 := mustPut(t, c, "invsrc", "docs/a.txt", []byte("one"))
	v2 := mustPut(t, c, "invsrc", "docs/a.txt", []byte("second"))
	mustPut(t, c, "invsrc", "docs/b c.txt", []byte("bee"))
	mustPut(t, c, "invsrc", "other/x", []byte("x"))
	mustPut(t, c, "invsrc", "docs/gone", []byte("g"))
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("invsrc"), Key: aws.String("docs/gone")})
	if err != nil {
		t.Fatal(err)
	}

	csvCfg := &types.InventoryConfiguration{Id: aws.String("csv-all"), IsEnabled: aws.Bool(true),
		IncludedObjectVersions: types.InventoryIncludedObjectVersionsAll, Filter: &types.InventoryFilter{Prefix: aws.String("docs/")},
		OptionalFields: allInventoryFields, Schedule: &types.InventorySchedule{Frequency: types.InventoryFrequencyDaily},
		Destination: &types.InventoryDestination{S3BucketDestination: &types.InventoryS3BucketDestination{
			Bucket: aws.String("arn:aws:s3:::invdest"), Format: types.InventoryFormatCsv, Prefix: aws.String("inv"), AccountId: aws.String(admin.ID),
			Encryption: &types.InventoryEncryption{SSES3: &types.SSES3{}}}}}
	if _, err := c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: aws.String("invsrc"), Id: csvCfg.Id, InventoryConfiguration: csvCfg}); err != nil {
		t.Fatal(err)
	}
	pqCfg := &types.InventoryConfiguration{Id: aws.String("pq-current"), IsEnabled: aws.Bool(true),
		IncludedObjectVersions: types.InventoryIncludedObjectVersionsCurrent, OptionalFields: []types.InventoryOptionalField{"Size", "ETag", "LastModifiedDate", "EncryptionStatus"},
		Schedule: &types.InventorySchedule{Frequency: types.InventoryFrequencyWeekly},
		Destination: &types.InventoryDestination{S3BucketDestination: &types.InventoryS3BucketDestination{
			Bucket: aws.String("arn:aws:s3:::invdest"), Format: types.InventoryFormatParquet,
			Encryption: &types.InventoryEncryption{SSEKMS: &types.SSEKMS{KeyId: aws.String("alias/aws/s3")}}}}}
	if _, err := c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: aws.String("invsrc"), Id: pqCfg.Id, InventoryConfiguration: pqCfg}); err != nil {
		t.Fatal(err)
	}

	manifests := waitManifests(t, c, "invdest", "inv/invsrc/csv-all/", 1)
	mkRE := regexp.MustCompile(`^inv/invsrc/csv-all/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z/manifest\.json$`)
	if !mkRE.MatchString(manifests[0]) {
		t.Fatalf("manifest key %q", manifests[0])
	}
	raw := mustGet(t, c, "invdest", manifests[0])
	sum := md5.Sum(raw)
	if got := string(mustGet(t, c, "invdest", strings.TrimSuffix(manifests[0], ".json")+".checksum")); got != hex.EncodeToString(sum[:]) {
		t.Errorf("manifest.checksum %q, want the manifest's MD5 %x", got, sum)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"sourceBucket": "invsrc", "destinationBucket": "arn:aws:s3:::invdest", "version": "2016-11-30", "fileFormat": "CSV",
		"fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner, LifecycleExpirationDate"} {
		if m[k] != want {
			t.Errorf("manifest %s = %v, want %q", k, m[k], want)
		}
	}
	// The manifest has exactly the members of AWS's example manifest, and
	// each file entry exactly key, size and MD5checksum.
	var members []string
	for k := range m {
		members = append(members, k)
	}
	sort.Strings(members)
	if got := strings.Join(members, " "); got != "creationTimestamp destinationBucket fileFormat fileSchema files sourceBucket version" {
		t.Errorf("manifest members %q, want AWS's example's", got)
	}
	if files, ok := m["files"].([]any); ok && len(files) > 0 {
		var fm []string
		for k := range files[0].(map[string]any) {
			fm = append(fm, k)
		}
		sort.Strings(fm)
		if got := strings.Join(fm, " "); got != "MD5checksum key size" {
			t.Errorf("manifest file entry members %q, want key, size, MD5checksum", got)
		}
	}
	if ts, ok := m["creationTimestamp"].(string); !ok || len(ts) != 13 {
		t.Errorf("creationTimestamp %v is not epoch milliseconds", m["creationTimestamp"])
	}
	var man inventory.Manifest
	json.Unmarshal(raw, &man)
	if len(man.Files) != 1 || !regexp.MustCompile(`^inv/invsrc/csv-all/data/[0-9a-f-]{36}\.csv\.gz$`).MatchString(man.Files[0].Key) {
		t.Fatalf("files %+v", man.Files)
	}
	data := mustGet(t, c, "invdest", man.Files[0].Key)
	dsum := md5.Sum(data)
	if int64(len(data)) != man.Files[0].Size || hex.EncodeToString(dsum[:]) != man.Files[0].MD5checksum {
		t.Errorf("data file size/MD5 %d %x, manifest says %d %s", len(data), dsum, man.Files[0].Size, man.Files[0].MD5checksum)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("invdest"), Key: aws.String(man.Files[0].Key)})
	if err != nil {
		t.Fatal(err)
	}
	if head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("report encryption %q, want SSE-S3", head.ServerSideEncryption)
	}
	rows, err := inventory.ReadCSV(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 { // a.txt ×2, "b c.txt", gone + its delete marker
		t.Fatalf("%d rows, want 5: %q", len(rows), rows)
	}
	byVersion := map[string][]string{}
	for _, r := range rows {
		if len(r) != 21 {
			t.Fatalf("row has %d columns, want 21: %q", len(r), r)
		}
		byVersion[r[2]] = r
	}
	r := byVersion[aws.ToString(v1.VersionId)]
	if r == nil {
		t.Fatalf("no row for version %s: %q", aws.ToString(v1.VersionId), rows)
	}
	etag := strings.Trim(aws.ToString(v1.ETag), `"`)
	want := []string{"invsrc", "docs/a.txt", aws.ToString(v1.VersionId), "false", "false", "3", "", etag, "STANDARD", "false", "", "SSE-S3", "", "", "OFF", "", "", "CRC32", "", admin.CanonicalID, ""}
	for i, w := range want {
		if w != "" && r[i] != w {
			t.Errorf("column %d = %q, want %q", i+1, r[i], w)
		}
	}
	if _, err := time.Parse(inventory.DateLayout, r[6]); err != nil {
		t.Errorf("LastModifiedDate %q: %v", r[6], err)
	}
	if r[18] == "" {
		t.Error("ObjectAccessControlList empty")
	}
	if r := byVersion[aws.ToString(v2.VersionId)]; r == nil || r[3] != "true" || r[5] != "6" {
		t.Errorf("latest version row %q", r)
	}
	if r := byVersion[aws.ToString(del.VersionId)]; r == nil || r[4] != "true" || r[5] != "" {
		t.Errorf("delete marker row %q", r)
	}
	spaced := false
	for _, r := range rows {
		if strings.HasPrefix(r[1], "other/") {
			t.Errorf("row outside the filter prefix: %q", r)
		}
		spaced = spaced || r[1] == "docs/b+c.txt"
	}
	if !spaced {
		t.Errorf("no URL-encoded key docs/b+c.txt in %q", rows)
	}
	stamp := regexp.MustCompile(`/(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})Z/`).FindStringSubmatch(manifests[0])
	sym := string(mustGet(t, c, "invdest", "inv/invsrc/csv-all/hive/dt="+stamp[1]+"-"+stamp[2]+"-"+stamp[3]+"-"+stamp[4]+"-"+stamp[5]+"/symlink.txt"))
	if sym != "s3://invdest/"+man.Files[0].Key+"\n" {
		t.Errorf("symlink.txt = %q", sym)
	}

	// Parquet, current versions only.
	pm := waitManifests(t, c, "invdest", "invsrc/pq-current/", 1)
	var pman inventory.Manifest
	json.Unmarshal(mustGet(t, c, "invdest", pm[0]), &pman)
	if pman.FileFormat != "Parquet" || len(pman.Files) != 1 || !strings.HasSuffix(pman.Files[0].Key, ".parquet") {
		t.Fatalf("parquet manifest %+v", pman)
	}
	ph, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("invdest"), Key: aws.String(pman.Files[0].Key)})
	if err != nil {
		t.Fatal(err)
	}
	if ph.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.Contains(aws.ToString(ph.SSEKMSKeyId), ":key/") {
		t.Errorf("SSE-KMS report encryption %q key %q", ph.ServerSideEncryption, aws.ToString(ph.SSEKMSKeyId))
	}
	pdata := mustGet(t, c, "invdest", pman.Files[0].Key)
	pf, err := parquet.OpenFile(bytes.NewReader(pdata), int64(len(pdata)))
	if err != nil {
		t.Fatal(err)
	}
	type pqRow struct {
		Bucket           string     `parquet:"bucket"`
		Key              string     `parquet:"key"`
		Size             *int64     `parquet:"size"`
		ETag             *string    `parquet:"e_tag"`
		LastModified     *time.Time `parquet:"last_modified_date,timestamp(millisecond)"`
		EncryptionStatus *string    `parquet:"encryption_status"`
	}
	reader := parquet.NewGenericReader[pqRow](pf)
	prow := make([]pqRow, 10)
	n, _ := reader.Read(prow)
	if n != 3 { // a.txt, "b c.txt", other/x; gone is a delete marker
		t.Fatalf("parquet rows %d, want 3 current: %+v", n, prow[:n])
	}
	found := map[string]pqRow{}
	for _, r := range prow[:n] {
		found[r.Key] = r
	}
	if r, ok := found["docs/a.txt"]; !ok || r.Bucket != "invsrc" || r.Size == nil || *r.Size != 6 || r.ETag == nil || *r.ETag != strings.Trim(aws.ToString(v2.ETag), `"`) ||
		r.EncryptionStatus == nil || *r.EncryptionStatus != "SSE-S3" || r.LastModified == nil || time.Since(*r.LastModified) > time.Minute {
		t.Errorf("parquet row for docs/a.txt: %+v", r)
	}

	// Daily: another report a lifecycle day later (under a test clock
	// shorter than a minute it may replace the first: same minute stamp);
	// Weekly: not yet.
	first := m["creationTimestamp"]
	deadline := time.Now().Add(4 * day)
	for {
		var later map[string]any
		keys := waitManifests(t, c, "invdest", "inv/invsrc/csv-all/", 1)
		json.Unmarshal(mustGet(t, c, "invdest", keys[len(keys)-1]), &later)
		if later["creationTimestamp"] != first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no second Daily report after four lifecycle days")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := waitManifests(t, c, "invdest", "invsrc/pq-current/", 1); len(got) != 1 {
		t.Errorf("weekly report written %d times within a few days", len(got))
	}
}

// TestInventoryConfigurations: Put/Get/List/Delete and S3's validation.
func TestInventoryConfigurations(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "invcfg")
	cfg := func(id string, format types.InventoryFormat) *types.InventoryConfiguration {
		return &types.InventoryConfiguration{Id: aws.String(id), IsEnabled: aws.Bool(true),
			IncludedObjectVersions: types.InventoryIncludedObjectVersionsCurrent, Schedule: &types.InventorySchedule{Frequency: types.InventoryFrequencyDaily},
			Destination: &types.InventoryDestination{S3BucketDestination: &types.InventoryS3BucketDestination{
				Bucket: aws.String("arn:aws:s3:::dest"), Format: format,
				Encryption: &types.InventoryEncryption{SSEKMS: &types.SSEKMS{KeyId: aws.String("arn:aws:kms:us-east-1:000000000000:key/k")}}}}}
	}
	put := func(id string, ic *types.InventoryConfiguration) error {
		_, err := c.PutBucketInventoryConfiguration(ctx, &s3.PutBucketInventoryConfigurationInput{Bucket: aws.String("invcfg"), Id: aws.String(id), InventoryConfiguration: ic})
		return err
	}
	for i := range 105 {
		if err := put("cfg-"+string(rune('a'+i/26))+string(rune('a'+i%26)), cfg("cfg-"+string(rune('a'+i/26))+string(rune('a'+i%26)), types.InventoryFormatCsv)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: aws.String("invcfg"), Id: aws.String("cfg-aa")})
	if err != nil {
		t.Fatal(err)
	}
	ic := got.InventoryConfiguration
	if aws.ToString(ic.Id) != "cfg-aa" || ic.Destination.S3BucketDestination.Encryption.SSEKMS == nil ||
		aws.ToString(ic.Destination.S3BucketDestination.Bucket) != "arn:aws:s3:::dest" || ic.Schedule.Frequency != types.InventoryFrequencyDaily {
		t.Fatalf("Get = %+v", ic)
	}
	l1, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String("invcfg")})
	if err != nil {
		t.Fatal(err)
	}
	if len(l1.InventoryConfigurationList) != 100 || !aws.ToBool(l1.IsTruncated) {
		t.Fatalf("first page: %d, truncated %v", len(l1.InventoryConfigurationList), aws.ToBool(l1.IsTruncated))
	}
	l2, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String("invcfg"), ContinuationToken: l1.NextContinuationToken})
	if err != nil || len(l2.InventoryConfigurationList) != 5 || aws.ToBool(l2.IsTruncated) {
		t.Fatalf("second page: %v %v", l2, err)
	}
	if _, err := c.DeleteBucketInventoryConfiguration(ctx, &s3.DeleteBucketInventoryConfigurationInput{Bucket: aws.String("invcfg"), Id: aws.String("cfg-aa")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: aws.String("invcfg"), Id: aws.String("cfg-aa")})
	mustCode(t, err, "NoSuchConfiguration")
	_, err = c.DeleteBucketInventoryConfiguration(ctx, &s3.DeleteBucketInventoryConfigurationInput{Bucket: aws.String("invcfg"), Id: aws.String("cfg-aa")})
	mustCode(t, err, "NoSuchConfiguration")

	mustCode(t, put("orc", cfg("orc", types.InventoryFormatOrc)), "NotImplemented")
	mustCode(t, put("other", cfg("mismatch", types.InventoryFormatCsv)), "InvalidArgument")
	mustCode(t, put("bad id!", cfg("bad id!", types.InventoryFormatCsv)), "InvalidArgument")
	bad := cfg("badfield", types.InventoryFormatCsv)
	bad.OptionalFields = []types.InventoryOptionalField{"NoSuchField"}
	mustCode(t, put("badfield", bad), "MalformedXML")
	bad = cfg("badfreq", types.InventoryFormatCsv)
	bad.Schedule.Frequency = "Hourly"
	mustCode(t, put("badfreq", bad), "MalformedXML")
}
