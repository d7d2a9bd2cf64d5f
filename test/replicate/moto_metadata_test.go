package replicate

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestMotoMetadataChanges: tag, legal hold and retention changes of a
// replicated version reach its copy on a server that is not Talus
// (moto), which gave the copy its own version ID: the change names the
// copy by the version ID replication recorded, and leaves the other
// versions of the key alone.
func TestMotoMetadataChanges(t *testing.T) {
	motoURL := moto(t)
	mc := testserver.NewClient(motoURL, "testing", "testing")
	if _, err := mc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("moto-lock"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	versioningOn(t, mc, "moto-lock")
	srcProc, src := talus(t, t.TempDir(), freeAddr(t))
	if _, err := src.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lock"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	versioningOn(t, src, "lock")
	admin(t, srcProc.URL, "remote", "add", "moto", "--endpoint", motoURL, "--access-key", "testing", "--secret-key", "testing", "--path-style")
	replicateTo(t, src, "lock", "arn:talus:s3:moto::moto-lock", false)

	first := put(t, src, "lock", "k", []byte("first"))
	waitStatus(t, src, "lock", "k", first, types.ReplicationStatusCompleted, 30*time.Second)
	second := put(t, src, "lock", "k", []byte("second"))
	waitStatus(t, src, "lock", "k", second, types.ReplicationStatusCompleted, 30*time.Second)
	vs, _ := versions(t, mc, "moto-lock", "k")
	if len(vs) != 2 {
		t.Fatalf("moto has %d versions of k, want 2", len(vs))
	}
	var motoFirst, motoSecond string
	for _, v := range vs {
		switch body, _ := get(t, mc, "moto-lock", "k", aws.ToString(v.VersionId)); string(body) {
		case "first":
			motoFirst = aws.ToString(v.VersionId)
		case "second":
			motoSecond = aws.ToString(v.VersionId)
		}
	}
	if motoFirst == "" || motoSecond == "" || motoFirst == first {
		t.Fatalf("moto copies %q %q (source %s)", motoFirst, motoSecond, first)
	}

	// A change to the older source version reaches the older copy.
	if _, err := src.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("lock"), Key: aws.String("k"), VersionId: aws.String(first),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("changed"), Value: aws.String("yes")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lock"), Key: aws.String("k"), VersionId: aws.String(first),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	if _, err := src.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("lock"), Key: aws.String("k"), VersionId: aws.String(second),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until)}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		tg, terr := mc.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("moto-lock"), Key: aws.String("k"), VersionId: aws.String(motoFirst)})
		lh, lerr := mc.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("moto-lock"), Key: aws.String("k"), VersionId: aws.String(motoFirst)})
		// moto's GetObjectRetention does not answer it; HEAD does.
		rt, rerr := mc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("moto-lock"), Key: aws.String("k"), VersionId: aws.String(motoSecond)})
		if terr == nil && len(tg.TagSet) == 1 && aws.ToString(tg.TagSet[0].Key) == "changed" &&
			lerr == nil && lh.LegalHold != nil && lh.LegalHold.Status == types.ObjectLockLegalHoldStatusOn &&
			rerr == nil && rt.ObjectLockMode == types.ObjectLockModeGovernance && aws.ToTime(rt.ObjectLockRetainUntilDate).Equal(until) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto copies: tags %+v (%v), legal hold %+v (%v), retention %+v (%v)", tg, terr, lh, lerr, rt, rerr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The newer copy kept its tags (the source's at the write).
	tg, err := mc.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("moto-lock"), Key: aws.String("k"), VersionId: aws.String(motoSecond)})
	if err != nil || len(tg.TagSet) != 1 || aws.ToString(tg.TagSet[0].Key) != "src" {
		t.Fatalf("newer moto copy's tags %+v, %v", tg, err)
	}
}

func versioningOn(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
}
