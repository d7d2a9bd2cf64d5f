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

const maxITBody = 64 << 10

// itPage is how many configurations one List answer holds.
const itPage = 100

// getBucketIntelligentTiering answers Get (with id) and List (without).
func (a *API) getBucketIntelligentTiering(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if _, ok := req.query["id"]; !ok {
		return a.listBucketIntelligentTiering(b, req)
	}
	id := req.query.Get("id")
	for _, c := range b.Config.IntelligentTiering {
		if c.ID == id {
			doc := itXML(c)
			doc.NS = s3xml.NS
			return xmlResponse(http.StatusOK, doc), nil
		}
	}
	return nil, s3err.New(s3err.NoSuchConfiguration)
}

func (a *API) listBucketIntelligentTiering(b meta.Bucket, req *request) (*response, error) {
	token := req.query.Get("continuation-token")
	out := s3xml.ListBucketIntelligentTieringConfigurationsOutput{NS: s3xml.NS, ContinuationToken: token,
		Configurations: []s3xml.IntelligentTieringConfiguration{}}
	for _, c := range b.Config.IntelligentTiering {
		if token != "" && c.ID <= token {
			continue
		}
		if len(out.Configurations) == itPage {
			out.IsTruncated = true
			out.NextContinuationToken = out.Configurations[itPage-1].ID
			break
		}
		out.Configurations = append(out.Configurations, itXML(c))
	}
	return xmlResponse(http.StatusOK, out), nil
}

func (a *API) putBucketIntelligentTiering(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	body, err := a.readSmallBody(req, maxITBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.IntelligentTieringConfiguration
	if err := s3xml.Decode(bytesReader(body), maxITBody, "IntelligentTieringConfiguration", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	c, err := itFromXML(&doc)
	if err != nil {
		return nil, err
	}
	if err := s3.CheckITConfig(&c, req.query.Get("id")); err != nil {
		return nil, s3err.Newf(s3err.InvalidArgument, "%s", s3.ITMessage(err))
	}
	stored := itToMeta(c)
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		cs := b.Config.IntelligentTiering
		i := sort.Search(len(cs), func(i int) bool { return cs[i].ID >= stored.ID })
		if i < len(cs) && cs[i].ID == stored.ID {
			cs[i] = stored
			return nil
		}
		if len(cs) >= s3.MaxITConfigs {
			return errTooManyIT
		}
		b.Config.IntelligentTiering = append(cs[:i:i], append([]meta.IntelligentTiering{stored}, cs[i:]...)...)
		return nil
	})
	if errors.Is(err, errTooManyIT) {
		return nil, s3err.Newf(s3err.TooManyConfigurations, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.")
	}
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

var errTooManyIT = errors.New("too many Intelligent-Tiering configurations")

func (a *API) deleteBucketIntelligentTiering(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	id := req.query.Get("id")
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		cs := b.Config.IntelligentTiering
		for i, c := range cs {
			if c.ID == id {
				b.Config.IntelligentTiering = append(cs[:i:i], cs[i+1:]...)
				return nil
			}
		}
		return s3err.New(s3err.NoSuchConfiguration)
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

// itFromXML reads a configuration; a filter with two conditions outside
// <And> is malformed.
func itFromXML(d *s3xml.IntelligentTieringConfiguration) (s3.ITConfig, error) {
	c := s3.ITConfig{ID: d.ID, Status: d.Status}
	if f := d.Filter; f != nil {
		n := 0
		for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.And != nil} {
			if set {
				n++
			}
		}
		switch {
		case n > 1:
			return c, s3err.New(s3err.MalformedXML)
		case f.And != nil:
			c.Form = s3.ITFilterAnd
			if f.And.Prefix != nil {
				c.Prefix = *f.And.Prefix
			}
			for _, t := range f.And.Tags {
				c.Tags = append(c.Tags, s3.Tag{Key: t.Key, Value: t.Value})
			}
		case f.Prefix != nil:
			c.Form, c.Prefix = s3.ITFilterSingle, *f.Prefix
		case f.Tag != nil:
			c.Form, c.Tags = s3.ITFilterSingle, []s3.Tag{{Key: f.Tag.Key, Value: f.Tag.Value}}
		default:
			c.Form = s3.ITFilterEmpty
		}
	}
	for _, t := range d.Tierings {
		c.Tierings = append(c.Tierings, s3.ITTiering{AccessTier: t.AccessTier, Days: int(min(max(t.Days, -1), 1<<30))})
	}
	return c, nil
}

func itToMeta(c s3.ITConfig) meta.IntelligentTiering {
	m := meta.IntelligentTiering{ID: c.ID, Status: c.Status, Prefix: c.Prefix, Form: c.Form}
	for _, t := range c.Tags {
		m.Tags = append(m.Tags, meta.LifecycleTag{Key: t.Key, Value: t.Value})
	}
	for _, t := range c.Tierings {
		m.Tierings = append(m.Tierings, meta.Tiering{AccessTier: t.AccessTier, Days: t.Days})
	}
	return m
}

// itXML renders a stored configuration in the form it was written.
func itXML(c meta.IntelligentTiering) s3xml.IntelligentTieringConfiguration {
	out := s3xml.IntelligentTieringConfiguration{ID: c.ID, Status: c.Status}
	tags := make([]s3xml.TagXML, len(c.Tags))
	for i, t := range c.Tags {
		tags[i] = s3xml.TagXML{Key: t.Key, Value: t.Value}
	}
	switch c.Form {
	case s3.ITFilterAnd:
		and := &s3xml.ITAnd{Tags: tags}
		if c.Prefix != "" {
			and.Prefix = &c.Prefix
		}
		out.Filter = &s3xml.ITFilter{And: and}
	case s3.ITFilterSingle:
		out.Filter = &s3xml.ITFilter{}
		if len(tags) == 1 {
			out.Filter.Tag = &tags[0]
		} else {
			out.Filter.Prefix = &c.Prefix
		}
	case s3.ITFilterEmpty:
		out.Filter = &s3xml.ITFilter{}
	}
	for _, t := range c.Tierings {
		out.Tierings = append(out.Tierings, s3xml.TieringXML{AccessTier: t.AccessTier, Days: int64(t.Days)})
	}
	return out
}
