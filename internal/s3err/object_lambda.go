package s3err

import "net/http"

// The S3 Object Lambda errors: the transformer (the Lambda function) failed
// to answer a GET through an Object Lambda access point.
const (
	LambdaInvocationFailed    Code = "LambdaInvocationFailed"
	LambdaResponseNotReceived Code = "LambdaResponseNotReceived"
	LambdaRuntimeError        Code = "LambdaRuntimeError"
	LambdaTimedOut            Code = "LambdaTimedOut"
	NoSuchAccessPoint         Code = "NoSuchAccessPoint"
)

func init() {
	table[LambdaInvocationFailed] = entry{http.StatusBadRequest, "Lambda function invocation failed."}
	table[LambdaResponseNotReceived] = entry{http.StatusInternalServerError, "The Lambda function exited without successfully calling WriteGetObjectResponse."}
	table[LambdaRuntimeError] = entry{http.StatusInternalServerError, "The Lambda function failed during execution."}
	table[LambdaTimedOut] = entry{http.StatusInternalServerError, "The Lambda function did not respond in the allowed time."}
	table[NoSuchAccessPoint] = entry{http.StatusNotFound, "The specified accesspoint does not exist"}
}
