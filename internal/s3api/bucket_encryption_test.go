package s3api

import (
	"testing"

	"talus/internal/meta"
)

func TestBucketDefaultEncryption(t *testing.T) {
	bucket := func(e *meta.BucketEncryption) *meta.Bucket {
		return &meta.Bucket{Config: meta.BucketConfig{Encryption: e}}
	}
	for _, tc := range []struct {
		name    string
		b       *meta.Bucket
		want    meta.BucketEncryption
		blocked bool
	}{
		{"no bucket", nil, meta.BucketEncryption{Algorithm: "AES256"}, true},
		{"never configured", bucket(nil), meta.BucketEncryption{Algorithm: "AES256"}, true},
		{"only SSE-C allowed", bucket(&meta.BucketEncryption{SSECAllowed: true}), meta.BucketEncryption{Algorithm: "AES256", SSECAllowed: true}, false},
		{"KMS default", bucket(&meta.BucketEncryption{Algorithm: "aws:kms", KMSKeyID: "k", BucketKey: true}), meta.BucketEncryption{Algorithm: "aws:kms", KMSKeyID: "k", BucketKey: true}, true},
		{"KMS default, SSE-C allowed", bucket(&meta.BucketEncryption{Algorithm: "aws:kms:dsse", SSECAllowed: true}), meta.BucketEncryption{Algorithm: "aws:kms:dsse", SSECAllowed: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bucketDefaultEncryption(tc.b); got != tc.want {
				t.Fatalf("bucketDefaultEncryption = %+v, want %+v", got, tc.want)
			}
			if got := bucketBlocksSSEC(tc.b); got != tc.blocked {
				t.Fatalf("bucketBlocksSSEC = %v, want %v", got, tc.blocked)
			}
		})
	}
}
