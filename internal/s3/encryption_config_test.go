package s3

import (
	"errors"
	"testing"
)

func TestCheckEncryptionRules(t *testing.T) {
	def := func(alg, key string) EncryptionRule {
		return EncryptionRule{HasDefault: true, Algorithm: alg, KMSKeyID: key}
	}
	blocked := func(types ...string) EncryptionRule { return EncryptionRule{HasBlocked: true, Blocked: types} }
	for _, tc := range []struct {
		name  string
		rules []EncryptionRule
		want  error
	}{
		{"AES256", []EncryptionRule{def("AES256", "")}, nil},
		{"aws:kms without key", []EncryptionRule{def("aws:kms", "")}, nil},
		{"aws:kms with key", []EncryptionRule{def("aws:kms", "1234abcd-12ab-34cd-56ef-1234567890ab")}, nil},
		{"aws:kms:dsse with alias", []EncryptionRule{def("aws:kms:dsse", "alias/mine")}, nil},
		{"AES256 with bucket key", []EncryptionRule{{HasDefault: true, Algorithm: "AES256", BucketKey: true}}, nil},
		{"blocked only", []EncryptionRule{blocked("SSE-C")}, nil},
		{"unblocked only", []EncryptionRule{blocked("NONE")}, nil},
		{"empty blocked list", []EncryptionRule{blocked()}, nil},
		{"default and blocked", []EncryptionRule{{HasDefault: true, Algorithm: "aws:kms", HasBlocked: true, Blocked: []string{"SSE-C"}}}, nil},
		{"no rule", nil, ErrEncryptionMalformed},
		{"two rules", []EncryptionRule{def("AES256", ""), def("aws:kms", "")}, ErrEncryptionMalformed},
		{"empty rule", []EncryptionRule{{}}, ErrEncryptionMalformed},
		{"empty rule with bucket key", []EncryptionRule{{BucketKey: true}}, ErrEncryptionMalformed},
		{"missing algorithm", []EncryptionRule{def("", "")}, ErrEncryptionMalformed},
		{"unknown algorithm", []EncryptionRule{def("AES512", "")}, ErrEncryptionMalformed},
		{"lower-case algorithm", []EncryptionRule{def("aes256", "")}, ErrEncryptionMalformed},
		{"aws:fsx", []EncryptionRule{def("aws:fsx", "")}, ErrEncryptionMalformed},
		{"AES256 with key", []EncryptionRule{def("AES256", "k")}, ErrKMSKeyNotApplicable},
		{"unknown encryption type", []EncryptionRule{blocked("SSE-KMS")}, ErrEncryptionMalformed},
		{"NONE and SSE-C", []EncryptionRule{blocked("NONE", "SSE-C")}, ErrEncryptionMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckEncryptionRules(tc.rules); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("CheckEncryptionRules = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestEncryptionRuleBlocksSSEC(t *testing.T) {
	for _, tc := range []struct {
		name        string
		r           EncryptionRule
		blocked, ok bool
	}{
		{"absent", EncryptionRule{HasDefault: true, Algorithm: "AES256"}, false, false},
		{"SSE-C", EncryptionRule{HasBlocked: true, Blocked: []string{"SSE-C"}}, true, true},
		{"NONE", EncryptionRule{HasBlocked: true, Blocked: []string{"NONE"}}, false, true},
		{"empty", EncryptionRule{HasBlocked: true}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ok := tc.r.BlocksSSEC()
			if b != tc.blocked || ok != tc.ok {
				t.Fatalf("BlocksSSEC = %v, %v; want %v, %v", b, ok, tc.blocked, tc.ok)
			}
		})
	}
}
