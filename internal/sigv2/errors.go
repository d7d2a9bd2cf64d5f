package sigv2

import "net/http"

// Error is an authentication failure carrying the S3 error code to send. It
// has the same shape as sigv4.Error (this package imports no other Talus
// package). Messages never contain secrets; they are safe to return to the
// client.
type Error struct {
	Code    string
	Message string
	Status  int // HTTP status S3 uses for Code
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newErr(status int, code, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

func errAccessDenied(msg string) *Error { return newErr(http.StatusForbidden, "AccessDenied", msg) }

func errInvalidArgument(msg string) *Error {
	return newErr(http.StatusBadRequest, "InvalidArgument", msg)
}

func errSignatureMismatch() *Error {
	return newErr(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

func errInvalidAccessKey() *Error {
	return newErr(http.StatusForbidden, "InvalidAccessKeyId",
		"The AWS Access Key Id you provided does not exist in our records.")
}

func errMissingDate() *Error {
	return errAccessDenied("AWS authentication requires a valid Date or x-amz-date header")
}

func errSkewed() *Error {
	return newErr(http.StatusForbidden, "RequestTimeTooSkewed",
		"The difference between the request time and the current time is too large.")
}

func errHeaderMalformed() *Error {
	return errInvalidArgument("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
}

func errQueryIncomplete() *Error {
	return errAccessDenied("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
}

func errBothMechanisms() *Error {
	return errInvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
}

// clip bounds attacker-controlled text echoed in error messages.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
