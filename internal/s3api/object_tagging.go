package s3api

import (
	"context"
	"errors"
	"net/http"
	"sort"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

const maxTaggingBody = 64 << 10

// updateVersion applies fn to the version the request names (its tags,
// retention or legal hold). These belong to versions, never to delete markers.
func (a *API) updateVersion(ctx context.Context, req *request, fn func(*meta.Object) error) (*meta.Object, error) {
	if _, err := a.lookupVersion(ctx, req); err != nil {
		return nil, err
	}
	var marker *meta.Object
	o, err := a.meta.UpdateObject(ctx, req.bucket, req.key, req.query.Get("versionId"), func(o *meta.Object) error {
		if o.DeleteMarker {
			marker = o
			return errDeleteMarker
		}
		return fn(o)
	})
	switch {
	case errors.Is(err, errDeleteMarker):
		// Deleted since the lookup.
		return nil, deleteMarkerError(req, marker)
	case errors.Is(err, meta.ErrNoSuchKey):
		return nil, s3err.New(s3err.NoSuchKey).With("Key", req.key)
	case errors.Is(err, meta.ErrNoSuchVersion):
		return nil, s3err.New(s3err.NoSuchVersion).With("Key", req.key).With("VersionId", req.query.Get("versionId"))
	}
	return o, err
}

// lookupVersion loads the version a sub-resource request names; a delete
// marker is an error.
func (a *API) lookupVersion(ctx context.Context, req *request) (*meta.Object, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	o, err := a.lookupObject(ctx, req)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		return nil, deleteMarkerError(req, o)
	}
	return o, nil
}

var errDeleteMarker = errors.New("version is a delete marker")

func (a *API) getObjectTagging(ctx context.Context, req *request) (*response, error) {
	o, err := a.lookupVersion(ctx, req)
	if err != nil {
		return nil, err
	}
	resp := xmlResponse(http.StatusOK, taggingDoc(o.Attrs.Tags))
	setVersionID(resp.header, req, o.VersionID)
	return resp, nil
}

// taggingDoc renders tags sorted by key (S3 returns a stable order).
func taggingDoc(tags map[string]string) s3xml.Tagging {
	doc := s3xml.Tagging{NS: s3xml.NS, TagSet: []s3xml.TagXML{}}
	for k, v := range tags {
		doc.TagSet = append(doc.TagSet, s3xml.TagXML{Key: k, Value: v})
	}
	sort.Slice(doc.TagSet, func(i, j int) bool { return doc.TagSet[i].Key < doc.TagSet[j].Key })
	return doc
}

// parseTagging reads and validates a Tagging request body.
func (a *API) parseTagging(req *request, max int) (map[string]string, error) {
	body, err := a.readSmallBody(req, maxTaggingBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.Tagging
	if err := s3xml.Decode(bytesReader(body), maxTaggingBody, "Tagging", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	tags := make([]s3.Tag, 0, len(doc.TagSet))
	for _, t := range doc.TagSet {
		tags = append(tags, s3.Tag{Key: t.Key, Value: t.Value})
	}
	m, err := s3.CheckTags(tags, max)
	if err != nil {
		return nil, s3err.Newf(s3err.InvalidTag, "%s", err.Error())
	}
	return m, nil
}

func (a *API) putObjectTagging(ctx context.Context, req *request) (*response, error) {
	tags, err := a.parseTagging(req, s3.MaxObjectTags)
	if err != nil {
		return nil, err
	}
	o, err := a.updateVersion(ctx, req, func(o *meta.Object) error {
		o.Attrs.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusOK)
	setVersionID(resp.header, req, o.VersionID)
	return resp, nil
}

func (a *API) deleteObjectTagging(ctx context.Context, req *request) (*response, error) {
	o, err := a.updateVersion(ctx, req, func(o *meta.Object) error {
		o.Attrs.Tags = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusNoContent)
	setVersionID(resp.header, req, o.VersionID)
	return resp, nil
}
