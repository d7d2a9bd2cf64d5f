package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"talus/internal/testserver"
)

func mustVersioned(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	mustCreateBucket(t, c, bucket)
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
}

func v2Rule(id string, prio int32, prefix, dest string, markers bool) types.ReplicationRule {
	dm := types.DeleteMarkerReplicationStatusDisabled
	if markers {
		dm = types.DeleteMarkerReplicationStatusEnabled
	}
	return types.ReplicationRule{ID: aws.String(id), Priority: aws.Int32(prio), Status: types.ReplicationRuleStatusEnabled,
		Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String(prefix)},
		DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: dm},
		Destination:             &types.Destination{Bucket: aws.String(dest)}}
}

func putReplication(c *s3.Client, bucket string, rules ...types.ReplicationRule) error {
	_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String(bucket),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::000000000000:role/replication"), Rules: rules}})
	return err
}

// TestReplicationConfiguration: S3's validation of the configuration,
// and GET returning what was written.
func TestReplicationConfiguration(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "plain")
	mustVersioned(t, c, "src")
	mustVersioned(t, c, "dst")
	mustCreateBucket(t, c, "unversioned-dst")

	_, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	mustCode(t, err, "ReplicationConfigurationNotFoundError")
	mustCode(t, putReplication(c, "plain", v2Rule("a", 1, "", "arn:aws:s3:::dst", false)), "InvalidRequest")
	mustCode(t, putReplication(c, "src", v2Rule("a", 1, "", "arn:aws:s3:::unversioned-dst", false)), "InvalidRequest")
	mustCode(t, putReplication(c, "src", v2Rule("a", 1, "", "arn:aws:s3:::missing", false)), "InvalidRequest")
	mustCode(t, putReplication(c, "src", v2Rule("a", 1, "", "arn:aws:s3:::src", false)), "InvalidRequest")
	mustCode(t, putReplication(c, "src", v2Rule("a", 1, "x/", "arn:aws:s3:::dst", false), v2Rule("b", 1, "y/", "arn:aws:s3:::dst", false)), "InvalidRequest")
	mustCode(t, putReplication(c, "src", v2Rule("a", 1, "x/", "arn:aws:s3:::dst", false), v2Rule("a", 2, "y/", "arn:aws:s3:::dst", false)), "InvalidArgument")
	mustCode(t, putReplication(c, "src", v2Rule("a", 1, "", "arn:talus:s3:nowhere::dst", false)), "InvalidRequest")
	noPrio := v2Rule("a", 1, "", "arn:aws:s3:::dst", false)
	noPrio.Priority = nil
	mustCode(t, putReplication(c, "src", noPrio), "InvalidRequest")
	noDM := v2Rule("a", 1, "", "arn:aws:s3:::dst", false)
	noDM.DeleteMarkerReplication = nil
	mustCode(t, putReplication(c, "src", noDM), "InvalidRequest")
	tagDM := v2Rule("a", 1, "", "arn:aws:s3:::dst", true)
	tagDM.Filter = &types.ReplicationRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}}
	mustCode(t, putReplication(c, "src", tagDM), "InvalidRequest")
	v1 := types.ReplicationRule{ID: aws.String("old"), Prefix: aws.String("logs/"), Status: types.ReplicationRuleStatusEnabled,
		Destination: &types.Destination{Bucket: aws.String("arn:aws:s3:::dst")}, DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusEnabled}}
	mustCode(t, putReplication(c, "src", v1), "InvalidRequest")
	v1.DeleteMarkerReplication = nil
	if err := putReplication(c, "src", v1); err != nil {
		t.Fatalf("V1 rule: %v", err)
	}

	and := v2Rule("tagged", 5, "", "arn:aws:s3:::dst", false)
	and.Filter = &types.ReplicationRuleFilter{And: &types.ReplicationRuleAndOperator{Prefix: aws.String("docs/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}}
	and.ExistingObjectReplication = &types.ExistingObjectReplication{Status: types.ExistingObjectReplicationStatusEnabled}
	and.SourceSelectionCriteria = &types.SourceSelectionCriteria{ReplicaModifications: &types.ReplicaModifications{Status: types.ReplicaModificationsStatusEnabled}}
	and.Destination.StorageClass = types.StorageClassStandardIa
	if err := putReplication(c, "src", and, v2Rule("all", 1, "", "arn:aws:s3:::dst", true)); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	rc := got.ReplicationConfiguration
	if aws.ToString(rc.Role) != "arn:aws:iam::000000000000:role/replication" || len(rc.Rules) != 2 {
		t.Fatalf("configuration %+v", rc)
	}
	r0 := rc.Rules[0]
	if aws.ToString(r0.ID) != "tagged" || aws.ToInt32(r0.Priority) != 5 || r0.Filter.And == nil || aws.ToString(r0.Filter.And.Prefix) != "docs/" ||
		len(r0.Filter.And.Tags) != 1 || r0.ExistingObjectReplication.Status != types.ExistingObjectReplicationStatusEnabled ||
		r0.SourceSelectionCriteria.ReplicaModifications.Status != types.ReplicaModificationsStatusEnabled ||
		r0.Destination.StorageClass != types.StorageClassStandardIa || r0.DeleteMarkerReplication.Status != types.DeleteMarkerReplicationStatusDisabled {
		t.Fatalf("rule 0 %+v", r0)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("src"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); apiCode(err) != "InvalidBucketState" {
		t.Fatalf("suspending versioning under replication: %v", err)
	}
	if _, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	mustCode(t, err, "ReplicationConfigurationNotFoundError")
}

func replicationStatus(t *testing.T, c *s3.Client, bucket, key, vid string) (types.ReplicationStatus, *s3.HeadObjectOutput) {
	t.Helper()
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.HeadObject(ctx, in)
	if err != nil {
		return "", nil
	}
	return out.ReplicationStatus, out
}

// waitStatus waits until the version's status is want.
func waitStatus(t *testing.T, c *s3.Client, bucket, key, vid string, want types.ReplicationStatus) *s3.HeadObjectOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, out := replicationStatus(t, c, bucket, key, vid)
		if st == want {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s@%s: replication status %q, want %q", bucket, key, vid, st, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplicationSameTalus: versions a rule selects are PENDING, then
// COMPLETED, with replicas (same version ID, metadata, tags, SSE-S3,
// REPLICA) in a bucket of the same server; delete markers only when the
// rule says so, version deletes never; objects from before the rule stay.
func TestReplicationSameTalus(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustVersioned(t, c, "src")
	mustVersioned(t, c, "dst")
	before := mustPut(t, c, "src", "a/old", []byte("before the rule"))
	if err := putReplication(c, "src", v2Rule("a", 2, "a/", "arn:aws:s3:::dst", true), v2Rule("b", 1, "b/", "arn:aws:s3:::dst", false)); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a/x"), Body: strings.NewReader("hello replica"),
		ContentType: aws.String("text/x-test"), Metadata: map[string]string{"colour": "blue"}, Tagging: aws.String("team=a&tier=1"),
		ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil {
		t.Fatal(err)
	}
	vid := aws.ToString(put.VersionId)
	src := waitStatus(t, c, "src", "a/x", vid, types.ReplicationStatusCompleted)
	if src.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("source encryption %q", src.ServerSideEncryption)
	}
	rep := waitStatus(t, c, "dst", "a/x", vid, types.ReplicationStatusReplica)
	if aws.ToString(rep.ContentType) != "text/x-test" || rep.Metadata["colour"] != "blue" || aws.ToInt32(rep.TagCount) != 2 ||
		rep.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(rep.ETag) != aws.ToString(put.ETag) {
		t.Fatalf("replica %+v", rep)
	}
	if got := mustGet(t, c, "dst", "a/x"); string(got) != "hello replica" {
		t.Fatalf("replica body %q", got)
	}
	if st, _ := replicationStatus(t, c, "src", "a/old", aws.ToString(before.VersionId)); st != "" {
		t.Fatalf("object from before the rule has status %q", st)
	}
	mustNoKey(t, c, "dst", "a/old")

	// Rule b does not replicate delete markers; rule a does.
	mustPut(t, c, "src", "b/y", []byte("y"))
	waitStatus(t, c, "dst", "b/y", "", types.ReplicationStatusReplica)
	for _, k := range []string{"a/x", "b/y"} {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	mustPut(t, c, "src", "b/z", []byte("z")) // replicated after the markers: they were handled
	waitStatus(t, c, "dst", "b/z", "", types.ReplicationStatusReplica)
	mustNoKey(t, c, "dst", "a/x")
	if got := mustGet(t, c, "dst", "b/y"); string(got) != "y" {
		t.Fatalf("b/y on the destination: %q", got)
	}
	// Deleting a version never deletes the replica.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String("a/x"), VersionId: aws.String(vid)}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "src", "b/w", []byte("w"))
	waitStatus(t, c, "dst", "b/w", "", types.ReplicationStatusReplica)
	if st, _ := replicationStatus(t, c, "dst", "a/x", vid); st != types.ReplicationStatusReplica {
		t.Fatalf("replica version after the source version was deleted: %q", st)
	}
	// A replica is not replicated again, even by a rule on its bucket
	// pointing back (two-way replication).
	if err := putReplication(c, "dst", v2Rule("back", 1, "", "arn:aws:s3:::src", true)); err != nil {
		t.Fatal(err)
	}
	back := mustPut(t, c, "dst", "c/new", []byte("from dst"))
	waitStatus(t, c, "src", "c/new", aws.ToString(back.VersionId), types.ReplicationStatusReplica)
	mustPut(t, c, "src", "b/last", []byte("last"))
	waitStatus(t, c, "dst", "b/last", "", types.ReplicationStatusReplica)
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("dst"), Prefix: aws.String("c/")})
	if err != nil || len(vs.Versions) != 1 || len(vs.DeleteMarkers) != 0 {
		t.Fatalf("c/ on dst after two-way replication: %+v, %v", vs, err)
	}
}

// TestReplicationEncryptionAndLock: SSE-KMS versions are replicated only
// by rules with SseKmsEncryptedObjects, re-encrypted under the rule's
// ReplicaKmsKeyID; retention and legal hold go with the replica; the
// worker's figures count what it did.
func TestReplicationEncryptionAndLock(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	for _, b := range []string{"lsrc", "ldst"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	srcKey, err := kmsRoot(srv).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	dstKey, err := kmsRoot(srv).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	plainRule := v2Rule("plain", 1, "plain/", "arn:aws:s3:::ldst", false)
	kmsRule := v2Rule("kms", 2, "kms/", "arn:aws:s3:::ldst", false)
	kmsRule.SourceSelectionCriteria = &types.SourceSelectionCriteria{SseKmsEncryptedObjects: &types.SseKmsEncryptedObjects{Status: types.SseKmsEncryptedObjectsStatusEnabled}}
	kmsRule.Destination.EncryptionConfiguration = &types.EncryptionConfiguration{ReplicaKmsKeyID: dstKey.KeyMetadata.Arn}
	noKey := kmsRule
	noKey.Destination = &types.Destination{Bucket: aws.String("arn:aws:s3:::ldst")}
	mustCode(t, putReplication(c, "lsrc", noKey), "InvalidRequest")
	if err := putReplication(c, "lsrc", plainRule, kmsRule); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	kmsPut := func(key string) string {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lsrc"), Key: aws.String(key), Body: strings.NewReader("secret " + key),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: srcKey.KeyMetadata.Arn,
			ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	skipped := kmsPut("plain/k") // SSE-KMS, but its rule does not take SSE-KMS objects
	vid := kmsPut("kms/k")
	waitStatus(t, c, "lsrc", "kms/k", vid, types.ReplicationStatusCompleted)
	rep := waitStatus(t, c, "ldst", "kms/k", vid, types.ReplicationStatusReplica)
	if rep.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(rep.SSEKMSKeyId) != aws.ToString(dstKey.KeyMetadata.Arn) {
		t.Fatalf("replica encryption %q %q, want SSE-KMS under %s", rep.ServerSideEncryption, aws.ToString(rep.SSEKMSKeyId), aws.ToString(dstKey.KeyMetadata.Arn))
	}
	if rep.ObjectLockMode != types.ObjectLockModeGovernance || !aws.ToTime(rep.ObjectLockRetainUntilDate).Equal(until) || rep.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("replica lock %q %v %q", rep.ObjectLockMode, rep.ObjectLockRetainUntilDate, rep.ObjectLockLegalHoldStatus)
	}
	if got := mustGet(t, c, "ldst", "kms/k"); string(got) != "secret kms/k" {
		t.Fatalf("replica body %q", got)
	}
	if st, _ := replicationStatus(t, c, "lsrc", "plain/k", skipped); st != "" {
		t.Fatalf("SSE-KMS object under a rule without SseKmsEncryptedObjects: status %q", st)
	}
	mustNoKey(t, c, "ldst", "plain/k")
	// Lifting the legal hold on the source lifts it on the replica.
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lsrc"), Key: aws.String("kms/k"), VersionId: aws.String(vid),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, h := replicationStatus(t, c, "ldst", "kms/k", vid)
		if h != nil && h.ObjectLockLegalHoldStatus == types.ObjectLockLegalHoldStatusOff {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("legal hold change not replicated")
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := srv.Server().Replication().Stats()
	if st.Replicated < 1 || st.Bytes < int64(len("secret kms/k")) {
		t.Fatalf("replication figures %+v", st)
	}
}

// TestReplicaVersionHeader: keeping a version ID is replication's write,
// allowed only with s3:ReplicateObject; repeating it adds no version.
func TestReplicaVersionHeader(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustVersioned(t, c, "vbucket")
	vid := "18ed4f18c030f20b4779ec201917a770"
	withVID := s3.WithAPIOptions(smithyhttp.AddHeaderValue("X-Talus-Replica-Version-Id", vid))
	writer, _, _ := newUser(t, srv, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"}]}`)
	_, err := writer.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vbucket"), Key: aws.String("k"), Body: strings.NewReader("x")}, withVID)
	mustCode(t, err, "AccessDenied")
	replicator, _, _ := newUser(t, srv, "replicator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:ReplicateObject"],"Resource":"*"}]}`)
	for range 2 {
		out, err := replicator.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vbucket"), Key: aws.String("k"), Body: strings.NewReader("x")}, withVID)
		if err != nil || aws.ToString(out.VersionId) != vid {
			t.Fatalf("replica write: %v, version %q", err, aws.ToString(out.VersionId))
		}
	}
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vbucket")})
	if err != nil || len(vs.Versions) != 1 || aws.ToString(vs.Versions[0].VersionId) != vid {
		t.Fatalf("versions %+v, %v", vs, err)
	}
	if st, _ := replicationStatus(t, c, "vbucket", "k", vid); st != types.ReplicationStatusReplica {
		t.Fatalf("status %q, want REPLICA", st)
	}
	_, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("vbucket"), Key: aws.String("k")}, withVID)
	mustCode(t, err, "InvalidRequest")
}

// TestReplicaModifications: in two-way replication a tag change on a
// replica goes back to its source only when ReplicaModifications is
// Enabled, and no change loops.
func TestReplicaModifications(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustVersioned(t, c, "east")
	mustVersioned(t, c, "west")
	if err := putReplication(c, "east", v2Rule("to-west", 1, "", "arn:aws:s3:::west", false)); err != nil {
		t.Fatal(err)
	}
	back := v2Rule("to-east", 1, "", "arn:aws:s3:::east", false)
	back.SourceSelectionCriteria = &types.SourceSelectionCriteria{ReplicaModifications: &types.ReplicaModifications{Status: types.ReplicaModificationsStatusEnabled}}
	if err := putReplication(c, "west", back); err != nil {
		t.Fatal(err)
	}
	tags := func(bucket, key, vid string) map[string]string {
		out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.TagSet {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	setTags := func(bucket, key, vid, k, v string) {
		if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String(k), Value: aws.String(v)}}}}); err != nil {
			t.Fatal(err)
		}
	}
	vid := aws.ToString(mustPut(t, c, "east", "doc", []byte("doc")).VersionId)
	waitStatus(t, c, "east", "doc", vid, types.ReplicationStatusCompleted)
	setTags("west", "doc", vid, "edited", "on-replica")
	deadline := time.Now().Add(30 * time.Second)
	for tags("east", "doc", vid)["edited"] != "on-replica" {
		if time.Now().After(deadline) {
			t.Fatal("replica tag change did not reach the source")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The source's own change goes to the replica; nothing bounces back.
	setTags("east", "doc", vid, "edited", "on-source")
	deadline = time.Now().Add(30 * time.Second)
	for tags("west", "doc", vid)["edited"] != "on-source" {
		if time.Now().After(deadline) {
			t.Fatal("source tag change did not reach the replica")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mustPut(t, c, "east", "marker", []byte("m")) // handled after every change above
	waitStatus(t, c, "west", "marker", "", types.ReplicationStatusReplica)
	if got := tags("east", "doc", vid)["edited"]; got != "on-source" {
		t.Fatalf("source tag after the round trip: %q", got)
	}
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("east"), Prefix: aws.String("doc")})
	if err != nil || len(vs.Versions) != 1 {
		t.Fatalf("east versions %+v, %v", vs, err)
	}
}

// TestReplicationSkipsSSEC: SSE-C versions are not replicated (S3 does
// not either): no status, no replica; other versions of the same rule are.
func TestReplicationSkipsSSEC(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	mustVersioned(t, c, "csrc")
	mustVersioned(t, c, "cdst")
	allowSSEC(t, c, "csrc")
	if err := putReplication(c, "csrc", v2Rule("all", 1, "", "arn:aws:s3:::cdst", false)); err != nil {
		t.Fatal(err)
	}
	k := newSSECKey(7)
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("csrc"), Key: aws.String("c"), Body: strings.NewReader("customer key"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "csrc", "after", []byte("plain"))
	waitStatus(t, c, "cdst", "after", "", types.ReplicationStatusReplica)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("csrc"), Key: aws.String("c"), VersionId: out.VersionId,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	if err != nil || h.ReplicationStatus != "" {
		t.Fatalf("SSE-C version status %q (%v)", h.ReplicationStatus, err)
	}
	mustNoKey(t, c, "cdst", "c")
}

// TestReplicationOwnerTranslation: to another account's bucket (which
// grants the source owner the replication writes in its policy), with
// AccessControlTranslation Owner=Destination the replica belongs to the
// destination's owner; without the grant, replication FAILS.
func TestReplicationOwnerTranslation(t *testing.T) {
	_, admin, bee, _ := threeAccounts(t)
	mustVersioned(t, admin.Root, "asrc")
	for _, b := range []string{"bdst", "bclosed"} {
		if _, err := bee.Root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}); err != nil {
			t.Fatal(err)
		}
		if _, err := bee.Root.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},
		"Action":["s3:PutObject","s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"arn:aws:s3:::bdst/*"}]}`
	if _, err := bee.Root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bdst"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	open := v2Rule("open", 2, "open/", "arn:aws:s3:::bdst", false)
	open.Destination.Account = aws.String(bee.ID)
	open.Destination.AccessControlTranslation = &types.AccessControlTranslation{Owner: types.OwnerOverrideDestination}
	if err := putReplication(admin.Root, "asrc", open, v2Rule("closed", 1, "closed/", "arn:aws:s3:::bclosed", false)); err != nil {
		t.Fatal(err)
	}
	vid := aws.ToString(mustPut(t, admin.Root, "asrc", "open/k", []byte("for bee")).VersionId)
	waitStatus(t, admin.Root, "asrc", "open/k", vid, types.ReplicationStatusCompleted)
	acl, err := bee.Root.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("bdst"), Key: aws.String("open/k")})
	if err != nil || aws.ToString(acl.Owner.ID) != bee.CanonicalID {
		t.Fatalf("replica owner %+v (%v), want %s", acl, err, bee.CanonicalID)
	}
	closed := aws.ToString(mustPut(t, admin.Root, "asrc", "closed/k", []byte("no grant")).VersionId)
	waitStatus(t, admin.Root, "asrc", "closed/k", closed, types.ReplicationStatusFailed)
}
