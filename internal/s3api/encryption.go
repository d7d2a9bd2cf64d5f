package s3api

import (
	"errors"
	"strings"

	"talus/internal/s3"
	"talus/internal/s3err"
)

// This file is the one place that validates the server-side encryption
// headers of a request before its handler runs: values S3 rejects get S3's
// errors. What a valid request does is in sse.go and sealed.go.

// The SSE headers S3 takes on the operations that create objects.
var sseHeaders = []string{
	"x-amz-server-side-encryption",
	"x-amz-server-side-encryption-aws-kms-key-id",
	"x-amz-server-side-encryption-context",
	"x-amz-server-side-encryption-bucket-key-enabled",
}

// sseWriteOps take x-amz-server-side-encryption and its KMS companions.
var sseWriteOps = map[string]bool{
	"PutObject": true, "CopyObject": true, "CreateMultipartUpload": true, "PostObject": true,
}

// sseCustomerOps take a customer key (x-amz-server-side-encryption-customer-*).
var sseCustomerOps = map[string]bool{
	"PutObject": true, "CopyObject": true, "CreateMultipartUpload": true, "UploadPart": true,
	"UploadPartCopy": true, "CompleteMultipartUpload": true, "GetObject": true, "HeadObject": true,
	"GetObjectAttributes": true, "ListParts": true, "PostObject": true,
}

// sseCopySourceOps take the copy source's customer key
// (x-amz-copy-source-server-side-encryption-customer-*).
var sseCopySourceOps = map[string]bool{"CopyObject": true, "UploadPartCopy": true}

const (
	sseCustomerPrefix   = "x-amz-server-side-encryption-customer"
	sseCopySourcePrefix = "x-amz-copy-source-server-side-encryption-customer"
)

// checkEncryption validates the server-side encryption values of operation
// op. get returns a header (or form field) value; secure tells whether the
// request came over TLS (or the server allows customer keys over plain
// HTTP), which S3 demands for customer keys.
func checkEncryption(op string, get func(string) string, secure bool) error {
	if !sseWriteOps[op] {
		for _, name := range sseHeaders {
			if get(name) != "" {
				return s3err.Newf(s3err.InvalidArgument, "%s header is not supported for this operation.", name).With("ArgumentName", name)
			}
		}
	}
	method := get("x-amz-server-side-encryption")
	if method != "" && !s3.ValidSSEMethod(method) {
		return s3err.Newf(s3err.InvalidArgument, "The encryption method specified is not supported").
			With("ArgumentName", "x-amz-server-side-encryption").With("ArgumentValue", method)
	}
	if !s3.IsKMSMethod(method) {
		for _, name := range sseHeaders[1:3] {
			if get(name) != "" {
				return s3err.Newf(s3err.InvalidArgument, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms").
					With("ArgumentName", name)
			}
		}
	}
	if v := get("x-amz-server-side-encryption-context"); v != "" && !s3.ValidEncryptionContext(v) {
		return s3err.Newf(s3err.InvalidArgument, "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map").
			With("ArgumentName", "x-amz-server-side-encryption-context")
	}
	customer := sseCustomerOps[op] && customerKeyGiven(get, sseCustomerPrefix)
	copySource := sseCopySourceOps[op] && customerKeyGiven(get, sseCopySourcePrefix)
	if customer {
		if err := checkCustomerKey(get, sseCustomerPrefix); err != nil {
			return err
		}
	}
	if copySource {
		if err := checkCustomerKey(get, sseCopySourcePrefix); err != nil {
			return err
		}
	}
	if (customer || copySource) && !secure {
		return s3err.Newf(s3err.InvalidRequest, "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
	}
	if customer && method != "" {
		return s3err.Newf(s3err.InvalidArgument, "Server Side Encryption with Customer provided key is incompatible with the encryption method specified").
			With("ArgumentName", "x-amz-server-side-encryption").With("ArgumentValue", method)
	}
	if v := get("x-amz-server-side-encryption-bucket-key-enabled"); v != "" && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
		return s3err.Newf(s3err.InvalidArgument, "Invalid value for header x-amz-server-side-encryption-bucket-key-enabled").
			With("ArgumentName", "x-amz-server-side-encryption-bucket-key-enabled").With("ArgumentValue", v)
	}
	return nil
}

// customerKeyHeaders are the algorithm, key and key-MD5 header names of
// each customer-key prefix, built once rather than on every request.
var customerKeyHeaders = map[string][3]string{
	sseCustomerPrefix:   {sseCustomerPrefix + "-algorithm", sseCustomerPrefix + "-key", sseCustomerPrefix + "-key-md5"},
	sseCopySourcePrefix: {sseCopySourcePrefix + "-algorithm", sseCopySourcePrefix + "-key", sseCopySourcePrefix + "-key-md5"},
}

func customerKeyNames(prefix string) [3]string {
	if n, ok := customerKeyHeaders[prefix]; ok {
		return n
	}
	return [3]string{prefix + "-algorithm", prefix + "-key", prefix + "-key-md5"}
}

func customerKeyGiven(get func(string) string, prefix string) bool {
	n := customerKeyNames(prefix)
	return get(n[0]) != "" || get(n[1]) != "" || get(n[2]) != ""
}

// checkCustomerKey maps S3's customer-key rules onto its errors. The key
// itself is never echoed.
func checkCustomerKey(get func(string) string, prefix string) error {
	n := customerKeyNames(prefix)
	err := s3.CheckCustomerKey(get(n[0]), get(n[1]), get(n[2]))
	arg := prefix + "-key"
	var msg string
	switch {
	case err == nil:
		return nil
	case errors.Is(err, s3.ErrSSECAlgorithm):
		return s3err.New(s3err.InvalidEncryptionAlgorithm).With("ArgumentName", prefix+"-algorithm").With("ArgumentValue", get(prefix+"-algorithm"))
	case errors.Is(err, s3.ErrSSECMissingKey):
		msg = "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."
	case errors.Is(err, s3.ErrSSECMissingKeyMD5):
		msg, arg = "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.", prefix+"-key-MD5"
	case errors.Is(err, s3.ErrSSECMissingAlgorithm):
		msg, arg = "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.", prefix+"-algorithm"
	case errors.Is(err, s3.ErrSSECKey):
		msg = "The secret key was invalid for the specified algorithm."
	default:
		msg, arg = "The calculated MD5 hash of the key did not match the hash that was provided.", prefix+"-key-MD5"
	}
	return s3err.Newf(s3err.InvalidArgument, "%s", msg).With("ArgumentName", arg)
}

// notImplementedHeader is S3's answer to a header that selects a feature
// Talus lacks; the message and the Header element name it.
func notImplementedHeader(name string) *s3err.Error {
	return s3err.Newf(s3err.NotImplemented, "A header you provided implies functionality that is not implemented: %s", name).With("Header", name)
}

// notImplementedParam is notImplementedHeader for a query parameter.
func notImplementedParam(name string) *s3err.Error {
	return s3err.Newf(s3err.NotImplemented, "A query parameter you provided implies functionality that is not implemented: %s", name)
}
