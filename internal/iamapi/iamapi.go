// Package iamapi serves AWS's IAM query API (users, access keys, groups,
// roles, inline and managed policies) and STS (GetCallerIdentity,
// GetSessionToken, AssumeRole, AssumeRoleWithWebIdentity) on the S3
// endpoint, so that `aws iam` and `aws sts` work with --endpoint-url, and
// Talus's account actions (TalusCreateAccount, ...) for the
// administrator's account. The Action decides the service: STS's actions
// are verified for the "sts" signing service, the others for "iam". An
// account's root may call every IAM action; other principals when their
// identity policies allow it. Every action acts within the caller's
// account (AssumeRole within the role's).
//
// It must not import s3api or server.
package iamapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"talus/internal/accesslog"
	"time"

	"talus/internal/authn"
	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/oidc"
	"talus/internal/sigv4"
)

// NS is IAM's XML namespace.
const NS = "https://iam.amazonaws.com/doc/2010-05-08/"

// maxBody bounds a request: policies are at most a few KiB.
const maxBody = 128 << 10

// maxKeysPerUser is AWS's quota of access keys per user.
const maxKeysPerUser = 2

// PolicyCheck validates an identity policy document; nil accepts any JSON.
type PolicyCheck func(doc string) error

// Handler serves the IAM API.
type Handler struct {
	store    iam.Store
	ids      *iam.Resolver
	verifier *sigv4.Verifier
	// stsVerifier checks requests signed for STS.
	stsVerifier *sigv4.Verifier
	dir         meta.Directory
	oidc        *oidc.Providers // nil: no web identity issuers
	check       PolicyCheck
	log         *slog.Logger
	now         func() time.Time
	// AccountCreated is when the administrator's account (its data
	// directory) began; GetUser of its root reports it (another account's
	// root reports its account's creation).
	AccountCreated time.Time
	existing       Existing
}

// New returns the IAM API handler.
func New(store iam.Store, ids *iam.Resolver, check PolicyCheck, log *slog.Logger) *Handler {
	h := &Handler{store: store, ids: ids, dir: ids.Directory(), check: check, log: log, now: time.Now}
	h.verifier = &sigv4.Verifier{Service: "iam"}
	h.stsVerifier = &sigv4.Verifier{Service: "sts"}
	return h
}

// Is reports whether r is an IAM API request: the query protocol on "/"
// (form-encoded POST or a GET with Action). S3 has no operation there.
func Is(r *http.Request) bool {
	if r.URL.Path != "/" {
		return false
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return true
	}
	return r.Method == http.MethodGet && r.URL.Query().Get("Action") != ""
}

// apiError is an IAM error response.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errf(status int, code, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{status: status, code: code, msg: msg}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	rec := accesslog.From(r.Context())
	rec.API = "iam"
	ns, out, err := h.serve(r)
	if err != nil {
		var ae *apiError
		defer func() { rec.Fail(ae.code, err) }()
		if !errors.As(err, &ae) {
			h.log.Error("iam request failed", "id", reqID, "err", err)
			ae = &apiError{status: http.StatusInternalServerError, code: "ServiceFailure", msg: "The request processing has failed because of an unknown error."}
		}
		writeXML(w, ae.status, errorResponse{NS: ns, Error: errorBody{Type: errorType(ae.status), Code: ae.code, Message: ae.msg}, RequestID: reqID})
		return
	}
	out.setRequestID(ns, reqID)
	writeXML(w, http.StatusOK, out)
}

func errorType(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// call is one authenticated IAM or STS request.
type call struct {
	ctx    context.Context
	p      iam.Principal
	form   url.Values
	action string
	http   *http.Request
}

// serve authenticates, parses and dispatches one request. The Action says
// which service it is for: STS's actions (stsActions) are verified for the
// "sts" signing service and answered in STS's namespace, every other
// action is IAM's.
func (h *Handler) serve(r *http.Request) (string, response, error) {
	ns := NS
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return ns, nil, errf(http.StatusBadRequest, "MalformedInput", "The request body could not be read.")
	}
	if len(body) > maxBody {
		return ns, nil, errf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is too large.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ns, nil, errf(http.StatusBadRequest, "MalformedQueryString", "The request body is not form-encoded.")
	}
	for k, v := range r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	action := form.Get("Action")
	accesslog.From(r.Context()).Operation = action
	verifier := h.verifier
	if stsActions[action] {
		ns, verifier = STSNS, h.stsVerifier
	}
	// IAM clients sign the body hash without sending it as a header.
	if r.Header.Get("X-Amz-Content-Sha256") == "" {
		sum := sha256.Sum256(body)
		r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	}
	auth, p, err := authn.Verify(r, verifier, h.ids)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			status, code, msg := authn.ServiceError(se)
			return ns, nil, &apiError{status: status, code: code, msg: msg}
		}
		return ns, nil, err
	}
	accesslog.From(r.Context()).Caller = p.ARN()
	// Every action acts within the caller's account.
	c := &call{ctx: p.Scope(r.Context()), p: p, form: form, action: action, http: r}
	if auth.Anonymous && !unsignedActions[action] {
		return ns, nil, errf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	if stsActions[action] {
		out, err := h.dispatchSTS(c)
		return ns, out, err
	}
	if s := p.Session; s != nil && s.Role == "" {
		// As in AWS, GetSessionToken credentials (without MFA, which
		// Talus does not have) cannot call IAM.
		return ns, nil, errf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	if accountActions[action] && p.AccountID() != iam.AccountID {
		// Only the administrator's account manages accounts.
		resource := "arn:aws:iam::" + p.AccountID() + ":account/" + form.Get("AccountId")
		return ns, nil, errf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: iam:%s on resource: %s", p.ARN(), action, resource)
	}
	if remoteActions[action] && p.AccountID() != iam.AccountID {
		// Only the administrator's account manages replication remotes.
		resource := "arn:aws:iam::" + p.AccountID() + ":replication-remote/" + form.Get("RemoteName")
		return ns, nil, errf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: iam:%s on resource: %s", p.ARN(), action, resource)
	}
	if olapActions[action] && p.AccountID() != iam.AccountID {
		// Only the administrator's account configures Object Lambda access points.
		resource := "arn:aws:iam::" + p.AccountID() + ":object-lambda-access-point/" + form.Get("Name")
		return ns, nil, errf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: iam:%s on resource: %s", p.ARN(), action, resource)
	}
	if !p.Root {
		resource := h.resourceOf(c)
		if ok, err := h.ids.IdentityAllows(r.Context(), p, "iam:"+action, resource); err != nil || !ok {
			return ns, nil, errf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: iam:%s on resource: %s", p.ARN(), action, resource)
		}
	}
	out, err := h.dispatch(c)
	return ns, out, err
}

var userName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
var policyName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

func (h *Handler) param(form url.Values, name string, re *regexp.Regexp) (string, error) {
	v := form.Get(name)
	if v == "" {
		return "", errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	if re != nil && !re.MatchString(v) {
		return "", errf(http.StatusBadRequest, "ValidationError", "The specified value for %s is invalid.", lowerFirst(name))
	}
	return v, nil
}

// userAndPolicy reads UserName and PolicyName.
func (h *Handler) userAndPolicy(form url.Values) (user, policy string, err error) {
	if user, err = h.param(form, "UserName", userName); err == nil {
		policy, err = h.param(form, "PolicyName", policyName)
	}
	return user, policy, err
}

// userAndKey reads UserName and AccessKeyId.
func (h *Handler) userAndKey(form url.Values) (user, key string, err error) {
	if user, err = h.param(form, "UserName", userName); err == nil {
		key, err = h.param(form, "AccessKeyId", nil)
	}
	return user, key, err
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

func (h *Handler) dispatch(c *call) (response, error) {
	ctx, action, form := c.ctx, c.action, c.form
	if fn, ok := directoryActions[action]; ok {
		return fn(h, c)
	}
	switch action {
	case "CreateUser":
		return h.createUser(ctx, form)
	case "GetUser":
		return h.getUser(c)
	case "ListUsers":
		return h.listUsers(ctx, form)
	case "DeleteUser":
		return h.deleteUser(ctx, form)
	case "CreateAccessKey":
		return h.createAccessKey(ctx, form)
	case "ListAccessKeys":
		return h.listAccessKeys(ctx, form)
	case "UpdateAccessKey":
		return h.updateAccessKey(ctx, form)
	case "DeleteAccessKey":
		return h.deleteAccessKey(ctx, form)
	case "PutUserPolicy":
		return h.putUserPolicy(ctx, form)
	case "GetUserPolicy":
		return h.getUserPolicy(ctx, form)
	case "ListUserPolicies":
		return h.listUserPolicies(ctx, form)
	case "DeleteUserPolicy":
		return h.deleteUserPolicy(ctx, form)
	case "TalusCreateAccount":
		return h.createAccount(ctx, form)
	case "TalusListAccounts":
		return h.listAccounts(ctx)
	case "TalusGetAccount":
		return h.getAccount(ctx, form)
	case "TalusDeleteAccount":
		return h.deleteAccount(ctx, form)
	case "TalusPutReplicationRemote", "TalusListReplicationRemotes", "TalusDeleteReplicationRemote", "TalusReplicateExisting":
		return h.remoteAction(ctx, action, form)
	case "TalusCreateObjectLambdaAccessPoint", "TalusListObjectLambdaAccessPoints", "TalusDeleteObjectLambdaAccessPoint":
		return h.olapAction(c)
	case "":
		return nil, errf(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	accesslog.From(ctx).Operation = "Unknown" // not a label made of client input
	return nil, errf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", action)
}

// storeError maps store sentinels to IAM errors.
func storeError(err error, user string) error {
	switch {
	case errors.Is(err, meta.ErrNoSuchUser):
		return errf(http.StatusNotFound, "NoSuchEntity", "The user with name %s cannot be found.", user)
	case errors.Is(err, meta.ErrUserExists):
		return errf(http.StatusConflict, "EntityAlreadyExists", "User with name %s already exists.", user)
	case errors.Is(err, meta.ErrUserInUse):
		return errf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must delete policies and access keys first.")
	case errors.Is(err, meta.ErrNoSuchAccessKey):
		return errf(http.StatusNotFound, "NoSuchEntity", "The Access Key with id cannot be found for user %s.", user)
	case errors.Is(err, meta.ErrNoSuchPolicy):
		return errf(http.StatusNotFound, "NoSuchEntity", "The user policy cannot be found.")
	}
	return err
}

// userXML describes a user of the account ctx is scoped to.
func userXML(ctx context.Context, u meta.User) *userInfo {
	return &userInfo{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: iam.Principal{User: u.Name, Account: meta.AccountOf(ctx)}.ARN(), CreateDate: isoTime(u.Created)}
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (h *Handler) createUser(ctx context.Context, form url.Values) (response, error) {
	name, err := h.param(form, "UserName", userName)
	if err != nil {
		return nil, err
	}
	path := form.Get("Path")
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") || len(path) > 512 {
		return nil, errf(http.StatusBadRequest, "ValidationError", "The specified value for path is invalid.")
	}
	u := meta.User{Name: name, ID: iam.NewUserID(), Path: path, Created: h.now().UTC()}
	if err := h.store.CreateUser(ctx, u); err != nil {
		return nil, storeError(err, name)
	}
	return &createUserResponse{Result: userResult{User: userXML(ctx, u)}}, nil
}

// getUser without UserName describes the caller (AWS's rule for root and
// IAM users; a role session has no user to describe).
func (h *Handler) getUser(c *call) (response, error) {
	ctx, form := c.ctx, c.form
	if form.Get("UserName") == "" {
		switch {
		case c.p.Root:
			created := h.AccountCreated
			if a, err := h.ids.Account(ctx, c.p.AccountID()); err == nil && !a.Created.IsZero() && c.p.AccountID() != iam.AccountID {
				created = a.Created
			}
			return &getUserResponse{Result: userResult{User: &userInfo{UserID: c.p.AccountID(), Arn: c.p.ARN(), CreateDate: isoTime(created)}}}, nil
		case c.p.User == "":
			return nil, errf(http.StatusBadRequest, "ValidationError", "Must specify userName when calling with non-User credentials")
		}
		form.Set("UserName", c.p.User)
	}
	name, err := h.param(form, "UserName", userName)
	if err != nil {
		return nil, err
	}
	u, err := h.store.GetUser(ctx, name)
	if err != nil {
		return nil, storeError(err, name)
	}
	return &getUserResponse{Result: userResult{User: userXML(ctx, u)}}, nil
}

// page reads Marker / MaxItems (1–1000, default 100).
func page(form url.Values) (string, int, error) {
	max := 100
	if v := form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return "", 0, errf(http.StatusBadRequest, "ValidationError", "The specified value for maxItems is invalid.")
		}
		max = n
	}
	return form.Get("Marker"), max, nil
}

func (h *Handler) listUsers(ctx context.Context, form url.Values) (response, error) {
	marker, max, err := page(form)
	if err != nil {
		return nil, err
	}
	prefix := form.Get("PathPrefix")
	var out listUsersResponse
	after := marker
	for len(out.Result.Users) <= max {
		users, err := h.store.ListUsers(ctx, after, max+1)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			after = u.Name
			if strings.HasPrefix(u.Path, prefix) {
				out.Result.Users = append(out.Result.Users, userXML(ctx, u))
			}
		}
		if len(users) <= max {
			break
		}
	}
	if len(out.Result.Users) > max {
		out.Result.Users = out.Result.Users[:max]
		out.Result.IsTruncated = true
		out.Result.Marker = out.Result.Users[max-1].UserName
	}
	return &out, nil
}

func (h *Handler) deleteUser(ctx context.Context, form url.Values) (response, error) {
	name, err := h.param(form, "UserName", userName)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteUser(ctx, name); err != nil {
		return nil, storeError(err, name)
	}
	return &emptyResponse{XMLName: xml.Name{Local: "DeleteUserResponse"}}, nil
}

func (h *Handler) createAccessKey(ctx context.Context, form url.Values) (response, error) {
	name, err := h.param(form, "UserName", userName)
	if err != nil {
		return nil, err
	}
	keys, err := h.store.ListAccessKeys(ctx, name)
	if err != nil {
		return nil, storeError(err, name)
	}
	if len(keys) >= maxKeysPerUser {
		return nil, errf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
	}
	id, secret := iam.NewAccessKey()
	k := meta.AccessKey{ID: id, User: name, Status: "Active", Created: h.now().UTC(), SealedSecret: h.ids.Sealer().Seal(id, secret)}
	if err := h.store.CreateAccessKey(ctx, k); err != nil {
		return nil, storeError(err, name)
	}
	return &createAccessKeyResponse{Result: accessKeyResult{AccessKey: accessKeyInfo{
		UserName: name, AccessKeyID: id, Status: k.Status, SecretAccessKey: secret, CreateDate: isoTime(k.Created)}}}, nil
}

func (h *Handler) listAccessKeys(ctx context.Context, form url.Values) (response, error) {
	name, err := h.param(form, "UserName", userName)
	if err != nil {
		return nil, err
	}
	keys, err := h.store.ListAccessKeys(ctx, name)
	if err != nil {
		return nil, storeError(err, name)
	}
	out := &listAccessKeysResponse{}
	out.Result.Keys = []accessKeyInfo{}
	for _, k := range keys {
		out.Result.Keys = append(out.Result.Keys, accessKeyInfo{UserName: k.User, AccessKeyID: k.ID, Status: k.Status, CreateDate: isoTime(k.Created)})
	}
	return out, nil
}

func (h *Handler) updateAccessKey(ctx context.Context, form url.Values) (response, error) {
	name, id, err := h.userAndKey(form)
	if err != nil {
		return nil, err
	}
	status := form.Get("Status")
	if status != "Active" && status != "Inactive" {
		return nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	if err := h.store.UpdateAccessKey(ctx, name, id, status); err != nil {
		return nil, storeError(err, name)
	}
	h.ids.Forget(id)
	return &emptyResponse{XMLName: xml.Name{Local: "UpdateAccessKeyResponse"}}, nil
}

func (h *Handler) deleteAccessKey(ctx context.Context, form url.Values) (response, error) {
	name, id, err := h.userAndKey(form)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteAccessKey(ctx, name, id); err != nil {
		return nil, storeError(err, name)
	}
	h.ids.Forget(id)
	return &emptyResponse{XMLName: xml.Name{Local: "DeleteAccessKeyResponse"}}, nil
}

func (h *Handler) putUserPolicy(ctx context.Context, form url.Values) (response, error) {
	name, pname, err := h.userAndPolicy(form)
	if err != nil {
		return nil, err
	}
	doc, err := h.param(form, "PolicyDocument", nil)
	if err != nil {
		return nil, err
	}
	if h.check != nil {
		if err := h.check(doc); err != nil {
			return nil, errf(http.StatusBadRequest, "MalformedPolicyDocument", "%s", err.Error())
		}
	}
	if err := h.store.PutUserPolicy(ctx, name, pname, doc); err != nil {
		return nil, storeError(err, name)
	}
	h.ids.ForgetPolicies(name)
	return &emptyResponse{XMLName: xml.Name{Local: "PutUserPolicyResponse"}}, nil
}

func (h *Handler) getUserPolicy(ctx context.Context, form url.Values) (response, error) {
	name, pname, err := h.userAndPolicy(form)
	if err != nil {
		return nil, err
	}
	doc, err := h.store.GetUserPolicy(ctx, name, pname)
	if err != nil {
		return nil, storeError(err, name)
	}
	// The query API returns the document URL-encoded per RFC 3986, as AWS
	// does: a space is %20, not '+' (clients decode with a plain unquote).
	// QueryEscape writes a literal '+' as %2B, so every '+' left is a space.
	enc := strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
	return &getUserPolicyResponse{Result: userPolicyResult{UserName: name, PolicyName: pname, PolicyDocument: enc}}, nil
}

func (h *Handler) listUserPolicies(ctx context.Context, form url.Values) (response, error) {
	name, err := h.param(form, "UserName", userName)
	if err != nil {
		return nil, err
	}
	names, err := h.store.ListUserPolicies(ctx, name)
	if err != nil {
		return nil, storeError(err, name)
	}
	out := &listUserPoliciesResponse{}
	out.Result.PolicyNames = append([]string{}, names...)
	return out, nil
}

func (h *Handler) deleteUserPolicy(ctx context.Context, form url.Values) (response, error) {
	name, pname, err := h.userAndPolicy(form)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteUserPolicy(ctx, name, pname); err != nil {
		return nil, storeError(err, name)
	}
	h.ids.ForgetPolicies(name)
	return &emptyResponse{XMLName: xml.Name{Local: "DeleteUserPolicyResponse"}}, nil
}

func writeXML(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, "encoding failure", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
