package e2e

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// lccError is S3's error document with the elements lifecycle errors add.
type lccError struct {
	Code          string `xml:"Code"`
	Message       string `xml:"Message"`
	BucketName    string `xml:"BucketName"`
	ArgumentName  string `xml:"ArgumentName"`
	ArgumentValue string `xml:"ArgumentValue"`
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// lccPut sends a raw PUT ?lifecycle with a Content-MD5 and extra headers.
func lccPut(t *testing.T, srv *testserver.Server, bucket, body string, hdr ...string) rqResp {
	t.Helper()
	req := rqNew(t, http.MethodPut, srv.URL+"/"+bucket+"?lifecycle", []byte(body))
	req.Header.Set("Content-MD5", md5B64([]byte(body)))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return rqDo(t, rqSign(t, req, []byte(body)))
}

func lccDoc(rules ...string) string {
	return `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(rules, "") + `</LifecycleConfiguration>`
}

// lccGetRaw is the raw GET ?lifecycle answer.
func lccGetRaw(t *testing.T, srv *testserver.Server, bucket string) rqResp {
	t.Helper()
	return rqDo(t, rqSigned(t, http.MethodGet, srv.URL+"/"+bucket+"?lifecycle", nil))
}

func TestLifecycleConfigRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lcrt")

	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcrt")})
	rqCode(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound)
	res := lccGetRaw(t, srv, "lcrt")
	var e lccError
	if err := xml.Unmarshal(res.Body, &e); err != nil || e.Message != "The lifecycle configuration does not exist" || e.BucketName != "lcrt" {
		t.Fatalf("GET without a configuration: %v %s", err, res.Body)
	}

	date := mustTime(t, "2030-06-01T00:00:00Z")
	rules := []types.LifecycleRule{
		{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}},
		{ID: aws.String("tagged"), Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("class"), Value: aws.String("tmp")}},
			Expiration: &types.LifecycleExpiration{Date: &date}},
		{Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
			Prefix: aws.String("data/"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}},
			ObjectSizeGreaterThan: aws.Int64(10), ObjectSizeLessThan: aws.Int64(1000)}},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(7), NewerNoncurrentVersions: aws.Int32(3)}},
		{ID: aws.String("cleanup"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration:                     &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}},
		{ID: aws.String("big"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(1 << 20)},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
	}
	put, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcrt"), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules},
	})
	if err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration: %v", err)
	}
	if put.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("PUT answered minimum size %q", put.TransitionDefaultMinimumObjectSize)
	}
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcrt")})
	if err != nil {
		t.Fatalf("GetBucketLifecycleConfiguration: %v", err)
	}
	if got.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("GET answered minimum size %q", got.TransitionDefaultMinimumObjectSize)
	}
	if len(got.Rules) != len(rules) {
		t.Fatalf("rules = %+v", got.Rules)
	}
	r := got.Rules[0]
	if aws.ToString(r.ID) != "logs" || r.Status != types.ExpirationStatusEnabled || aws.ToString(r.Filter.Prefix) != "logs/" || aws.ToInt32(r.Expiration.Days) != 30 || r.Prefix != nil {
		t.Errorf("rule 0 = %+v", r)
	}
	r = got.Rules[1]
	if r.Status != types.ExpirationStatusDisabled || r.Filter.Tag == nil || aws.ToString(r.Filter.Tag.Key) != "class" || aws.ToString(r.Filter.Tag.Value) != "tmp" ||
		r.Filter.Prefix != nil || r.Expiration.Date == nil || !r.Expiration.Date.Equal(date) || r.Expiration.Days != nil {
		t.Errorf("rule 1 = %+v", r)
	}
	r = got.Rules[2]
	if id := aws.ToString(r.ID); id == "" || id == "logs" {
		t.Errorf("rule 2 got no generated ID: %q", id)
	}
	if a := r.Filter.And; a == nil || aws.ToString(a.Prefix) != "data/" || len(a.Tags) != 2 || aws.ToString(a.Tags[1].Key) != "b" ||
		aws.ToInt64(a.ObjectSizeGreaterThan) != 10 || aws.ToInt64(a.ObjectSizeLessThan) != 1000 {
		t.Errorf("rule 2 filter = %+v", r.Filter)
	}
	if n := r.NoncurrentVersionExpiration; n == nil || aws.ToInt32(n.NoncurrentDays) != 7 || aws.ToInt32(n.NewerNoncurrentVersions) != 3 || r.Expiration != nil {
		t.Errorf("rule 2 actions = %+v", r)
	}
	r = got.Rules[3]
	if r.Filter == nil || r.Filter.Prefix == nil || aws.ToString(r.Filter.Prefix) != "" || !aws.ToBool(r.Expiration.ExpiredObjectDeleteMarker) ||
		aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 2 {
		t.Errorf("rule 3 = %+v", r)
	}
	if r = got.Rules[4]; aws.ToInt64(r.Filter.ObjectSizeGreaterThan) != 1<<20 || r.Filter.Prefix != nil || r.Filter.ObjectSizeLessThan != nil {
		t.Errorf("rule 4 = %+v", r.Filter)
	}
	// The generated ID is kept: a second GET names the same one.
	again, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcrt")})
	if err != nil || aws.ToString(again.Rules[2].ID) != aws.ToString(got.Rules[2].ID) {
		t.Errorf("generated ID changed: %v", err)
	}

	// A PUT replaces the whole configuration and keeps the minimum size it names.
	put, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcrt"), TransitionDefaultMinimumObjectSize: types.TransitionDefaultMinimumObjectSizeVariesByStorageClass,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules[:1]},
	})
	if err != nil || put.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeVariesByStorageClass {
		t.Fatalf("second PUT: %v %+v", err, put)
	}
	got, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcrt")})
	if err != nil || len(got.Rules) != 1 || got.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeVariesByStorageClass {
		t.Fatalf("after second PUT: %v %+v", err, got)
	}

	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lcrt")}); err != nil {
		t.Fatalf("DeleteBucketLifecycle: %v", err)
	}
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcrt")})
	rqCode(t, err, "NoSuchLifecycleConfiguration", http.StatusNotFound)
	// Deleting what is not there still succeeds.
	if res := rqDo(t, rqSigned(t, http.MethodDelete, srv.URL+"/lcrt?lifecycle", nil)); res.Status != http.StatusNoContent {
		t.Errorf("second delete: %d %s", res.Status, res.Body)
	}

	for _, op := range []func() error{
		func() error {
			_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcnone")})
			return err
		},
		func() error {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcnone"),
				LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules[:1]}})
			return err
		},
		func() error {
			_, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lcnone")})
			return err
		},
	} {
		rqCode(t, op(), "NoSuchBucket", http.StatusNotFound)
	}

	anon := testserver.NewClient(srv.URL, "", "", func(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} })
	_, err = anon.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcrt"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules[:1]}})
	rqCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = anon.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcrt")})
	rqCode(t, err, "AccessDenied", http.StatusForbidden)
}

// TestLifecycleConfigV1 covers the deprecated PutBucketLifecycle (rules
// with a bare Prefix) and what either GET returns: the same request, the
// configuration in the form it was written.
func TestLifecycleConfigV1(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lcv1")

	v1 := lccDoc(
		`<Rule><ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>10</Days></Expiration></Rule>`,
		`<Rule><Prefix></Prefix><Status>Disabled</Status><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays></NoncurrentVersionExpiration>`+
			`<AbortIncompleteMultipartUpload><DaysAfterInitiation>4</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`)
	if res := lccPut(t, srv, "lcv1", v1); res.Status != http.StatusOK || res.Header.Get("x-amz-transition-default-minimum-object-size") != "all_storage_classes_128K" {
		t.Fatalf("PutBucketLifecycle: %d %v %s", res.Status, res.Header, res.Body)
	}
	res := lccGetRaw(t, srv, "lcv1")
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "<ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status>") || strings.Contains(string(res.Body), "<Filter") {
		t.Fatalf("GET of a V1 configuration: %d %s", res.Status, res.Body)
	}
	// The current API's GET reads the deprecated rule-level Prefix.
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcv1")})
	if err != nil || len(got.Rules) != 2 {
		t.Fatalf("GetBucketLifecycleConfiguration: %v %+v", err, got)
	}
	if r := got.Rules[0]; aws.ToString(r.Prefix) != "logs/" || r.Filter != nil || aws.ToInt32(r.Expiration.Days) != 10 {
		t.Errorf("rule 0 = %+v", r)
	}
	if r := got.Rules[1]; r.Prefix == nil || *r.Prefix != "" || aws.ToString(r.ID) == "" || r.Status != types.ExpirationStatusDisabled ||
		aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) != 3 || aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 4 {
		t.Errorf("rule 1 = %+v", r)
	}

	// A V2 configuration comes back with Filter and no rule-level Prefix.
	v2 := lccDoc(`<Rule><ID>r</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	if res := lccPut(t, srv, "lcv1", v2); res.Status != http.StatusOK {
		t.Fatalf("PUT V2: %d %s", res.Status, res.Body)
	}
	res = lccGetRaw(t, srv, "lcv1")
	if !strings.Contains(string(res.Body), "<ID>r</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status>") {
		t.Fatalf("GET of a V2 configuration: %s", res.Body)
	}
	if res.Header.Get("x-amz-transition-default-minimum-object-size") != "all_storage_classes_128K" {
		t.Errorf("GET header: %v", res.Header)
	}

	// V1 rules may not overlap for the same action.
	overlap := lccDoc(`<Rule><ID>a</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		`<Rule><ID>b</ID><Prefix>logs/2024/</Prefix><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>`)
	doc := rqErr(t, lccPut(t, srv, "lcv1", overlap), http.StatusBadRequest, "InvalidRequest")
	if doc.Message != "Found overlapping prefixes 'logs/' and 'logs/2024/' for same action type 'Expiration'" {
		t.Errorf("overlap message %q", doc.Message)
	}
}

func TestLifecycleConfigValidation(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lcval")

	rule := func(inner string) string { return "<Rule>" + inner + "</Rule>" }
	ok := rule(`<ID>ok</ID><Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>`)
	withFilter := func(filter, actions string) string {
		return rule(`<ID>r</ID><Filter>` + filter + `</Filter><Status>Enabled</Status>` + actions)
	}
	days := `<Expiration><Days>1</Days></Expiration>`
	many := make([]string, 1001)
	for i := range many {
		many[i] = rule(`<Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status>` + days)
	}
	cases := []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"not xml", "<LifecycleConfiguration><Rule>", 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."},
		{"wrong root", "<CORSConfiguration/>", 400, "MalformedXML", ""},
		{"no rules", lccDoc(), 400, "InvalidRequest", "At least one lifecycle rule must be specified."},
		{"too many rules", lccDoc(many...), 400, "InvalidRequest", "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."},
		{"id too long", lccDoc(rule(`<ID>` + strings.Repeat("x", 256) + `</ID><Filter/><Status>Enabled</Status>` + days)), 400, "InvalidArgument", "ID length should not exceed allowed limit of 255"},
		{"same id", lccDoc(ok, ok), 400, "InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule"},
		{"bad status", lccDoc(rule(`<Filter/><Status>On</Status>` + days)), 400, "MalformedXML", ""},
		{"no filter", lccDoc(rule(`<ID>r</ID><Status>Enabled</Status>` + days)), 400, "MalformedXML", ""},
		{"prefix and tag outside and", lccDoc(withFilter(`<Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>`, days)), 400, "MalformedXML", ""},
		{"unknown filter member", lccDoc(withFilter(`<Suffix>a</Suffix>`, days)), 400, "MalformedXML", ""},
		{"base prefix in v2", lccDoc(ok, rule(`<ID>b</ID><Prefix>x</Prefix><Status>Enabled</Status>`+days)), 400, "InvalidRequest",
			"Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter."},
		{"filter in v1", lccDoc(rule(`<ID>a</ID><Prefix>x</Prefix><Status>Enabled</Status>`+days), ok), 400, "InvalidRequest", "Filter element can only be used in Lifecycle V2."},
		{"no action", lccDoc(withFilter(`<Prefix>a</Prefix>`, "")), 400, "InvalidRequest", "At least one action needs to be specified in a rule"},
		{"days and date", lccDoc(withFilter(``, `<Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration>`)), 400, "MalformedXML", ""},
		{"zero days", lccDoc(withFilter(``, `<Expiration><Days>0</Days></Expiration>`)), 400, "InvalidArgument", "'Days' for Expiration action must be a positive integer"},
		{"days not a number", lccDoc(withFilter(``, `<Expiration><Days>ten</Days></Expiration>`)), 400, "MalformedXML", ""},
		{"date not midnight", lccDoc(withFilter(``, `<Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration>`)), 400, "InvalidArgument", "'Date' must be at midnight GMT"},
		{"date not iso", lccDoc(withFilter(``, `<Expiration><Date>01/01/2030</Date></Expiration>`)), 400, "MalformedXML", ""},
		{"marker with days", lccDoc(withFilter(``, `<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`)), 400, "MalformedXML", ""},
		{"marker with tag", lccDoc(withFilter(`<Tag><Key>k</Key><Value>v</Value></Tag>`, `<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`)),
			400, "InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags."},
		{"marker with size", lccDoc(withFilter(`<ObjectSizeLessThan>5</ObjectSizeLessThan>`, `<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`)),
			400, "InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Object Size."},
		{"abort with tags", lccDoc(withFilter(`<And><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And>`, `<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`)),
			400, "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags."},
		{"abort zero days", lccDoc(withFilter(``, `<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>`)),
			400, "InvalidArgument", "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"},
		{"noncurrent zero days", lccDoc(withFilter(``, `<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>`)),
			400, "InvalidArgument", "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"},
		{"noncurrent without days", lccDoc(withFilter(``, `<NoncurrentVersionExpiration><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>`)),
			400, "MalformedXML", ""},
		{"newer zero", lccDoc(withFilter(``, `<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>`)),
			400, "InvalidArgument", "'NewerNoncurrentVersions' must be a positive integer"},
		{"newer in v1", lccDoc(rule(`<ID>a</ID><Prefix>x</Prefix><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>`)),
			400, "InvalidRequest", "NewerNoncurrentVersions element can only be used in Lifecycle V2."},
		{"duplicate tag keys", lccDoc(withFilter(`<And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And>`, days)),
			400, "InvalidRequest", "Duplicate Tag Keys are not allowed."},
		{"size bounds reversed", lccDoc(withFilter(`<And><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And>`, days)),
			400, "InvalidRequest", "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."},
		{"size greater negative", lccDoc(withFilter(`<ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan>`, days)),
			400, "InvalidRequest", "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000."},
		{"size less zero", lccDoc(withFilter(`<ObjectSizeLessThan>0</ObjectSizeLessThan>`, days)),
			400, "InvalidRequest", "'ObjectSizeLessThan' should be between 1 and 1099511627776000."},
		{"transition to IA before 30 days", lccDoc(withFilter(``, `<Transition><Days>29</Days><StorageClass>STANDARD_IA</StorageClass></Transition>`)),
			400, "InvalidArgument", "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
		{"noncurrent transition to IA before 30 days", lccDoc(withFilter(``, `<NoncurrentVersionTransition><NoncurrentDays>7</NoncurrentDays><StorageClass>ONEZONE_IA</StorageClass></NoncurrentVersionTransition>`)),
			400, "InvalidArgument", "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'"},
		{"transition bad class", lccDoc(withFilter(``, `<Transition><Days>30</Days><StorageClass>COLD</StorageClass></Transition>`)), 400, "MalformedXML", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := rqErr(t, lccPut(t, srv, "lcval", tc.body), tc.status, tc.code)
			if tc.msg != "" && doc.Message != tc.msg {
				t.Errorf("Message = %q, want %q", doc.Message, tc.msg)
			}
		})
	}

	// InvalidArgument for a Date names the argument.
	res := lccPut(t, srv, "lcval", lccDoc(withFilter(``, `<Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration>`)))
	var e lccError
	if err := xml.Unmarshal(res.Body, &e); err != nil || e.ArgumentName != "Date" || e.ArgumentValue != "2030-01-01T10:00:00Z" {
		t.Errorf("Date error: %s", res.Body)
	}

	// Content-MD5 or a checksum is required.
	req := rqNew(t, http.MethodPut, srv.URL+"/lcval?lifecycle", []byte(lccDoc(ok)))
	doc := rqErr(t, rqDo(t, rqSign(t, req, []byte(lccDoc(ok)))), http.StatusBadRequest, "InvalidRequest")
	if doc.Message != "Missing required header for this request: Content-Md5." {
		t.Errorf("no Content-MD5: %q", doc.Message)
	}
	// A wrong Content-MD5 is refused.
	req = rqNew(t, http.MethodPut, srv.URL+"/lcval?lifecycle", []byte(lccDoc(ok)))
	req.Header.Set("Content-MD5", md5B64([]byte("other")))
	rqErr(t, rqDo(t, rqSign(t, req, []byte(lccDoc(ok)))), http.StatusBadRequest, "BadDigest")

	// The minimum-size header takes S3's two values.
	doc = rqErr(t, lccPut(t, srv, "lcval", lccDoc(ok), "x-amz-transition-default-minimum-object-size", "tiny"), http.StatusBadRequest, "InvalidRequest")
	if doc.Message != "Invalid TransitionDefaultMinimumObjectSize found: tiny" {
		t.Errorf("minimum size message %q", doc.Message)
	}
	res = lccPut(t, srv, "lcval", lccDoc(ok), "x-amz-transition-default-minimum-object-size", "varies_by_storage_class")
	if res.Status != http.StatusOK || res.Header.Get("x-amz-transition-default-minimum-object-size") != "varies_by_storage_class" {
		t.Fatalf("PUT with varies_by_storage_class: %d %v", res.Status, res.Header)
	}

	// A refused configuration leaves the stored one alone.
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcval")})
	if err != nil || len(got.Rules) != 1 || aws.ToString(got.Rules[0].ID) != "ok" {
		t.Fatalf("after refusals: %v %+v", err, got)
	}
	// Through the SDK too: STANDARD_IA needs 30 days.
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcval"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("t"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Transitions: []types.Transition{{Days: aws.Int32(10), StorageClass: types.TransitionStorageClassStandardIa}},
		}}}})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcval"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("d"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(-1)},
		}}}})
	rqCode(t, err, "InvalidArgument", http.StatusBadRequest)
}

// lccWantExpiration is the x-amz-expiration S3 sends for an object last
// modified at lm under rule id expiring after days days. lm has whole
// seconds only; when it falls on midnight the stored time may lie just
// after it, so the next day is accepted too.
func lccWantExpiration(lm time.Time, days int, id string) []string {
	end := lm.UTC().AddDate(0, 0, days)
	mid := end.Truncate(24 * time.Hour)
	f := func(t time.Time) string {
		return `expiry-date="` + t.Format(http.TimeFormat) + `", rule-id="` + id + `"`
	}
	if mid.Equal(end) {
		return []string{f(mid), f(mid.AddDate(0, 0, 1))}
	}
	return []string{f(mid.AddDate(0, 0, 1))}
}

func lccCheckExpiration(t *testing.T, what string, got *string, want []string) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s: x-amz-expiration = %q, want none", what, *got)
		}
		return
	}
	for _, w := range want {
		if aws.ToString(got) == w {
			return
		}
	}
	t.Errorf("%s: x-amz-expiration = %q, want %q", what, aws.ToString(got), want[0])
}

func TestLifecycleExpirationHeader(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lcexp")
	dated := mustTime(t, "2031-01-01T00:00:00Z")
	rule := func(id string, status types.ExpirationStatus, f *types.LifecycleRuleFilter, e *types.LifecycleExpiration) types.LifecycleRule {
		return types.LifecycleRule{ID: aws.String(id), Status: status, Filter: f, Expiration: e}
	}
	rules := []types.LifecycleRule{
		rule("photos", types.ExpirationStatusEnabled, &types.LifecycleRuleFilter{Prefix: aws.String("photos/")}, &types.LifecycleExpiration{Days: aws.Int32(3)}),
		rule("tagged", types.ExpirationStatusEnabled, &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("photos/"),
			Tags: []types.Tag{{Key: aws.String("tmp"), Value: aws.String("yes")}, {Key: aws.String("team"), Value: aws.String("a")}}}}, &types.LifecycleExpiration{Days: aws.Int32(1)}),
		rule("off", types.ExpirationStatusDisabled, &types.LifecycleRuleFilter{Prefix: aws.String("")}, &types.LifecycleExpiration{Days: aws.Int32(1)}),
		rule("dated", types.ExpirationStatusEnabled, &types.LifecycleRuleFilter{Prefix: aws.String("dated/")}, &types.LifecycleExpiration{Date: &dated}),
		rule("markers", types.ExpirationStatusEnabled, &types.LifecycleRuleFilter{Prefix: aws.String("")}, &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}),
		rule("big", types.ExpirationStatusEnabled, &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("size/"), ObjectSizeGreaterThan: aws.Int64(10)}},
			&types.LifecycleExpiration{Days: aws.Int32(2)}),
		{ID: aws.String("noncurrent"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}},
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcexp"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}}); err != nil {
		t.Fatal(err)
	}
	head := func(key string) *s3.HeadObjectOutput {
		t.Helper()
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lcexp"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("HeadObject(%s): %v", key, err)
		}
		return out
	}
	// check puts key (with tagging), then compares PutObject's, HeadObject's and GetObject's headers.
	check := func(key, tagging string, body string, days int, id string) {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String("lcexp"), Key: aws.String(key), Body: strings.NewReader(body)}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		put, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		h := head(key)
		var want []string
		switch {
		case id == "dated":
			want = []string{`expiry-date="Wed, 01 Jan 2031 00:00:00 GMT", rule-id="dated"`}
		case id != "":
			want = lccWantExpiration(aws.ToTime(h.LastModified), days, id)
		}
		lccCheckExpiration(t, "PutObject "+key, put.Expiration, want)
		lccCheckExpiration(t, "HeadObject "+key, h.Expiration, want)
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lcexp"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		get.Body.Close()
		lccCheckExpiration(t, "GetObject "+key, get.Expiration, want)
	}
	check("photos/a.jpg", "", "x", 3, "photos")
	check("photos/t.jpg", "tmp=yes&team=a", "x", 1, "tagged") // the earlier of two rules
	check("photos/u.jpg", "tmp=yes&team=b", "x", 3, "photos") // every tag must match
	check("other/x", "", "x", 0, "")                          // only a disabled and a delete-marker rule match
	check("dated/x", "", "x", 0, "dated")                     // a Date rule
	check("size/big", "", strings.Repeat("b", 11), 2, "big")  // above the size bound
	check("size/small", "", strings.Repeat("b", 10), 0, "")   // not above it
	check("Photos/case", "", "x", 0, "")                      // prefixes are case-sensitive

	// CopyObject answers for the new object.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("lcexp"), Key: aws.String("photos/copy"), CopySource: aws.String("lcexp/other/x")})
	if err != nil {
		t.Fatal(err)
	}
	lccCheckExpiration(t, "CopyObject", cp.Expiration, lccWantExpiration(aws.ToTime(head("photos/copy").LastModified), 3, "photos"))
	cp, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("lcexp"), Key: aws.String("other/copy"), CopySource: aws.String("lcexp/photos/a.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	lccCheckExpiration(t, "CopyObject out of the prefix", cp.Expiration, nil)

	// CompleteMultipartUpload, with tags given at creation.
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lcexp"), Key: aws.String("photos/mp"), Tagging: aws.String("tmp=yes&team=a")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("lcexp"), Key: aws.String("photos/mp"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("lcexp"), Key: aws.String("photos/mp"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	lccCheckExpiration(t, "CompleteMultipartUpload", done.Expiration, lccWantExpiration(aws.ToTime(head("photos/mp").LastModified), 1, "tagged"))

	// Only the current version carries the header.
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lcexp"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	first := mustPut(t, c, "lcexp", "photos/v", []byte("1"))
	mustPut(t, c, "lcexp", "photos/v", []byte("2"))
	old, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lcexp"), Key: aws.String("photos/v"), VersionId: first.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	lccCheckExpiration(t, "HeadObject of a noncurrent version", old.Expiration, nil)
	lccCheckExpiration(t, "HeadObject of the current version", head("photos/v").Expiration, lccWantExpiration(aws.ToTime(head("photos/v").LastModified), 3, "photos"))

	// Without a configuration, no header.
	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lcexp")}); err != nil {
		t.Fatal(err)
	}
	lccCheckExpiration(t, "HeadObject after DeleteBucketLifecycle", head("photos/a.jpg").Expiration, nil)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lcexp"), Key: aws.String("photos/late"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	lccCheckExpiration(t, "PutObject after DeleteBucketLifecycle", put.Expiration, nil)
}

func TestLifecycleAbortDateHeaders(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "lcabort")
	create := func(key string) *s3.CreateMultipartUploadOutput {
		t.Helper()
		out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lcabort"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := create("tmp/before")
	if first.AbortDate != nil || first.AbortRuleId != nil {
		t.Fatalf("abort headers without a configuration: %v %v", first.AbortDate, aws.ToString(first.AbortRuleId))
	}
	rules := []types.LifecycleRule{
		{ID: aws.String("tmp-uploads"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}},
		{ID: aws.String("off"), Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcabort"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC()
	out := create("tmp/a")
	after := time.Now().UTC()
	// Two days after initiation, rounded up to midnight UTC.
	ceil := func(t time.Time) time.Time {
		t = t.AddDate(0, 0, 2)
		if m := t.Truncate(24 * time.Hour); !m.Equal(t) {
			return m.AddDate(0, 0, 1)
		}
		return t
	}
	if out.AbortDate == nil || aws.ToString(out.AbortRuleId) != "tmp-uploads" ||
		(!out.AbortDate.Equal(ceil(before)) && !out.AbortDate.Equal(ceil(after))) {
		t.Fatalf("CreateMultipartUpload: abort %v rule %q", out.AbortDate, aws.ToString(out.AbortRuleId))
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("lcabort"), Key: aws.String("tmp/a"), UploadId: out.UploadId})
	if err != nil {
		t.Fatal(err)
	}
	if parts.AbortDate == nil || !parts.AbortDate.Equal(*out.AbortDate) || aws.ToString(parts.AbortRuleId) != "tmp-uploads" {
		t.Errorf("ListParts: abort %v rule %q", parts.AbortDate, aws.ToString(parts.AbortRuleId))
	}
	// An upload created before the rule is under it too.
	parts, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("lcabort"), Key: aws.String("tmp/before"), UploadId: first.UploadId})
	if err != nil || parts.AbortDate == nil || aws.ToString(parts.AbortRuleId) != "tmp-uploads" {
		t.Errorf("ListParts of an older upload: %v %v", err, parts)
	}
	// Outside the prefix only the disabled rule matches.
	if out := create("keep/a"); out.AbortDate != nil || out.AbortRuleId != nil {
		t.Errorf("keep/a: abort %v rule %q", out.AbortDate, aws.ToString(out.AbortRuleId))
	}
}
