package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/server"
	"talus/internal/testserver"
)

func itConfig(id, prefix string, tierings ...types.Tiering) *types.IntelligentTieringConfiguration {
	return &types.IntelligentTieringConfiguration{Id: aws.String(id), Status: types.IntelligentTieringStatusEnabled,
		Filter: &types.IntelligentTieringFilter{Prefix: aws.String(prefix)}, Tierings: tierings}
}

func TestIntelligentTieringConfiguration(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "itcfg")
	put := func(id string, cfg *types.IntelligentTieringConfiguration) error {
		_, err := c.PutBucketIntelligentTieringConfiguration(ctx, &s3.PutBucketIntelligentTieringConfigurationInput{Bucket: aws.String("itcfg"), Id: aws.String(id), IntelligentTieringConfiguration: cfg})
		return err
	}
	if err := put("b", itConfig("b", "logs/", types.Tiering{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(90)},
		types.Tiering{AccessTier: types.IntelligentTieringAccessTierDeepArchiveAccess, Days: aws.Int32(180)})); err != nil {
		t.Fatal(err)
	}
	tagged := &types.IntelligentTieringConfiguration{Id: aws.String("a"), Status: types.IntelligentTieringStatusDisabled,
		Filter:   &types.IntelligentTieringFilter{And: &types.IntelligentTieringAndOperator{Prefix: aws.String("p/"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}},
		Tierings: []types.Tiering{{AccessTier: types.IntelligentTieringAccessTierDeepArchiveAccess, Days: aws.Int32(730)}}}
	if err := put("a", tagged); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketIntelligentTieringConfiguration(ctx, &s3.GetBucketIntelligentTieringConfigurationInput{Bucket: aws.String("itcfg"), Id: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	g := got.IntelligentTieringConfiguration
	if aws.ToString(g.Id) != "a" || g.Status != types.IntelligentTieringStatusDisabled || g.Filter == nil || g.Filter.And == nil ||
		aws.ToString(g.Filter.And.Prefix) != "p/" || len(g.Filter.And.Tags) != 1 || len(g.Tierings) != 1 || aws.ToInt32(g.Tierings[0].Days) != 730 {
		t.Fatalf("Get = %+v", g)
	}
	list, err := c.ListBucketIntelligentTieringConfigurations(ctx, &s3.ListBucketIntelligentTieringConfigurationsInput{Bucket: aws.String("itcfg")})
	if err != nil || len(list.IntelligentTieringConfigurationList) != 2 || aws.ToString(list.IntelligentTieringConfigurationList[0].Id) != "a" ||
		aws.ToBool(list.IsTruncated) {
		t.Fatalf("List = %+v, %v", list, err)
	}
	// Refusals.
	for _, tc := range []struct {
		name string
		id   string
		cfg  *types.IntelligentTieringConfiguration
	}{
		{"archive under 90 days", "x", itConfig("x", "", types.Tiering{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(89)})},
		{"deep archive under 180 days", "x", itConfig("x", "", types.Tiering{AccessTier: types.IntelligentTieringAccessTierDeepArchiveAccess, Days: aws.Int32(179)})},
		{"over 730 days", "x", itConfig("x", "", types.Tiering{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(731)})},
		{"deep not after archive", "x", itConfig("x", "", types.Tiering{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(200)},
			types.Tiering{AccessTier: types.IntelligentTieringAccessTierDeepArchiveAccess, Days: aws.Int32(200)})},
		{"id mismatch", "y", itConfig("x", "", types.Tiering{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(90)})},
		{"bad id", "a/b", itConfig("a/b", "", types.Tiering{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(90)})},
	} {
		mustCode(t, put(tc.id, tc.cfg), "InvalidArgument")
	}
	_, err = c.GetBucketIntelligentTieringConfiguration(ctx, &s3.GetBucketIntelligentTieringConfigurationInput{Bucket: aws.String("itcfg"), Id: aws.String("none")})
	rqCode(t, err, "NoSuchConfiguration", 404)
	_, err = c.DeleteBucketIntelligentTieringConfiguration(ctx, &s3.DeleteBucketIntelligentTieringConfigurationInput{Bucket: aws.String("itcfg"), Id: aws.String("none")})
	rqCode(t, err, "NoSuchConfiguration", 404)
	if _, err := c.DeleteBucketIntelligentTieringConfiguration(ctx, &s3.DeleteBucketIntelligentTieringConfigurationInput{Bucket: aws.String("itcfg"), Id: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListBucketIntelligentTieringConfigurations(ctx, &s3.ListBucketIntelligentTieringConfigurationsInput{Bucket: aws.String("itcfg")})
	if err != nil || len(list.IntelligentTieringConfigurationList) != 1 || aws.ToString(list.IntelligentTieringConfigurationList[0].Id) != "b" {
		t.Fatalf("List after delete = %+v, %v", list, err)
	}
}

// TestIntelligentTieringArchives runs a 40 ms lifecycle day, so 90 days
// without access last 3.6 s: an INTELLIGENT_TIERING object nobody reads
// goes to ARCHIVE_ACCESS, then DEEP_ARCHIVE_ACCESS (its bytes to the tier
// mapped to it), while one read all the time stays; a restore brings the
// cold one back.
func TestIntelligentTieringArchives(t *testing.T) {
	deep := t.TempDir()
	srv := testserver.Start(t, testserver.WithLifecycleDay(40*time.Millisecond),
		testserver.WithTier(server.TierConfig{Name: "deep", Dir: deep}), testserver.WithClassTier("DEEP_ARCHIVE_ACCESS", "deep"))
	c := srv.Client()
	mustCreateBucket(t, c, "itb")
	if _, err := c.PutBucketIntelligentTieringConfiguration(ctx, &s3.PutBucketIntelligentTieringConfigurationInput{Bucket: aws.String("itb"), Id: aws.String("all"),
		IntelligentTieringConfiguration: itConfig("all", "it/", types.Tiering{AccessTier: types.IntelligentTieringAccessTierArchiveAccess, Days: aws.Int32(90)},
			types.Tiering{AccessTier: types.IntelligentTieringAccessTierDeepArchiveAccess, Days: aws.Int32(180)})}); err != nil {
		t.Fatal(err)
	}
	body := randBytes(21, 100<<10)
	for _, k := range []string{"it/cold", "it/hot", "other/cold"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("itb"), Key: aws.String(k), Body: strings.NewReader(string(body)), StorageClass: types.StorageClassIntelligentTiering}); err != nil {
			t.Fatal(err)
		}
	}
	mustPut(t, c, "itb", "it/standard", body)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // it/hot is read every few days
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(300 * time.Millisecond):
				if out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("itb"), Key: aws.String("it/hot")}); err == nil {
					readAllBody(t, out.Body)
				}
			}
		}
	}()
	status := func(key string) types.ArchiveStatus {
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("itb"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		return out.ArchiveStatus
	}
	deadline := time.Now().Add(30 * time.Second)
	for status("it/cold") != types.ArchiveStatusArchiveAccess {
		if time.Now().After(deadline) {
			t.Fatal("it/cold never reached ARCHIVE_ACCESS")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("itb"), Key: aws.String("it/cold")})
	mustCode(t, err, "InvalidObjectState")
	for status("it/cold") != types.ArchiveStatusDeepArchiveAccess {
		if time.Now().After(deadline) {
			t.Fatal("it/cold never reached DEEP_ARCHIVE_ACCESS")
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	for _, k := range []string{"it/hot", "other/cold", "it/standard"} {
		if st := status(k); st != "" {
			t.Errorf("%s is in %s", k, st)
		}
	}
	if n := len(dirFiles(t, deep)); n != 1 {
		t.Fatalf("deep archive tier holds %d files, want it/cold's one", n)
	}
	// Days is not for Intelligent-Tiering restores.
	wantRaw(t, "IT restore with Days", restoreRaw(t, srv, "itb", "it/cold", "", restoreBody(1, "Standard")), 400, "InvalidArgument")
	if r := restoreRaw(t, srv, "itb", "it/cold", "", `<RestoreRequest><GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>`); r.Status != 202 {
		t.Fatalf("IT restore: %d %s", r.Status, r.Body)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("itb"), Key: aws.String("it/cold")})
		if err == nil {
			if string(readAllBody(t, out.Body)) != string(body) {
				t.Fatal("restored IT object reads back different bytes")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("IT restore never completed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := status("it/cold"); st != "" {
		t.Fatalf("archive status after the restore: %s", st)
	}
}
