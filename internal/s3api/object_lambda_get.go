package s3api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"talus/internal/authn"
	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/sigv4"
)

// olapEvent is the event a transformer receives, AWS's "event context"
// of a GetObject through an Object Lambda access point.
type olapEvent struct {
	RequestID        string `json:"xAmzRequestId"`
	GetObjectContext struct {
		InputS3URL  string `json:"inputS3Url"`
		OutputRoute string `json:"outputRoute"`
		OutputToken string `json:"outputToken"`
	} `json:"getObjectContext"`
	Configuration struct {
		AccessPointARN           string `json:"accessPointArn"`
		SupportingAccessPointARN string `json:"supportingAccessPointArn"`
		Payload                  string `json:"payload"`
	} `json:"configuration"`
	UserRequest struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	} `json:"userRequest"`
	UserIdentity struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		AccessKeyID string `json:"accessKeyId"`
	} `json:"userIdentity"`
	ProtocolVersion string `json:"protocolVersion"`
}

// olapARN is an Object Lambda access point's ARN.
func (a *API) olapARN(ap meta.ObjectLambdaAccessPoint) string {
	return "arn:aws:s3-object-lambda:" + a.cfg.Region + ":" + ap.Account + ":accesspoint/" + ap.Name
}

// getThroughObjectLambda serves a GetObject through an Object Lambda
// access point. The caller needs s3-object-lambda:GetObject on the access
// point (from its identity: Talus has no access point policies) and
// s3:GetObject on the object in the supporting bucket, as AWS asks of the
// supporting access point.
func (a *API) getThroughObjectLambda(ctx context.Context, req *request, lookup sigv4.SecretLookup) (*response, error) {
	store, ok := a.meta.(meta.ObjectLambda)
	if !ok {
		return nil, s3err.New(s3err.NotImplemented)
	}
	ap, err := store.GetObjectLambdaAccessPoint(ctx, req.olap.account, req.olap.name)
	if errors.Is(err, meta.ErrNoSuchObjectLambdaAccessPoint) {
		return nil, s3err.New(s3err.NoSuchAccessPoint)
	} else if err != nil {
		return nil, err
	}
	p := req.principal
	if p.Anonymous {
		return nil, s3err.New(s3err.AccessDenied)
	}
	apARN := a.olapARN(ap)
	if ok, err := a.cfg.Identities.IdentityAllows(ctx, p, "s3-object-lambda:GetObject", apARN); err != nil {
		return nil, err
	} else if !ok {
		return nil, s3err.New(s3err.AccessDenied).WithCause(fmt.Errorf("no s3-object-lambda:GetObject on %s", apARN))
	}
	// Only GetObject is transformed; Talus passes nothing else through.
	if req.Method != http.MethodGet || req.key == "" || req.subresource() != "" {
		return nil, s3err.New(s3err.NotImplemented)
	}
	req.bucket = ap.Bucket
	action := "s3:GetObject"
	if _, ok := req.query["versionId"]; ok {
		action = "s3:GetObjectVersion"
	}
	if err := a.allowed(ctx, req, action, arn(req.bucket, req.key, true), nil); err != nil {
		return nil, err
	}
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	// Range and partNumber reach the transformer only if allowed (it
	// applies them); otherwise AWS answers 501.
	if req.Header.Get("Range") != "" && !slices.Contains(ap.AllowedFeatures, "GetObject-Range") {
		return nil, s3err.Newf(s3err.NotImplemented, "This Object Lambda access point does not allow Range requests.")
	}
	if _, ok := req.query["partNumber"]; ok && !slices.Contains(ap.AllowedFeatures, "GetObject-PartNumber") {
		return nil, s3err.Newf(s3err.NotImplemented, "This Object Lambda access point does not allow partNumber requests.")
	}
	return a.invokeTransformer(ctx, req, ap, apARN, lookup)
}

// invokeTransformer sends the event and waits for the transformer's
// WriteGetObjectResponse, whose body becomes the client's. The transformer
// has ObjectLambdaTimeout from the event to start it. It may answer the
// event POST after calling WriteGetObjectResponse, as a Lambda function
// returns, or first with 202 Accepted to call it later; a 2xx other than
// 202 with no WriteGetObjectResponse is LambdaResponseNotReceived, any
// other status LambdaRuntimeError.
func (a *API) invokeTransformer(ctx context.Context, req *request, ap meta.ObjectLambdaAccessPoint, apARN string, lookup sigv4.SecretLookup) (*response, error) {
	timeout := a.cfg.ObjectLambdaTimeout
	route, wt := a.olap.open(a.cfg.Now().Add(timeout))
	input, err := a.presignInput(req, lookup, timeout)
	if err != nil {
		a.olap.abandon(route, wt)
		return nil, err
	}
	ev := a.olapEvent(req, ap, apARN, input, route, wt.token)
	body, err := json.Marshal(ev)
	if err != nil {
		a.olap.abandon(route, wt)
		return nil, s3err.Internal(err)
	}
	// Once the transformer has called WriteGetObjectResponse its
	// invocation is left to finish (the call may stream past the timeout
	// and end after the client's request), up to another timeout.
	ictx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	invoked := make(chan invokeResult, 1)
	go func() { invoked <- a.invoke(ictx, ap.Transformer, body) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var d *olapDelivery
	for d == nil {
		select {
		case d = <-wt.ch:
		case res := <-invoked:
			invoked = nil
			if res.err == nil && res.status == http.StatusAccepted {
				continue // it calls back later
			}
			if d = a.olap.abandon(route, wt); d != nil {
				continue
			}
			cancel()
			return nil, res.failure()
		case <-timer.C:
			if d = a.olap.abandon(route, wt); d != nil {
				continue
			}
			cancel()
			return nil, s3err.New(s3err.LambdaTimedOut).WithCause(fmt.Errorf("no WriteGetObjectResponse for %s within %s", route, timeout))
		case <-ctx.Done():
			if d = a.olap.abandon(route, wt); d != nil {
				d.done <- s3err.Newf(s3err.InternalError, "The requester closed the connection.")
			}
			cancel()
			return nil, ctx.Err()
		}
	}
	go func() {
		if invoked != nil {
			select {
			case <-invoked:
			case <-time.After(timeout):
			}
		}
		cancel()
	}()
	if d.status >= 400 {
		d.done <- nil
		code := d.errCode
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(d.status), " ", "")
		}
		return nil, &s3err.Error{Code: s3err.Code(code), Message: d.errMsg, Status: d.status}
	}
	resp := newResponse(d.status)
	resp.header = d.header
	resp.body = &olapBody{d: d}
	resp.length = d.length
	return resp, nil
}

type invokeResult struct {
	status int
	err    error
}

// failure is the client's error for an invocation that ended without a
// WriteGetObjectResponse.
func (r invokeResult) failure() error {
	switch {
	case r.err != nil:
		return s3err.New(s3err.LambdaInvocationFailed).WithCause(r.err)
	case r.status >= 200 && r.status < 300:
		return s3err.New(s3err.LambdaResponseNotReceived)
	}
	return s3err.New(s3err.LambdaRuntimeError).WithCause(fmt.Errorf("transformer answered %d", r.status))
}

// invoke POSTs the event to the transformer.
func (a *API) invoke(ctx context.Context, url string, event []byte) invokeResult {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
	if err != nil {
		return invokeResult{err: err}
	}
	r.Header.Set("Content-Type", "application/json")
	resp, err := a.cfg.ObjectLambdaClient.Do(r)
	if err != nil {
		return invokeResult{err: err}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return invokeResult{status: resp.StatusCode}
}

// presignInput is the event's inputS3Url: a GET of the object (of the
// requested version) on the address the request arrived at, presigned
// with the caller's credentials for as long as the transformer may run.
func (a *API) presignInput(req *request, lookup sigv4.SecretLookup, timeout time.Duration) (string, error) {
	host := req.Host
	if la, ok := req.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		host = la.String()
	}
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	u := &url.URL{Scheme: scheme, Host: host, Path: "/" + req.bucket + "/" + req.key}
	if v, ok := req.query["versionId"]; ok {
		u.RawQuery = url.Values{"versionId": v}.Encode()
	}
	r, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return "", s3err.Internal(err)
	}
	ak := req.principal.AccessKey
	if ak == "" && req.auth != nil {
		ak = req.auth.AccessKey
	}
	secret, ok := lookup(ak)
	if !ok {
		return "", s3err.New(s3err.AccessDenied)
	}
	sigv4.Presign(r, ak, secret, a.cfg.Region, authn.Token(req.Request), timeout+5*time.Second, a.cfg.Now())
	return r.URL.String(), nil
}

// olapEvent builds the event context of a GET.
func (a *API) olapEvent(req *request, ap meta.ObjectLambdaAccessPoint, apARN, input, route, token string) *olapEvent {
	ev := &olapEvent{RequestID: req.id, ProtocolVersion: "1.00"}
	ev.GetObjectContext.InputS3URL = input
	ev.GetObjectContext.OutputRoute = route
	ev.GetObjectContext.OutputToken = token
	ev.Configuration.AccessPointARN = apARN
	// Talus has no standard access points: the supporting one is the bucket.
	ev.Configuration.SupportingAccessPointARN = "arn:aws:s3:::" + ap.Bucket
	ev.Configuration.Payload = ap.Payload
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	ev.UserRequest.URL = scheme + "://" + req.Host + req.URL.RequestURI()
	ev.UserRequest.Headers = map[string]string{"Host": req.Host}
	for k, v := range req.Header {
		switch strings.ToLower(k) {
		case "authorization", "x-amz-security-token":
			continue
		}
		ev.UserRequest.Headers[k] = strings.Join(v, ", ")
	}
	p := req.principal
	id := &ev.UserIdentity
	id.AccountID, id.ARN, id.AccessKeyID = p.AccountID(), p.ARN(), p.AccessKey
	switch {
	case p.Session != nil && p.Session.Role != "":
		id.Type, id.PrincipalID = "AssumedRole", p.UserID
	case p.Root:
		id.Type, id.PrincipalID = "Root", p.AccountID()
	default:
		id.Type, id.PrincipalID = "IAMUser", p.UserID
	}
	return ev
}
