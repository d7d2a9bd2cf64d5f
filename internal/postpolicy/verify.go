package postpolicy

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"talus/internal/sigv4"
)

const (
	algorithm = "AWS4-HMAC-SHA256"
	iso8601   = "20060102T150405Z"
	yyyymmdd  = "20060102"
)

// Verify authenticates the form and checks it against its policy, returning
// the access key and the policy (whose LengthRange the caller enforces on
// File).
//
// A form with x-amz-algorithm, x-amz-credential or x-amz-signature is
// Signature Version 4: the credential's scope must be
// AK/yyyymmdd/region/s3/aws4_request (region "" accepts any) and
// x-amz-signature the hex HMAC-SHA256 of the policy field with the signing
// key derived from it. Otherwise a form with AWSAccessKeyId or signature is
// Signature Version 2: signature is the base64 HMAC-SHA1 of the policy
// field. A form with neither and no policy is anonymous: Verify returns "",
// nil, nil and the caller decides.
//
// Then the policy must not have expired at now, and Policy.CheckFields must
// pass for Fields with bucket set to f.Bucket (when non-empty); a key
// condition passes if it holds for the key field as sent or for Key() (with
// ${filename} substituted). Every returned error is an *Error.
func (f *Form) Verify(lookup sigv4.SecretLookup, region string, now time.Time) (accessKey string, policy *Policy, err error) {
	ak, p, e := f.verify(lookup, region, now)
	if e != nil {
		return "", nil, e
	}
	return ak, p, nil
}

func (f *Form) has(name string) bool {
	_, ok := f.Fields[name]
	return ok
}

func (f *Form) verify(lookup sigv4.SecretLookup, region string, now time.Time) (string, *Policy, *Error) {
	if !f.has("key") {
		return "", nil, errMissingField("key")
	}
	var (
		ak string
		e  *Error
		v2 bool
	)
	switch {
	case f.has("x-amz-algorithm") || f.has("x-amz-credential") || f.has("x-amz-signature"):
		ak, e = f.verifyV4(lookup, region)
	case f.has("awsaccesskeyid") || f.has("signature"):
		ak, e = f.verifyV2(lookup)
		v2 = true
	case f.has("policy"):
		return "", nil, errMissingField("AWSAccessKeyId")
	default:
		return "", nil, nil
	}
	if e != nil {
		return "", nil, e
	}
	p, e := parsePolicy(f.Fields["policy"])
	if e != nil {
		return "", nil, e
	}
	p.v2 = v2
	if now.After(p.Expiration) {
		return "", nil, errAccordingToPolicy("Policy expired.")
	}
	fields := f.Fields
	if f.Bucket != "" {
		fields = make(map[string]string, len(f.Fields)+1)
		for k, v := range f.Fields {
			fields[k] = v
		}
		fields["bucket"] = f.Bucket
	}
	keyAlt := ""
	if k := f.Key(); k != f.Fields["key"] {
		keyAlt = k
	}
	if e := p.checkFields(fields, keyAlt); e != nil {
		return "", nil, e
	}
	return ak, p, nil
}

// required returns the named fields, or the error for the first missing or
// empty one.
func (f *Form) required(names ...string) ([]string, *Error) {
	vals := make([]string, len(names))
	for i, n := range names {
		v := f.Fields[n]
		if v == "" {
			if n == "awsaccesskeyid" {
				n = "AWSAccessKeyId"
			}
			return nil, errMissingField(n)
		}
		vals[i] = v
	}
	return vals, nil
}

func (f *Form) verifyV4(lookup sigv4.SecretLookup, region string) (string, *Error) {
	vals, e := f.required("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "policy")
	if e != nil {
		return "", e
	}
	alg, cred, date, sig, policy := vals[0], vals[1], vals[2], vals[3], vals[4]
	if alg != algorithm {
		return "", errInvalidArgument("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	if _, err := time.Parse(iso8601, date); err != nil {
		return "", errInvalidArgument("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	// Split from the right so that an access key containing '/' parses.
	parts := strings.Split(cred, "/")
	n := len(parts)
	if n < 5 || parts[n-3] == "" {
		return "", errInvalidArgument("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	ak := strings.Join(parts[:n-4], "/")
	cdate, cregion, service, terminal := parts[n-4], parts[n-3], parts[n-2], parts[n-1]
	if ak == "" {
		return "", errInvalidArgument("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if _, err := time.Parse(yyyymmdd, cdate); err != nil || len(cdate) != 8 {
		return "", errInvalidArgument("incorrect date format \"" + clip(cdate) + "\". This date in the credential must be in the format \"yyyyMMdd\".")
	}
	if region != "" && cregion != region {
		return "", errInvalidArgument("the region '" + clip(cregion) + "' is wrong; expecting '" + region + "'")
	}
	if service != "s3" {
		return "", errInvalidArgument("incorrect service \"" + clip(service) + "\". This endpoint belongs to \"s3\".")
	}
	if terminal != "aws4_request" {
		return "", errInvalidArgument("incorrect terminal \"" + clip(terminal) + "\". This endpoint uses \"aws4_request\".")
	}
	secret, ok := lookupSecret(lookup, ak)
	if !ok {
		return "", errInvalidAccessKey()
	}
	key := hmacSHA256([]byte("AWS4"+secret), cdate)
	key = hmacSHA256(key, cregion)
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, policy))
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return "", errSignatureMismatch()
	}
	return ak, nil
}

func (f *Form) verifyV2(lookup sigv4.SecretLookup) (string, *Error) {
	vals, e := f.required("awsaccesskeyid", "signature", "policy")
	if e != nil {
		return "", e
	}
	ak, sig, policy := vals[0], vals[1], vals[2]
	secret, ok := lookupSecret(lookup, ak)
	if !ok {
		return "", errInvalidAccessKey()
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(policy))
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return "", errSignatureMismatch()
	}
	return ak, nil
}

func lookupSecret(lookup sigv4.SecretLookup, ak string) (string, bool) {
	if lookup == nil {
		return "", false
	}
	return lookup(ak)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
