package postpolicy

import (
	"net/http"

	"talus/internal/sigv4"
)

// Error is the S3 error to send. It is sigv4's, so that every authentication
// failure has one shape (Code, Message, Status).
type Error = sigv4.Error

func newErr(status int, code, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

func errMalformedPOST() *Error {
	return newErr(http.StatusBadRequest, "MalformedPOSTRequest",
		"The body of your POST request is not well-formed multipart/form-data.")
}

func errNoFile() *Error {
	return newErr(http.StatusBadRequest, "IncorrectNumberOfFilesInPostRequest",
		"POST requires exactly one file upload per request.")
}

func errFormTooLarge() *Error {
	return newErr(http.StatusBadRequest, "MaxPostPreDataLengthExceeded",
		"Your POST request fields preceding the upload file were too large.")
}

func errInvalidArgument(msg string) *Error {
	return newErr(http.StatusBadRequest, "InvalidArgument", msg)
}

func errMissingField(name string) *Error {
	return errInvalidArgument("Bucket POST must contain a field named '" + name + "'.  If it is specified, please check the order of the fields.")
}

func errInvalidAccessKey() *Error {
	return newErr(http.StatusForbidden, "InvalidAccessKeyId",
		"The AWS Access Key Id you provided does not exist in our records.")
}

func errSignatureMismatch() *Error {
	return newErr(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

func errPolicyDocument(msg string) *Error {
	return newErr(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: "+msg)
}

func errAccordingToPolicy(msg string) *Error {
	return newErr(http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+msg)
}

// clip bounds attacker-controlled text echoed in error messages.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
