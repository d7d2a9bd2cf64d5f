package e2e

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/testserver"
)

// TestJournalRecordsRequests: every object mutation a client makes appends
// one journal record naming the operation's event, the requester, the
// client's address and the request ID it was answered with; a refused
// write appends none.
func TestJournalRecordsRequests(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	j := srv.Server().Journal()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("jrnl"), ObjectLockEnabledForBucket: aws.Bool(true),
		ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	start, err := j.JournalSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		typ, event, key, requestID string
	}
	var wants []want
	expect := func(typ, event, key string, md middleware.Metadata) {
		t.Helper()
		id, ok := awsmiddleware.GetRequestIDMetadata(md)
		if !ok || id == "" {
			t.Fatalf("%s: no request ID in the response", event)
		}
		wants = append(wants, want{typ, event, key, id})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	b, k := aws.String("jrnl"), aws.String("k")

	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("hello"),
		Metadata: map[string]string{"m": "v"}, Tagging: aws.String("t=1"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	must(err)
	expect(meta.RecordCreate, meta.EventPut, "k", put.ResultMetadata)
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("k2"), CopySource: aws.String("jrnl/k")})
	must(err)
	expect(meta.RecordCreate, meta.EventCopy, "k2", cp.ResultMetadata)
	tg, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
	must(err)
	expect(meta.RecordUpdateMetadata, meta.EventTaggingPut, "k", tg.ResultMetadata)
	dt, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: b, Key: k})
	must(err)
	expect(meta.RecordUpdateMetadata, meta.EventTaggingDelete, "k", dt.ResultMetadata)
	acl, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPrivate})
	must(err)
	expect(meta.RecordUpdateMetadata, meta.EventACLPut, "k", acl.ResultMetadata)
	ret, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: k, Retention: &types.ObjectLockRetention{
		Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Hour))}})
	must(err)
	expect(meta.RecordUpdateMetadata, meta.EventRetentionPut, "k", ret.ResultMetadata)
	lh, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b, Key: k, LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	must(err)
	expect(meta.RecordUpdateMetadata, meta.EventLegalHoldPut, "k", lh.ResultMetadata)

	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp")})
	must(err)
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
	must(err)
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	must(err)
	expect(meta.RecordCreate, meta.EventCompleteMultipartUpload, "mp", done.ResultMetadata)

	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k2")}}}})
	must(err)
	if len(del.Deleted) != 1 || !aws.ToBool(del.Deleted[0].DeleteMarker) {
		t.Fatalf("DeleteObjects = %+v", del.Deleted)
	}
	expect(meta.RecordDelete, meta.EventDeleteMarkerCreated, "k2", del.ResultMetadata)
	rm, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k2"), VersionId: del.Deleted[0].DeleteMarkerVersionId})
	must(err)
	expect(meta.RecordDelete, meta.EventDelete, "k2", rm.ResultMetadata)

	// Refused writes leave nothing: a failed precondition, a locked version.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("mp"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
	mustCode(t, err, "PreconditionFailed")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, VersionId: put.VersionId})
	mustCode(t, err, "AccessDenied")

	// An IAM user's write names the user.
	uc, _, _ := newUser(t, srv, "jwriter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::jrnl/*"}]}`)
	uput, err := uc.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("by-user"), Body: strings.NewReader("u")})
	must(err)
	expect(meta.RecordCreate, meta.EventPut, "by-user", uput.ResultMetadata)

	recs, err := j.ReadJournal(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(wants) {
		for _, r := range recs {
			t.Logf("%d %s %s %s", r.Seq, r.Type, r.Event, r.Key)
		}
		t.Fatalf("%d records, want %d", len(recs), len(wants))
	}
	for i, w := range wants {
		r := recs[i]
		if r.Type != w.typ || r.Event != w.event || r.Bucket != "jrnl" || r.Key != w.key || r.RequestID != w.requestID ||
			r.SourceIP != "127.0.0.1" || r.Requester != iam.AccountID {
			t.Errorf("record %d = %+v, want %+v from 127.0.0.1", i, r, w)
		}
	}
	first := recs[0]
	if first.VersionID != aws.ToString(put.VersionId) || first.Size != 5 || first.ETag != aws.ToString(put.ETag) ||
		first.UserMeta["m"] != "v" || first.Tags["t"] != "1" || first.ChecksumAlgorithm != "CRC32" || first.Encryption != "SSE-S3" ||
		first.StorageClass != "STANDARD" || first.Principal != "arn:aws:iam::"+iam.AccountID+":root" || first.Operation != "PutObject" {
		t.Errorf("PutObject record = %+v", first)
	}
	if r := recs[3]; len(r.Tags) != 0 {
		t.Errorf("DeleteObjectTagging record still has tags %v", r.Tags)
	}
	if r := recs[7]; !r.Multipart || r.VersionID != aws.ToString(done.VersionId) {
		t.Errorf("CompleteMultipartUpload record = %+v", r)
	}
	if r := recs[8]; !r.DeleteMarker || r.VersionID != aws.ToString(del.Deleted[0].DeleteMarkerVersionId) {
		t.Errorf("delete marker record = %+v", r)
	}
	if r := recs[9]; !r.IsPermanentDelete() || r.Size != 0 {
		t.Errorf("permanent delete record = %+v", r)
	}
	if r := recs[len(recs)-1]; r.Principal != "arn:aws:iam::"+iam.AccountID+":user/jwriter" {
		t.Errorf("IAM user's record names %q", r.Principal)
	}
}

// TestJournalLifecycle: a lifecycle expiration is journaled with S3
// Lifecycle as the requester.
func TestJournalLifecycle(t *testing.T) {
	srv := testserver.Start(t, testserver.WithLifecycleDay(time.Second))
	c := srv.Client()
	j := srv.Server().Journal()
	mustCreateBucket(t, c, "jrnl-lc")
	mustPut(t, c, "jrnl-lc", "old", []byte("x"))
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("jrnl-lc"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("r"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var after int64
	for time.Now().Before(deadline) {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		j.WaitJournal(wctx, after)
		cancel()
		recs, err := j.ReadJournal(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			after = r.Seq
			if r.Requester == meta.LifecycleRequester {
				if r.Key != "old" || r.Event != meta.EventLifecycleDelete || r.Type != meta.RecordDelete || r.S3EventName() != "s3:LifecycleExpiration:Delete" {
					t.Fatalf("lifecycle record %+v", r)
				}
				mustNoKey(t, c, "jrnl-lc", "old")
				return
			}
		}
	}
	t.Fatal("no lifecycle record within 30s")
}

// TestJournalUpdateObjectEncryption: re-encrypting a version under a KMS
// key is an UPDATE_METADATA record with the new encryption columns.
func TestJournalUpdateObjectEncryption(t *testing.T) {
	srv := sseServer(t)
	c := srv.Client()
	j := srv.Server().Journal()
	mustCreateBucket(t, c, "jrnl-enc")
	km, err := srv.Server().KMS().CreateKey(ctx, "", "journal")
	if err != nil {
		t.Fatal(err)
	}
	start, err := j.JournalSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "jrnl-enc", "k", []byte("data"))
	if _, err := c.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: aws.String("jrnl-enc"), Key: aws.String("k"),
		ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(km.ARN), BucketKeyEnabled: aws.Bool(true)}}}); err != nil {
		t.Fatal(err)
	}
	recs, err := j.ReadJournal(ctx, start, 10)
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %+v, %v", recs, err)
	}
	if r := recs[0]; r.Type != meta.RecordCreate || r.Encryption != "SSE-S3" || r.KMSKeyARN != "" {
		t.Errorf("PUT record = %+v", r)
	}
	if r := recs[1]; r.Type != meta.RecordUpdateMetadata || r.Event != meta.EventEncryptionUpdate || r.Operation != "UpdateObjectEncryption" ||
		r.Encryption != "SSE-KMS" || r.KMSKeyARN != km.ARN || !r.BucketKey || r.ETag != recs[0].ETag {
		t.Errorf("UpdateObjectEncryption record = %+v", r)
	}
}

// TestJournalPostObject: a browser upload is ObjectCreated:Post, with the
// requester the form's credential names and the request ID it was answered with.
func TestJournalPostObject(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	j := srv.Server().Journal()
	mustCreateBucket(t, c, "jrnl-post")
	start, err := j.JournalSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s3.NewPresignClient(c).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("jrnl-post"), Key: aws.String("form.txt")})
	if err != nil {
		t.Fatal(err)
	}
	status, hdr, body := postForm(t, p.URL, p.Values, []string{"key"}, []byte("posted"))
	if status != 204 {
		t.Fatalf("POST = %d %s", status, body)
	}
	recs, err := j.ReadJournal(ctx, start, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %+v, %v", recs, err)
	}
	if r := recs[0]; r.Type != meta.RecordCreate || r.Event != meta.EventPost || r.Key != "form.txt" || r.Requester != iam.AccountID ||
		r.Principal != "arn:aws:iam::"+iam.AccountID+":root" || r.RequestID != hdr.Get("x-amz-request-id") || r.HostID != hdr.Get("x-amz-id-2") || r.SourceIP != "127.0.0.1" {
		t.Errorf("POST record = %+v", r)
	}
}

// TestJournalRetention: the server's trim job removes records every cursor
// has passed once they are older than the retention, and keeps the rest.
func TestJournalRetention(t *testing.T) {
	srv := testserver.Start(t, testserver.WithJournalRetention(meta.JournalRetention{Age: time.Second, MaxRecords: 1000}))
	c := srv.Client()
	j := srv.Server().Journal()
	mustCreateBucket(t, c, "jrnl-ret")
	for _, k := range []string{"a", "b", "c"} {
		mustPut(t, c, "jrnl-ret", k, []byte(k))
	}
	read, err := j.JournalSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.SetJournalCursor(ctx, "consumer", read); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "jrnl-ret", "unread", []byte("d"))
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := j.ReadJournal(ctx, 0, 10)
		if errors.Is(err, meta.ErrJournalTrimmed) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("records the cursor passed were not trimmed within 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // the unread record is past the age now, and stays
	recs, err := j.ReadJournal(ctx, read, 10)
	if err != nil || len(recs) != 1 || recs[0].Key != "unread" {
		t.Fatalf("after the cursor: %+v, %v", recs, err)
	}
}
