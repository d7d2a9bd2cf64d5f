// Package kmsapi serves AWS KMS's JSON API (TrentService) on the S3
// endpoint, over the key service in internal/kms, so that `aws kms
// --endpoint-url ...` and the SDKs' KMS clients work. Requests are POSTs to
// "/" with X-Amz-Target "TrentService.<Operation>", an
// application/x-amz-json-1.1 body and SigV4 for the "kms" service. The root
// credentials may call every operation; IAM users need kms:<Operation> in
// their identity policies on the key's ARN (or "*" for CreateKey, ListKeys
// and ListAliases). It must not import internal/s3api.
package kmsapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"talus/internal/accesslog"

	"talus/internal/authn"
	"talus/internal/iam"
	"talus/internal/kms"
	"talus/internal/sigv4"
)

// targetPrefix starts the X-Amz-Target of every KMS operation.
const targetPrefix = "TrentService."

// maxBody bounds a request: the largest is Encrypt's 4 KiB in base64.
const maxBody = 64 << 10

// KeyIDHeader is the Talus extension that lets the root credentials choose
// a new key's ID on CreateKey (as does the body field "TalusKeyId").
const KeyIDHeader = "X-Talus-Key-Id"

// Handler serves the KMS API.
type Handler struct {
	keys     *kms.Local
	ids      *iam.Resolver
	verifier *sigv4.Verifier
	log      *slog.Logger
}

// New returns the KMS API handler over the key service.
func New(keys *kms.Local, ids *iam.Resolver, log *slog.Logger) *Handler {
	h := &Handler{keys: keys, ids: ids, log: log}
	h.verifier = &sigv4.Verifier{Service: "kms"}
	return h
}

// Is reports whether r is a KMS API request. S3 has no POST on "/" with
// an X-Amz-Target header.
func Is(r *http.Request) bool {
	return r.URL.Path == "/" && r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
}

// apiError is a KMS error response: {"__type": code, "message": msg}.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errf(code, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{status: http.StatusBadRequest, code: code, msg: msg}
}

func validation(format string, args ...any) *apiError {
	return errf("ValidationException", format, args...)
}

// serviceError maps the key service's errors to KMS exceptions; anything
// else is an internal failure (logged, never sent).
func serviceError(err error) error {
	msg := err.Error()
	var ke *kms.Error
	if errors.As(err, &ke) {
		msg = ke.Msg
	}
	for _, m := range []struct {
		kind error
		code string
	}{
		{kms.ErrNotFound, "NotFoundException"},
		{kms.ErrDisabled, "DisabledException"},
		{kms.ErrInvalidState, "KMSInvalidStateException"},
		{kms.ErrInvalidCiphertext, "InvalidCiphertextException"},
		{kms.ErrAlreadyExists, "AlreadyExistsException"},
		{kms.ErrValidation, "ValidationException"},
		{kms.ErrNotAuthorized, "NotAuthorizedException"},
		{kms.ErrAccessDenied, "AccessDeniedException"},
	} {
		if errors.Is(err, m.kind) {
			return errf(m.code, "%s", msg)
		}
	}
	return err
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	rec := accesslog.From(r.Context())
	rec.API = "kms"
	out, err := h.serve(r)
	if err != nil {
		var ae *apiError
		defer func() { rec.Fail(ae.code, err) }()
		if !errors.As(err, &ae) {
			h.log.Error("kms request failed", "id", reqID, "err", err)
			ae = &apiError{status: http.StatusInternalServerError, code: "KMSInternalException", msg: "The request processing has failed because of an unknown error."}
		}
		body := map[string]string{"__type": ae.code}
		if ae.msg != "" {
			body["message"] = ae.msg
		}
		writeJSON(w, ae.status, body)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"KMSInternalException"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// authError turns a signature failure into the JSON protocol's exceptions.
func authError(se *sigv4.Error) *apiError {
	switch se.Code {
	case "InvalidAccessKeyId", "InvalidToken":
		return errf("UnrecognizedClientException", "The security token included in the request is invalid.")
	case "ExpiredToken":
		return errf("ExpiredTokenException", "The security token included in the request is expired")
	case "SignatureDoesNotMatch":
		return errf("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	case "AuthorizationHeaderMalformed", "AuthorizationQueryParametersError":
		return errf("IncompleteSignatureException", "%s", se.Message)
	}
	return errf("InvalidSignatureException", "%s", se.Message)
}

// request is one authenticated call.
type request struct {
	ctx  context.Context
	p    iam.Principal
	op   string
	body []byte
	http *http.Request
}

// serve authenticates, parses and dispatches one request.
func (h *Handler) serve(r *http.Request) (any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errf("SerializationException", "The request body could not be read.")
	}
	if len(body) > maxBody {
		return nil, validation("The request body is too large.")
	}
	if r.Header.Get("X-Amz-Content-Sha256") == "" {
		sum := sha256.Sum256(body)
		r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	}
	auth, p, err := authn.Verify(r, h.verifier, h.ids)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return nil, authError(se)
		}
		return nil, err
	}
	if auth.Anonymous {
		return nil, errf("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	accesslog.From(r.Context()).Caller = p.ARN()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	fn, ok := operations[op]
	if ok {
		accesslog.From(r.Context()).Operation = op
	}
	if !ok {
		return nil, errf("UnknownOperationException", "")
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	return fn(h, &request{ctx: r.Context(), p: p, op: op, body: body, http: r})
}

// decode reads the request's JSON into v.
func (q *request) decode(v any) error {
	if err := json.Unmarshal(q.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errf("SerializationException", "Unexpected value for field %s.", te.Field)
		}
		return errf("SerializationException", "The request body is not valid JSON or has a field of the wrong type.")
	}
	return nil
}

// authorize checks that the principal may run the request's operation on
// each resource: root always, IAM users by their identity policies.
func (h *Handler) authorize(q *request, resources ...string) error {
	action := "kms:" + q.op
	// The key service's keys are the administrator account's; other
	// accounts have none of their own to manage.
	if q.p.AccountID() != iam.AccountID {
		return errf("AccessDeniedException", "User: %s is not authorized to perform: %s: the key service belongs to account %s", q.p.ARN(), action, iam.AccountID)
	}
	for _, res := range resources {
		ok, err := h.ids.IdentityAllows(q.ctx, q.p, action, res)
		if err != nil {
			return err
		}
		if !ok {
			return errf("AccessDeniedException", "User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
				q.p.ARN(), action, res, action)
		}
	}
	return nil
}

// refARN is the resource a key reference names before it is resolved.
func (h *Handler) refARN(ref string) string {
	switch {
	case strings.HasPrefix(ref, "arn:"):
		return ref
	case strings.HasPrefix(ref, "alias/"):
		return h.keys.AliasARN(ref)
	}
	return h.keys.KeyARN(ref)
}

// key resolves a key reference and authorizes the operation on the key.
// An unknown key is reported as such only to a caller allowed to use it.
func (h *Handler) key(q *request, ref string) (kms.KeyMeta, error) {
	if ref == "" {
		return kms.KeyMeta{}, validation("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	if ref == kms.SSES3 {
		ref = "arn:aws:kms:" + h.keys.Region() + ":" + iam.AccountID + ":key/" + ref // never resolves
	}
	m, err := h.keys.Describe(q.ctx, ref)
	if err != nil {
		if aerr := h.authorize(q, h.refARN(ref)); aerr != nil {
			return m, aerr
		}
		return m, serviceError(err)
	}
	return m, h.authorize(q, m.ARN)
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
