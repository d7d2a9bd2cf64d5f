package s3api

import (
	"net"
	"net/http"
	"regexp"
	"strings"

	"talus/internal/accesslog"
	"talus/internal/authn"
	"talus/internal/s3err"
	"talus/internal/sigv2"
)

// olapService is the signing name of S3 Object Lambda requests.
const olapService = "s3-object-lambda"

// olapTarget is the Object Lambda access point a request names by its
// host: NAME-ACCOUNTID.
type olapTarget struct{ name, account string }

// olapAlias is an access point host label: NAME (3 to 45 characters) and
// the 12-digit account ID.
var olapAlias = regexp.MustCompile(`^([a-z0-9][a-z0-9-]{1,43}[a-z0-9])-([0-9]{12})$`)

// parseObjectLambda recognizes the S3 Object Lambda requests:
// WriteGetObjectResponse (POST /WriteGetObjectResponse with an
// x-amz-request-route, on any host: the SDKs put the route in front of the
// endpoint's host) and requests through an access point, whose host is
// NAME-ACCOUNTID.s3-object-lambda.DOMAIN, or NAME-ACCOUNTID.ENDPOINT-HOST
// when signed for s3-object-lambda (what the SDKs send for an access
// point ARN with a custom endpoint).
func (a *API) parseObjectLambda(req *request) bool {
	if req.Method == http.MethodPost && req.URL.Path == "/WriteGetObjectResponse" && req.Header.Get("x-amz-request-route") != "" {
		req.wgor = true
		return true
	}
	host := req.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	label, rest, ok := strings.Cut(host, ".")
	if !ok {
		return false
	}
	m := olapAlias.FindStringSubmatch(label)
	if m == nil {
		return false
	}
	named := credentialService(req.Request) == olapService
	for _, d := range a.cfg.Domains {
		if rest == olapService+"."+d {
			named = true
		}
	}
	if !named {
		return false
	}
	req.olap = &olapTarget{name: m[1], account: m[2]}
	req.key = req.URL.Path[1:]
	return true
}

// credentialService is the service of a SigV4 request's credential scope
// ("" when it has none).
func credentialService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if h := r.Header.Get("Authorization"); h != "" {
		_, after, ok := strings.Cut(h, "Credential=")
		if !ok {
			return ""
		}
		cred, _, _ = strings.Cut(after, ",")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[len(parts)-2]
}

// serveObjectLambda serves a request through an Object Lambda access point
// or a WriteGetObjectResponse: SigV4 only, signed for s3-object-lambda.
func (a *API) serveObjectLambda(w http.ResponseWriter, req *request) (int, error) {
	rec := accesslog.From(req.Context())
	rec.Operation = "GetObject"
	if req.wgor {
		rec.Operation = "WriteGetObjectResponse"
	}
	req.op = rec.Operation
	if sigv2.IsV2(req.Request) {
		err := s3err.Newf(s3err.InvalidRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		return a.renderError(w, req, err), err
	}
	creds, err := a.signIn(req, authn.Token(req.Request))
	if err != nil {
		return a.renderError(w, req, err), err
	}
	var resp *response
	if req.wgor {
		resp, err = a.writeGetObjectResponse(req.Context(), req)
	} else {
		resp, err = a.getThroughObjectLambda(req.Context(), req, creds.Lookup)
	}
	if err != nil {
		return a.renderError(w, req, err), err
	}
	return a.render(w, req, resp)
}
