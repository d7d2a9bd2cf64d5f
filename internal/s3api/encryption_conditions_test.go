package s3api

import (
	"context"
	"reflect"
	"testing"
)

func TestSSEConditionKeys(t *testing.T) {
	a := &API{}
	for _, tc := range []struct {
		name string
		in   map[string]string
		want map[string][]string
	}{
		{"none", nil, map[string][]string{}},
		{"SSE-S3", map[string]string{"x-amz-server-side-encryption": "AES256"}, map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}},
		{"SSE-KMS with key", map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:000000000000:key/k"},
			map[string][]string{"s3:x-amz-server-side-encryption": {"aws:kms"}, "s3:x-amz-server-side-encryption-aws-kms-key-id": {"arn:aws:kms:us-east-1:000000000000:key/k"}}},
		{"SSE-C", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": "secret"},
			map[string][]string{"s3:x-amz-server-side-encryption-customer-algorithm": {"AES256"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string][]string{}
			a.sseConditionKeys(context.Background(), got, func(k string) string { return tc.in[k] })
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("keys = %v, want %v", got, tc.want)
			}
		})
	}
}
