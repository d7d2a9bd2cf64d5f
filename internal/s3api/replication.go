package s3api

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// ReplicaVersionHeader (s3.ReplicaVersionHeader) needs s3:ReplicateObject
// on a PUT, s3:ReplicateDelete on a DELETE and s3:ReplicateTags on
// metadata changes.
const ReplicaVersionHeader = s3.ReplicaVersionHeader

// markPending gives a new version that a replication rule selects the
// status PENDING, in the write that creates it.
func (a *API) markPending(ctx context.Context, req *request, o *meta.Object) {
	if o.Attrs.ReplicationStatus == s3.ReplicationReplica {
		return
	}
	b, err := a.bucket(ctx, req)
	if err != nil || b.Config.Replication == nil {
		return
	}
	if len(b.Config.Replication.Select(o.Replication())) > 0 {
		o.Attrs.ReplicationStatus = s3.ReplicationPending
	}
}

// replicaActions are the operations replication sends with
// ReplicaVersionHeader, and the action each then needs.
var replicaActions = map[string]string{
	"PutObject": "s3:ReplicateObject", "CompleteMultipartUpload": "s3:ReplicateObject", "DeleteObject": "s3:ReplicateDelete",
	"PutObjectTagging": "s3:ReplicateTags", "DeleteObjectTagging": "s3:ReplicateTags",
	"PutObjectRetention": "s3:ReplicateTags", "PutObjectLegalHold": "s3:ReplicateTags",
}

// checkReplica authorizes a replication write (ReplicaVersionHeader) and
// marks the request's change as replication's, so it is not replicated on.
func (a *API) checkReplica(ctx context.Context, req *request, op string) error {
	vid := req.Header.Get(ReplicaVersionHeader)
	if vid == "" {
		return nil
	}
	action, ok := replicaActions[op]
	if !ok {
		return s3err.Newf(s3err.InvalidRequest, "%s is not allowed on %s.", ReplicaVersionHeader, op)
	}
	if !meta.ValidVersionID(vid) {
		return s3err.Newf(s3err.InvalidArgument, "Invalid version id specified").With("ArgumentName", ReplicaVersionHeader).With("ArgumentValue", vid)
	}
	if err := a.allowed(ctx, req, action, arn(req.bucket, req.key, true), nil); err != nil {
		return err
	}
	req.replicaVID = vid
	return nil
}

// replicaWrite returns the version ID a replication write keeps ("" for
// an ordinary write); checkReplica authorized it.
func (a *API) replicaWrite(_ context.Context, req *request, _ string) (string, error) {
	return req.replicaVID, nil
}

// replicaDelete adds a replicated delete marker with its source's version ID.
func (a *API) replicaDelete(ctx context.Context, req *request, vid string) (*response, error) {
	res, err := a.meta.DeleteObject(ctx, req.bucket, req.key, "", meta.DeleteOptions{MarkerVersionID: vid,
		MarkerAttrs: meta.Attrs{ReplicationStatus: s3.ReplicationReplica}})
	if err != nil {
		return nil, err
	}
	a.deleteBlobs(res.Freed...)
	resp := newResponse(http.StatusNoContent)
	if res.DeleteMarker {
		resp.header.Set("x-amz-delete-marker", "true")
	}
	setVersionID(resp.header, req, res.VersionID)
	return resp, nil
}

// OpenVersion returns a version's plaintext, decrypted with its key
// (SSE-S3 or SSE-KMS): replication reads sources through it. SSE-C
// versions cannot be read without their customer key.
func (a *API) OpenVersion(ctx context.Context, o *meta.Object) (io.ReadCloser, error) {
	key, err := a.dataKey(ctx, o.Attrs.Enc, func(string) string { return "" }, sseCustomerPrefix)
	if err != nil {
		return nil, err
	}
	return a.openData(ctx, o, key, 0, o.Size)
}

type localPrincipalKey struct{}

func localPrincipal(ctx context.Context) (iam.Principal, bool) {
	p, ok := ctx.Value(localPrincipalKey{}).(iam.Principal)
	return p, ok
}

// LocalTransport sends requests to this API in process, as the root of
// the account with canonical ID owner, without a signature: replication
// to a bucket on the same Talus uses it. Only code in this process can
// build such a request; nothing on the network can.
func (a *API) LocalTransport(owner string) http.RoundTripper {
	return localTransport{a: a, owner: owner}
}

type localTransport struct {
	a     *API
	owner string
}

func (t localTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	acct, err := t.a.cfg.Identities.AccountByCanonicalID(ctx, t.owner)
	if err != nil {
		return nil, err
	}
	p := iam.Principal{Root: true, Account: acct.ID, CanonicalID: t.owner}
	r = r.WithContext(context.WithValue(ctx, localPrincipalKey{}, p))
	r.RemoteAddr = "127.0.0.1:0"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	w := &localResponse{header: http.Header{}, status: http.StatusOK}
	t.a.ServeHTTP(w, r)
	return &http.Response{StatusCode: w.status, Status: http.StatusText(w.status), Header: w.header, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: io.NopCloser(&w.body), ContentLength: int64(w.body.Len()), Request: r}, nil
}

// localResponse collects an in-process response (replication's answers are small).
type localResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *localResponse) Header() http.Header { return w.header }
func (w *localResponse) WriteHeader(s int) {
	if !w.wrote {
		w.status, w.wrote = s, true
	}
}
func (w *localResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
