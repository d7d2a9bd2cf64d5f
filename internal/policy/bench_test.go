package policy

import "testing"

const benchPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "s1", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::mybucket"},
    {"Sid": "s2", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::mybucket/public/*"},
    {"Sid": "s3", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::mybucket/home/${aws:username}/*"},
    {"Sid": "s4", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::mybucket", "arn:aws:s3:::mybucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "s5", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::mybucket/*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"]}}},
    {"Sid": "s6", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "s3:Get*", "Resource": "arn:aws:s3:::mybucket/*", "Condition": {"StringLike": {"aws:UserAgent": "*aws-sdk*"}}},
    {"Sid": "s7", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::mybucket/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}},
    {"Sid": "s8", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::mybucket/uploads/*", "Condition": {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["a", "b"]}, "NumericLessThanIfExists": {"s3:object-lock-remaining-retention-days": "30"}}},
    {"Sid": "s9", "Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::mybucket/*"},
    {"Sid": "s10", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::mybucket/*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}, "StringEquals": {"aws:Referer": "https://example.com/"}}}
  ]
}`

func BenchmarkEvaluate(b *testing.B) {
	d := mustParse(b, BucketPolicy, testBucket, benchPolicy)
	r := &Request{
		Principal: alice,
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::mybucket/home/alice/photos/2024/img.jpg",
		Context: map[string][]string{
			"aws:SecureTransport": {"true"},
			"aws:SourceIp":        {"10.1.2.3"},
			"aws:UserAgent":       {"aws-sdk-go-v2/1.0"},
			"aws:CurrentTime":     {"2024-06-15T12:00:00Z"},
			"aws:Referer":         {"https://example.com/"},
		},
	}
	if got := d.Evaluate(r); got != Allow {
		b.Fatalf("Evaluate = %v", got)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d.Evaluate(r)
	}
}

func BenchmarkParse(b *testing.B) {
	data := []byte(benchPolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, BucketPolicy, testBucket); err != nil {
			b.Fatal(err)
		}
	}
}
