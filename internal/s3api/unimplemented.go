package s3api

import (
	"context"

	"talus/internal/s3err"
)

// unimplemented names the S3 operations Talus does not serve and the IAM
// action that authorizes each, so that a request for one is authenticated,
// authorized and checked for its bucket exactly like an implemented
// operation before it is answered 501 NotImplemented: the account root
// (or a user whose policy allows the action) learns the operation is
// missing; anyone else gets AccessDenied, as S3 would answer them.
var unimplemented = map[routeKey]operation{
	// Every operation of the S3 API Talus implements is served by a handler
	// now; an operation added to S3 later goes here until it is.
}

// unknownAction authorizes a request that matches no S3 operation Talus
// knows of. Only a policy granting every S3 action ("s3:*" or "*") or the
// root reaches the 501.
const unknownAction = "s3:UnknownOperation"

// notImplementedOp returns the operation for a request no handler serves.
func notImplementedOp(k routeKey, req *request) operation {
	if op, ok := elsewhere(k, req); ok {
		op.h = (*API).notImplementedHere
		return op
	}
	op, ok := unimplemented[k]
	if !ok {
		k.copy = false
		op, ok = unimplemented[k]
	}
	if !ok {
		op = operation{name: "NotImplemented", action: unknownAction}
	}
	op.h = (*API).notImplemented
	return op
}

// elsewhere recognizes the operations AWS serves on other endpoints whose
// requests would otherwise look like S3 ones: a POST to
// /WriteGetObjectResponse (S3 Object Lambda), which is no bucket: with its
// x-amz-request-route it is served before routing (object_lambda.go);
// without one it gets here.
func elsewhere(k routeKey, req *request) (operation, bool) {
	switch {
	case k.level == bucket && k.method == "POST" && req.bucket == "WriteGetObjectResponse" && k.sub == "":
		return operation{name: "WriteGetObjectResponse", action: "s3-object-lambda:WriteGetObjectResponse"}, true
	}
	return operation{}, false
}

// notImplementedHere answers 501 for an operation with no bucket of its own.
func (a *API) notImplementedHere(context.Context, *request) (*response, error) {
	return nil, s3err.New(s3err.NotImplemented)
}

// notImplemented answers an operation Talus lacks once the request is
// authorized: NoSuchBucket for a missing bucket, else 501.
func (a *API) notImplemented(ctx context.Context, req *request) (*response, error) {
	if req.bucket != "" {
		if _, err := a.bucket(ctx, req); err != nil {
			return nil, err
		}
	}
	return nil, s3err.New(s3err.NotImplemented)
}
