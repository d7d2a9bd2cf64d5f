package policy

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		bp(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`),
		`{"Statement":{"Effect":"Deny","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:user/alice"]},"NotAction":"s3:Get*","Resource":["arn:aws:s3:::mybucket","arn:aws:s3:::mybucket/*"]}}`,
		bp(`"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::mybucket","Condition":{"StringLike":{"s3:prefix":["","home/${aws:username}/*"]},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"ForAllValues:StringEquals":{"aws:TagKeys":["a"]},"NumericLessThanIfExists":{"s3:max-keys":10},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"Bool":{"aws:SecureTransport":true},"Null":{"aws:Referer":"false"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`),
		bp(`"Effect":"Allow","Action":["iam:*","s3:*"],"Resource":"*"`),
		bp(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::mybucket/${*}${?}${$}${aws:username, 'x'}"`),
		bp(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket"`),
		bp(`"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*"`),
		bp(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/*","Condition":{"Foo":{"aws:x":"y"}}`),
		`{"Version":"2012-10-17","Statement":[]}`,
		`{"Version":"2012-10-17","Version":"x"}`,
		`{"Statement":[{"Effect":"Allow"`,
		`[]`,
		``,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::my*?\\x/${"}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	reqs := []*Request{
		objReq(anon, "s3:GetObject", "home/x/y", nil),
		objReq(alice, "s3:PutObject", "home/alice/y", ctx("aws:SourceIp", "10.1.1.1", "s3:prefix", "home/", "aws:TagKeys", "a", "aws:CurrentTime", "2024-01-01T00:00:00Z")),
		{Principal: eve, Action: "s3:ListBucket", Resource: "arn:aws:s3:::mybucket", Context: ctx("s3:max-keys", "5", "aws:SecureTransport", "true")},
		{Principal: root, Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/x"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range []Kind{BucketPolicy, IdentityPolicy} {
			d, err := Parse(data, kind, testBucket)
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) || pe.Reason == "" {
					t.Fatalf("error %v is not a *Error with a Reason", err)
				}
				continue
			}
			if len(d.Statements) == 0 {
				t.Fatal("valid document without statements")
			}
			for _, r := range reqs {
				e := d.Evaluate(r)
				if e != NotApplicable && e != Allow && e != Deny {
					t.Fatalf("bad effect %v", e)
				}
			}
		}
	})
}
