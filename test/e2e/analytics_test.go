package e2e

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/analytics"
	"talus/internal/testserver"
)

// TestAnalyticsExport: a storage class analysis configuration with a
// prefix filter and a DataExport writes a daily CSV with AWS's columns:
// object counts and storage by age group from the bucket, GET counts and
// bytes retrieved from the requests served.
func TestAnalyticsExport(t *testing.T) {
	day := 3 * time.Second
	srv := testserver.Start(t, testserver.WithLifecycleDay(day))
	c := srv.Client()
	admin := adminAccount(srv)
	mustCreateBucket(t, c, "anasrc")
	mustCreateBucket(t, c, "anadest")
	putBucketPolicy(t, c, "anadest", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},`+
		`"Action":"s3:PutObject","Resource":"arn:aws:s3:::anadest/*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::anasrc"},"StringEquals":{"aws:SourceAccount":"`+admin.ID+`"}}}]}`)
	// logs/a is big enough for an age group (128 KiB or more); logs/b,
	// smaller, counts only in the ALL row, as in AWS's export.
	mustPut(t, c, "anasrc", "logs/a", bytes.Repeat([]byte("a"), 256<<10))
	mustPut(t, c, "anasrc", "logs/b", bytes.Repeat([]byte("b"), 500))
	mustPut(t, c, "anasrc", "other", []byte("o"))
	cfg := &types.AnalyticsConfiguration{Id: aws.String("logs-sca"), Filter: &types.AnalyticsFilterMemberPrefix{Value: "logs/"},
		StorageClassAnalysis: &types.StorageClassAnalysis{DataExport: &types.StorageClassAnalysisDataExport{
			OutputSchemaVersion: types.StorageClassAnalysisSchemaVersionV1,
			Destination: &types.AnalyticsExportDestination{S3BucketDestination: &types.AnalyticsS3BucketDestination{
				Bucket: aws.String("arn:aws:s3:::anadest"), Format: types.AnalyticsS3ExportFileFormatCsv, Prefix: aws.String("sca")}}}}}
	if _, err := c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: aws.String("anasrc"), Id: cfg.Id, AnalyticsConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		mustGet(t, c, "anasrc", "logs/a")
	}
	mustGet(t, c, "anasrc", "logs/b")
	mustGet(t, c, "anasrc", "other") // outside the filter

	deadline := time.Now().Add(20 * time.Second)
	var rows [][]string
	for {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("anadest"), Prefix: aws.String("sca/anasrc/logs-sca/")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) > 0 {
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("anadest"), Key: out.Contents[0].Key})
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if !strings.HasSuffix(*out.Contents[0].Key, time.Now().UTC().Format("2006-01-02")+".csv") {
				t.Errorf("export key %s", *out.Contents[0].Key)
			}
			rows, err = csv.NewReader(bytes.NewReader(raw)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no export after 20s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if strings.Join(rows[0], ",") != "Date,ConfigId,Filter,StorageClass,ObjectAge,ObjectCount,DataUploaded_MB,Storage_MB,DataRetrieved_MB,GetRequestCount,CumulativeAccessRatio,ObjectAgeForSIATransition,RecommendedObjectAgeForSIATransition" {
		t.Fatalf("header %q", rows[0])
	}
	if len(rows) != 1+len(analytics.AgeGroups)+1 {
		t.Fatalf("%d rows, want a header, %d age groups and ALL", len(rows), len(analytics.AgeGroups))
	}
	// Field by field, against the layout AWS documents: Date (MM-DD-YYYY),
	// ConfigId, Filter, StorageClass, ObjectAge, ObjectCount,
	// DataUploaded_MB, Storage_MB, DataRetrieved_MB, GetRequestCount,
	// CumulativeAccessRatio, ObjectAgeForSIATransition,
	// RecommendedObjectAgeForSIATransition.
	date := time.Now().UTC().Format("01-02-2006")
	young, all := rows[1], rows[len(rows)-1]
	mbOf := func(n int) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 6, 64) }
	checkRow := func(name string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s row has %d columns, want %d: %q", name, len(got), len(want), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s row, column %s = %q, want %q", name, rows[0][i], got[i], want[i])
			}
		}
	}
	// One 256 KiB object uploaded today, read three times: 0.25 MB stored
	// and uploaded, 0.75 MB retrieved, an access ratio of 3.
	checkRow("000-014", young, []string{date, "logs-sca", "prefix=logs/", "STANDARD", "000-014", "1", "0.250000", "0.250000", "0.750000", "3", "3.000000", "", ""})
	total := 256<<10 + 500
	checkRow("ALL", all, []string{date, "logs-sca", "prefix=logs/", "STANDARD", "ALL", "2", mbOf(total), mbOf(total), mbOf(3*256<<10 + 500), "4",
		strconv.FormatFloat(float64(3*256<<10+500)/float64(total), 'f', 6, 64), "", ""})
	for i, r := range rows[2 : len(rows)-1] {
		checkRow(analytics.AgeGroups[i+1].Name, r, []string{date, "logs-sca", "prefix=logs/", "STANDARD", analytics.AgeGroups[i+1].Name, "0", "0.000000", "0.000000", "0.000000", "0", "", "", ""})
	}

	// Get, List, Delete and validation.
	got, err := c.GetBucketAnalyticsConfiguration(ctx, &s3.GetBucketAnalyticsConfigurationInput{Bucket: aws.String("anasrc"), Id: aws.String("logs-sca")})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := got.AnalyticsConfiguration.Filter.(*types.AnalyticsFilterMemberPrefix); !ok || p.Value != "logs/" ||
		aws.ToString(got.AnalyticsConfiguration.StorageClassAnalysis.DataExport.Destination.S3BucketDestination.Bucket) != "arn:aws:s3:::anadest" {
		t.Fatalf("Get = %+v", got.AnalyticsConfiguration)
	}
	tagged := &types.AnalyticsConfiguration{Id: aws.String("tagged"), StorageClassAnalysis: &types.StorageClassAnalysis{},
		Filter: &types.AnalyticsFilterMemberAnd{Value: types.AnalyticsAndOperator{Prefix: aws.String("p/"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}}
	if _, err := c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: aws.String("anasrc"), Id: tagged.Id, AnalyticsConfiguration: tagged}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListBucketAnalyticsConfigurations(ctx, &s3.ListBucketAnalyticsConfigurationsInput{Bucket: aws.String("anasrc")})
	if err != nil || len(list.AnalyticsConfigurationList) != 2 || aws.ToBool(list.IsTruncated) {
		t.Fatalf("List: %+v %v", list, err)
	}
	if and, ok := list.AnalyticsConfigurationList[1].Filter.(*types.AnalyticsFilterMemberAnd); !ok || aws.ToString(and.Value.Prefix) != "p/" || len(and.Value.Tags) != 1 {
		t.Errorf("And filter %+v", list.AnalyticsConfigurationList[1].Filter)
	}
	if _, err := c.DeleteBucketAnalyticsConfiguration(ctx, &s3.DeleteBucketAnalyticsConfigurationInput{Bucket: aws.String("anasrc"), Id: aws.String("tagged")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketAnalyticsConfiguration(ctx, &s3.GetBucketAnalyticsConfigurationInput{Bucket: aws.String("anasrc"), Id: aws.String("tagged")})
	mustCode(t, err, "NoSuchConfiguration")
	_, err = c.PutBucketAnalyticsConfiguration(ctx, &s3.PutBucketAnalyticsConfigurationInput{Bucket: aws.String("anasrc"), Id: aws.String("other"), AnalyticsConfiguration: cfg})
	mustCode(t, err, "InvalidArgument")
}
