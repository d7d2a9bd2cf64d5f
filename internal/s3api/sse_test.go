package s3api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"talus/internal/kms"
	"talus/internal/meta"
)

// stubKMS hands out fixed data keys and records what it was asked.
type stubKMS struct {
	ref string
	ctx map[string]string
}

func (s *stubKMS) Describe(_ context.Context, ref string) (kms.KeyMeta, error) {
	return kms.KeyMeta{ID: ref, ARN: "arn:aws:kms:us-east-1:000000000000:key/" + ref}, nil
}

func (s *stubKMS) GenerateDataKey(ctx context.Context, ref string, ec map[string]string) ([]byte, []byte, kms.KeyMeta, error) {
	s.ref, s.ctx = ref, ec
	km, _ := s.Describe(ctx, ref)
	return make([]byte, 32), []byte("wrapped:" + ref), km, nil
}

func (s *stubKMS) Decrypt(context.Context, []byte, map[string]string) ([]byte, kms.KeyMeta, error) {
	return make([]byte, 32), kms.KeyMeta{}, nil
}

func (s *stubKMS) Encrypt(ctx context.Context, ref string, plain []byte, ec map[string]string) ([]byte, kms.KeyMeta, error) {
	km, _ := s.Describe(ctx, ref)
	return []byte("wrapped:" + ref), km, nil
}

func TestEncryptionForDefaults(t *testing.T) {
	stub := &stubKMS{}
	a := &API{cfg: Config{KMS: stub}}
	off := &API{cfg: Config{KMS: stub, DefaultEncryption: "none"}}
	hdr := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	plain := meta.Bucket{Name: "b"}
	withDefault := func(alg, key string, bk bool) meta.Bucket {
		return meta.Bucket{Name: "b", Config: meta.BucketConfig{Encryption: &meta.BucketEncryption{Algorithm: alg, KMSKeyID: key, BucketKey: bk}}}
	}
	for _, tc := range []struct {
		name      string
		get       func(string) string
		b         meta.Bucket
		alg, ref  string // "" alg: plaintext
		bucketKey bool
		arn       string // the aws:s3:arn context entry
		customer  bool
		off       bool // the server runs with --default-encryption none
	}{
		{name: "no configuration: SSE-S3, as in S3", get: hdr(), b: plain, alg: "AES256", ref: kms.SSES3},
		{name: "none", get: hdr(), b: plain, off: true},
		{name: "configured default under none", get: hdr(), b: withDefault("AES256", "", false), alg: "AES256", ref: kms.SSES3, off: true},
		{name: "default SSE-S3", get: hdr(), b: withDefault("AES256", "", false), alg: "AES256", ref: kms.SSES3},
		{name: "default SSE-KMS named key with bucket key", get: hdr(), b: withDefault("aws:kms", "k1", true), alg: "aws:kms", ref: "k1", bucketKey: true, arn: "arn:aws:s3:::b"},
		{name: "default SSE-KMS aws/s3", get: hdr(), b: withDefault("aws:kms", "", false), alg: "aws:kms", ref: kms.DefaultS3Alias, arn: "arn:aws:s3:::b/o"},
		{name: "request overrides default", get: hdr("x-amz-server-side-encryption", "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id", "k2"), b: withDefault("AES256", "", false), alg: "aws:kms", ref: "k2", arn: "arn:aws:s3:::b/o"},
		{name: "request bucket key overrides default", get: hdr("x-amz-server-side-encryption-bucket-key-enabled", "false"), b: withDefault("aws:kms", "k1", true), alg: "aws:kms", ref: "k1", arn: "arn:aws:s3:::b/o"},
		{name: "SSE-C overrides default", get: hdr("x-amz-server-side-encryption-customer-algorithm", "AES256",
			"x-amz-server-side-encryption-customer-key", base64.StdEncoding.EncodeToString(make([]byte, 32))), b: withDefault("aws:kms", "k1", false), customer: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*stub = stubKMS{}
			api := a
			if tc.off {
				api = off
			}
			s, err := api.encryptionFor(context.Background(), tc.get, tc.b, "o")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.alg == "" && !tc.customer:
				if s != nil {
					t.Fatalf("encrypted: %+v", s.enc)
				}
				return
			case tc.customer:
				if s == nil || !isCustomer(s.enc) || stub.ref != "" {
					t.Fatalf("not SSE-C: %+v", s)
				}
				return
			}
			if s == nil || s.enc.Algorithm != tc.alg || stub.ref != tc.ref || s.enc.BucketKey != tc.bucketKey || len(s.key) != 32 {
				t.Fatalf("got %+v (key ref %q)", s, stub.ref)
			}
			if tc.arn != "" {
				raw, _ := base64.StdEncoding.DecodeString(s.enc.Context)
				var m map[string]string
				if json.Unmarshal(raw, &m) != nil || m["aws:s3:arn"] != tc.arn || stub.ctx["aws:s3:arn"] != tc.arn {
					t.Fatalf("context %s, asked %v", raw, stub.ctx)
				}
			}
		})
	}
}
