package policy

import (
	"strings"
	"testing"
)

const acct = "123456789012"

var (
	alice = Principal{ARN: "arn:aws:iam::123456789012:user/alice", Account: acct, Username: "alice", UserID: "AIDAALICE"}
	bob   = Principal{ARN: "arn:aws:iam::123456789012:user/bob", Account: acct, Username: "bob", UserID: "AIDABOB"}
	root  = Principal{ARN: "arn:aws:iam::123456789012:root", Account: acct}
	eve   = Principal{ARN: "arn:aws:iam::210987654321:user/eve", Account: "210987654321", Username: "eve"}
	anon  = Principal{Anonymous: true}
)

func objReq(p Principal, action, key string, ctx map[string][]string) *Request {
	return &Request{Principal: p, Action: action, Resource: "arn:aws:s3:::mybucket/" + key, Context: ctx}
}

// condDoc is an identity policy allowing s3:GetObject on everything under
// the given Condition block.
func condDoc(t *testing.T, version, cond string) *Document {
	t.Helper()
	v := ""
	if version != "" {
		v = `"Version":"` + version + `",`
	}
	return mustParse(t, IdentityPolicy, "", `{`+v+`"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":`+cond+`}]}`)
}

type condCase struct {
	name string
	cond string
	ctx  map[string][]string
	want bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := condDoc(t, Version2012, tc.cond)
			got := d.Evaluate(objReq(alice, "s3:GetObject", "k", tc.ctx)) == Allow
			if got != tc.want {
				t.Fatalf("condition %s with %v: got %v, want %v", tc.cond, tc.ctx, got, tc.want)
			}
		})
	}
}

func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func TestStringConditions(t *testing.T) {
	runCondCases(t, []condCase{
		{"equals", `{"StringEquals":{"aws:Referer":"a"}}`, ctx("aws:Referer", "a"), true},
		{"equals case-sensitive", `{"StringEquals":{"aws:Referer":"a"}}`, ctx("aws:Referer", "A"), false},
		{"equals one of values", `{"StringEquals":{"aws:Referer":["x","a"]}}`, ctx("aws:Referer", "a"), true},
		{"equals absent", `{"StringEquals":{"aws:Referer":"a"}}`, nil, false},
		{"equals key case-insensitive", `{"StringEquals":{"AWS:REFERER":"a"}}`, ctx("aws:referer", "a"), true},
		{"equals ctx key case-insensitive", `{"StringEquals":{"aws:referer":"a"}}`, ctx("Aws:ReFeReR", "a"), true},
		{"equals no wildcard", `{"StringEquals":{"aws:Referer":"a*"}}`, ctx("aws:Referer", "abc"), false},
		{"not equals", `{"StringNotEquals":{"aws:Referer":"a"}}`, ctx("aws:Referer", "b"), true},
		{"not equals match", `{"StringNotEquals":{"aws:Referer":"a"}}`, ctx("aws:Referer", "a"), false},
		{"not equals NOR", `{"StringNotEquals":{"aws:Referer":["a","b"]}}`, ctx("aws:Referer", "b"), false},
		{"not equals absent is true", `{"StringNotEquals":{"aws:Referer":"a"}}`, nil, true},
		{"ignore case", `{"StringEqualsIgnoreCase":{"aws:Referer":"ABC"}}`, ctx("aws:Referer", "abc"), true},
		{"ignore case differs", `{"StringEqualsIgnoreCase":{"aws:Referer":"ABC"}}`, ctx("aws:Referer", "abd"), false},
		{"not equals ignore case", `{"StringNotEqualsIgnoreCase":{"aws:Referer":"ABC"}}`, ctx("aws:Referer", "abc"), false},
		{"not equals ignore case true", `{"StringNotEqualsIgnoreCase":{"aws:Referer":"ABC"}}`, ctx("aws:Referer", "xyz"), true},
		{"like star", `{"StringLike":{"aws:Referer":"http://*.example.com/*"}}`, ctx("aws:Referer", "http://www.example.com/x"), true},
		{"like question", `{"StringLike":{"aws:Referer":"a?c"}}`, ctx("aws:Referer", "abc"), true},
		{"like question needs one", `{"StringLike":{"aws:Referer":"a?c"}}`, ctx("aws:Referer", "ac"), false},
		{"like case-sensitive", `{"StringLike":{"aws:Referer":"A*"}}`, ctx("aws:Referer", "abc"), false},
		{"like empty value", `{"StringLike":{"s3:prefix":""}}`, ctx("s3:prefix", ""), true},
		{"not like", `{"StringNotLike":{"aws:Referer":"*evil*"}}`, ctx("aws:Referer", "good"), true},
		{"not like match", `{"StringNotLike":{"aws:Referer":"*evil*"}}`, ctx("aws:Referer", "so-evil"), false},
		{"not like absent", `{"StringNotLike":{"aws:Referer":"*evil*"}}`, nil, true},
		{"empty ctx slice is absent", `{"StringEquals":{"aws:Referer":"a"}}`, map[string][]string{"aws:Referer": {}}, false},
		{"multiple keys AND", `{"StringEquals":{"aws:Referer":"a","aws:UserAgent":"u"}}`, ctx("aws:Referer", "a"), false},
		{"multiple keys AND ok", `{"StringEquals":{"aws:Referer":"a","aws:UserAgent":"u"}}`, ctx("aws:Referer", "a", "aws:UserAgent", "u"), true},
		{"multiple operators AND", `{"StringEquals":{"aws:Referer":"a"},"StringLike":{"aws:UserAgent":"x*"}}`, ctx("aws:Referer", "a", "aws:UserAgent", "u"), false},
		{"tag key", `{"StringEquals":{"s3:ExistingObjectTag/Project":"x"}}`, ctx("s3:ExistingObjectTag/Project", "x"), true},
	})
}

func TestIfExistsAndSets(t *testing.T) {
	runCondCases(t, []condCase{
		{"ifexists absent", `{"StringEqualsIfExists":{"aws:Referer":"a"}}`, nil, true},
		{"ifexists present match", `{"StringEqualsIfExists":{"aws:Referer":"a"}}`, ctx("aws:Referer", "a"), true},
		{"ifexists present mismatch", `{"StringEqualsIfExists":{"aws:Referer":"a"}}`, ctx("aws:Referer", "b"), false},
		{"not-ifexists absent", `{"StringNotEqualsIfExists":{"aws:Referer":"a"}}`, nil, true},
		{"numeric ifexists absent", `{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`, nil, true},
		{"numeric ifexists present", `{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "20"), false},
		{"ip ifexists absent", `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"anyvalue match", `{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, ctx("s3:RequestObjectTagKeys", "z", "s3:RequestObjectTagKeys", "b"), true},
		{"anyvalue none", `{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, ctx("s3:RequestObjectTagKeys", "z", "s3:RequestObjectTagKeys", "y"), false},
		{"anyvalue absent", `{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, nil, false},
		{"anyvalue ifexists absent", `{"ForAnyValue:StringEqualsIfExists":{"s3:RequestObjectTagKeys":"a"}}`, nil, true},
		{"anyvalue negated", `{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, ctx("s3:RequestObjectTagKeys", "a", "s3:RequestObjectTagKeys", "z"), true},
		{"anyvalue negated all listed", `{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, ctx("s3:RequestObjectTagKeys", "a", "s3:RequestObjectTagKeys", "b"), false},
		{"allvalues subset", `{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b","c"]}}`, ctx("s3:RequestObjectTagKeys", "a", "s3:RequestObjectTagKeys", "c"), true},
		{"allvalues not subset", `{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, ctx("s3:RequestObjectTagKeys", "a", "s3:RequestObjectTagKeys", "z"), false},
		{"allvalues absent", `{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}`, nil, true},
		{"allvalues empty", `{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}`, map[string][]string{"s3:RequestObjectTagKeys": {}}, true},
		{"allvalues like", `{"ForAllValues:StringLike":{"s3:RequestObjectTagKeys":"key1*"}}`, ctx("s3:RequestObjectTagKeys", "key1a", "s3:RequestObjectTagKeys", "key1b"), true},
		{"allvalues notlike (aws example: key2)", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, ctx("aws:TagKeys", "key2:audit"), true},
		{"allvalues notlike (aws example: key1)", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, ctx("aws:TagKeys", "key1:hr", "aws:TagKeys", "key1:personnel"), false},
		{"allvalues notlike absent", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, nil, true},
		{"no set op multivalued any", `{"StringEquals":{"aws:TagKeys":"a"}}`, ctx("aws:TagKeys", "z", "aws:TagKeys", "a"), true},
		{"no set op multivalued negated", `{"StringNotEquals":{"aws:TagKeys":"a"}}`, ctx("aws:TagKeys", "z", "aws:TagKeys", "a"), false},
		{"null true absent", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`, nil, true},
		{"null true present", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`, ctx("s3:x-amz-server-side-encryption", "AES256"), false},
		{"null false present", `{"Null":{"s3:x-amz-server-side-encryption":false}}`, ctx("s3:x-amz-server-side-encryption", "AES256"), true},
		{"null false absent", `{"Null":{"s3:x-amz-server-side-encryption":"false"}}`, nil, false},
		{"null empty slice", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`, map[string][]string{"s3:x-amz-server-side-encryption": {}}, true},
	})
}

func TestNumericConditions(t *testing.T) {
	runCondCases(t, []condCase{
		{"eq", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), true},
		{"eq decimal", `{"NumericEquals":{"s3:max-keys":10}}`, ctx("s3:max-keys", "10.0"), true},
		{"eq no", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), false},
		{"ne", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), true},
		{"ne no", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"ne absent", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, nil, true},
		{"lt", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "9"), true},
		{"lt eq", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"le", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), true},
		{"le no", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), false},
		{"gt", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), true},
		{"gt no", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"ge", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), true},
		{"ge no", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "9"), false},
		{"absent", `{"NumericLessThan":{"s3:max-keys":"10"}}`, nil, false},
		{"not a number", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "abc"), false},
		{"retention days", `{"NumericGreaterThanEquals":{"s3:object-lock-remaining-retention-days":"30"}}`, ctx("s3:object-lock-remaining-retention-days", "45"), true},
	})
}

func TestDateConditions(t *testing.T) {
	now := "2024-06-15T12:00:00Z"
	runCondCases(t, []condCase{
		{"eq", `{"DateEquals":{"aws:CurrentTime":"2024-06-15T12:00:00Z"}}`, ctx("aws:CurrentTime", now), true},
		{"eq other zone", `{"DateEquals":{"aws:CurrentTime":"2024-06-15T14:00:00+02:00"}}`, ctx("aws:CurrentTime", now), true},
		{"eq epoch policy", `{"DateEquals":{"aws:CurrentTime":"1718452800"}}`, ctx("aws:CurrentTime", now), true},
		{"eq epoch ctx", `{"DateEquals":{"aws:EpochTime":"2024-06-15T12:00:00Z"}}`, ctx("aws:EpochTime", "1718452800"), true},
		{"ne", `{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", now), true},
		{"ne no", `{"DateNotEquals":{"aws:CurrentTime":"2024-06-15T12:00:00Z"}}`, ctx("aws:CurrentTime", now), false},
		{"lt", `{"DateLessThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", now), true},
		{"lt no", `{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", now), false},
		{"le", `{"DateLessThanEquals":{"aws:CurrentTime":"2024-06-15T12:00:00Z"}}`, ctx("aws:CurrentTime", now), true},
		{"gt", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01"}}`, ctx("aws:CurrentTime", now), true},
		{"gt no", `{"DateGreaterThan":{"aws:CurrentTime":"2024-06-15T12:00:00Z"}}`, ctx("aws:CurrentTime", now), false},
		{"ge", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-06-15T12:00:00Z"}}`, ctx("aws:CurrentTime", now), true},
		{"absent", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01"}}`, nil, false},
		{"garbage ctx", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01"}}`, ctx("aws:CurrentTime", "nope"), false},
		{"retain until", `{"DateLessThanEquals":{"s3:object-lock-retain-until-date":"2030-01-01T00:00:00Z"}}`, ctx("s3:object-lock-retain-until-date", "2029-12-31T00:00:00.000Z"), true},
	})
}

func TestBoolBinaryIPArnConditions(t *testing.T) {
	runCondCases(t, []condCase{
		{"bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "true"), true},
		{"bool json", `{"Bool":{"aws:SecureTransport":true}}`, ctx("aws:SecureTransport", "TRUE"), true},
		{"bool false", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "false"), false},
		{"bool absent", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},
		{"binary", `{"BinaryEquals":{"aws:UserAgent":"QmluYXJ5"}}`, ctx("aws:UserAgent", "QmluYXJ5"), true},
		{"binary no", `{"BinaryEquals":{"aws:UserAgent":"QmluYXJ5"}}`, ctx("aws:UserAgent", "QmluYXJ6"), false},
		{"binary undecodable ctx", `{"BinaryEquals":{"aws:UserAgent":"QmluYXJ5"}}`, ctx("aws:UserAgent", "Binary"), false},
		{"ip v4 in", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "192.0.2.77"), true},
		{"ip v4 out", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "192.0.3.1"), false},
		{"ip plain /32", `{"IpAddress":{"aws:SourceIp":"192.0.2.1"}}`, ctx("aws:SourceIp", "192.0.2.1"), true},
		{"ip plain /32 out", `{"IpAddress":{"aws:SourceIp":"192.0.2.1"}}`, ctx("aws:SourceIp", "192.0.2.2"), false},
		{"ip unmasked cidr", `{"IpAddress":{"aws:SourceIp":"192.0.2.9/24"}}`, ctx("aws:SourceIp", "192.0.2.200"), true},
		{"ip v6 in", `{"IpAddress":{"aws:SourceIp":"2001:db8:1234::/48"}}`, ctx("aws:SourceIp", "2001:db8:1234:ffff::1"), true},
		{"ip v6 out", `{"IpAddress":{"aws:SourceIp":"2001:db8:1234::/48"}}`, ctx("aws:SourceIp", "2001:db8:1235::1"), false},
		{"ip v6 plain", `{"IpAddress":{"aws:SourceIp":"2001:db8::1"}}`, ctx("aws:SourceIp", "2001:db8::1"), true},
		{"ip mapped v4", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "::ffff:10.1.2.3"), true},
		{"ip family mismatch", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "2001:db8::1"), false},
		{"ip list", `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}`, ctx("aws:SourceIp", "2001:db8::5"), true},
		{"ip garbage ctx", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp", "not-an-ip"), false},
		{"not ip out", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "198.51.100.1"), true},
		{"not ip in", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx("aws:SourceIp", "192.0.2.1"), false},
		{"not ip absent", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true},
		{"arn equals", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/alice"}}`, nil, true},
		{"arn equals other", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/bob"}}`, nil, false},
		{"arn like account wildcard", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/a*"}}`, nil, true},
		{"arn like wildcard does not span segments", `{"ArnLike":{"aws:SourceArn":"arn:aws:*:bucket"}}`, ctx("aws:SourceArn", "arn:aws:s3:::bucket"), false},
		{"arn like resource part with colons", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:topic*"}}`, ctx("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic:sub"), true},
		{"arn like case-sensitive", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::Bucket"}}`, ctx("aws:SourceArn", "arn:aws:s3:::bucket"), false},
		{"arn not like", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::logs-*"}}`, ctx("aws:SourceArn", "arn:aws:s3:::data"), true},
		{"arn not like match", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::logs-*"}}`, ctx("aws:SourceArn", "arn:aws:s3:::logs-1"), false},
		{"arn not equals absent", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::x"}}`, nil, true},
		{"arn not an arn", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::x"}}`, ctx("aws:SourceArn", "x"), false},
	})
}

func TestPrincipalDefaultsInContext(t *testing.T) {
	d := condDoc(t, Version2012, `{"StringEquals":{"aws:username":"alice","aws:userid":"AIDAALICE","aws:PrincipalAccount":"123456789012"}}`)
	if got := d.Evaluate(objReq(alice, "s3:GetObject", "k", nil)); got != Allow {
		t.Fatalf("alice: %v", got)
	}
	if got := d.Evaluate(objReq(bob, "s3:GetObject", "k", nil)); got != NotApplicable {
		t.Fatalf("bob: %v", got)
	}
	if got := d.Evaluate(objReq(anon, "s3:GetObject", "k", nil)); got != NotApplicable {
		t.Fatalf("anon: %v", got)
	}
	// Explicit context wins over the principal.
	if got := d.Evaluate(objReq(bob, "s3:GetObject", "k", ctx("aws:username", "alice", "aws:userid", "AIDAALICE"))); got != Allow {
		t.Fatalf("bob with overriding context: %v", got)
	}
	// Account derived from the ARN.
	p := alice
	p.Account = ""
	if got := d.Evaluate(objReq(p, "s3:GetObject", "k", nil)); got != Allow {
		t.Fatalf("account from ARN: %v", got)
	}
}

func TestPrincipals(t *testing.T) {
	doc := func(principal string) *Document {
		return mustParse(t, BucketPolicy, testBucket, bp(`"Effect":"Allow","Principal":`+principal+`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`))
	}
	notDoc := func(principal string) *Document {
		return mustParse(t, BucketPolicy, testBucket, bp(`"Effect":"Deny","NotPrincipal":`+principal+`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`))
	}
	tests := []struct {
		name string
		doc  *Document
		p    Principal
		want Effect
	}{
		{"star anon", doc(`"*"`), anon, Allow},
		{"star user", doc(`"*"`), alice, Allow},
		{"aws star anon", doc(`{"AWS":"*"}`), anon, Allow},
		{"aws star other account", doc(`{"AWS":"*"}`), eve, Allow},
		{"account id same account", doc(`{"AWS":"123456789012"}`), bob, Allow},
		{"account id root", doc(`{"AWS":"123456789012"}`), root, Allow},
		{"account id other account", doc(`{"AWS":"123456789012"}`), eve, NotApplicable},
		{"account id anon", doc(`{"AWS":"123456789012"}`), anon, NotApplicable},
		{"root arn same account", doc(`{"AWS":"arn:aws:iam::123456789012:root"}`), alice, Allow},
		{"root arn other account", doc(`{"AWS":"arn:aws:iam::123456789012:root"}`), eve, NotApplicable},
		{"user arn", doc(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`), alice, Allow},
		{"user arn other user", doc(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`), bob, NotApplicable},
		{"user arn anon", doc(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`), anon, NotApplicable},
		{"list", doc(`{"AWS":["arn:aws:iam::123456789012:user/alice","210987654321"]}`), eve, Allow},
		{"canonical never matches", doc(`{"CanonicalUser":"abc"}`), alice, NotApplicable},
		{"service never matches", doc(`{"Service":"s3.amazonaws.com"}`), alice, NotApplicable},
		{"service matches the service", doc(`{"Service":["logging.s3.amazonaws.com"]}`), Principal{Service: "logging.s3.amazonaws.com"}, Allow},
		{"other service", doc(`{"Service":"s3.amazonaws.com"}`), Principal{Service: "logging.s3.amazonaws.com"}, NotApplicable},
		{"account never matches a service", doc(`{"AWS":"123456789012"}`), Principal{Service: "logging.s3.amazonaws.com"}, NotApplicable},
		{"star matches a service", doc(`"*"`), Principal{Service: "logging.s3.amazonaws.com"}, Allow},
		{"not principal excluded", notDoc(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`), alice, NotApplicable},
		{"not principal other user", notDoc(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`), bob, Deny},
		{"not principal anon", notDoc(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`), anon, Deny},
		// An account in NotPrincipal exempts the account itself, not its users.
		{"not principal account", notDoc(`{"AWS":"123456789012"}`), bob, Deny},
		{"not principal account root", notDoc(`{"AWS":"123456789012"}`), Principal{ARN: "arn:aws:iam::123456789012:root"}, NotApplicable},
		{"not principal user and account", notDoc(`{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:root"]}`), alice, NotApplicable},
		{"not principal user and account, other user", notDoc(`{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:root"]}`), bob, Deny},
		{"not principal account other", notDoc(`{"AWS":"123456789012"}`), eve, Deny},
		{"not principal star", notDoc(`{"AWS":"*"}`), anon, NotApplicable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.doc.Evaluate(objReq(tc.p, "s3:GetObject", "k", nil)); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestActionsAndResources(t *testing.T) {
	doc := func(stmt string) *Document {
		return mustParse(t, BucketPolicy, testBucket, bp(`"Principal":"*",`+stmt))
	}
	tests := []struct {
		name     string
		doc      *Document
		action   string
		resource string
		want     Effect
	}{
		{"exact", doc(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/a/b", Allow},
		{"action case-insensitive", doc(`"Effect":"Allow","Action":"s3:getobject","Resource":"arn:aws:s3:::mybucket/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/a", Allow},
		{"request action case-insensitive", doc(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`), "S3:GETOBJECT", "arn:aws:s3:::mybucket/a", Allow},
		{"action glob", doc(`"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::mybucket/*"`), "s3:GetObjectTagging", "arn:aws:s3:::mybucket/a", Allow},
		{"action glob miss", doc(`"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::mybucket/*"`), "s3:PutObject", "arn:aws:s3:::mybucket/a", NotApplicable},
		{"action question", doc(`"Effect":"Allow","Action":"s3:?etObject","Resource":"arn:aws:s3:::mybucket/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/a", Allow},
		{"star action", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::mybucket/*"`), "s3:DeleteObject", "arn:aws:s3:::mybucket/a", Allow},
		{"s3 star", doc(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::mybucket"`), "s3:ListBucket", "arn:aws:s3:::mybucket", Allow},
		{"bucket resource not object", doc(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::mybucket"`), "s3:GetObject", "arn:aws:s3:::mybucket/a", NotApplicable},
		{"object resource not bucket", doc(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::mybucket/*"`), "s3:ListBucket", "arn:aws:s3:::mybucket", NotApplicable},
		{"resource case-sensitive", doc(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/Public/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/public/a", NotApplicable},
		{"resource question", doc(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/file?.txt"`), "s3:GetObject", "arn:aws:s3:::mybucket/file1.txt", Allow},
		{"resource question unicode", doc(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/file?.txt"`), "s3:GetObject", "arn:aws:s3:::mybucket/fileé.txt", Allow},
		{"resource key with colon", doc(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/a:b:c", Allow},
		{"resource middle star", doc(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*/x.txt"`), "s3:GetObject", "arn:aws:s3:::mybucket/a/b/x.txt", Allow},
		{"not action", doc(`"Effect":"Deny","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`), "s3:PutObject", "arn:aws:s3:::mybucket/a", Deny},
		{"not action excluded", doc(`"Effect":"Deny","NotAction":"s3:Get*","Resource":"arn:aws:s3:::mybucket/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/a", NotApplicable},
		{"not resource", doc(`"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:s3:::mybucket/public/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/private/a", Deny},
		{"not resource excluded", doc(`"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:s3:::mybucket/public/*"`), "s3:GetObject", "arn:aws:s3:::mybucket/public/a", NotApplicable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Request{Principal: alice, Action: tc.action, Resource: tc.resource}
			if got := tc.doc.Evaluate(r); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVariables(t *testing.T) {
	home := func(version string) *Document {
		v := ""
		if version != "" {
			v = `"Version":"` + version + `",`
		}
		return mustParse(t, IdentityPolicy, "", `{`+v+`"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::mybucket/home/${aws:username}/*"}]}`)
	}
	d := home(Version2012)
	if got := d.Evaluate(objReq(alice, "s3:GetObject", "home/alice/x", nil)); got != Allow {
		t.Errorf("own home: %v", got)
	}
	if got := d.Evaluate(objReq(alice, "s3:GetObject", "home/bob/x", nil)); got != NotApplicable {
		t.Errorf("other home: %v", got)
	}
	if got := d.Evaluate(objReq(anon, "s3:GetObject", "home//x", nil)); got != NotApplicable {
		t.Errorf("missing variable must not match: %v", got)
	}
	// 2008 and missing Version: no substitution, the text is literal.
	for _, v := range []string{Version2008, ""} {
		d := home(v)
		if got := d.Evaluate(objReq(alice, "s3:GetObject", "home/alice/x", nil)); got != NotApplicable {
			t.Errorf("version %q substituted: %v", v, got)
		}
		if got := d.Evaluate(objReq(alice, "s3:GetObject", "home/${aws:username}/x", nil)); got != Allow {
			t.Errorf("version %q literal: %v", v, got)
		}
	}
	// A substituted value is literal: '*' in a username is not a wildcard.
	star := Principal{ARN: "arn:aws:iam::123456789012:user/x", Account: acct, Username: "*"}
	if got := d.Evaluate(objReq(star, "s3:GetObject", "home/alice/x", nil)); got != NotApplicable {
		t.Errorf("username * acted as wildcard: %v", got)
	}
	if got := d.Evaluate(objReq(star, "s3:GetObject", "home/*/x", nil)); got != Allow {
		t.Errorf("username * literal: %v", got)
	}

	docs := []struct {
		name     string
		resource string
		p        Principal
		ctx      map[string][]string
		key      string
		want     Effect
	}{
		{"escape star", "arn:aws:s3:::mybucket/${*}", alice, nil, "*", Allow},
		{"escape star literal", "arn:aws:s3:::mybucket/${*}", alice, nil, "x", NotApplicable},
		{"escape question", "arn:aws:s3:::mybucket/a${?}", alice, nil, "a?", Allow},
		{"escape question literal", "arn:aws:s3:::mybucket/a${?}", alice, nil, "ab", NotApplicable},
		{"escape dollar", "arn:aws:s3:::mybucket/${$}{x}", alice, nil, "${x}", Allow},
		{"context key", "arn:aws:s3:::mybucket/${s3:prefix}*", alice, ctx("s3:prefix", "docs/"), "docs/a", Allow},
		{"context key case-insensitive", "arn:aws:s3:::mybucket/${S3:Prefix}*", alice, ctx("s3:prefix", "docs/"), "docs/a", Allow},
		{"default used", "arn:aws:s3:::mybucket/${aws:username, 'anonymous'}/*", anon, nil, "anonymous/a", Allow},
		{"default unused", "arn:aws:s3:::mybucket/${aws:username, 'anonymous'}/*", alice, nil, "alice/a", Allow},
		{"multivalued key unresolved", "arn:aws:s3:::mybucket/${aws:TagKeys}", alice, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), "a", NotApplicable},
		{"userid", "arn:aws:s3:::mybucket/${aws:userid}/*", alice, nil, "AIDAALICE/x", Allow},
		{"account", "arn:aws:s3:::mybucket/${aws:PrincipalAccount}/*", alice, nil, "123456789012/x", Allow},
		{"unterminated is literal", "arn:aws:s3:::mybucket/${aws:username", alice, nil, "${aws:username", Allow},
	}
	for _, tc := range docs {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, IdentityPolicy, "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+tc.resource+`"}]}`)
			if got := d.Evaluate(objReq(tc.p, "s3:GetObject", tc.key, tc.ctx)); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	// Variables in condition values.
	runCondCases(t, []condCase{
		{"cond var equals", `{"StringEquals":{"s3:prefix":"home/${aws:username}/"}}`, ctx("s3:prefix", "home/alice/"), true},
		{"cond var like", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, ctx("s3:prefix", "home/alice/x"), true},
		{"cond var like other", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, ctx("s3:prefix", "home/bob/x"), false},
		{"cond var missing", `{"StringEquals":{"s3:prefix":"${aws:Referer}"}}`, ctx("s3:prefix", ""), false},
		{"cond var arn", `{"ArnEquals":{"aws:SourceArn":"${aws:PrincipalArn}"}}`, ctx("aws:SourceArn", "arn:aws:iam::123456789012:user/alice"), true},
		{"cond var bool", `{"Bool":{"aws:SecureTransport":"${aws:MultiFactorAuthPresent}"}}`, ctx("aws:SecureTransport", "true", "aws:MultiFactorAuthPresent", "true"), true},
	})
	d2008 := condDoc(t, Version2008, `{"StringEquals":{"s3:prefix":"home/${aws:username}/"}}`)
	if got := d2008.Evaluate(objReq(alice, "s3:GetObject", "k", ctx("s3:prefix", "home/${aws:username}/"))); got != Allow {
		t.Errorf("2008 condition value must be literal: %v", got)
	}
}

func TestDecideAcrossDocuments(t *testing.T) {
	bucketAllow := mustParse(t, BucketPolicy, testBucket, bp(`"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":["arn:aws:s3:::mybucket","arn:aws:s3:::mybucket/*"]`))
	userDeny := mustParse(t, IdentityPolicy, "", bp(`"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::mybucket/*"`))
	userAllow := mustParse(t, IdentityPolicy, "", bp(`"Effect":"Allow","Action":"s3:GetObject","Resource":"*"`))

	get := objReq(alice, "s3:GetObject", "k", nil)
	del := objReq(alice, "s3:DeleteObject", "k", nil)
	put := objReq(eve, "s3:PutObject", "k", nil)

	if !Decide(bucketAllow.Evaluate(get), userDeny.Evaluate(get)) {
		t.Error("get should be allowed by the bucket policy")
	}
	if Decide(bucketAllow.Evaluate(del), userDeny.Evaluate(del)) {
		t.Error("explicit deny in the identity policy must override the bucket policy allow")
	}
	if Decide(bucketAllow.Evaluate(put), userAllow.Evaluate(put)) {
		t.Error("no allow for eve's put: implicit deny")
	}
	if Decide() || Decide(NotApplicable, NotApplicable) {
		t.Error("no results must deny")
	}
	if !Decide(NotApplicable, Allow) || Decide(Allow, Deny) || Decide(Deny) {
		t.Error("Decide table")
	}
	var nilDoc *Document
	if nilDoc.Evaluate(get) != NotApplicable || bucketAllow.Evaluate(nil) != NotApplicable {
		t.Error("nil handling")
	}
	// Deny and Allow in one document: Deny wins whatever the order.
	both := mustParse(t, BucketPolicy, testBucket, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::mybucket/*"},
		{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::mybucket/*"},
		{"Effect":"Allow","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::mybucket/*"}]}`)
	if got := both.Evaluate(del); got != Deny {
		t.Errorf("deny in same document: %v", got)
	}
	if got := both.Evaluate(get); got != Allow {
		t.Errorf("allow in same document: %v", got)
	}
}

func TestEffectString(t *testing.T) {
	if NotApplicable.String() != "NotApplicable" || Allow.String() != "Allow" || Deny.String() != "Deny" || !strings.HasPrefix(Effect(9).String(), "Effect") {
		t.Error("Effect.String")
	}
	if BucketPolicy.String() != "BucketPolicy" || IdentityPolicy.String() != "IdentityPolicy" || Kind(7).String() == "" {
		t.Error("Kind.String")
	}
}
