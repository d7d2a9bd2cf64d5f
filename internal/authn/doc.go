// Package authn resolves the credentials of a signed request for the S3,
// IAM, STS and KMS APIs: the access key with the session token the
// request carries (X-Amz-Security-Token header, presigned query parameter
// or POST form field), so temporary credentials are checked the same way
// everywhere, expiry included.
//
// It must not import s3api, iamapi, kmsapi or server.
package authn
