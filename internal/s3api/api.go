package s3api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"talus/internal/accesslog"
	"talus/internal/analytics"
	"talus/internal/authn"
	"talus/internal/blob"
	"talus/internal/iam"
	"talus/internal/kms"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/serverlog"
	"talus/internal/sigv2"
	"talus/internal/sigv4"
)

// Config configures the API.
type Config struct {
	Region string
	// Domains enable virtual-hosted-style requests: bucket.DOMAIN.
	Domains []string
	// WebsiteDomains are the website endpoints: a request whose Host is
	// bucket.WEBSITE-DOMAIN is served as the bucket's static website.
	WebsiteDomains []string
	// Identities resolves access keys to principals and secrets.
	Identities *iam.Resolver
	// KMS is the key service of server-side encryption (SSE-S3, SSE-KMS).
	KMS kms.Service
	// InlineMax is the largest object kept inside the metadata row.
	InlineMax int
	// DefaultObjectOwnership is the object ownership of buckets created
	// without x-amz-object-ownership; "" means BucketOwnerEnforced, S3's.
	DefaultObjectOwnership string
	// Space, if set, admits or refuses operations that store new data.
	Space interface{ Admit() error }
	// AllowSSECOverHTTP accepts customer keys (SSE-C) on plain HTTP
	// requests, which S3 refuses; for tests and TLS-terminating proxies.
	AllowSSECOverHTTP bool
	// DefaultEncryption is the encryption of new objects in buckets with
	// no default encryption of their own: "" or "AES256" for SSE-S3, as S3
	// applies to every bucket; "none" stores them unencrypted.
	DefaultEncryption string
	Logger            *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MetadataTablesWake tells the metadata table worker a configuration
	// changed (nil: nothing to wake).
	MetadataTablesWake func()
	// LifecycleDay is the length of a lifecycle rule's day; 0 means 24
	// hours. Tests shorten it to watch rules act.
	LifecycleDay time.Duration
	// Notifier validates notification destinations (nil: none configured).
	Notifier Notifier
	// RequestMetrics, if set, receives the requests that buckets' request
	// metrics configurations select.
	RequestMetrics RequestMetrics
	// ClassTier names the storage tier that holds a class's data ("": the
	// default tier, as for every class when nil).
	ClassTier func(class string) string
	// AccessLog spools server access log records (nil: logging off).
	AccessLog *serverlog.Sink
	// Analytics counts GETs for storage class analysis (nil: not counted).
	Analytics *analytics.Counters
	// ObjectLambdaTimeout is how long a transformer has to answer a GET
	// through an Object Lambda access point; 0 means 60 seconds, AWS's.
	ObjectLambdaTimeout time.Duration
	// ObjectLambdaClient sends events to transformers (nil: a default client).
	ObjectLambdaClient *http.Client
	// ExpressSessionDuration is how long CreateSession's credentials
	// last; 0 means five minutes, S3's. Tests shorten it.
	ExpressSessionDuration time.Duration
}

// API serves the S3 protocol over HTTP.
type API struct {
	cfg      Config
	meta     meta.Store
	blobs    blob.Store
	verifier *sigv4.Verifier
	log      *slog.Logger
	authz    *authorizer
	torrents *torrentCache
	touching sync.Map // versions whose access is being recorded (touch)
	olap     *olapRoutes
}

// New returns the S3 API over the given stores.
func New(cfg Config, m meta.Store, b blob.Store) *API {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultObjectOwnership == "" {
		cfg.DefaultObjectOwnership = s3.OwnerEnforced
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.ObjectLambdaTimeout <= 0 {
		cfg.ObjectLambdaTimeout = 60 * time.Second
	}
	if cfg.ObjectLambdaClient == nil {
		cfg.ObjectLambdaClient = &http.Client{}
	}
	return &API{
		cfg:   cfg,
		meta:  m,
		blobs: b,
		// Directory bucket requests are signed for s3express (checkSession).
		verifier: &sigv4.Verifier{Region: cfg.Region, Now: cfg.Now, AlsoServices: []string{"s3express"}, Lookup: func(ak string) (string, bool) {
			_, secret, ok := cfg.Identities.Lookup(context.Background(), ak)
			return secret, ok
		}},
		log:   cfg.Logger,
		authz: newAuthorizer(),
		// 16 MiB of info dictionaries: pieces of about 200 GB of objects.
		torrents: newTorrentCache(16 << 20),
		olap:     newOLAPRoutes(),
	}
}

// request is one parsed S3 request.
type request struct {
	*http.Request
	id     string
	hostID string
	bucket string
	key    string
	query  url.Values
	auth   *sigv4.Auth
	// principal is who the request runs as.
	principal iam.Principal
	// versioning is the bucket's versioning state once a.bucket loaded it.
	versioning string
	// loaded is the bucket row once authorization read it (nil otherwise).
	loaded *meta.Bucket
	// virtualHost: the bucket came from the Host header.
	virtualHost bool
	// sigV2: the request was signed with Signature Version 2.
	sigV2 bool
	// website: the request came to the bucket's website endpoint.
	website bool
	// replicaVID: a replication write keeping this source version ID.
	replicaVID string
	// op is the operation's name once routed; aclRequired: an ACL grant
	// authorized it (both for access log records).
	op          string
	aclRequired bool
	// charged: the requester accepted a Requester Pays bucket's charge.
	charged bool
	// accelerate: the request came to the Transfer Acceleration endpoint.
	accelerate bool
	// olap: the request came through an Object Lambda access point;
	// wgor: it is a WriteGetObjectResponse. Both are signed for
	// s3-object-lambda.
	olap *olapTarget
	wgor bool
	// directory: the request's bucket is a directory bucket (checkDirectory).
	directory bool
	// expressToken: the session token came as x-amz-s3session-token.
	expressToken bool
	// For request metrics: the operation, the object's tags once read,
	// when the response started and its body's length.
	objectTags map[string]string
	firstByte  time.Time
	sentBytes  int64
}

// response is what a handler returns; render turns it into bytes.
type response struct {
	status int
	header http.Header
	xml    any           // encoded as the body when set
	body   io.ReadCloser // streamed as the body when set
	length int64         // Content-Length of body
	// stream, when set, writes a body of unknown length (chunked),
	// calling flush when what it wrote should reach the client now.
	stream func(w io.Writer, flush func()) error
}

type handler func(ctx context.Context, req *request) (*response, error)

func newResponse(status int) *response {
	return &response{status: status, header: http.Header{}}
}

func xmlResponse(status int, v any) *response {
	r := newResponse(status)
	r.xml = v
	return r
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req := &request{Request: r, id: newRequestID(), hostID: newHostID()}
	w.Header().Set("x-amz-request-id", req.id)
	w.Header().Set("x-amz-id-2", req.hostID)
	w.Header().Set("Server", "Talus")

	var lw *logWriter
	var body *bodyWatch
	if a.cfg.AccessLog != nil || a.cfg.Analytics != nil {
		lw = &logWriter{ResponseWriter: w}
		w = lw
		if r.Body != nil && r.Body != http.NoBody {
			body = &bodyWatch{ReadCloser: r.Body}
			r.Body = body
		}
	}
	status, err := a.serve(w, req)
	if lw != nil {
		a.recordAccess(req, lw, body, status, err, start, time.Now())
		a.countAnalytics(req, lw, status)
	}
	a.observeMetrics(req, status, start)
	// The access log (internal/accesslog) writes the line: 500s at error
	// with their cause, everything else at info, denials with the reason.
	rec := accesslog.From(r.Context())
	rec.Bucket, rec.Key, rec.RequestID, rec.Caller = req.bucket, req.key, req.id, req.principal.ARN()
	if rec.Operation == "" {
		rec.Operation = a.route(req).name
	}
	if err != nil {
		rec.Fail(string(toS3Error(err).Code), logCause(err))
	}
}

// logCause is what the log says about a failed request: the underlying
// error behind the S3 error sent, or the error itself.
func logCause(err error) error {
	if e := toS3Error(err); e.Cause != nil {
		return e.Cause
	}
	return err
}

// serve handles the request and returns the status sent.
func (a *API) serve(w http.ResponseWriter, req *request) (int, error) {
	if err := a.parse(req); err != nil {
		return a.renderError(w, req, err), err
	}
	if req.olap != nil || req.wgor {
		return a.serveObjectLambda(w, req)
	}
	if req.Method == http.MethodOptions {
		accesslog.From(req.Context()).Operation = "PreflightRequest"
		return a.preflight(w, req)
	}
	if req.website {
		accesslog.From(req.Context()).Operation = "WebsiteRequest"
		return a.serveWebsite(w, req)
	}
	token := authn.Token(req.Request)
	if t := authn.ExpressToken(req.Request); t != "" {
		if token != "" {
			err := s3err.Newf(s3err.InvalidRequest, "Only one of x-amz-security-token and x-amz-s3session-token may be given.")
			return a.renderError(w, req, err), err
		}
		token, req.expressToken = t, true
	}
	_, err := a.signIn(req, token)
	if err != nil {
		return a.renderError(w, req, err), err
	}
	op := a.route(req)
	accesslog.From(req.Context()).Operation = op.name
	req.op = op.name
	if v := req.Header.Get("x-amz-expected-bucket-owner"); v != "" && req.bucket != "" {
		if err := a.checkExpectedOwner(req.Context(), v, a.requestBucket(req.Context(), req)); err != nil {
			return a.renderError(w, req, err), err
		}
	}
	if err := a.checkSession(req, op); err != nil {
		return a.renderError(w, req, err), err
	}
	if err := a.authorize(req.Context(), req, op); err != nil {
		return a.renderError(w, req, err), err
	}
	if err := a.checkDirectory(req.Context(), req, op.name); err != nil {
		return a.renderError(w, req, err), err
	}
	if err := a.refuseUnsupported(req.Context(), req, op.name); err != nil {
		return a.renderError(w, req, err), err
	}
	if err := a.checkBucketFeatures(req.Context(), req, op.name); err != nil {
		return a.renderError(w, req, err), err
	}
	if storesData[op.name] && a.cfg.Space != nil {
		if err := a.cfg.Space.Admit(); err != nil {
			return a.renderError(w, req, err), err
		}
	}
	if err := a.checkReplica(req.Context(), req, op.name); err != nil {
		return a.renderError(w, req, err), err
	}
	a.withChange(req, op.name)
	resp, err := op.h(a, req.Context(), req)
	if err != nil {
		return a.renderError(w, req, err), err
	}
	a.afterHandler(req, resp)
	return a.render(w, req, resp)
}

// parse splits the request into bucket and key, by host or by path.
func (a *API) parse(req *request) error {
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return s3err.Newf(s3err.InvalidArgument, "The query string is malformed.")
	}
	req.query = q
	path := req.URL.Path
	if !strings.HasPrefix(path, "/") {
		return s3err.New(s3err.InvalidRequest)
	}
	if a.parseObjectLambda(req) {
		return nil
	}
	if b, ok := hostBucket(req.Host, a.cfg.WebsiteDomains); ok {
		req.bucket, req.website = b, true
		req.key = path[1:]
		return nil
	}
	if b, ok := accelerateBucket(req.Host, a.cfg.Domains); ok {
		req.bucket, req.virtualHost, req.accelerate = b, b != "", true
		req.key = path[1:]
		return nil
	}
	if b, ok := hostBucket(req.Host, a.cfg.Domains); ok {
		req.bucket, req.virtualHost = b, true
		req.key = path[1:]
		return nil
	}
	rest := path[1:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		req.bucket, req.key = rest[:i], rest[i+1:]
	} else {
		req.bucket = rest
	}
	return nil
}

// hostBucket returns the bucket a Host of the form bucket.DOMAIN names,
// for one of domains.
func hostBucket(host string, domains []string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, d := range domains {
		if strings.HasSuffix(host, "."+d) {
			return strings.TrimSuffix(host, "."+d), true
		}
	}
	return "", false
}

// authenticate verifies a SigV4 or (for legacy clients) SigV2 signature.
// It never reads the body.
func (a *API) authenticate(req *request, lookup sigv4.SecretLookup) (*sigv4.Auth, error) {
	if _, ok := localPrincipal(req.Context()); ok {
		return &sigv4.Auth{Payload: sigv4.PayloadUnsigned}, nil // in process (LocalTransport)
	}
	if !sigv2.IsV2(req.Request) {
		v := *a.verifier
		v.Lookup = lookup
		if req.olap != nil || req.wgor {
			v.Service = olapService
		}
		return v.Verify(req.Request)
	}
	opts := sigv2.Options{}
	if req.virtualHost {
		opts.Bucket = req.bucket
	}
	ak, err := sigv2.VerifyOptions(req.Request, lookup, a.cfg.Now(), opts)
	if err != nil {
		return nil, err
	}
	req.sigV2 = true
	if ak == "" {
		return &sigv4.Auth{Anonymous: true, Payload: sigv4.PayloadUnsigned}, nil
	}
	// SigV2 does not cover the body; Content-MD5 is its integrity check.
	return &sigv4.Auth{AccessKey: ak, Payload: sigv4.PayloadUnsigned}, nil
}

func remoteIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func newHostID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// signIn authenticates the request with token (a session token, or "")
// and sets its auth and principal: the local principal of an internal
// request, anonymous, or the credentials' owner.
func (a *API) signIn(req *request, token string) (*authn.Credentials, error) {
	creds := authn.New(req.Context(), a.cfg.Identities, token)
	auth, err := a.authenticate(req, creds.Lookup)
	if err != nil {
		return nil, creds.Error(err)
	}
	req.auth = auth
	if lp, ok := localPrincipal(req.Context()); ok {
		req.principal = lp
	} else if auth.Anonymous {
		req.principal = iam.Principal{Anonymous: true}
	} else {
		req.principal = creds.Principal
	}
	return creds, nil
}
