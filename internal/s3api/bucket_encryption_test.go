package s3api

import (
	"testing"

	"talus/internal/meta"
)

func TestBucketDefaultEncryption(t *testing.T) {
	bucket := func(e *meta.BucketEncryption) *meta.Bucket {
		return &meta.Bucket{Config: meta.BucketConfig{Encryption: e}}
	}
	aws, none := &API{}, &API{cfg: Config{DefaultEncryption: "none"}}
	for _, tc := range []struct {
		name       string
		b          *meta.Bucket
		want, off  meta.BucketEncryption // with the S3 default and with none
		blocksSSEC bool
	}{
		{"no bucket", nil, meta.BucketEncryption{Algorithm: "AES256"}, meta.BucketEncryption{}, true},
		{"never configured", bucket(nil), meta.BucketEncryption{Algorithm: "AES256"}, meta.BucketEncryption{}, true},
		{"only SSE-C allowed", bucket(&meta.BucketEncryption{SSECAllowed: true}),
			meta.BucketEncryption{Algorithm: "AES256", SSECAllowed: true}, meta.BucketEncryption{SSECAllowed: true}, false},
		{"KMS default", bucket(&meta.BucketEncryption{Algorithm: "aws:kms", KMSKeyID: "k", BucketKey: true}),
			meta.BucketEncryption{Algorithm: "aws:kms", KMSKeyID: "k", BucketKey: true}, meta.BucketEncryption{Algorithm: "aws:kms", KMSKeyID: "k", BucketKey: true}, true},
		{"DSSE default, SSE-C allowed", bucket(&meta.BucketEncryption{Algorithm: "aws:kms:dsse", SSECAllowed: true}),
			meta.BucketEncryption{Algorithm: "aws:kms:dsse", SSECAllowed: true}, meta.BucketEncryption{Algorithm: "aws:kms:dsse", SSECAllowed: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := aws.bucketDefaultEncryption(tc.b); got != tc.want {
				t.Fatalf("bucketDefaultEncryption = %+v, want %+v", got, tc.want)
			}
			if got := none.bucketDefaultEncryption(tc.b); got != tc.off {
				t.Fatalf("bucketDefaultEncryption with none = %+v, want %+v", got, tc.off)
			}
			if got := bucketBlocksSSEC(tc.b); got != tc.blocksSSEC {
				t.Fatalf("bucketBlocksSSEC = %v, want %v", got, tc.blocksSSEC)
			}
		})
	}
}
