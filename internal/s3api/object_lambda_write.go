package s3api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"talus/internal/s3err"
	"talus/internal/sigv4"
)

const fwdHeader = "x-amz-fwd-header-"

// writeGetObjectResponse is WriteGetObjectResponse: a transformer answers
// the GET waiting on x-amz-request-route (if x-amz-request-token is its
// token) with x-amz-fwd-status, the x-amz-fwd-header-* headers, the
// x-amz-meta-* metadata and its body, streamed to that client as it
// arrives. It returns once the client's response is sent. An error status
// sends the client S3's error XML with x-amz-fwd-error-code and
// x-amz-fwd-error-message instead.
func (a *API) writeGetObjectResponse(ctx context.Context, req *request) (*response, error) {
	p := req.principal
	if p.Anonymous {
		return nil, s3err.New(s3err.AccessDenied)
	}
	if ok, err := a.cfg.Identities.IdentityAllows(ctx, p, "s3-object-lambda:WriteGetObjectResponse", "*"); err != nil {
		return nil, err
	} else if !ok {
		return nil, s3err.New(s3err.AccessDenied)
	}
	route, token := req.Header.Get("x-amz-request-route"), req.Header.Get("x-amz-request-token")
	if token == "" {
		return nil, s3err.Newf(s3err.InvalidRequest, "WriteGetObjectResponse requires the x-amz-request-token header.")
	}
	status := http.StatusOK
	if v := req.Header.Get("x-amz-fwd-status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 200 || n > 599 {
			return nil, s3err.Newf(s3err.InvalidArgument, "x-amz-fwd-status must be an HTTP status code.")
		}
		status = n
	}
	h := http.Header{}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, fwdHeader) && len(lk) > len(fwdHeader):
			name := http.CanonicalHeaderKey(k[len(fwdHeader):])
			if strings.EqualFold(name, "Content-Length") {
				continue // the body's own length is sent
			}
			h[name] = v
		case strings.HasPrefix(lk, "x-amz-meta-"):
			h[lk] = v // as S3 sends metadata names: lower case
		}
	}
	size := req.ContentLength
	switch req.auth.Payload {
	case sigv4.PayloadStreamingSigned, sigv4.PayloadStreamingSignedTrailer, sigv4.PayloadStreamingUnsignedTrailer:
		n, err := strconv.ParseInt(req.Header.Get("x-amz-decoded-content-length"), 10, 64)
		if err != nil || n < 0 {
			return nil, s3err.New(s3err.MissingContentLength)
		}
		size = n
	}
	d := &olapDelivery{status: status, header: h, errCode: req.Header.Get("x-amz-fwd-error-code"), errMsg: req.Header.Get("x-amz-fwd-error-message"),
		body: req.auth.Body(req.Body, size), length: size, done: make(chan error, 1)}
	if err := a.olap.deliver(route, token, d, a.cfg.Now()); err != nil {
		return nil, err
	}
	select {
	case err := <-d.done:
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return newResponse(http.StatusOK), nil
}
