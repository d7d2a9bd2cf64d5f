package e2e

// Object lock: bucket configuration, retention and legal holds, and their
// enforcement on deletes and retention changes.

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// lkBucket creates a bucket with object lock enabled.
func lkBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true)})
	if err != nil {
		t.Fatalf("CreateBucket(%s, object lock): %v", name, err)
	}
}

// lkPut puts an object with the given retention (mode "" for none) and
// legal hold ("" for none), returning its version id.
func lkPut(t *testing.T, c *s3.Client, bucket, key string, mode types.ObjectLockMode, until time.Time, hold types.ObjectLockLegalHoldStatus) string {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte(key)),
		ObjectLockMode: mode, ObjectLockLegalHoldStatus: hold}
	if mode != "" {
		in.ObjectLockRetainUntilDate = aws.Time(until)
	}
	out, err := c.PutObject(ctx, in)
	if err != nil {
		t.Fatalf("PutObject(%s/%s, %s until %v, hold %q): %v", bucket, key, mode, until, hold, err)
	}
	if aws.ToString(out.VersionId) == "" {
		t.Fatalf("PutObject(%s/%s) in a lock bucket: no version id", bucket, key)
	}
	return aws.ToString(out.VersionId)
}

// lkDelete deletes a version, optionally bypassing GOVERNANCE retention.
func lkDelete(c *s3.Client, bucket, key, vid string, bypass bool) error {
	in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := c.DeleteObject(ctx, in)
	return err
}

// lkRetention returns a version's retention.
func lkRetention(t *testing.T, c *s3.Client, bucket, key, vid string) (types.ObjectLockRetentionMode, time.Time) {
	t.Helper()
	in := &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObjectRetention(ctx, in)
	if err != nil {
		t.Fatalf("GetObjectRetention(%s/%s, %q): %v", bucket, key, vid, err)
	}
	return out.Retention.Mode, aws.ToTime(out.Retention.RetainUntilDate)
}

// lkSetRetention changes a version's retention.
func lkSetRetention(c *s3.Client, bucket, key, vid string, mode types.ObjectLockRetentionMode, until time.Time, bypass bool) error {
	in := &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid),
		Retention: &types.ObjectLockRetention{Mode: mode, RetainUntilDate: aws.Time(until)}}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := c.PutObjectRetention(ctx, in)
	return err
}

// lkHold sets a version's legal hold.
func lkHold(t *testing.T, c *s3.Client, bucket, key, vid string, status types.ObjectLockLegalHoldStatus) {
	t.Helper()
	_, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid),
		LegalHold: &types.ObjectLockLegalHold{Status: status}})
	if err != nil {
		t.Fatalf("PutObjectLegalHold(%s/%s, %s): %v", bucket, key, status, err)
	}
}

// sameSecond compares lock dates, which S3 keeps to the second in headers.
func sameSecond(a, b time.Time) bool { return a.Truncate(time.Second).Equal(b.Truncate(time.Second)) }

func TestLockConfiguration(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	lkBucket(t, c, "lcfg")
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("lcfg")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning of an object lock bucket: %v %q, want Enabled", err, v.Status)
	}
	get := func(bucket string) *types.ObjectLockConfiguration {
		t.Helper()
		out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("GetObjectLockConfiguration(%s): %v", bucket, err)
		}
		return out.ObjectLockConfiguration
	}
	if cfg := get("lcfg"); cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
		t.Fatalf("new lock bucket: %+v", cfg)
	}
	put := func(bucket string, dr *types.DefaultRetention) error {
		in := &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}}
		if dr != nil {
			in.ObjectLockConfiguration.Rule = &types.ObjectLockRule{DefaultRetention: dr}
		}
		_, err := c.PutObjectLockConfiguration(ctx, in)
		return err
	}
	if err := put("lcfg", &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	if dr := get("lcfg").Rule.DefaultRetention; dr.Mode != types.ObjectLockRetentionModeGovernance || aws.ToInt32(dr.Days) != 3 || dr.Years != nil {
		t.Fatalf("default retention %+v, want GOVERNANCE 3 days", dr)
	}
	if err := put("lcfg", &types.DefaultRetention{Mode: types.ObjectLockRetentionModeCompliance, Years: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if dr := get("lcfg").Rule.DefaultRetention; dr.Mode != types.ObjectLockRetentionModeCompliance || aws.ToInt32(dr.Years) != 2 || dr.Days != nil {
		t.Fatalf("default retention %+v, want COMPLIANCE 2 years", dr)
	}
	// Days and Years together, or neither, is malformed.
	err = put("lcfg", &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1), Years: aws.Int32(1)})
	rqCode(t, err, "MalformedXML", http.StatusBadRequest)
	err = put("lcfg", &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance})
	rqCode(t, err, "MalformedXML", http.StatusBadRequest)
	// A period that is not a positive number is InvalidRetentionPeriod.
	for _, dr := range []types.DefaultRetention{
		{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(0)},
		{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(-1)},
		{Mode: types.ObjectLockRetentionModeCompliance, Years: aws.Int32(0)},
		{Mode: types.ObjectLockRetentionModeCompliance, Years: aws.Int32(-3)},
	} {
		err = put("lcfg", &dr)
		rqCode(t, err, "InvalidRetentionPeriod", http.StatusBadRequest)
	}
	// Removing the rule leaves object lock on.
	if err := put("lcfg", nil); err != nil {
		t.Fatal(err)
	}
	if cfg := get("lcfg"); cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
		t.Fatalf("after removing the rule: %+v", cfg)
	}
	// Versioning cannot be suspended on a lock bucket.
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lcfg"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	rqCode(t, err, "InvalidBucketState", http.StatusConflict)
	vrSetVersioning(t, c, "lcfg", types.BucketVersioningStatusEnabled)

	// A plain bucket: no configuration, and none can be set without versioning.
	mustCreateBucket(t, c, "lplain")
	_, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("lplain")})
	rqCode(t, err, "ObjectLockConfigurationNotFoundError", http.StatusNotFound)
	err = put("lplain", &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)})
	rqCode(t, err, "InvalidBucketState", http.StatusConflict)
	vrSetVersioning(t, c, "lplain", types.BucketVersioningStatusSuspended)
	err = put("lplain", nil)
	rqCode(t, err, "InvalidBucketState", http.StatusConflict)
	// With versioning Enabled, object lock can be turned on.
	vrSetVersioning(t, c, "lplain", types.BucketVersioningStatusEnabled)
	if err := put("lplain", &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}); err != nil {
		t.Fatalf("PutObjectLockConfiguration on a versioned bucket: %v", err)
	}
	if dr := get("lplain").Rule.DefaultRetention; aws.ToInt32(dr.Days) != 1 {
		t.Fatalf("default retention %+v", dr)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lplain"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	rqCode(t, err, "InvalidBucketState", http.StatusConflict)

	_, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("no-such-bucket")})
	rqCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestLockPutObjectHeaders(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	lkBucket(t, c, "lput")
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)

	v := lkPut(t, c, "lput", "gov", types.ObjectLockModeGovernance, until, "")
	mode, got := lkRetention(t, c, "lput", "gov", v)
	if mode != types.ObjectLockRetentionModeGovernance || !got.Equal(until) {
		t.Fatalf("retention %s %v, want GOVERNANCE %v", mode, got, until)
	}
	ho, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lput"), Key: aws.String("gov")})
	if err != nil || ho.ObjectLockMode != types.ObjectLockModeGovernance || !sameSecond(aws.ToTime(ho.ObjectLockRetainUntilDate), until) ||
		ho.ObjectLockLegalHoldStatus != "" {
		t.Fatalf("HEAD: %v mode %q until %v hold %q", err, ho.ObjectLockMode, aws.ToTime(ho.ObjectLockRetainUntilDate), ho.ObjectLockLegalHoldStatus)
	}
	gout, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lput"), Key: aws.String("gov")})
	if err != nil || gout.ObjectLockMode != types.ObjectLockModeGovernance || !sameSecond(aws.ToTime(gout.ObjectLockRetainUntilDate), until) {
		t.Fatalf("GET: %v", err)
	}
	gout.Body.Close()
	// Without a legal hold, GetObjectLegalHold has nothing to show.
	_, err = c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("lput"), Key: aws.String("gov")})
	rqCode(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)

	// A legal hold alone.
	h := lkPut(t, c, "lput", "held", "", time.Time{}, types.ObjectLockLegalHoldStatusOn)
	lh, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("lput"), Key: aws.String("held"), VersionId: aws.String(h)})
	if err != nil || lh.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("GetObjectLegalHold: %v", err)
	}
	ho, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lput"), Key: aws.String("held")})
	if err != nil || ho.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn || ho.ObjectLockMode != "" {
		t.Fatalf("HEAD of a held object: %v hold %q mode %q", err, ho.ObjectLockLegalHoldStatus, ho.ObjectLockMode)
	}
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("lput"), Key: aws.String("held")})
	rqCode(t, err, "NoSuchObjectLockConfiguration", http.StatusNotFound)

	// Invalid combinations.
	bad := []*s3.PutObjectInput{
		{ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(-time.Hour))},
		{ObjectLockMode: types.ObjectLockModeCompliance},
		{ObjectLockRetainUntilDate: aws.Time(until)},
		{ObjectLockMode: "FOREVER", ObjectLockRetainUntilDate: aws.Time(until)},
	}
	for i, in := range bad {
		in.Bucket, in.Key, in.Body = aws.String("lput"), aws.String("bad"), bytes.NewReader([]byte("x"))
		_, err := c.PutObject(ctx, in)
		if apiCode(err) != "InvalidArgument" || rqStatus(err) != http.StatusBadRequest {
			t.Fatalf("bad lock headers %d (%s, %v): %v, want 400 InvalidArgument", i, in.ObjectLockMode, in.ObjectLockRetainUntilDate, err)
		}
	}
	mustNoKey(t, c, "lput", "bad")

	// Lock headers in a bucket without object lock.
	mustCreateBucket(t, c, "lnolock")
	vrSetVersioning(t, c, "lnolock", types.BucketVersioningStatusEnabled)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lnolock"), Key: aws.String("k"), Body: bytes.NewReader([]byte("x")),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until)})
	rqCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lnolock"), Key: aws.String("k"), Body: bytes.NewReader([]byte("x")),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	rqCode(t, err, "InvalidRequest", http.StatusBadRequest)
	mustNoKey(t, c, "lnolock", "k")
	// Retention and legal hold requests there too.
	vrPut(t, c, "lnolock", "k", []byte("x"))
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("lnolock"), Key: aws.String("k")})
	rqCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lnolock"), Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	rqCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("lnolock"), Key: aws.String("k"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until)}})
	rqCode(t, err, "InvalidRequest", http.StatusBadRequest)
	// A missing object in a lock bucket.
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("lput"), Key: aws.String("missing")})
	rqCode(t, err, "NoSuchKey", http.StatusNotFound)
}

func TestLockDefaultRetention(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	lkBucket(t, c, "ldef")
	_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("ldef"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	v := lkPut(t, c, "ldef", "k", "", time.Time{}, "")
	mode, until := lkRetention(t, c, "ldef", "k", v)
	if mode != types.ObjectLockRetentionModeGovernance || until.Before(before.Add(24*time.Hour-time.Minute)) || until.After(time.Now().Add(24*time.Hour+time.Minute)) {
		t.Fatalf("default retention on a new version: %s until %v, want GOVERNANCE about a day from now", mode, until)
	}
	ho, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ldef"), Key: aws.String("k")})
	if err != nil || ho.ObjectLockMode != types.ObjectLockModeGovernance || !sameSecond(aws.ToTime(ho.ObjectLockRetainUntilDate), until) {
		t.Fatalf("HEAD: %v mode %q until %v", err, ho.ObjectLockMode, aws.ToTime(ho.ObjectLockRetainUntilDate))
	}
	r := doRaw(t, rawReq{Method: http.MethodHead, URL: objURL(srv, "ldef", "k")})
	if r.Header.Get("x-amz-object-lock-mode") != "GOVERNANCE" || r.Header.Get("x-amz-object-lock-retain-until-date") == "" {
		t.Fatalf("HEAD headers %v", r.Header)
	}
	// Explicit headers win over the default.
	explicit := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	v2 := lkPut(t, c, "ldef", "k", types.ObjectLockModeCompliance, explicit, "")
	if mode, until := lkRetention(t, c, "ldef", "k", v2); mode != types.ObjectLockRetentionModeCompliance || !until.Equal(explicit) {
		t.Fatalf("explicit retention: %s %v", mode, until)
	}
	// The default protects: deleting the version needs the bypass.
	err = lkDelete(c, "ldef", "k", v, false)
	rqCode(t, err, "AccessDenied", http.StatusForbidden)
	if err := lkDelete(c, "ldef", "k", v, true); err != nil {
		t.Fatalf("delete with bypass: %v", err)
	}
	// A default in years.
	_, err = c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("ldef"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeCompliance, Years: aws.Int32(1)}}}})
	if err != nil {
		t.Fatal(err)
	}
	v3 := lkPut(t, c, "ldef", "y", "", time.Time{}, "")
	mode, until = lkRetention(t, c, "ldef", "y", v3)
	if want := time.Now().AddDate(1, 0, 0); mode != types.ObjectLockRetentionModeCompliance || until.Sub(want).Abs() > time.Minute {
		t.Fatalf("1-year default: %s %v", mode, until)
	}
}

func TestLockEnforcement(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "lenf"
	lkBucket(t, c, b)
	// Short retentions first, so they expire while the rest runs.
	shortUntil := time.Now().Add(2 * time.Second)
	shortGov := lkPut(t, c, b, "short-gov", types.ObjectLockModeGovernance, shortUntil, "")
	shortComp := lkPut(t, c, b, "short-comp", types.ObjectLockModeCompliance, shortUntil, "")

	hour := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	gov := lkPut(t, c, b, "gov", types.ObjectLockModeGovernance, hour, "")
	comp := lkPut(t, c, b, "comp", types.ObjectLockModeCompliance, hour, "")
	held := lkPut(t, c, b, "held", "", time.Time{}, types.ObjectLockLegalHoldStatusOn)

	// GOVERNANCE: denied, unless bypassed.
	rqCode(t, lkDelete(c, b, "gov", gov, false), "AccessDenied", http.StatusForbidden)
	if _, v := vrGetVersion(t, c, b, "gov", gov); v != gov {
		t.Fatal("the GOVERNANCE version is gone after a denied delete")
	}
	// COMPLIANCE: denied, bypass or not.
	rqCode(t, lkDelete(c, b, "comp", comp, false), "AccessDenied", http.StatusForbidden)
	rqCode(t, lkDelete(c, b, "comp", comp, true), "AccessDenied", http.StatusForbidden)
	// Legal hold: denied (bypass does not help) until released.
	rqCode(t, lkDelete(c, b, "held", held, true), "AccessDenied", http.StatusForbidden)
	lkHold(t, c, b, "held", held, types.ObjectLockLegalHoldStatusOff)
	lh, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(b), Key: aws.String("held"), VersionId: aws.String(held)})
	if err != nil || lh.LegalHold.Status != types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("GetObjectLegalHold after OFF: %v", err)
	}
	if err := lkDelete(c, b, "held", held, false); err != nil {
		t.Fatalf("delete after releasing the legal hold: %v", err)
	}
	// A legal hold on a GOVERNANCE version blocks even the bypass.
	lkHold(t, c, b, "gov", gov, types.ObjectLockLegalHoldStatusOn)
	rqCode(t, lkDelete(c, b, "gov", gov, true), "AccessDenied", http.StatusForbidden)
	lkHold(t, c, b, "gov", gov, types.ObjectLockLegalHoldStatusOff)

	// Retention changes. GOVERNANCE: shortening needs the bypass; extending does not.
	rqCode(t, lkSetRetention(c, b, "gov", gov, types.ObjectLockRetentionModeGovernance, hour.Add(-30*time.Minute), false), "AccessDenied", http.StatusForbidden)
	if err := lkSetRetention(c, b, "gov", gov, types.ObjectLockRetentionModeGovernance, hour.Add(-30*time.Minute), true); err != nil {
		t.Fatalf("shortening GOVERNANCE with bypass: %v", err)
	}
	if _, until := lkRetention(t, c, b, "gov", gov); !until.Equal(hour.Add(-30 * time.Minute)) {
		t.Fatalf("retention after shortening: %v", until)
	}
	if err := lkSetRetention(c, b, "gov", gov, types.ObjectLockRetentionModeGovernance, hour.Add(time.Hour), false); err != nil {
		t.Fatalf("extending GOVERNANCE: %v", err)
	}
	// COMPLIANCE: no shortening, no switch to GOVERNANCE, bypass or not; extending is fine.
	rqCode(t, lkSetRetention(c, b, "comp", comp, types.ObjectLockRetentionModeCompliance, hour.Add(-time.Minute), true), "AccessDenied", http.StatusForbidden)
	rqCode(t, lkSetRetention(c, b, "comp", comp, types.ObjectLockRetentionModeGovernance, hour.Add(time.Hour), true), "AccessDenied", http.StatusForbidden)
	if err := lkSetRetention(c, b, "comp", comp, types.ObjectLockRetentionModeCompliance, hour.Add(time.Hour), false); err != nil {
		t.Fatalf("extending COMPLIANCE: %v", err)
	}
	if mode, until := lkRetention(t, c, b, "comp", comp); mode != types.ObjectLockRetentionModeCompliance || !until.Equal(hour.Add(time.Hour)) {
		t.Fatalf("COMPLIANCE after extending: %s %v", mode, until)
	}
	// A retention date in the past is rejected.
	rqCode(t, lkSetRetention(c, b, "gov", gov, types.ObjectLockRetentionModeGovernance, time.Now().Add(-time.Minute), true), "InvalidArgument", http.StatusBadRequest)

	// A plain DELETE of a locked object only adds a delete marker.
	mid, marker := vrDelete(t, c, b, "comp", "")
	if !marker || mid == "" {
		t.Fatalf("DELETE of a locked object: %q %v, want a delete marker", mid, marker)
	}
	if body, id := vrGetVersion(t, c, b, "comp", comp); string(body) != "comp" || id != comp {
		t.Fatalf("the locked version after a plain DELETE: %q %q", body, id)
	}
	// The marker itself is not locked.
	if err := lkDelete(c, b, "comp", mid, false); err != nil {
		t.Fatalf("deleting the delete marker: %v", err)
	}

	// DeleteObjects reports locked versions per key.
	free := lkPut(t, c, b, "free", "", time.Time{}, "")
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("comp"), VersionId: aws.String(comp)},
		{Key: aws.String("gov"), VersionId: aws.String(gov)},
		{Key: aws.String("free"), VersionId: aws.String(free)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "free" || len(out.Errors) != 2 {
		t.Fatalf("DeleteObjects: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	for _, e := range out.Errors {
		if aws.ToString(e.Code) != "AccessDenied" || (aws.ToString(e.Key) != "comp" && aws.ToString(e.Key) != "gov") || aws.ToString(e.VersionId) == "" {
			t.Fatalf("DeleteObjects error %s %s %s", aws.ToString(e.Key), aws.ToString(e.VersionId), aws.ToString(e.Code))
		}
	}
	// With the bypass, GOVERNANCE goes and COMPLIANCE stays.
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), BypassGovernanceRetention: aws.Bool(true),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{
			{Key: aws.String("comp"), VersionId: aws.String(comp)},
			{Key: aws.String("gov"), VersionId: aws.String(gov)},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "gov" || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("DeleteObjects with bypass: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("gov"), VersionId: aws.String(gov)})
	rqCode(t, err, "NotFound", http.StatusNotFound)

	// The short retentions: locked until they expire, then deletable.
	if time.Now().Before(shortUntil) {
		rqCode(t, lkDelete(c, b, "short-comp", shortComp, true), "AccessDenied", http.StatusForbidden)
	}
	time.Sleep(time.Until(shortUntil) + 1100*time.Millisecond)
	if err := lkDelete(c, b, "short-gov", shortGov, false); err != nil {
		t.Fatalf("deleting an expired GOVERNANCE version: %v", err)
	}
	if err := lkDelete(c, b, "short-comp", shortComp, false); err != nil {
		t.Fatalf("deleting an expired COMPLIANCE version: %v", err)
	}
	for _, k := range []string{"short-gov", "short-comp"} {
		p := vrListPage(t, srv, b, map[string][]string{"prefix": {k}})
		if len(p.Entries) != 0 {
			t.Fatalf("%s still has versions %s", k, vrShow(p.Entries))
		}
	}
}

// GOVERNANCE retention turns into COMPLIANCE only with the bypass header
// (and the permission behind it), even for the same or a later date; a
// COMPLIANCE retention never turns back.
func TestLockGovernanceToCompliance(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "lmode"
	lkBucket(t, c, b)
	hour := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	v := lkPut(t, c, b, "k", types.ObjectLockModeGovernance, hour, "")
	rqCode(t, lkSetRetention(c, b, "k", v, types.ObjectLockRetentionModeCompliance, hour, false), "AccessDenied", http.StatusForbidden)
	rqCode(t, lkSetRetention(c, b, "k", v, types.ObjectLockRetentionModeCompliance, hour.Add(time.Hour), false), "AccessDenied", http.StatusForbidden)
	if m, u := lkRetention(t, c, b, "k", v); m != types.ObjectLockRetentionModeGovernance || !sameSecond(u, hour) {
		t.Fatalf("after refused changes: %s %v", m, u)
	}
	// A user without s3:BypassGovernanceRetention gets nothing from the header.
	user, _, _ := newUser(t, srv, "nobypass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObjectRetention","s3:GetObjectRetention"],"Resource":"*"}]}`)
	rqCode(t, lkSetRetention(user, b, "k", v, types.ObjectLockRetentionModeCompliance, hour, true), "AccessDenied", http.StatusForbidden)
	// Extending in GOVERNANCE needs no bypass.
	if err := lkSetRetention(c, b, "k", v, types.ObjectLockRetentionModeGovernance, hour.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if err := lkSetRetention(c, b, "k", v, types.ObjectLockRetentionModeCompliance, hour.Add(time.Minute), true); err != nil {
		t.Fatalf("GOVERNANCE to COMPLIANCE with bypass: %v", err)
	}
	if m, _ := lkRetention(t, c, b, "k", v); m != types.ObjectLockRetentionModeCompliance {
		t.Fatalf("mode after the change = %s", m)
	}
	rqCode(t, lkSetRetention(c, b, "k", v, types.ObjectLockRetentionModeGovernance, hour.Add(2*time.Hour), true), "AccessDenied", http.StatusForbidden)
}

func TestLockCopyAndMultipart(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "lcopy"
	lkBucket(t, c, b)
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	src := lkPut(t, c, b, "src", types.ObjectLockModeGovernance, until, types.ObjectLockLegalHoldStatusOn)

	// CopyObject: the request's lock headers apply to the new version.
	later := until.Add(time.Hour)
	co, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst"), CopySource: cpSource(b, "src"),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(later), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	if err != nil {
		t.Fatal(err)
	}
	dst := aws.ToString(co.VersionId)
	if mode, u := lkRetention(t, c, b, "dst", dst); mode != types.ObjectLockRetentionModeCompliance || !u.Equal(later) {
		t.Fatalf("copy retention: %s %v, want COMPLIANCE %v", mode, u, later)
	}
	lh, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(b), Key: aws.String("dst"), VersionId: aws.String(dst)})
	if err != nil || lh.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("copy legal hold: %v", err)
	}
	// The source keeps its own lock.
	if mode, u := lkRetention(t, c, b, "src", src); mode != types.ObjectLockRetentionModeGovernance || !u.Equal(until) {
		t.Fatalf("source retention after the copy: %s %v", mode, u)
	}
	// Invalid lock headers fail the copy.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst2"), CopySource: cpSource(b, "src"),
		ObjectLockMode: types.ObjectLockModeCompliance})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	mustNoKey(t, c, b, "dst2")

	// CreateMultipartUpload: the lock lands on the completed version.
	up := mpCreate(t, c, b, "mp", func(in *s3.CreateMultipartUploadInput) {
		in.ObjectLockMode = types.ObjectLockModeGovernance
		in.ObjectLockRetainUntilDate = aws.Time(later)
		in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn
	})
	part := mpUpload(t, c, b, "mp", up, 1, []byte("locked multipart"))
	mo := mpComplete(t, c, b, "mp", up, []types.CompletedPart{part})
	mv := aws.ToString(mo.VersionId)
	if mode, u := lkRetention(t, c, b, "mp", mv); mode != types.ObjectLockRetentionModeGovernance || !u.Equal(later) {
		t.Fatalf("multipart retention: %s %v", mode, u)
	}
	ho, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("mp")})
	if err != nil || ho.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn || ho.ObjectLockMode != types.ObjectLockModeGovernance {
		t.Fatalf("HEAD of the multipart object: %v %q %q", err, ho.ObjectLockLegalHoldStatus, ho.ObjectLockMode)
	}
	rqCode(t, lkDelete(c, b, "mp", mv, true), "AccessDenied", http.StatusForbidden)
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp2"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(-time.Hour))})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
}

func TestLockIntegrityRequired(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	const b = "lmd5"
	lkBucket(t, c, b)
	v := lkPut(t, c, b, "k", "", time.Time{}, "")
	until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		name, url string
		body      []byte
	}{
		{"PutObjectRetention", objURL(srv, b, "k") + "?retention&versionId=" + v,
			[]byte(`<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>GOVERNANCE</Mode><RetainUntilDate>` + until + `</RetainUntilDate></Retention>`)},
		{"PutObjectLegalHold", objURL(srv, b, "k") + "?legal-hold&versionId=" + v,
			[]byte(`<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>ON</Status></LegalHold>`)},
		{"PutObjectLockConfiguration", srv.URL + "/" + b + "?object-lock",
			[]byte(`<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>`)},
	}
	for _, tc := range cases {
		r := doRaw(t, rawReq{Method: http.MethodPut, URL: tc.url, Body: tc.body})
		wantRaw(t, tc.name+" without Content-MD5", r, http.StatusBadRequest, "InvalidRequest")
		r = doRaw(t, rawReq{Method: http.MethodPut, URL: tc.url, Body: tc.body, Header: map[string]string{"Content-MD5": md5B64(tc.body)}})
		wantRaw(t, tc.name+" with Content-MD5", r, http.StatusOK, "")
		r = doRaw(t, rawReq{Method: http.MethodPut, URL: tc.url, Body: tc.body, Header: map[string]string{"x-amz-checksum-crc32": rqCRC32(tc.body)}})
		wantRaw(t, tc.name+" with x-amz-checksum-crc32", r, http.StatusOK, "")
		r = doRaw(t, rawReq{Method: http.MethodPut, URL: tc.url, Body: tc.body, Header: map[string]string{"Content-MD5": md5B64([]byte("other"))}})
		wantRaw(t, tc.name+" with a wrong Content-MD5", r, http.StatusBadRequest, "BadDigest")
	}
	if _, until := lkRetention(t, c, b, "k", v); until.IsZero() {
		t.Fatal("retention not set")
	}
	// A PUT with lock headers needs one too.
	body := []byte("locked")
	r := doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, b, "p"), Body: body,
		Header: map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": until}})
	wantRaw(t, "PUT with lock headers without Content-MD5", r, http.StatusBadRequest, "InvalidRequest")
	r = doRaw(t, rawReq{Method: http.MethodPut, URL: objURL(srv, b, "p"), Body: body,
		Header: map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": until, "Content-MD5": md5B64(body)}})
	wantRaw(t, "PUT with lock headers and Content-MD5", r, http.StatusOK, "")
	if mode, _ := lkRetention(t, c, b, "p", ""); mode != types.ObjectLockRetentionModeGovernance {
		t.Fatalf("retention of p: %q", mode)
	}
}
