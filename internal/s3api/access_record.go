package s3api

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"talus/internal/meta"
	"talus/internal/serverlog"
)

// logWriter counts what a response sends, for access log records: the
// body bytes and when the first byte (the header) went out.
type logWriter struct {
	http.ResponseWriter
	sent  int64
	first time.Time
}

func (w *logWriter) WriteHeader(code int) {
	if w.first.IsZero() {
		w.first = time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if w.first.IsZero() {
		w.first = time.Now()
	}
	n, err := w.ResponseWriter.Write(b)
	w.sent += int64(n)
	return n, err
}

// ReadFrom keeps the underlying writer's sendfile path for file bodies.
func (w *logWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.first.IsZero() {
		w.first = time.Now()
	}
	n, err := io.Copy(w.ResponseWriter, r)
	w.sent += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *logWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// bodyWatch notes when the request body was read to its end: the start
// of the turn-around time.
type bodyWatch struct {
	io.ReadCloser
	done atomic.Int64
}

func (b *bodyWatch) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.done.Load() == 0 {
		b.done.Store(time.Now().UnixNano())
	}
	return n, err
}

// accessLogging is the logging configuration of the request's bucket, if
// it has one.
func (a *API) accessLogging(req *request) (*meta.Bucket, bool) {
	if a.cfg.AccessLog == nil || req.bucket == "" {
		return nil, false
	}
	b := req.loaded
	if b == nil || b.Name != req.bucket {
		got, err := a.meta.GetBucket(context.Background(), req.bucket)
		if err != nil {
			return nil, false
		}
		b = &got
	}
	return b, b.Config.Logging != nil
}

// recordAccess spools the request's access log record when its bucket
// has logging enabled. It runs after the response was sent.
func (a *API) recordAccess(req *request, w *logWriter, body *bodyWatch, status int, err error, start, end time.Time) {
	b, ok := a.accessLogging(req)
	if !ok {
		return
	}
	l := b.Config.Logging
	r := req.Request
	rec := serverlog.Record{
		BucketOwner: b.Owner, Bucket: b.Name, Time: start, RemoteIP: remoteIP(r),
		Requester: requesterOf(req), RequestID: req.id, Operation: operationOf(req),
		Key: req.key, RequestURI: r.Method + " " + r.RequestURI + " " + r.Proto, Status: status,
		BytesSent: w.sent, ObjectSize: objectSize(req, w, status), TotalTime: end.Sub(start), TurnAround: -1,
		Referer: r.Referer(), UserAgent: r.UserAgent(), HostID: req.hostID, HostHeader: r.Host,
		ACLRequired: req.aclRequired,
	}
	if err != nil && status >= 300 {
		rec.ErrorCode = string(toS3Error(err).Code)
	}
	if !w.first.IsZero() {
		from := start
		if body != nil {
			if ns := body.done.Load(); ns != 0 {
				from = time.Unix(0, ns)
			}
		}
		rec.TurnAround = max(w.first.Sub(from), 0)
	}
	rec.VersionID = w.Header().Get("x-amz-version-id")
	if rec.VersionID == "" {
		rec.VersionID = req.query.Get("versionId")
	}
	if req.auth != nil && !req.auth.Anonymous {
		rec.SignatureVer = "SigV4"
		if req.sigV2 {
			rec.SignatureVer = "SigV2"
		}
		switch {
		case req.query.Get("X-Amz-Signature") != "" || req.query.Get("Signature") != "":
			rec.AuthType = "QueryString"
		case r.Header.Get("Authorization") != "":
			rec.AuthType = "AuthHeader"
		}
	}
	if r.TLS != nil {
		rec.TLSVersion = tlsVersionName(r.TLS.Version)
		rec.CipherSuite = cipherName(r.TLS.CipherSuite)
	}
	a.cfg.AccessLog.Add(serverlog.Entry{
		Target: l.TargetBucket, Prefix: l.TargetPrefix, Partitioned: l.Partitioned, EventDate: l.DateSource == "EventTime",
		SourceBucket: b.Name, SourceAccount: a.ownerAccount(context.Background(), b.Owner), SourceRegion: b.Region,
		Time: start, Line: rec.Line(),
	})
}

// requesterOf is the log's Requester: the account's canonical ID for a
// root, the IAM user's ARN for a user, "" (written "-") when anonymous.
func requesterOf(req *request) string {
	p := req.principal
	switch {
	case p.Anonymous || req.auth == nil:
		return ""
	case p.User != "":
		return "arn:aws:iam::" + p.AccountID() + ":user/" + p.User
	}
	return p.CanonicalID
}

// objectSize is the total size of the object the request read or wrote.
func objectSize(req *request, w *logWriter, status int) int64 {
	h := w.Header()
	if status >= 300 {
		return 0
	}
	switch req.op {
	case "GetObject", "HeadObject":
		if cr := h.Get("Content-Range"); cr != "" {
			if i := strings.LastIndexByte(cr, '/'); i >= 0 {
				n, _ := strconv.ParseInt(cr[i+1:], 10, 64)
				return n
			}
		}
		n, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		return n
	case "PutObject", "UploadPart", "PostObject":
		if v := req.Header.Get("x-amz-decoded-content-length"); v != "" {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
		return req.ContentLength
	}
	return 0
}

// logOperations are S3's log names of operations whose resource type is
// not the plain subresource name.
var logOperations = map[string]string{
	"ListObjects": "BUCKET", "ListObjectsV2": "BUCKET", "HeadBucket": "BUCKET", "CreateBucket": "BUCKET",
	"DeleteBucket": "BUCKET", "GetObject": "OBJECT", "HeadObject": "OBJECT", "PutObject": "OBJECT",
	"CopyObject": "OBJECT", "DeleteObject": "OBJECT", "PostObject": "OBJECT",
	"DeleteObjects": "MULTI_OBJECT_DELETE", "GetBucketPolicy": "BUCKETPOLICY", "PutBucketPolicy": "BUCKETPOLICY",
	"DeleteBucketPolicy": "BUCKETPOLICY", "GetBucketPolicyStatus": "POLICYSTATUS",
	"ListObjectVersions": "BUCKETVERSIONS", "GetBucketLogging": "LOGGING_STATUS", "PutBucketLogging": "LOGGING_STATUS",
	"CreateMultipartUpload": "UPLOADS", "ListMultipartUploads": "UPLOADS", "UploadPart": "PART", "UploadPartCopy": "PART",
	"CompleteMultipartUpload": "UPLOAD", "AbortMultipartUpload": "UPLOAD", "ListParts": "UPLOAD",
	"GetObjectTagging": "OBJECT_TAGGING", "PutObjectTagging": "OBJECT_TAGGING", "DeleteObjectTagging": "OBJECT_TAGGING",
	"GetObjectAttributes": "OBJECT_ATTRIBUTES", "GetObjectLockConfiguration": "OBJECT_LOCK_CONFIGURATION",
	"PutObjectLockConfiguration": "OBJECT_LOCK_CONFIGURATION", "GetBucketOwnershipControls": "OWNERSHIP_CONTROLS",
	"PutBucketOwnershipControls": "OWNERSHIP_CONTROLS", "DeleteBucketOwnershipControls": "OWNERSHIP_CONTROLS",
	"GetPublicAccessBlock": "PUBLIC_ACCESS_BLOCK", "PutPublicAccessBlock": "PUBLIC_ACCESS_BLOCK",
	"DeletePublicAccessBlock": "PUBLIC_ACCESS_BLOCK", "GetBucketLocation": "LOCATION",
}

// operationOf is the log's Operation: REST.HTTP_method.resource_type (or
// WEBSITE. for the website endpoint), with COPY as the method of copies.
func operationOf(req *request) string {
	method := req.Method
	if req.Header.Get("x-amz-copy-source") != "" && req.Method == http.MethodPut {
		method = "COPY"
	}
	kind := logOperations[req.op]
	if kind == "" {
		sub := req.subresource()
		if sub == "" {
			kind = "OBJECT"
			if req.key == "" {
				kind = "BUCKET"
			}
		} else {
			kind = strings.ToUpper(strings.ReplaceAll(sub, "-", "_"))
		}
	}
	if req.website {
		return "WEBSITE." + method + "." + kind
	}
	return "REST." + method + "." + kind
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return ""
}

// openSSLNames are the OpenSSL names S3's logs give cipher suites.
var openSSLNames = map[uint16]string{
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:       "ECDHE-RSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:       "ECDHE-RSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:     "ECDHE-ECDSA-AES128-GCM-SHA256",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:     "ECDHE-ECDSA-AES256-GCM-SHA384",
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305:      "ECDHE-ECDSA-CHACHA20-POLY1305",
	tls.TLS_AES_128_GCM_SHA256:                      "TLS_AES_128_GCM_SHA256",
	tls.TLS_AES_256_GCM_SHA384:                      "TLS_AES_256_GCM_SHA384",
	tls.TLS_CHACHA20_POLY1305_SHA256:                "TLS_CHACHA20_POLY1305_SHA256",
}

func cipherName(id uint16) string {
	if n, ok := openSSLNames[id]; ok {
		return n
	}
	return tls.CipherSuiteName(id)
}

// DeliverLog writes one access log object as the logging service.
func (a *API) DeliverLog(ctx context.Context, d serverlog.Delivery) error {
	var grants []meta.Grant
	if b, err := a.meta.GetBucket(ctx, d.SourceBucket); err == nil && b.Config.Logging != nil {
		for _, g := range b.Config.Logging.TargetGrants {
			grants = append(grants, meta.Grant{ID: g.ID, URI: g.URI, Email: g.Email, Permission: g.Permission})
		}
	}
	err := a.PutServiceObject(ctx, ServiceObject{Service: serverlog.ServicePrincipal, Bucket: d.Bucket, Key: d.Key,
		SourceBucket: d.SourceBucket, SourceAccount: d.SourceAccount, ContentType: "text/plain", Data: d.Data, Grants: grants})
	if errors.Is(err, ErrServiceRefused) {
		return errors.Join(serverlog.ErrRefused, err)
	}
	return err
}
