// Package s3err holds the one table of S3 error codes: the code string,
// the HTTP status and the default message S3 sends. An *Error carries an
// optional cause that is logged but never sent to the client.
package s3err

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is an S3 error code as it appears in <Code>.
type Code string

// The error codes Talus sends.
const (
	AccessDenied                      Code = "AccessDenied"
	AccessForbidden                   Code = "AccessForbidden"
	BadRequest                        Code = "BadRequest"
	NoSuchCORSConfiguration           Code = "NoSuchCORSConfiguration"
	NoSuchEncryptionConfiguration     Code = "ServerSideEncryptionConfigurationNotFoundError"
	NoSuchWebsiteConfiguration        Code = "NoSuchWebsiteConfiguration"
	NoSuchLifecycleConfiguration      Code = "NoSuchLifecycleConfiguration"
	AuthorizationHeaderMalformed      Code = "AuthorizationHeaderMalformed"
	AuthorizationQueryParametersError Code = "AuthorizationQueryParametersError"
	BadDigest                         Code = "BadDigest"
	BucketAlreadyExists               Code = "BucketAlreadyExists"
	BucketAlreadyOwnedByYou           Code = "BucketAlreadyOwnedByYou"
	BucketNotEmpty                    Code = "BucketNotEmpty"
	EntityTooLarge                    Code = "EntityTooLarge"
	EntityTooSmall                    Code = "EntityTooSmall"
	IllegalLocationConstraint         Code = "IllegalLocationConstraintException"
	IncompleteBody                    Code = "IncompleteBody"
	InternalError                     Code = "InternalError"
	InsufficientStorage               Code = "InsufficientStorage" // Talus's own: S3 never runs out of space
	InvalidAccessKeyID                Code = "InvalidAccessKeyId"
	ExpiredToken                      Code = "ExpiredToken"
	InvalidToken                      Code = "InvalidToken"
	InvalidArgument                   Code = "InvalidArgument"
	InvalidBucketName                 Code = "InvalidBucketName"
	InvalidDigest                     Code = "InvalidDigest"
	InvalidEncryptionAlgorithm        Code = "InvalidEncryptionAlgorithmError"
	InvalidLocationConstraint         Code = "InvalidLocationConstraint"
	InvalidRange                      Code = "InvalidRange"
	InvalidRequest                    Code = "InvalidRequest"
	InvalidStorageClass               Code = "InvalidStorageClass"
	InvalidObjectState                Code = "InvalidObjectState"
	RestoreAlreadyInProgress          Code = "RestoreAlreadyInProgress"
	NoSuchConfiguration               Code = "NoSuchConfiguration"
	TooManyConfigurations             Code = "TooManyConfigurations"
	KeyTooLong                        Code = "KeyTooLongError"
	MalformedXML                      Code = "MalformedXML"
	MetadataTooLarge                  Code = "MetadataTooLarge"
	MethodNotAllowed                  Code = "MethodNotAllowed"
	MissingContentLength              Code = "MissingContentLength"
	MissingRequestBodyError           Code = "MissingRequestBodyError"
	NoSuchBucket                      Code = "NoSuchBucket"
	NoSuchKey                         Code = "NoSuchKey"
	NoSuchVersion                     Code = "NoSuchVersion"
	NoSuchUpload                      Code = "NoSuchUpload"
	InvalidTag                        Code = "InvalidTag"
	MalformedPolicy                   Code = "MalformedPolicy"
	MalformedACLError                 Code = "MalformedACLError"
	AccessControlListNotSupported     Code = "AccessControlListNotSupported"
	UnresolvableGrantByEmailAddress   Code = "UnresolvableGrantByEmailAddress"
	InvalidBucketAclWithOwnership     Code = "InvalidBucketAclWithObjectOwnership"
	OwnershipControlsNotFound         Code = "OwnershipControlsNotFoundError"
	NoSuchPublicAccessBlock           Code = "NoSuchPublicAccessBlockConfiguration"
	NoSuchBucketPolicy                Code = "NoSuchBucketPolicy"
	InvalidBucketState                Code = "InvalidBucketState"
	InvalidRetentionPeriod            Code = "InvalidRetentionPeriod"
	IllegalVersioningConfiguration    Code = "IllegalVersioningConfigurationException"
	ObjectLockConfigurationNotFound   Code = "ObjectLockConfigurationNotFoundError"
	NoSuchObjectLockConfiguration     Code = "NoSuchObjectLockConfiguration"
	NoSuchTagSet                      Code = "NoSuchTagSet"
	NoSuchAnnotation                  Code = "NoSuchAnnotation"
	InvalidAnnotationName             Code = "InvalidAnnotationName"
	AnnotationNameTooLong             Code = "AnnotationNameTooLong"
	AnnotationLimitExceeded           Code = "AnnotationLimitExceeded"
	UnsupportedMediaType              Code = "UnsupportedMediaType"
	InvalidPrefix                     Code = "InvalidPrefix"
	InvalidPart                       Code = "InvalidPart"
	InvalidPartOrder                  Code = "InvalidPartOrder"
	InvalidPartNumber                 Code = "InvalidPartNumber"
	ConditionalRequestConflict        Code = "ConditionalRequestConflict"
	NotImplemented                    Code = "NotImplemented"
	IdempotencyParameterMismatch      Code = "IdempotencyParameterMismatch"
	NotModified                       Code = "NotModified"
	PreconditionFailed                Code = "PreconditionFailed"
	RequestTimeTooSkewed              Code = "RequestTimeTooSkewed"
	ServiceUnavailable                Code = "ServiceUnavailable"
	SignatureDoesNotMatch             Code = "SignatureDoesNotMatch"
	SlowDown                          Code = "SlowDown"
	XAmzContentSHA256Mismatch         Code = "XAmzContentSHA256Mismatch"
	InvalidChunkSizeError             Code = "InvalidChunkSizeError"
	TooManyBuckets                    Code = "TooManyBuckets"
	RequestTimeout                    Code = "RequestTimeout"
	UnexpectedContent                 Code = "UnexpectedContent"
	// Failures of the key service behind SSE-KMS, as S3 names them.
	KMSDisabled     Code = "KMS.DisabledException"
	KMSInvalidState Code = "KMS.KMSInvalidStateException"
	KMSNotFound     Code = "KMS.NotFoundException"

	ReplicationConfigurationNotFoundError Code = "ReplicationConfigurationNotFoundError"
	// Server access logging.
	InvalidTargetBucketForLogging  Code = "InvalidTargetBucketForLogging"
	CrossLocationLoggingProhibited Code = "CrossLocationLoggingProhibited"
)

type entry struct {
	status  int
	message string
}

var table = map[Code]entry{
	AccessDenied:                      {http.StatusForbidden, "Access Denied"},
	AccessForbidden:                   {http.StatusForbidden, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."},
	BadRequest:                        {http.StatusBadRequest, "Bad Request"},
	NoSuchCORSConfiguration:           {http.StatusNotFound, "The CORS configuration does not exist"},
	NoSuchEncryptionConfiguration:     {http.StatusNotFound, "The server side encryption configuration was not found"},
	NoSuchLifecycleConfiguration:      {http.StatusNotFound, "The lifecycle configuration does not exist"},
	NoSuchWebsiteConfiguration:        {http.StatusNotFound, "The specified bucket does not have a website configuration"},
	AuthorizationHeaderMalformed:      {http.StatusBadRequest, "The authorization header is malformed."},
	AuthorizationQueryParametersError: {http.StatusBadRequest, "Error parsing the X-Amz-Credential parameter."},
	BadDigest:                         {http.StatusBadRequest, "The Content-MD5 or checksum value that you specified did not match what the server received."},
	BucketAlreadyExists:               {http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."},
	BucketAlreadyOwnedByYou:           {http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it."},
	BucketNotEmpty:                    {http.StatusConflict, "The bucket you tried to delete is not empty"},
	EntityTooLarge:                    {http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed object size."},
	EntityTooSmall:                    {http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed object size."},
	IllegalLocationConstraint:         {http.StatusBadRequest, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."},
	IncompleteBody:                    {http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	InternalError:                     {http.StatusInternalServerError, "We encountered an internal error. Please try again."},
	InsufficientStorage:               {http.StatusInsufficientStorage, "The server is out of space for new data (below its free-space reserve). Delete objects or abort multipart uploads to free space."},
	InvalidAccessKeyID:                {http.StatusForbidden, "The AWS access key Id you provided does not exist in our records."},
	ExpiredToken:                      {http.StatusBadRequest, "The provided token has expired."},
	InvalidToken:                      {http.StatusBadRequest, "The provided token is malformed or otherwise invalid."},
	InvalidArgument:                   {http.StatusBadRequest, "Invalid Argument"},
	InvalidBucketName:                 {http.StatusBadRequest, "The specified bucket is not valid."},
	InvalidDigest:                     {http.StatusBadRequest, "The Content-MD5 you specified is not valid."},
	InvalidEncryptionAlgorithm:        {http.StatusBadRequest, "The Encryption request you specified is not valid. Supported value: AES256."},
	InvalidLocationConstraint:         {http.StatusBadRequest, "The specified location-constraint is not valid"},
	InvalidRange:                      {http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable"},
	InvalidRequest:                    {http.StatusBadRequest, "Invalid Request"},
	InvalidStorageClass:               {http.StatusBadRequest, "The storage class you specified is not valid"},
	InvalidObjectState:                {http.StatusForbidden, "The operation is not valid for the object's storage class"},
	RestoreAlreadyInProgress:          {http.StatusConflict, "Object restore is already in progress"},
	NoSuchConfiguration:               {http.StatusNotFound, "The specified configuration does not exist."},
	TooManyConfigurations:             {http.StatusBadRequest, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit."},
	KeyTooLong:                        {http.StatusBadRequest, "Your key is too long"},
	MalformedXML:                      {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema."},
	MetadataTooLarge:                  {http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size."},
	MethodNotAllowed:                  {http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."},
	MissingContentLength:              {http.StatusLengthRequired, "You must provide the Content-Length HTTP header."},
	MissingRequestBodyError:           {http.StatusBadRequest, "Request Body is empty"},
	NoSuchBucket:                      {http.StatusNotFound, "The specified bucket does not exist"},
	NoSuchKey:                         {http.StatusNotFound, "The specified key does not exist."},
	NoSuchVersion:                     {http.StatusNotFound, "The specified version does not exist."},
	NoSuchUpload:                      {http.StatusNotFound, "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
	InvalidBucketState:                {http.StatusConflict, "The request is not valid with the current state of the bucket."},
	InvalidRetentionPeriod:            {http.StatusBadRequest, "Default retention period must be a positive integer value."},
	IllegalVersioningConfiguration:    {http.StatusBadRequest, "The Versioning element must be specified"},
	ObjectLockConfigurationNotFound:   {http.StatusNotFound, "Object Lock configuration does not exist for this bucket"},
	NoSuchObjectLockConfiguration:     {http.StatusNotFound, "The specified object does not have a ObjectLock configuration"},
	MalformedACLError:                 {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema."},
	AccessControlListNotSupported:     {http.StatusBadRequest, "The bucket does not allow ACLs"},
	UnresolvableGrantByEmailAddress:   {http.StatusBadRequest, "The e-mail address you provided does not match any account on record."},
	InvalidBucketAclWithOwnership:     {http.StatusBadRequest, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
	OwnershipControlsNotFound:         {http.StatusNotFound, "The bucket ownership controls were not found"},
	NoSuchPublicAccessBlock:           {http.StatusNotFound, "The public access block configuration was not found"},
	MalformedPolicy:                   {http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{'"},
	NoSuchBucketPolicy:                {http.StatusNotFound, "The bucket policy does not exist"},
	InvalidTag:                        {http.StatusBadRequest, "The tag provided was not a valid tag."},
	NoSuchTagSet:                      {http.StatusNotFound, "The TagSet does not exist"},
	NoSuchAnnotation:                  {http.StatusNotFound, "The specified annotation does not exist."},
	InvalidAnnotationName:             {http.StatusBadRequest, "The annotation name is not valid."},
	AnnotationNameTooLong:             {http.StatusBadRequest, "The annotation name must be at most 512 bytes long."},
	AnnotationLimitExceeded:           {http.StatusBadRequest, "The object version already has the maximum number of annotations (1000)."},
	UnsupportedMediaType:              {http.StatusUnsupportedMediaType, "annotation payload is not valid UTF-8"},
	InvalidPrefix:                     {http.StatusBadRequest, "The specified prefix is not valid."},
	InvalidPart:                       {http.StatusBadRequest, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."},
	InvalidPartOrder:                  {http.StatusBadRequest, "The list of parts was not in ascending order. Parts must be ordered by part number."},
	InvalidPartNumber:                 {http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable"},
	ConditionalRequestConflict:        {http.StatusConflict, "A conflicting conditional operation is currently in progress against this resource. Please try again."},
	NotImplemented:                    {http.StatusNotImplemented, "A header or query you provided implies functionality that is not implemented."},
	IdempotencyParameterMismatch:      {http.StatusBadRequest, "Parameters on this idempotent request are inconsistent with parameters used in previous request(s)."},
	NotModified:                       {http.StatusNotModified, "Not Modified"},
	PreconditionFailed:                {http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold"},
	RequestTimeTooSkewed:              {http.StatusForbidden, "The difference between the request time and the server's time is too large."},
	ServiceUnavailable:                {http.StatusServiceUnavailable, "Please reduce your request rate."},
	SignatureDoesNotMatch:             {http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	SlowDown:                          {http.StatusServiceUnavailable, "Please reduce your request rate."},
	XAmzContentSHA256Mismatch:         {http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed."},
	InvalidChunkSizeError:             {http.StatusBadRequest, "Only the last chunk is allowed to have a size less than 8192 bytes"},
	TooManyBuckets:                    {http.StatusBadRequest, "You have attempted to create more buckets than allowed"},
	RequestTimeout:                    {http.StatusBadRequest, "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."},
	UnexpectedContent:                 {http.StatusBadRequest, "This request does not support content"},
	KMSDisabled:                       {http.StatusBadRequest, "The KMS key is disabled."},
	KMSInvalidState:                   {http.StatusBadRequest, "The KMS key is pending deletion."},
	KMSNotFound:                       {http.StatusBadRequest, "Invalid keyId"},

	ReplicationConfigurationNotFoundError: {http.StatusNotFound, "The replication configuration was not found"},
	InvalidTargetBucketForLogging:         {http.StatusBadRequest, "The target bucket for logging does not exist"},
	CrossLocationLoggingProhibited:        {http.StatusForbidden, "Cross S3 location logging not allowed."},
}

// InsufficientStorage (507) means the data directory is full or below its
// free-space threshold. 507 is not a status the AWS SDKs retry, so a client
// fails fast instead of hammering a full disk.

// Error is an S3 error response. Cause is for logs only.
type Error struct {
	Code    Code
	Message string
	Status  int
	// Extra holds additional elements of the error body (e.g. BucketName, Key, Region).
	Extra map[string]string
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s (%v)", e.Code, e.Message, e.Cause)
	}
	return string(e.Code) + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns the error for code with S3's default message.
func New(code Code) *Error {
	ent, ok := table[code]
	if !ok {
		ent = entry{http.StatusInternalServerError, string(code)}
	}
	return &Error{Code: code, Message: ent.message, Status: ent.status}
}

// Newf returns the error for code with a specific message.
func Newf(code Code, format string, args ...any) *Error {
	e := New(code)
	e.Message = fmt.Sprintf(format, args...)
	return e
}

// Status returns the HTTP status for code.
func Status(code Code) int {
	if ent, ok := table[code]; ok {
		return ent.status
	}
	return http.StatusInternalServerError
}

// Internal wraps an unexpected failure; the cause is logged, never sent.
func Internal(cause error) *Error {
	e := New(InternalError)
	e.Cause = cause
	return e
}

// With adds an extra element to the error body and returns e.
func (e *Error) With(name, value string) *Error {
	if e.Extra == nil {
		e.Extra = map[string]string{}
	}
	e.Extra[name] = value
	return e
}

// WithCause records a cause for the logs and returns e.
func (e *Error) WithCause(err error) *Error {
	e.Cause = err
	return e
}

// As extracts an *Error from err.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
