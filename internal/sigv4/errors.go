package sigv4

import "net/http"

// Error is an authentication failure carrying the S3 error code to send.
// Messages never contain secrets; they are safe to return to the client.
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

func errHeaderMalformed(msg string) *Error {
	return newErr(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+msg)
}

func errQueryParams(msg string) *Error {
	return newErr(http.StatusBadRequest, "AuthorizationQueryParametersError", msg)
}

func errInvalidRequest(msg string) *Error {
	return newErr(http.StatusBadRequest, "InvalidRequest", msg)
}

func errInvalidArgument(msg string) *Error {
	return newErr(http.StatusBadRequest, "InvalidArgument", msg)
}

func errSignatureMismatch() *Error {
	return newErr(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

func errIncompleteBody() *Error {
	return newErr(http.StatusBadRequest, "IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

// errBadChunk reports aws-chunked framing that cannot be parsed, as opposed to
// framing that is merely short (IncompleteBody).
func errBadChunk(what string) *Error {
	return errInvalidRequest("Invalid aws-chunked encoding: " + what)
}

func errMissingDate() *Error {
	return errAccessDenied("AWS authentication requires a valid Date or x-amz-date header")
}

func errHeadersNotSigned() *Error {
	return errAccessDenied("There were headers present in the request which were not signed")
}
