package policy

import (
	"errors"
	"strings"
	"testing"
)

const testBucket = "mybucket"

func mustParse(t testing.TB, kind Kind, bucket, src string) *Document {
	t.Helper()
	d, err := Parse([]byte(src), kind, bucket)
	if err != nil {
		t.Fatalf("Parse(%s): %v", src, err)
	}
	return d
}

// bp wraps one statement body (without braces) in a 2012-10-17 document.
func bp(stmt string) string {
	return `{"Version":"2012-10-17","Statement":[{` + stmt + `}]}`
}

func TestParseErrors(t *testing.T) {
	const allow = `"Effect":"Allow","Principal":"*",`
	const objRes = `"Resource":"arn:aws:s3:::mybucket/*"`
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"},`, 300) +
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"}]}`
	bigIdentity := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"},`, 150) +
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	tests := []struct {
		name string
		kind Kind
		src  string
		want string
	}{
		{"empty", BucketPolicy, ``, ReasonNotObject},
		{"array", BucketPolicy, `[]`, ReasonNotObject},
		{"string", BucketPolicy, `"x"`, ReasonNotObject},
		{"truncated", BucketPolicy, `{"Version":`, ReasonInvalidJSON},
		{"trailing data", BucketPolicy, `{} {}`, ReasonInvalidJSON},
		{"duplicate key", BucketPolicy, `{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}`, ReasonInvalidJSON},
		{"too large bucket", BucketPolicy, big, ReasonBucketPolicyTooLarge},
		{"too large identity", IdentityPolicy, bigIdentity, ReasonIdentityPolicyTooLarge},
		{"bad version", BucketPolicy, `{"Version":"2020-01-01","Statement":[{` + allow + `"Action":"s3:GetObject",` + objRes + `}]}`, ReasonInvalidVersion},
		{"numeric version", BucketPolicy, `{"Version":2012,"Statement":[{` + allow + `"Action":"s3:GetObject",` + objRes + `}]}`, ReasonInvalidVersion},
		{"unknown top field", BucketPolicy, `{"Version":"2012-10-17","Foo":1,"Statement":[{` + allow + `"Action":"s3:GetObject",` + objRes + `}]}`, ReasonUnknownField},
		{"missing statement", BucketPolicy, `{"Version":"2012-10-17"}`, ReasonMissingStatement},
		{"empty statement", BucketPolicy, `{"Version":"2012-10-17","Statement":[]}`, ReasonMissingStatement},
		{"statement string", BucketPolicy, `{"Version":"2012-10-17","Statement":"x"}`, ReasonSyntax},
		{"statement array of strings", BucketPolicy, `{"Version":"2012-10-17","Statement":["x"]}`, ReasonSyntax},
		{"unknown statement field", BucketPolicy, bp(allow + `"Action":"s3:GetObject","Foo":"x",` + objRes), ReasonUnknownField},
		{"missing effect", BucketPolicy, bp(`"Principal":"*","Action":"s3:GetObject",` + objRes), ReasonMissingEffect},
		{"invalid effect", BucketPolicy, bp(`"Effect":"Permit","Principal":"*","Action":"s3:GetObject",` + objRes), ReasonInvalidEffect},
		{"lowercase effect", BucketPolicy, bp(`"Effect":"allow","Principal":"*","Action":"s3:GetObject",` + objRes), ReasonInvalidEffect},
		{"sid not string", BucketPolicy, bp(`"Sid":1,` + allow + `"Action":"s3:GetObject",` + objRes), ReasonSyntax},
		{"identity sid not alnum", IdentityPolicy, bp(`"Sid":"my-sid","Effect":"Allow","Action":"s3:GetObject","Resource":"*"`), ReasonInvalidSid},
		{"condition null", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":null`), ReasonInvalidCondition},
		{"duplicate sid", BucketPolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"a",` + allow + `"Action":"s3:GetObject",` + objRes + `},{"Sid":"a",` + allow + `"Action":"s3:PutObject",` + objRes + `}]}`, ReasonDuplicateSid},
		{"missing principal", BucketPolicy, bp(`"Effect":"Allow","Action":"s3:GetObject",` + objRes), ReasonMissingPrincipal},
		{"principal in identity", IdentityPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes), ReasonPrincipalNotAllowed},
		{"notprincipal in identity", IdentityPolicy, bp(`"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:GetObject",` + objRes), ReasonPrincipalNotAllowed},
		{"conflicting principal", BucketPolicy, bp(`"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:GetObject",` + objRes), ReasonConflictingPrincipal},
		{"principal arn string", BucketPolicy, bp(`"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"principal bad account", BucketPolicy, bp(`"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"principal bad arn", BucketPolicy, bp(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123:user/bob"},"Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"principal wildcard arn", BucketPolicy, bp(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"principal federated", BucketPolicy, bp(`"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"principal empty object", BucketPolicy, bp(`"Effect":"Allow","Principal":{},"Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"principal empty list", BucketPolicy, bp(`"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"principal number", BucketPolicy, bp(`"Effect":"Allow","Principal":5,"Action":"s3:GetObject",` + objRes), ReasonInvalidPrincipal},
		{"missing action", BucketPolicy, bp(allow + objRes), ReasonMissingAction},
		{"empty action", BucketPolicy, bp(allow + `"Action":[],` + objRes), ReasonMissingAction},
		{"conflicting action", BucketPolicy, bp(allow + `"Action":"s3:GetObject","NotAction":"s3:PutObject",` + objRes), ReasonConflictingAction},
		{"unknown s3 action", BucketPolicy, bp(allow + `"Action":"s3:GetObjekt",` + objRes), ReasonInvalidAction},
		{"wildcard matching nothing", BucketPolicy, bp(allow + `"Action":"s3:Frobnicate*",` + objRes), ReasonInvalidAction},
		{"action without service", BucketPolicy, bp(allow + `"Action":"GetObject",` + objRes), ReasonInvalidAction},
		{"action empty name", BucketPolicy, bp(allow + `"Action":"s3:",` + objRes), ReasonInvalidAction},
		{"action bad char", BucketPolicy, bp(allow + `"Action":"s3:Get Object",` + objRes), ReasonInvalidAction},
		{"action number", BucketPolicy, bp(allow + `"Action":5,` + objRes), ReasonInvalidAction},
		{"ec2 action in bucket policy", BucketPolicy, bp(allow + `"Action":"ec2:RunInstances",` + objRes), ReasonInvalidAction},
		{"iam action in bucket policy", BucketPolicy, bp(allow + `"Action":"iam:CreateUser",` + objRes), ReasonInvalidAction},
		{"kms action in bucket policy", BucketPolicy, bp(allow + `"Action":"kms:Decrypt",` + objRes), ReasonInvalidAction},
		{"ec2 action in identity policy", IdentityPolicy, bp(`"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"`), ReasonInvalidAction},
		{"missing resource", BucketPolicy, bp(allow + `"Action":"s3:GetObject"`), ReasonMissingResource},
		{"conflicting resource", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"NotResource":"arn:aws:s3:::mybucket/x"`), ReasonConflictingResource},
		{"other bucket", BucketPolicy, bp(allow + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::otherbucket/*"`), ReasonInvalidBucketResource},
		{"bucket prefix only", BucketPolicy, bp(allow + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucketx/*"`), ReasonInvalidBucketResource},
		{"star resource in bucket policy", BucketPolicy, bp(allow + `"Action":"s3:GetObject","Resource":"*"`), ReasonInvalidBucketResource},
		{"empty arn", BucketPolicy, bp(allow + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::"`), ReasonInvalidBucketResource},
		{"resource number", BucketPolicy, bp(allow + `"Action":"s3:GetObject","Resource":1`), ReasonInvalidBucketResource},
		{"identity bad resource", IdentityPolicy, bp(`"Effect":"Allow","Action":"s3:GetObject","Resource":"mybucket/*"`), ReasonInvalidResource},
		{"object action on bucket", BucketPolicy, bp(allow + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket"`), ReasonActionResourceMismatch},
		{"bucket action on objects", BucketPolicy, bp(allow + `"Action":["s3:GetObject","s3:ListBucket"],` + objRes), ReasonActionResourceMismatch},
		{"account action", BucketPolicy, bp(allow + `"Action":"s3:ListAllMyBuckets","Resource":["arn:aws:s3:::mybucket","arn:aws:s3:::mybucket/*"]`), ReasonActionResourceMismatch},
		{"unknown operator", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEqualz":{"aws:Referer":"x"}}`), ReasonUnknownOperator},
		{"null ifexists", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"NullIfExists":{"aws:Referer":"true"}}`), ReasonUnknownOperator},
		{"bad set prefix", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"ForSomeValues:StringEquals":{"aws:Referer":"x"}}`), ReasonUnknownOperator},
		{"condition not object", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":"x"`), ReasonInvalidCondition},
		{"operator block not object", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":"x"}`), ReasonInvalidCondition},
		{"unknown aws key", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"aws:Frobnicate":"x"}}`), ReasonInvalidConditionKey},
		{"unknown s3 key", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"s3:frobnicate":"x"}}`), ReasonInvalidConditionKey},
		{"key without prefix", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"referer":"x"}}`), ReasonInvalidConditionKey},
		{"other service key", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"ec2:Region":"x"}}`), ReasonInvalidConditionKey},
		{"iam key in bucket policy", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"iam:PassedToService":"x"}}`), ReasonInvalidConditionKey},
		{"empty tag key", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"s3:ExistingObjectTag/":"x"}}`), ReasonInvalidConditionKey},
		{"value object", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"aws:Referer":{"a":"b"}}}`), ReasonInvalidConditionValue},
		{"value null", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"StringEquals":{"aws:Referer":null}}`), ReasonInvalidConditionValue},
		{"numeric not number", BucketPolicy, bp(allow + `"Action":"s3:ListBucket","Resource":"arn:aws:s3:::mybucket","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}`), ReasonInvalidConditionValue},
		{"bad ip", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/24"}}`), ReasonInvalidConditionValue},
		{"bad date", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}`), ReasonInvalidConditionValue},
		{"bad bool", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}`), ReasonInvalidConditionValue},
		{"bad null", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"Null":{"aws:Referer":"maybe"}}`), ReasonInvalidConditionValue},
		{"bad binary", BucketPolicy, bp(allow + `"Action":"s3:GetObject",` + objRes + `,"Condition":{"BinaryEquals":{"aws:Referer":"!!!"}}`), ReasonInvalidConditionValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.src), tc.kind, testBucket)
			if err == nil {
				t.Fatalf("Parse succeeded (%d statements), want %q", len(d.Statements), tc.want)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if pe.Reason != tc.want {
				t.Fatalf("Reason = %q (%v), want %q", pe.Reason, err, tc.want)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		src  string
	}{
		{"statement object, strings", BucketPolicy, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"}}`},
		{"no version", BucketPolicy, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"}]}`},
		{"2008 version with id", BucketPolicy, `{"Version":"2008-10-17","Id":"p1","Statement":[{"Sid":"s1","Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:*"],"Resource":["arn:aws:s3:::mybucket","arn:aws:s3:::mybucket/*"]}]}`},
		{"principal list", BucketPolicy, bp(`"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:user/path/bob","arn:aws:iam::210987654321:role/r","arn:aws:sts::123456789012:assumed-role/r/s"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`)},
		{"canonical and service", BucketPolicy, bp(`"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","Service":["logging.s3.amazonaws.com"]},"Action":"s3:PutObject","Resource":"arn:aws:s3:::mybucket/logs/*"`)},
		{"not principal", BucketPolicy, bp(`"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"s3:*","Resource":"arn:aws:s3:::mybucket/*"`)},
		{"not action", BucketPolicy, bp(`"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`)},
		{"not resource", BucketPolicy, bp(`"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::mybucket/public/*"`)},
		{"star action", BucketPolicy, bp(`"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:s3:::mybucket"`)},
		{"case-insensitive action", BucketPolicy, bp(`"Effect":"Allow","Principal":"*","Action":"S3:getobject","Resource":"arn:aws:s3:::mybucket/*"`)},
		{"get wildcard on bucket", BucketPolicy, bp(`"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"arn:aws:s3:::mybucket"`)},
		{"wildcard bucket name", BucketPolicy, bp(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::my*/*"`)},
		{"bucket star covers objects", BucketPolicy, bp(`"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::mybucket*"`)},
		{"variable resource", BucketPolicy, bp(`"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"arn:aws:s3:::mybucket/home/${aws:username}/*"`)},
		{"conditions of every family", BucketPolicy, bp(`"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::mybucket","Condition":{
			"StringEquals":{"s3:prefix":["a","b"],"aws:username":"bob"},
			"StringNotLikeIfExists":{"aws:Referer":"*evil*"},
			"NumericLessThanEquals":{"s3:max-keys":10},
			"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
			"DateLessThan":{"aws:EpochTime":1999999999},
			"Bool":{"aws:SecureTransport":true},
			"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","192.0.2.1"]},
			"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"},
			"Null":{"s3:delimiter":"false"},
			"BinaryEquals":{"aws:UserAgent":"QmluYXJ5"},
			"ForAnyValue:StringLike":{"s3:RequestObjectTagKeys":"a*"},
			"ForAllValues:StringEquals":{"aws:TagKeys":["x","y"]},
			"stringequalsignorecase":{"s3:ExistingObjectTag/Project":"X"}}`)},
		{"identity iam action", IdentityPolicy, bp(`"Effect":"Allow","Action":["iam:CreateUser","iam:Get*"],"Resource":"arn:aws:iam::123456789012:user/*"`)},
		{"identity kms action", IdentityPolicy, bp(`"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:us-east-1:123456789012:key/*"`)},
		{"identity star resource", IdentityPolicy, bp(`"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"`)},
		{"identity iam condition key", IdentityPolicy, bp(`"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"s3.amazonaws.com"}}`)},
		{"bucket sid with punctuation", BucketPolicy, bp(`"Sid":"Allow public-read (v2)","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`)},
		{"empty condition", BucketPolicy, bp(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*","Condition":{}`)},
		{"whitespace around", BucketPolicy, "\n  " + bp(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`) + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.kind, testBucket, tc.src)
			if string(d.Raw) != tc.src {
				t.Errorf("Raw not preserved")
			}
			if len(d.Statements) == 0 {
				t.Fatal("no statements")
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	d := mustParse(t, BucketPolicy, testBucket, `{"Version":"2012-10-17","Id":"pid","Statement":{"Sid":"s","Effect":"Deny",
		"Principal":{"AWS":["123456789012"],"CanonicalUser":"abc"},"NotAction":["s3:GetObject","s3:PutObject"],
		"Resource":"arn:aws:s3:::mybucket/*","Condition":{"NumericGreaterThan":{"s3:max-keys":5},"Bool":{"aws:SecureTransport":false}}}}`)
	if d.Version != Version2012 || d.ID != "pid" || d.Kind != BucketPolicy || len(d.Statements) != 1 {
		t.Fatalf("doc = %+v", d)
	}
	s := d.Statements[0]
	if s.Sid != "s" || s.Effect != "Deny" || s.Principal == nil || s.NotPrincipal != nil {
		t.Fatalf("statement = %+v", s)
	}
	if got := s.Principal.AWS; len(got) != 1 || got[0] != "123456789012" {
		t.Errorf("AWS = %v", got)
	}
	if got := s.Principal.CanonicalUser; len(got) != 1 || got[0] != "abc" {
		t.Errorf("CanonicalUser = %v", got)
	}
	if len(s.Action) != 0 || len(s.NotAction) != 2 || len(s.Resource) != 1 || s.NotResource != nil {
		t.Errorf("actions/resources = %v %v %v %v", s.Action, s.NotAction, s.Resource, s.NotResource)
	}
	if got := s.Condition["NumericGreaterThan"]["s3:max-keys"]; len(got) != 1 || got[0] != "5" {
		t.Errorf("numeric condition = %v", got)
	}
	if got := s.Condition["Bool"]["aws:SecureTransport"]; len(got) != 1 || got[0] != "false" {
		t.Errorf("bool condition = %v", got)
	}
	d2 := mustParse(t, BucketPolicy, testBucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"}}`)
	if d2.Version != "" || !d2.Statements[0].Principal.Wildcard {
		t.Errorf("doc2 = %+v %+v", d2, d2.Statements[0].Principal)
	}
}

func TestErrorString(t *testing.T) {
	_, err := Parse([]byte(bp(`"Effect":"Allow","Principal":"*","Action":"s3:Nope","Resource":"arn:aws:s3:::mybucket/*"`)), BucketPolicy, testBucket)
	if err == nil || err.Error() != "Policy has invalid action: s3:Nope" {
		t.Fatalf("err = %v", err)
	}
	if (&Error{Reason: "x"}).Error() != "x" {
		t.Fatal("bare reason")
	}
}

func TestPolicySize(t *testing.T) {
	if n := PolicySize([]byte("{ \"a\" : \"b c\" }")); n != len(`{"a":"b c"}`) {
		t.Fatalf("PolicySize = %d", n)
	}
	if PolicySize([]byte("{")) != -1 {
		t.Fatal("malformed should be -1")
	}
}

func TestTrustPolicies(t *testing.T) {
	ok := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/a"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/idp.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"idp.example.com:aud":"app","127.0.0.1:8080/realm:sub":"u"}}}]}`,
	}
	for _, doc := range ok {
		if _, err := Parse([]byte(doc), TrustPolicy, ""); err != nil {
			t.Fatalf("Parse(%s) = %v", doc, err)
		}
	}
	bad := map[string]string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`:                                                                 ReasonMissingPrincipal,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sts:AssumeRole","Resource":"*"}]}`:               ReasonProhibitedResource,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"s3:GetObject"}]}`:                                ReasonInvalidAction,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.example.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`: ReasonInvalidPrincipal,
	}
	for doc, reason := range bad {
		_, err := Parse([]byte(doc), TrustPolicy, "")
		var pe *Error
		if !errors.As(err, &pe) || pe.Reason != reason {
			t.Fatalf("Parse(%s) = %v, want %s", doc, err, reason)
		}
	}
	// Federated principals only in trust policies.
	if _, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), BucketPolicy, "b"); err == nil {
		t.Fatal("a bucket policy accepted a Federated principal")
	}
	// A role session matches a statement naming its role, and its tags are condition keys.
	d, _ := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/r"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalTag/Team":"blue","aws:SourceIdentity":"me"}}}]}`), BucketPolicy, "b")
	p := Principal{ARN: "arn:aws:sts::000000000000:assumed-role/r/s", RoleARN: "arn:aws:iam::000000000000:role/r", Tags: map[string]string{"team": "blue"}, SourceIdentity: "me"}
	req := &Request{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: map[string][]string{}}
	if d.Evaluate(req) != Allow {
		t.Fatal("role session not matched by its role's ARN with its tags")
	}
	req.Principal.Tags = map[string]string{"team": "red"}
	if d.Evaluate(req) != NotApplicable {
		t.Fatal("another tag value matched")
	}
}
