package postpolicy

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7/pkg/signer"
)

// docConds is the example policy of the S3 documentation, plus the SigV4
// fields.
func docConds(at time.Time) []any {
	return append([]any{
		map[string]string{"bucket": testBucket},
		[]any{"starts-with", "$key", "user/eric/"},
		map[string]string{"acl": "public-read"},
		map[string]string{"success_action_redirect": "http://johnsmith.s3.amazonaws.com/successful_upload.html"},
		[]any{"starts-with", "$Content-Type", "image/"},
		map[string]string{"x-amz-meta-uuid": "14365123651274"},
		[]any{"starts-with", "$x-amz-meta-tag", ""},
		[]any{"content-length-range", 1, 1048576},
	}, v4Conds(at, testRegion)...)
}

func docFields() []field {
	return []field{
		{"key", "user/eric/${filename}"},
		{"acl", "public-read"},
		{"success_action_redirect", "http://johnsmith.s3.amazonaws.com/successful_upload.html"},
		{"Content-Type", "image/jpeg"},
		{"x-amz-meta-uuid", "14365123651274"},
		{"X-Amz-Meta-Tag", "anything"},
		{"x-ignore-me", "not in the policy"},
	}
}

func docUpload(t testing.TB, policy string, extra ...field) upload {
	return upload{
		fields:   fieldsWith(append(docFields(), v4Fields(policy, testNow, testRegion)...), extra...),
		fileName: "cat.jpg", fileType: "image/jpeg", file: []byte("meow"),
	}
}

func TestAcceptV4(t *testing.T) {
	policy := policyB64(t, testNow.Add(time.Hour), docConds(testNow)...)
	u := docUpload(t, policy)
	u.afterFields = []field{{"x-amz-meta-late", "ignored"}, {"key", "other"}}
	f := parseForm(t, u)
	ak, p, err := f.Verify(lookup, testRegion, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if ak != testAK || p == nil {
		t.Fatalf("ak %q policy %v", ak, p)
	}
	if got := f.Key(); got != "user/eric/cat.jpg" {
		t.Fatalf("Key %q", got)
	}
	if f.FileName != "cat.jpg" || f.FileContentType != "image/jpeg" {
		t.Fatalf("file %q %q", f.FileName, f.FileContentType)
	}
	if got := readAll(t, f.File); got != "meow" {
		t.Fatalf("file %q", got)
	}
	if _, ok := f.Fields["x-amz-meta-late"]; ok {
		t.Fatal("field after the file was read")
	}
	if f.Field("CONTENT-TYPE") != "image/jpeg" || f.Fields["x-amz-meta-tag"] != "anything" {
		t.Fatalf("fields %v", f.Fields)
	}
	lo, hi, ok := p.LengthRange()
	if !ok || lo != 1 || hi != 1048576 {
		t.Fatalf("LengthRange %d %d %v", lo, hi, ok)
	}
	if p.CheckLength(4) != nil {
		t.Fatal("CheckLength(4)")
	}
	wantCode(t, p.CheckLength(0), "EntityTooSmall", 400)
	wantCode(t, p.CheckLength(1048577), "EntityTooLarge", 400)
	if !p.Expiration.Equal(testNow.Add(time.Hour)) {
		t.Fatalf("Expiration %v", p.Expiration)
	}
	// Any region is accepted with region "".
	f = parseForm(t, docUpload(t, policy))
	if _, _, err := f.Verify(lookup, "", testNow); err != nil {
		t.Fatal(err)
	}
}

func TestAcceptV2(t *testing.T) {
	policy := policyB64(t, testNow.Add(time.Hour),
		map[string]string{"bucket": testBucket},
		[]any{"eq", "$key", "a/${filename}"},
	)
	fields := []field{
		{"key", "a/${filename}"},
		{"AWSAccessKeyId", testAK},
		{"policy", policy},
		{"signature", signer.PostPresignSignatureV2(policy, testSecret)},
	}
	f := parseForm(t, upload{fields: fields, fileName: "x y.txt", file: []byte("data")})
	ak, p, err := f.Verify(lookup, testRegion, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if ak != testAK || f.Key() != "a/x y.txt" {
		t.Fatalf("ak %q key %q", ak, f.Key())
	}
	if _, _, ok := p.LengthRange(); ok {
		t.Fatal("LengthRange ok without a condition")
	}
	if p.CheckLength(1<<40) != nil {
		t.Fatal("CheckLength without a range")
	}

	// starts-with on an exact-only field fails.
	policy2 := policyB64(t, testNow.Add(time.Hour),
		map[string]string{"bucket": testBucket},
		[]any{"eq", "$key", "a/${filename}"},
		[]any{"starts-with", "$success_action_status", ""},
	)
	f = parseForm(t, upload{fields: []field{
		fields[0], fields[1], {"policy", policy2}, {"signature", signer.PostPresignSignatureV2(policy2, testSecret)},
		{"success_action_status", "201"},
	}, file: []byte("d")})
	_, _, err = f.Verify(lookup, testRegion, testNow)
	wantMessage(t, err, "AccessDenied", 403, `Invalid according to Policy: Policy Condition failed: ["starts-with", "$success_action_status", ""]`)

	// Bad signature and unknown key.
	bad := fieldsWith(fields[:3], field{"signature", signer.PostPresignSignatureV2(policy, "wrong")})
	f = parseForm(t, upload{fields: bad, file: []byte("d")})
	_, _, err = f.Verify(lookup, testRegion, testNow)
	wantCode(t, err, "SignatureDoesNotMatch", 403)
	unk := []field{{"key", "k"}, {"AWSAccessKeyId", "nobody"}, fields[2], fields[3]}
	f = parseForm(t, upload{fields: unk, file: []byte("d")})
	_, _, err = f.Verify(lookup, testRegion, testNow)
	wantCode(t, err, "InvalidAccessKeyId", 403)
	// Missing signature.
	f = parseForm(t, upload{fields: fields[:3], file: []byte("d")})
	_, _, err = f.Verify(lookup, testRegion, testNow)
	wantMessage(t, err, "InvalidArgument", 400, "Bucket POST must contain a field named 'signature'.  If it is specified, please check the order of the fields.")
	f = parseForm(t, upload{fields: []field{fields[0], fields[2], fields[3]}, file: []byte("d")})
	_, _, err = f.Verify(lookup, testRegion, testNow)
	wantMessage(t, err, "InvalidArgument", 400, "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check the order of the fields.")
}

func TestRejections(t *testing.T) {
	good := policyB64(t, testNow.Add(time.Hour), docConds(testNow)...)
	cases := []struct {
		name   string
		u      func() upload
		bucket string
		region string
		now    time.Time
		code   string
		status int
		msg    string
	}{
		{
			name: "expired", now: testNow.Add(2 * time.Hour),
			u:    func() upload { return docUpload(t, good) },
			code: "AccessDenied", status: 403, msg: "Invalid according to Policy: Policy expired.",
		},
		{
			name: "extra field",
			u:    func() upload { return docUpload(t, good, field{"x-amz-meta-extra", "1"}) },
			code: "AccessDenied", status: 403, msg: "Invalid according to Policy: Extra input fields: x-amz-meta-extra",
		},
		{
			name: "extra success_action_status",
			u:    func() upload { return docUpload(t, good, field{"Success_Action_Status", "201"}) },
			code: "AccessDenied", status: 403, msg: "Invalid according to Policy: Extra input fields: success_action_status",
		},
		{
			name: "eq failure",
			u: func() upload {
				u := docUpload(t, good)
				u.fields[1].value = "private" // acl
				return u
			},
			code: "AccessDenied", status: 403, msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "public-read"]`,
		},
		{
			name: "starts-with failure",
			u: func() upload {
				u := docUpload(t, good)
				u.fields[0].value = "user/bob/${filename}"
				return u
			},
			code: "AccessDenied", status: 403, msg: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/eric/"]`,
		},
		{
			name: "content-type list with one bad member",
			u: func() upload {
				u := docUpload(t, good)
				u.fields[3].value = "image/png, text/html"
				return u
			},
			code: "AccessDenied", status: 403, msg: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]`,
		},
		{
			name: "other bucket", bucket: "other",
			u:    func() upload { return docUpload(t, good) },
			code: "AccessDenied", status: 403, msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "johnsmith"]`,
		},
		{
			name: "bad signature",
			u: func() upload {
				u := docUpload(t, good)
				sig := &u.fields[len(u.fields)-1]
				sig.value = strings.Repeat("0", 64)
				return u
			},
			code: "SignatureDoesNotMatch", status: 403,
		},
		{
			name: "tampered policy",
			u: func() upload {
				u := docUpload(t, good)
				evil := policyB64(t, testNow.Add(time.Hour), []any{"starts-with", "$key", ""})
				for i := range u.fields {
					if u.fields[i].name == "policy" {
						u.fields[i].value = evil
					}
				}
				return u
			},
			code: "SignatureDoesNotMatch", status: 403,
		},
		{
			name: "signed with another secret",
			u: func() upload {
				u := docUpload(t, good)
				u.fields[len(u.fields)-1].value = signer.PostPresignSignatureV4(good, testNow, "other", testRegion)
				return u
			},
			code: "SignatureDoesNotMatch", status: 403,
		},
		{
			name: "unknown key",
			u: func() upload {
				u := docUpload(t, good)
				for i := range u.fields {
					if u.fields[i].name == "x-amz-credential" {
						u.fields[i].value = credential("AKIDNOBODY", testNow, testRegion)
					}
				}
				return u
			},
			code: "InvalidAccessKeyId", status: 403,
		},
		{
			name: "wrong region in credential", region: "eu-west-1",
			u:    func() upload { return docUpload(t, good) },
			code: "InvalidArgument", status: 400, msg: "the region 'us-east-1' is wrong; expecting 'eu-west-1'",
		},
		{
			name: "signature after the file is ignored",
			u: func() upload {
				u := docUpload(t, good)
				n := len(u.fields)
				u.afterFields = u.fields[n-1:]
				u.fields = u.fields[:n-1]
				return u
			},
			code: "InvalidArgument", status: 400,
			msg: "Bucket POST must contain a field named 'x-amz-signature'.  If it is specified, please check the order of the fields.",
		},
		{
			name: "key after the file is ignored",
			u: func() upload {
				u := docUpload(t, good)
				u.afterFields = u.fields[:1]
				u.fields = u.fields[1:]
				return u
			},
			code: "InvalidArgument", status: 400,
			msg: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
		},
		{
			name: "bad algorithm",
			u: func() upload {
				u := docUpload(t, good)
				for i := range u.fields {
					if u.fields[i].name == "x-amz-algorithm" {
						u.fields[i].value = "AWS4-HMAC-SHA1"
					}
				}
				return u
			},
			code: "InvalidArgument", status: 400,
		},
		{
			name: "bad credential",
			u: func() upload {
				u := docUpload(t, good)
				for i := range u.fields {
					if u.fields[i].name == "x-amz-credential" {
						u.fields[i].value = testAK + "/20260102/us-east-1/sqs/aws4_request"
					}
				}
				return u
			},
			code: "InvalidArgument", status: 400,
		},
		{
			name: "policy without signature",
			u: func() upload {
				return upload{fields: []field{{"key", "k"}, {"policy", good}}, file: []byte("x")}
			},
			code: "InvalidArgument", status: 400,
			msg: "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check the order of the fields.",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := parseForm(t, c.u())
			if c.bucket != "" {
				f.Bucket = c.bucket
			}
			region, now := testRegion, testNow
			if c.region != "" {
				region = c.region
			}
			if !c.now.IsZero() {
				now = c.now
			}
			ak, p, err := f.Verify(lookup, region, now)
			if ak != "" || p != nil {
				t.Fatalf("ak %q policy %v with error", ak, p)
			}
			if c.msg != "" {
				wantMessage(t, err, c.code, c.status, c.msg)
			} else {
				wantCode(t, err, c.code, c.status)
			}
		})
	}
}

func TestFilenameSubstitution(t *testing.T) {
	for _, tc := range []struct {
		name string
		cond []any
		ok   bool
	}{
		{"eq on the template", []any{"eq", "$key", "uploads/${filename}"}, true},
		{"eq on the result", []any{"eq", "$key", "uploads/photo 1.png"}, true},
		{"starts-with", []any{"starts-with", "$key", "uploads/"}, true},
		{"starts-with any", []any{"starts-with", "$key", ""}, true},
		{"eq other", []any{"eq", "$key", "uploads/other.png"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conds := append(v4Conds(testNow, testRegion), map[string]string{"bucket": testBucket}, tc.cond)
			policy := policyB64(t, testNow.Add(time.Minute), conds...)
			f := parseForm(t, upload{
				fields:   append([]field{{"key", "uploads/${filename}"}}, v4Fields(policy, testNow, testRegion)...),
				fileName: "photo 1.png", file: []byte("png"),
			})
			if f.Key() != "uploads/photo 1.png" {
				t.Fatalf("Key %q", f.Key())
			}
			_, _, err := f.Verify(lookup, testRegion, testNow)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				wantCode(t, err, "AccessDenied", 403)
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	f := parseForm(t, upload{fields: []field{{"key", "k"}, {"acl", "x"}}, file: []byte("x")})
	ak, p, err := f.Verify(lookup, testRegion, testNow)
	if ak != "" || p != nil || err != nil {
		t.Fatalf("anonymous: %q %v %v", ak, p, err)
	}
	f = parseForm(t, upload{fields: []field{{"acl", "x"}}, file: []byte("x")})
	_, _, err = f.Verify(lookup, testRegion, testNow)
	wantCode(t, err, "InvalidArgument", 400)
}

func TestInvalidPolicyDocuments(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	exp := `"expiration": "2030-01-01T00:00:00Z"`
	for name, tc := range map[string]struct{ policy, msg string }{
		"base64":             {"!!!not base64", "Invalid Policy: invalid Base64 encoding."},
		"empty":              {enc("  "), "Invalid Policy: Expecting '{' but found End-of-Input"},
		"json":               {enc("{"), "Invalid Policy: Invalid JSON."},
		"not an object":      {enc("[]"), "Invalid Policy: Invalid JSON."},
		"trailing data":      {enc(`{"expiration": "2030-01-01T00:00:00Z", "conditions": []} {}`), "Invalid Policy: Invalid JSON."},
		"no expiration":      {enc(`{"conditions": []}`), "Invalid Policy: Policy missing expiration."},
		"bad expiration":     {enc(`{"expiration": "tomorrow", "conditions": []}`), "Invalid Policy: Invalid 'expiration' value: 'tomorrow'"},
		"numeric expiration": {enc(`{"expiration": 5, "conditions": []}`), "Invalid Policy: Invalid 'expiration' value: '5'"},
		"no conditions":      {enc(`{` + exp + `}`), "Invalid Policy: Policy missing conditions."},
		"conditions object":  {enc(`{` + exp + `, "conditions": {}}`), "Invalid Policy: Invalid 'conditions' value: must be a List."},
		"condition string":   {enc(`{` + exp + `, "conditions": ["x"]}`), "Invalid Policy: Invalid condition test: must be a List or Object."},
		"two properties":     {enc(`{` + exp + `, "conditions": [{"a": "1", "b": "2"}]}`), "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
		"simple non-string":  {enc(`{` + exp + `, "conditions": [{"a": 1}]}`), "Invalid Policy: Invalid Simple-Condition: value must be a string."},
		"empty list":         {enc(`{` + exp + `, "conditions": [[]]}`), "Invalid Policy: Invalid Condition: missing operation identifier."},
		"unknown op":         {enc(`{` + exp + `, "conditions": [["ends-with", "$key", "x"]]}`), "Invalid Policy: Invalid Condition: unknown operation 'ends-with'."},
		"eq arity":           {enc(`{` + exp + `, "conditions": [["eq", "$key"]]}`), "Invalid Policy: Invalid eq: wrong number of arguments."},
		"range arity":        {enc(`{` + exp + `, "conditions": [["content-length-range", 1]]}`), "Invalid Policy: Invalid content-length-range: wrong number of arguments."},
	} {
		t.Run(name, func(t *testing.T) {
			f := parseForm(t, upload{fields: append([]field{{"key", "k"}}, v4Fields(tc.policy, testNow, testRegion)...), file: []byte("x")})
			_, _, err := f.Verify(lookup, testRegion, testNow)
			wantMessage(t, err, "InvalidPolicyDocument", 400, tc.msg)
		})
	}
}

func TestCheckFields(t *testing.T) {
	p, err := ParsePolicy(policyB64(t, testNow,
		map[string]string{"bucket": "b"},
		[]any{"starts-with", "$key", "a/"},
		[]any{"eq", "$x-amz-meta-n", ""},
		[]any{"content-length-range", "10", 20},
		[]any{"content-length-range", 5, 15},
	))
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi, ok := p.LengthRange(); !ok || lo != 10 || hi != 15 {
		t.Fatalf("LengthRange %d %d %v (want the intersection)", lo, hi, ok)
	}
	if err := p.CheckFields(map[string]string{"Bucket": "b", "key": "a/x", "file": "f", "policy": "p", "x-amz-signature": "s", "x-ignore-z": "1"}); err != nil {
		t.Fatal(err)
	}
	// A condition on an absent field sees "".
	if err := p.CheckFields(map[string]string{"bucket": "b", "key": "a/x", "x-amz-meta-n": ""}); err != nil {
		t.Fatal(err)
	}
	// V4: AWSAccessKeyId is not exempt.
	err = p.CheckFields(map[string]string{"bucket": "b", "key": "a/x", "awsaccesskeyid": "x"})
	wantMessage(t, err, "AccessDenied", 403, "Invalid according to Policy: Extra input fields: awsaccesskeyid")
	// Unusable conditions always fail, echoing themselves.
	for cond, echo := range map[string]string{
		`["content-length-range", "x", 5]`: `["content-length-range", "x", 5]`,
		`["content-length-range", 9, 5]`:   `["content-length-range", 9, 5]`,
		`["eq", "key", "v"]`:               `["eq", "key", "v"]`,
		`["eq", "$key", 5]`:                `["eq", "$key", 5]`,
		`["Starts-With", "$", ""]`:         `["Starts-With", "$", ""]`,
	} {
		p, err := ParsePolicy(base64.StdEncoding.EncodeToString([]byte(`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [` + cond + `]}`)))
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		err = p.CheckFields(map[string]string{"key": "v"})
		wantMessage(t, err, "AccessDenied", 403, "Invalid according to Policy: Policy Condition failed: "+echo)
	}
}

func TestStartsWithFields(t *testing.T) {
	for _, tc := range []struct {
		field, value string
		ok           bool
	}{
		{"x-amz-meta-color", "red", true},
		{"x-amz-storage-class", "STANDARD_IA", true},
		{"x-amz-server-side-encryption-customer-algorithm", "AES256", true},
		{"x-amz-website-redirect-location", "/elsewhere", true},
		{"content-type", "image/png", true},
		{"acl", "private", true},
		// Exact matching only: starts-with never holds.
		{"bucket", "b", false},
		{"success_action_status", "201", false},
		{"x-amz-algorithm", "AWS4-HMAC-SHA256", false},
		{"x-amz-credential", "AK/20260102/us-east-1/s3/aws4_request", false},
		{"x-amz-date", "20260102T030405Z", false},
		{"x-amz-security-token", "tok", false},
	} {
		p, err := ParsePolicy(policyB64(t, testNow, []any{"starts-with", "$" + tc.field, ""}))
		if err != nil {
			t.Fatal(err)
		}
		err = p.CheckFields(map[string]string{tc.field: tc.value})
		if tc.ok && err != nil {
			t.Errorf("starts-with on %s: %v", tc.field, err)
		}
		if !tc.ok {
			wantMessage(t, err, "AccessDenied", 403, `Invalid according to Policy: Policy Condition failed: ["starts-with", "$`+tc.field+`", ""]`)
		}
	}
}

func TestChecksumFieldsNeedNoCondition(t *testing.T) {
	p, err := ParsePolicy(policyB64(t, testNow, map[string]string{"key": "k"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x-amz-checksum-crc32", "x-amz-checksum-sha256", "x-amz-checksum-crc64nvme", "x-amz-checksum-algorithm"} {
		if err := p.CheckFields(map[string]string{"key": "k", name: "AAAAAA=="}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Other fields still need one, Content-MD5 among them.
	err = p.CheckFields(map[string]string{"key": "k", "content-md5": "x"})
	wantMessage(t, err, "AccessDenied", 403, "Invalid according to Policy: Extra input fields: content-md5")
}
