package policy

import "testing"

// Policies from the AWS documentation (S3 bucket policy examples and IAM
// identity policy examples), with the documented outcomes.

func TestAWSExampleIPRange(t *testing.T) {
	// "Managing access based on specific IP addresses": deny everything
	// from outside 192.0.2.0/24 and 2001:DB8:1234:5678::/64, while another
	// statement grants public read.
	d := mustParse(t, BucketPolicy, testBucket, `{
	  "Version": "2012-10-17",
	  "Id": "S3PolicyId1",
	  "Statement": [
	    {
	      "Sid": "IPAllow",
	      "Effect": "Deny",
	      "Principal": "*",
	      "Action": "s3:*",
	      "Resource": ["arn:aws:s3:::mybucket", "arn:aws:s3:::mybucket/*"],
	      "Condition": {
	        "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:DB8:1234:5678::/64"]}
	      }
	    },
	    {
	      "Sid": "PublicRead",
	      "Effect": "Allow",
	      "Principal": "*",
	      "Action": "s3:GetObject",
	      "Resource": "arn:aws:s3:::mybucket/*"
	    }
	  ]
	}`)
	tests := []struct {
		ip   string
		want Effect
	}{
		{"192.0.2.10", Allow},
		{"2001:db8:1234:5678::99", Allow},
		{"203.0.113.5", Deny},
		{"2001:db8:1234:5679::1", Deny},
	}
	for _, tc := range tests {
		if got := d.Evaluate(objReq(anon, "s3:GetObject", "photo.jpg", ctx("aws:SourceIp", tc.ip))); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestAWSExampleSecureTransport(t *testing.T) {
	// "Enforce encryption of data in transit": deny any request not sent
	// over TLS.
	d := mustParse(t, BucketPolicy, testBucket, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {
	      "Sid": "RestrictToTLSRequestsOnly",
	      "Action": "s3:*",
	      "Effect": "Deny",
	      "Resource": ["arn:aws:s3:::mybucket", "arn:aws:s3:::mybucket/*"],
	      "Condition": {"Bool": {"aws:SecureTransport": "false"}},
	      "Principal": "*"
	    }
	  ]
	}`)
	user := mustParse(t, IdentityPolicy, "", bp(`"Effect":"Allow","Action":"s3:*","Resource":"*"`))
	for _, tc := range []struct {
		secure string
		want   bool
	}{{"true", true}, {"false", false}} {
		r := objReq(alice, "s3:PutObject", "k", ctx("aws:SecureTransport", tc.secure))
		if got := Decide(d.Evaluate(r), user.Evaluate(r)); got != tc.want {
			t.Errorf("SecureTransport=%s: allowed=%v, want %v", tc.secure, got, tc.want)
		}
	}
	r := &Request{Principal: alice, Action: "s3:ListBucket", Resource: "arn:aws:s3:::mybucket", Context: ctx("aws:SecureTransport", "false")}
	if got := d.Evaluate(r); got != Deny {
		t.Errorf("bucket-level over HTTP: %v", got)
	}
}

func TestAWSExampleHomeDirectory(t *testing.T) {
	// "Allows IAM users to access their own home directory in Amazon S3".
	d := mustParse(t, IdentityPolicy, "", `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {
	      "Sid": "ListYourObjects",
	      "Effect": "Allow",
	      "Action": "s3:ListBucket",
	      "Resource": ["arn:aws:s3:::mybucket"],
	      "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}
	    },
	    {
	      "Sid": "ReadWriteDeleteYourObjects",
	      "Effect": "Allow",
	      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
	      "Resource": ["arn:aws:s3:::mybucket/home/${aws:username}", "arn:aws:s3:::mybucket/home/${aws:username}/*"]
	    }
	  ]
	}`)
	list := func(p Principal, prefix string) Effect {
		return d.Evaluate(&Request{Principal: p, Action: "s3:ListBucket", Resource: "arn:aws:s3:::mybucket", Context: ctx("s3:prefix", prefix)})
	}
	if got := list(alice, ""); got != Allow {
		t.Errorf("list root: %v", got)
	}
	if got := list(alice, "home/"); got != Allow {
		t.Errorf("list home/: %v", got)
	}
	if got := list(alice, "home/alice/docs"); got != Allow {
		t.Errorf("list own: %v", got)
	}
	if got := list(alice, "home/bob/"); got != NotApplicable {
		t.Errorf("list other: %v", got)
	}
	if got := d.Evaluate(&Request{Principal: alice, Action: "s3:ListBucket", Resource: "arn:aws:s3:::mybucket"}); got != NotApplicable {
		t.Errorf("list without prefix: %v", got)
	}
	if got := d.Evaluate(objReq(alice, "s3:PutObject", "home/alice/a.txt", nil)); got != Allow {
		t.Errorf("put own: %v", got)
	}
	if got := d.Evaluate(objReq(bob, "s3:GetObject", "home/alice/a.txt", nil)); got != NotApplicable {
		t.Errorf("bob reads alice: %v", got)
	}
	if got := d.Evaluate(objReq(alice, "s3:GetObjectAcl", "home/alice/a.txt", nil)); got != NotApplicable {
		t.Errorf("unlisted action: %v", got)
	}
}

func TestAWSExampleCrossAccountWithACL(t *testing.T) {
	// "Granting cross-account permissions to upload objects while ensuring
	// the bucket owner has full control".
	d := mustParse(t, BucketPolicy, testBucket, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {
	      "Sid": "statement1",
	      "Effect": "Allow",
	      "Principal": {"AWS": "arn:aws:iam::210987654321:user/eve"},
	      "Action": "s3:PutObject",
	      "Resource": "arn:aws:s3:::mybucket/*",
	      "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
	    }
	  ]
	}`)
	if got := d.Evaluate(objReq(eve, "s3:PutObject", "k", ctx("s3:x-amz-acl", "bucket-owner-full-control"))); got != Allow {
		t.Errorf("with acl: %v", got)
	}
	if got := d.Evaluate(objReq(eve, "s3:PutObject", "k", nil)); got != NotApplicable {
		t.Errorf("without acl: %v", got)
	}
	if got := d.Evaluate(objReq(alice, "s3:PutObject", "k", ctx("s3:x-amz-acl", "bucket-owner-full-control"))); got != NotApplicable {
		t.Errorf("other principal: %v", got)
	}
}

func TestAWSExampleRequireEncryption(t *testing.T) {
	// Deny PutObject without server-side encryption header (Null check) or
	// with the wrong algorithm.
	d := mustParse(t, BucketPolicy, testBucket, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "DenyIncorrectEncryptionHeader", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
	     "Resource": "arn:aws:s3:::mybucket/*",
	     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}},
	    {"Sid": "DenyUnEncryptedObjectUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
	     "Resource": "arn:aws:s3:::mybucket/*",
	     "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}
	  ]
	}`)
	if got := d.Evaluate(objReq(alice, "s3:PutObject", "k", ctx("s3:x-amz-server-side-encryption", "AES256"))); got != NotApplicable {
		t.Errorf("AES256: %v", got)
	}
	if got := d.Evaluate(objReq(alice, "s3:PutObject", "k", ctx("s3:x-amz-server-side-encryption", "aws:kms"))); got != Deny {
		t.Errorf("kms: %v", got)
	}
	if got := d.Evaluate(objReq(alice, "s3:PutObject", "k", nil)); got != Deny {
		t.Errorf("none: %v", got)
	}
}

func TestAWSExampleTagKeys(t *testing.T) {
	// Allow PutObject only when every tag key is from an allowed set and
	// the Project tag is present with an allowed value.
	d := mustParse(t, BucketPolicy, testBucket, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": ["s3:PutObject", "s3:PutObjectTagging"],
	     "Resource": "arn:aws:s3:::mybucket/*",
	     "Condition": {
	       "ForAllValues:StringLike": {"s3:RequestObjectTagKeys": ["Owner", "CreationDate", "Project"]},
	       "StringEquals": {"s3:RequestObjectTag/Project": ["Alpha", "Beta"]}
	     }}
	  ]
	}`)
	ok := map[string][]string{"s3:RequestObjectTagKeys": {"Owner", "Project"}, "s3:RequestObjectTag/Project": {"Alpha"}}
	badKey := map[string][]string{"s3:RequestObjectTagKeys": {"Owner", "Secret", "Project"}, "s3:RequestObjectTag/Project": {"Alpha"}}
	badVal := map[string][]string{"s3:RequestObjectTagKeys": {"Project"}, "s3:RequestObjectTag/Project": {"Gamma"}}
	if got := d.Evaluate(objReq(bob, "s3:PutObject", "k", ok)); got != Allow {
		t.Errorf("ok: %v", got)
	}
	if got := d.Evaluate(objReq(bob, "s3:PutObject", "k", badKey)); got != NotApplicable {
		t.Errorf("bad key: %v", got)
	}
	if got := d.Evaluate(objReq(bob, "s3:PutObject", "k", badVal)); got != NotApplicable {
		t.Errorf("bad value: %v", got)
	}
}

func TestAWSExampleRefererAndMaxKeys(t *testing.T) {
	d := mustParse(t, BucketPolicy, testBucket, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "AllowFromSite", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
	     "Resource": "arn:aws:s3:::mybucket/*",
	     "Condition": {"StringLike": {"aws:Referer": ["https://www.example.com/*", "https://example.com/*"]}}},
	    {"Sid": "LimitListing", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:ListBucket",
	     "Resource": "arn:aws:s3:::mybucket",
	     "Condition": {"NumericLessThanEquals": {"s3:max-keys": "100"}, "StringEquals": {"s3:delimiter": "/"}}}
	  ]
	}`)
	if got := d.Evaluate(objReq(anon, "s3:GetObject", "k", ctx("aws:Referer", "https://example.com/page"))); got != Allow {
		t.Errorf("referer ok: %v", got)
	}
	if got := d.Evaluate(objReq(anon, "s3:GetObject", "k", ctx("aws:Referer", "https://evil.com/"))); got != NotApplicable {
		t.Errorf("referer bad: %v", got)
	}
	list := func(maxKeys string) Effect {
		return d.Evaluate(&Request{Principal: bob, Action: "s3:ListBucket", Resource: "arn:aws:s3:::mybucket",
			Context: ctx("s3:max-keys", maxKeys, "s3:delimiter", "/")})
	}
	if got := list("50"); got != Allow {
		t.Errorf("max-keys 50: %v", got)
	}
	if got := list("1000"); got != NotApplicable {
		t.Errorf("max-keys 1000: %v", got)
	}
}
