package s3api

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// metricsPage is how many configurations one ListBucketMetricsConfigurations answers.
const metricsPage = 100

// metricsID is the request's id parameter, checked as S3 checks it.
func metricsID(req *request) (string, error) {
	id := req.query.Get("id")
	if !s3.ValidConfigurationID(id) {
		return "", s3err.Newf(s3err.InvalidArgument, "Invalid id: the id must be 1 to 64 letters, digits, periods, dashes or underscores.").
			With("ArgumentName", "id").With("ArgumentValue", id)
	}
	return id, nil
}

func (a *API) putBucketMetrics(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	id, err := metricsID(req)
	if err != nil {
		return nil, err
	}
	var doc s3xml.MetricsConfiguration
	if err := a.readXML(req, "MetricsConfiguration", &doc); err != nil {
		return nil, err
	}
	if doc.ID == nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	if *doc.ID != id {
		return nil, s3err.Newf(s3err.InvalidArgument, "The Id in the configuration does not match the id in the request.").
			With("ArgumentName", "id").With("ArgumentValue", id)
	}
	mc, err := metricsFromXML(id, doc.Filter)
	if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		ms := b.Config.Metrics
		i, found := slices.BinarySearchFunc(ms, id, func(m meta.MetricsConfig, id string) int { return strings.Compare(m.ID, id) })
		switch {
		case found:
			ms[i] = mc
		case len(ms) >= s3.MaxMetricsConfigurations:
			return s3err.New(s3err.TooManyConfigurations)
		default:
			b.Config.Metrics = slices.Insert(ms, i, mc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

// metricsFromXML checks a Filter: at most one of Prefix, Tag,
// AccessPointArn and And, an And with at least one predicate, valid tags
// and access point ARNs.
func metricsFromXML(id string, f *s3xml.MetricsFilter) (meta.MetricsConfig, error) {
	mc := meta.MetricsConfig{ID: id}
	if f == nil {
		return mc, nil
	}
	mc.HasFilter = true
	set := 0
	for _, b := range []bool{f.Prefix != nil, f.Tag != nil, f.AccessPointArn != nil, f.And != nil} {
		if b {
			set++
		}
	}
	if set > 1 {
		return mc, s3err.New(s3err.MalformedXML)
	}
	prefix, ap, tags := f.Prefix, f.AccessPointArn, []s3xml.TagXML(nil)
	if f.Tag != nil {
		tags = []s3xml.TagXML{*f.Tag}
	}
	if f.And != nil {
		if f.And.Prefix == nil && f.And.AccessPointArn == nil && len(f.And.Tags) == 0 {
			return mc, s3err.New(s3err.MalformedXML)
		}
		mc.And = true
		prefix, ap, tags = f.And.Prefix, f.And.AccessPointArn, f.And.Tags
	}
	if prefix != nil {
		mc.Prefix = *prefix
	}
	if ap != nil {
		if !s3.ValidAccessPointARN(*ap) {
			return mc, s3err.Newf(s3err.InvalidArgument, "Invalid access point ARN.").With("ArgumentName", "AccessPointArn").With("ArgumentValue", *ap)
		}
		mc.AccessPointArn = *ap
	}
	if len(tags) > 0 {
		st := make([]s3.Tag, len(tags))
		for i, t := range tags {
			st[i] = s3.Tag{Key: t.Key, Value: t.Value}
		}
		m, err := s3.CheckTags(st, s3.MaxBucketTags)
		if err != nil {
			return mc, s3err.Newf(s3err.InvalidTag, "%s", err.Error())
		}
		mc.Tags = m
	}
	return mc, nil
}

// metricsXML renders a stored configuration as S3 returns it.
func metricsXML(mc meta.MetricsConfig, ns string) s3xml.MetricsConfiguration {
	out := s3xml.MetricsConfiguration{NS: ns, ID: &mc.ID}
	if !mc.HasFilter {
		return out
	}
	var tags []s3xml.TagXML
	for _, k := range sortedKeys(mc.Tags) {
		tags = append(tags, s3xml.TagXML{Key: k, Value: mc.Tags[k]})
	}
	var prefix, ap *string
	if mc.Prefix != "" || (!mc.And && len(tags) == 0 && mc.AccessPointArn == "") {
		prefix = &mc.Prefix
	}
	if mc.AccessPointArn != "" {
		ap = &mc.AccessPointArn
	}
	f := &s3xml.MetricsFilter{}
	switch {
	case mc.And:
		f.And = &s3xml.MetricsAnd{Prefix: prefix, Tags: tags, AccessPointArn: ap}
	case len(tags) == 1:
		f.Tag = &tags[0]
	case ap != nil:
		f.AccessPointArn = ap
	default:
		f.Prefix = prefix
	}
	out.Filter = f
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func findMetrics(b meta.Bucket, id string) (meta.MetricsConfig, int, bool) {
	for i, m := range b.Config.Metrics {
		if m.ID == id {
			return m, i, true
		}
	}
	return meta.MetricsConfig{}, -1, false
}

func (a *API) getBucketMetrics(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	id, err := metricsID(req)
	if err != nil {
		return nil, err
	}
	mc, _, ok := findMetrics(b, id)
	if !ok {
		return nil, s3err.New(s3err.NoSuchConfiguration)
	}
	return xmlResponse(http.StatusOK, metricsXML(mc, s3xml.NS)), nil
}

func (a *API) deleteBucketMetrics(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	id, err := metricsID(req)
	if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		_, i, ok := findMetrics(*b, id)
		if !ok {
			return s3err.New(s3err.NoSuchConfiguration)
		}
		b.Config.Metrics = slices.Delete(b.Config.Metrics, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.cfg.RequestMetrics != nil {
		a.cfg.RequestMetrics.Forget(req.bucket, id)
	}
	return newResponse(http.StatusNoContent), nil
}

func (a *API) listBucketMetrics(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	out := s3xml.ListMetricsConfigurationsResult{NS: s3xml.NS}
	after := ""
	if tok, ok := req.query["continuation-token"]; ok {
		raw, err := base64.RawURLEncoding.DecodeString(tok[0])
		if err != nil || tok[0] == "" {
			return nil, s3err.Newf(s3err.InvalidArgument, "The continuation token provided is incorrect").With("ArgumentName", "continuation-token")
		}
		out.ContinuationToken, after = tok[0], string(raw)
	}
	for _, mc := range b.Config.Metrics { // stored in Id order
		if mc.ID <= after && after != "" {
			continue
		}
		if len(out.Configurations) == metricsPage {
			out.IsTruncated = true
			last := *out.Configurations[len(out.Configurations)-1].ID
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
			break
		}
		out.Configurations = append(out.Configurations, metricsXML(mc, ""))
	}
	return xmlResponse(http.StatusOK, out), nil
}
