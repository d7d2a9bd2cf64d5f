package s3api

import (
	"context"
	"net/http"
	"sort"

	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// Inventory and analytics configurations are lists of a bucket kept in ID
// order; these helpers serve both.

// findConfig returns the configuration with this ID.
func findConfig[T any](list []T, id string, idOf func(T) string) (T, error) {
	for _, c := range list {
		if idOf(c) == id {
			return c, nil
		}
	}
	var zero T
	return zero, s3err.New(s3err.NoSuchConfiguration)
}

// configPage is one page of List: the configurations after token, at
// most listPageSize, and the next token (the last ID on the page) when
// more remain.
func configPage[T, X any](list []T, token string, idOf func(T) string, conv func(T) X) (page []X, next string) {
	last := ""
	for _, c := range list {
		if idOf(c) <= token {
			continue
		}
		if len(page) == listPageSize {
			return page, last
		}
		page = append(page, conv(c))
		last = idOf(c)
	}
	return page, ""
}

// putConfig replaces the configuration of c's ID (keep carries state of
// the old one over), or adds it within S3's limit.
func putConfig[T any](list *[]T, c T, idOf func(T) string, keep func(old T, c *T)) error {
	for i := range *list {
		if idOf((*list)[i]) == idOf(c) {
			keep((*list)[i], &c)
			(*list)[i] = c
			return nil
		}
	}
	if len(*list) >= maxReportConfigs {
		return s3err.New(s3err.TooManyConfigurations)
	}
	*list = append(*list, c)
	sort.Slice(*list, func(i, j int) bool { return idOf((*list)[i]) < idOf((*list)[j]) })
	return nil
}

// deleteConfig removes the configuration with this ID.
func deleteConfig[T any](list *[]T, id string, idOf func(T) string) error {
	for i := range *list {
		if idOf((*list)[i]) == id {
			*list = append((*list)[:i], (*list)[i+1:]...)
			return nil
		}
	}
	return s3err.New(s3err.NoSuchConfiguration)
}

// configKind is one kind of a bucket's ID'd report configurations
// (inventory, analytics): C is the stored form, X its XML document. Get,
// Put and Delete are the same for every kind; each kind says where its
// list lives, how its document converts and what Put carries over.
type configKind[C, X any] struct {
	root  string                            // Put's document element
	list  func(*meta.BucketConfig) *[]C     // the bucket's configurations
	id    func(C) string                    // a configuration's ID
	toXML func(C) X                         // the stored form as XML
	parse func(id string, doc X) (C, error) // a Put document checked as S3 does
	keep  func(old C, c *C)                 // state carried over on replace
}

func (k configKind[C, X]) get(a *API, ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	id, err := requestConfigID(req)
	if err != nil {
		return nil, err
	}
	c, err := findConfig(*k.list(&b.Config), id, k.id)
	if err != nil {
		return nil, err
	}
	return xmlResponse(http.StatusOK, k.toXML(c)), nil
}

// page is one List page of the bucket's configurations after the request's
// continuation token, and the next token.
func (k configKind[C, X]) page(a *API, ctx context.Context, req *request) (token string, page []X, next string, err error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return "", nil, "", err
	}
	token = req.query.Get("continuation-token")
	page, next = configPage(*k.list(&b.Config), token, k.id, k.toXML)
	return token, page, next, nil
}

func (k configKind[C, X]) put(a *API, ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	id, err := requestConfigID(req)
	if err != nil {
		return nil, err
	}
	body, err := a.readSmallBody(req, maxInventoryBody)
	if err != nil {
		return nil, err
	}
	var doc X
	if err := s3xml.Decode(bytesReader(body), maxInventoryBody, k.root, &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	c, err := k.parse(id, doc)
	if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		return putConfig(k.list(&b.Config), c, k.id, k.keep)
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (k configKind[C, X]) delete(a *API, ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	id, err := requestConfigID(req)
	if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		return deleteConfig(k.list(&b.Config), id, k.id)
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}
