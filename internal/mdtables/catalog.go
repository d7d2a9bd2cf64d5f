package mdtables

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/sigv4"
)

// The Iceberg REST catalog, read side, in the shape S3 Tables serves it:
// /iceberg/v1/config?warehouse=<table bucket ARN>, then
// /iceberg/v1/<prefix>/namespaces[/ns[/tables[/name]]], signed with
// SigV4 for service s3tables. The tables are written only by Talus, so
// every write answers 403 ForbiddenException, as S3 does for AWS managed
// table buckets.

// catalogService is the SigV4 signing name of the catalog.
const catalogService = "s3tables"

// IsCatalogRequest reports whether r is for the Iceberg REST catalog: a
// path under /iceberg/v1/ signed for s3tables (an S3 request to a bucket
// named iceberg is signed for s3).
func IsCatalogRequest(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/iceberg/v1/") {
		return false
	}
	a := r.Header.Get("Authorization")
	return strings.Contains(a, "/"+catalogService+"/aws4_request")
}

// Identities looks up keys and evaluates identity policies.
type Identities interface {
	Lookup(ctx context.Context, accessKey string) (iam.Principal, string, bool)
	IdentityAllows(ctx context.Context, p iam.Principal, action, resource string) (bool, error)
	AccountByCanonicalID(ctx context.Context, canonicalID string) (meta.Account, error)
}

// Catalog serves the REST catalog.
type Catalog struct {
	meta     meta.Store
	tables   *tables
	ids      Identities
	region   string
	verifier *sigv4.Verifier
}

// Catalog returns the REST catalog over the worker's tables.
func (w *Worker) Catalog(ids Identities, region string) *Catalog {
	c := &Catalog{meta: w.cfg.Meta, tables: w.tables, ids: ids, region: region}
	c.verifier = &sigv4.Verifier{Region: region, Service: catalogService, Lookup: func(ak string) (string, bool) {
		_, secret, ok := ids.Lookup(context.Background(), ak)
		return secret, ok
	}}
	return c
}

type restError struct {
	status int
	typ    string
	msg    string
}

func (e *restError) Error() string { return e.typ + ": " + e.msg }

func errNotFound(typ, msg string) error { return &restError{http.StatusNotFound, typ, msg} }

func (c *Catalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, err := c.serve(r)
	if err != nil {
		var re *restError
		if !errors.As(err, &re) {
			re = &restError{http.StatusInternalServerError, "InternalServerError", "internal error"}
		}
		writeJSON(w, re.status, map[string]any{"error": map[string]any{"message": re.msg, "type": re.typ, "code": re.status}})
		return
	}
	if v == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// call is one authenticated catalog request.
type call struct {
	ctx context.Context
	p   iam.Principal
	r   *http.Request
}

func (c *Catalog) authenticate(r *http.Request) (*call, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if r.Header.Get("X-Amz-Content-Sha256") == "" {
		// Generic SigV4 signers sign the payload hash without sending it.
		sum := sha256.Sum256(body)
		r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	}
	auth, err := c.verifier.Verify(r)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return nil, &restError{http.StatusForbidden, "NotAuthorizedException", se.Message}
		}
		return nil, err
	}
	if auth.Anonymous {
		return nil, &restError{http.StatusUnauthorized, "NotAuthorizedException", "Missing Authentication Token"}
	}
	p, _, _ := c.ids.Lookup(r.Context(), auth.AccessKey)
	return &call{ctx: r.Context(), p: p, r: r}, nil
}

func (c *Catalog) allow(q *call, action, resource string) error {
	ok, err := c.ids.IdentityAllows(q.ctx, q.p, action, resource)
	if err != nil {
		return err
	}
	if !ok {
		return &restError{http.StatusForbidden, "ForbiddenException", "User is not authorized to perform: " + action + " on resource: " + resource}
	}
	return nil
}

// segments splits the escaped path after /iceberg/v1/ and unescapes each
// segment; a table bucket ARN sent unescaped (its "bucket/NAME" part split
// in two) is joined back.
func segments(r *http.Request) ([]string, error) {
	raw := strings.TrimPrefix(r.URL.EscapedPath(), "/iceberg/v1/")
	parts := strings.Split(strings.TrimSuffix(raw, "/"), "/")
	out := make([]string, 0, len(parts))
	for i := 0; i < len(parts); i++ {
		s, err := url.PathUnescape(parts[i])
		if err != nil {
			return nil, &restError{http.StatusBadRequest, "BadRequestException", "malformed path"}
		}
		if strings.HasPrefix(s, "arn:") && strings.HasSuffix(s, ":bucket") && i+1 < len(parts) {
			i++
			s += "/" + parts[i]
		}
		out = append(out, s)
	}
	return out, nil
}

func (c *Catalog) serve(r *http.Request) (any, error) {
	q, err := c.authenticate(r)
	if err != nil {
		return nil, err
	}
	seg, err := segments(r)
	if err != nil {
		return nil, err
	}
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if len(seg) == 1 && seg[0] == "config" && r.Method == http.MethodGet {
		return c.config(q, r.URL.Query().Get("warehouse"))
	}
	if len(seg) < 2 {
		return nil, errNotFound("NoSuchResourceException", "no such resource")
	}
	tb, arn, err := c.tableBucket(q, seg[0])
	if err != nil {
		return nil, err
	}
	if !read {
		return nil, &restError{http.StatusForbidden, "ForbiddenException", "The tables of an S3 Metadata table bucket are read-only."}
	}
	switch {
	case len(seg) == 2 && seg[1] == "namespaces":
		if err := c.allow(q, "s3tables:ListNamespaces", arn); err != nil {
			return nil, err
		}
		return map[string]any{"namespaces": namespaces(tb)}, nil
	case len(seg) == 3 && seg[1] == "namespaces":
		if err := c.allow(q, "s3tables:GetNamespace", arn); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(namespaces(tb), func(n []string) bool { return n[0] == seg[2] }) {
			return nil, errNotFound("NoSuchNamespaceException", "The specified namespace does not exist.")
		}
		if r.Method == http.MethodHead {
			return nil, nil
		}
		return map[string]any{"namespace": []string{seg[2]}, "properties": map[string]string{}}, nil
	case len(seg) == 4 && seg[1] == "namespaces" && seg[3] == "tables":
		if err := c.allow(q, "s3tables:ListTables", arn); err != nil {
			return nil, err
		}
		ids := []map[string]any{}
		found := false
		for _, e := range tb.Tables {
			if e.Namespace == seg[2] {
				found = true
				ids = append(ids, map[string]any{"namespace": []string{e.Namespace}, "name": e.Name})
			}
		}
		if !found {
			return nil, errNotFound("NoSuchNamespaceException", "The specified namespace does not exist.")
		}
		return map[string]any{"identifiers": ids}, nil
	case len(seg) == 5 && seg[1] == "namespaces" && seg[3] == "tables":
		return c.loadTable(q, tb, arn, seg[2], seg[4])
	}
	return nil, errNotFound("NoSuchResourceException", "no such resource")
}

func namespaces(tb *meta.TableBucket) [][]string {
	var out [][]string
	for _, e := range tb.Tables {
		if !slices.ContainsFunc(out, func(n []string) bool { return n[0] == e.Namespace }) {
			out = append(out, []string{e.Namespace})
		}
	}
	if out == nil {
		out = [][]string{}
	}
	return out
}

// tableBucket resolves a warehouse or prefix: a table bucket ARN of this
// region and account, or the table bucket's name.
func (c *Catalog) tableBucket(q *call, warehouse string) (*meta.TableBucket, string, error) {
	name := warehouse
	if strings.HasPrefix(warehouse, "arn:") {
		region, account, n, ok := s3.ParseTableBucketARN(warehouse)
		if !ok || region != c.region || account != q.p.AccountID() {
			return nil, "", errNotFound("NoSuchWarehouseException", "The specified table bucket does not exist.")
		}
		name = n
	}
	b, err := c.meta.GetBucket(q.ctx, name)
	if errors.Is(err, meta.ErrNoSuchBucket) || (err == nil && b.Config.Tables == nil) {
		return nil, "", errNotFound("NoSuchWarehouseException", "The specified table bucket does not exist.")
	}
	if err != nil {
		return nil, "", err
	}
	// A table bucket is its owner's account's: another account's caller
	// learns nothing of it.
	acct, err := c.ids.AccountByCanonicalID(q.ctx, b.Owner)
	if err != nil && !errors.Is(err, meta.ErrNoSuchAccount) {
		return nil, "", err
	}
	if acct.ID != q.p.AccountID() {
		return nil, "", errNotFound("NoSuchWarehouseException", "The specified table bucket does not exist.")
	}
	return b.Config.Tables, s3.TableBucketARN(c.region, acct.ID, name), nil
}

func (c *Catalog) config(q *call, warehouse string) (any, error) {
	if warehouse == "" {
		return nil, &restError{http.StatusBadRequest, "BadRequestException", "The warehouse parameter (the table bucket ARN) is required."}
	}
	_, arn, err := c.tableBucket(q, warehouse)
	if err != nil {
		return nil, err
	}
	if err := c.allow(q, "s3tables:GetTableBucket", arn); err != nil {
		return nil, err
	}
	return map[string]any{"defaults": map[string]string{}, "overrides": map[string]string{"prefix": url.PathEscape(arn)}}, nil
}

func (c *Catalog) loadTable(q *call, tb *meta.TableBucket, arn, ns, name string) (any, error) {
	e := tb.Find(ns, name)
	if e == nil {
		return nil, errNotFound("NoSuchTableException", "The specified table does not exist.")
	}
	tarn := arn + "/table/" + e.ID
	if err := c.allow(q, "s3tables:GetTableMetadataLocation", tarn); err != nil {
		return nil, err
	}
	if q.r.Method == http.MethodHead {
		return nil, nil
	}
	if err := c.allow(q, "s3tables:GetTableData", tarn); err != nil {
		return nil, err
	}
	f, err := (&objectIO{ctx: q.ctx, s: c.tables.objs}).Open(e.MetadataLocation)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	md, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	// The files are objects of this server: tell the client's FileIO
	// where to read them (its own credentials sign the requests).
	cfg := map[string]string{"s3.endpoint": scheme + "://" + q.r.Host, "s3.region": c.region, "s3.path-style-access": "true"}
	return map[string]any{"metadata-location": e.MetadataLocation, "metadata": json.RawMessage(md), "config": cfg}, nil
}
