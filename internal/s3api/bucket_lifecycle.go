package s3api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// maxLifecycleBody bounds a lifecycle configuration: 1,000 rules of
// long IDs, prefixes and tags.
const maxLifecycleBody = 2 << 20

// transitionMinSizeHeader names the default minimum object size for
// transitions, sent on PUT and answered on PUT and GET.
const transitionMinSizeHeader = "x-amz-transition-default-minimum-object-size"

// getBucketLifecycle serves GetBucketLifecycleConfiguration and the
// deprecated GetBucketLifecycle, which are the same request: the
// configuration comes back in the form it was written in (rule-level
// Prefix, or Filter).
func (a *API) getBucketLifecycle(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	lc := b.Config.Lifecycle
	if lc == nil || len(lc.Rules) == 0 {
		return nil, s3err.New(s3err.NoSuchLifecycleConfiguration).With("BucketName", req.bucket)
	}
	doc := s3xml.LifecycleConfiguration{NS: s3xml.NS}
	for _, r := range lc.S3Rules() {
		doc.Rules = append(doc.Rules, lifecycleRuleXML(r))
	}
	resp := xmlResponse(http.StatusOK, doc)
	resp.header.Set(transitionMinSizeHeader, transitionMinSize(lc.TransitionMinSize))
	return resp, nil
}

// putBucketLifecycle serves PutBucketLifecycleConfiguration and the
// deprecated PutBucketLifecycle; s3.CheckLifecycle tells them apart by
// the shape of the rules.
func (a *API) putBucketLifecycle(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if !hasIntegrity(req.Header) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Missing required header for this request: Content-Md5.")
	}
	minSize, err := s3.CheckTransitionMinSize(req.Header.Get(transitionMinSizeHeader))
	if err != nil {
		return nil, lifecycleError(err)
	}
	body, err := a.readSmallBody(req, maxLifecycleBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.LifecycleConfiguration
	if err := s3xml.Decode(bytesReader(body), maxLifecycleBody, "LifecycleConfiguration", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	in := make([]s3.LifecycleRuleInput, len(doc.Rules))
	for i, r := range doc.Rules {
		in[i] = lifecycleRuleInput(r)
	}
	rules, err := s3.CheckLifecycle(in)
	if err != nil {
		return nil, lifecycleError(err)
	}
	lc := meta.LifecycleFromS3(rules, minSize)
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.Lifecycle = lc; return nil }); err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusOK)
	resp.header.Set(transitionMinSizeHeader, transitionMinSize(minSize))
	return resp, nil
}

func (a *API) deleteBucketLifecycle(ctx context.Context, req *request) (*response, error) {
	return a.clearBucketConfig(ctx, req, func(c *meta.BucketConfig) { c.Lifecycle = nil })
}

// transitionMinSize is the setting in force: S3's default when none was sent.
func transitionMinSize(v string) string {
	if v == "" {
		return s3.TransitionMinSizeAll
	}
	return v
}

// lifecycleError maps a refused configuration to S3's error.
func lifecycleError(err error) error {
	var le *s3.LifecycleError
	if !errors.As(err, &le) {
		return err
	}
	switch le.Kind {
	case s3.LifecycleInvalidArgument:
		e := s3err.Newf(s3err.InvalidArgument, "%s", le.Message)
		if le.ArgumentName != "" {
			e = e.With("ArgumentName", le.ArgumentName).With("ArgumentValue", le.ArgumentValue)
		}
		return e
	case s3.LifecycleInvalidRequest:
		return s3err.Newf(s3err.InvalidRequest, "%s", le.Message)
	case s3.LifecycleNotImplemented:
		return s3err.Newf(s3err.NotImplemented, "%s", le.Message)
	}
	return s3err.New(s3err.MalformedXML)
}

// lifecycleRuleInput converts a rule of the request body.
func lifecycleRuleInput(r s3xml.LifecycleRule) s3.LifecycleRuleInput {
	in := s3.LifecycleRuleInput{ID: r.ID, Prefix: r.Prefix, Status: r.Status}
	if f := r.Filter; f != nil {
		in.Filter = &s3.LifecycleFilterInput{
			Prefix: f.Prefix, ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan, Members: f.Members,
		}
		if f.Tag != nil {
			in.Filter.Tag = &s3.Tag{Key: f.Tag.Key, Value: f.Tag.Value}
		}
		if and := f.And; and != nil {
			in.Filter.And = &s3.LifecycleAndInput{Prefix: and.Prefix, ObjectSizeGreaterThan: and.ObjectSizeGreaterThan, ObjectSizeLessThan: and.ObjectSizeLessThan}
			for _, t := range and.Tags {
				in.Filter.And.Tags = append(in.Filter.And.Tags, s3.Tag{Key: t.Key, Value: t.Value})
			}
		}
	}
	if e := r.Expiration; e != nil {
		in.Expiration = &s3.LifecycleExpirationInput{Date: e.Date, Days: e.Days, ExpiredObjectDeleteMarker: e.ExpiredObjectDeleteMarker}
	}
	if e := r.NoncurrentVersionExpiration; e != nil {
		in.NoncurrentVersionExpiration = &s3.NoncurrentVersionExpirationInput{NoncurrentDays: e.NoncurrentDays, NewerNoncurrentVersions: e.NewerNoncurrentVersions}
	}
	if e := r.AbortIncompleteMultipartUpload; e != nil {
		in.AbortIncompleteMultipartUpload = &s3.AbortIncompleteMultipartUploadInput{DaysAfterInitiation: e.DaysAfterInitiation}
	}
	for _, t := range r.Transitions {
		in.Transitions = append(in.Transitions, s3.LifecycleTransitionInput{Date: t.Date, Days: t.Days, StorageClass: t.StorageClass})
	}
	for _, t := range r.NoncurrentVersionTransitions {
		in.NoncurrentVersionTransitions = append(in.NoncurrentVersionTransitions,
			s3.LifecycleTransitionInput{Days: t.NoncurrentDays, NewerNoncurrentVersions: t.NewerNoncurrentVersions, StorageClass: t.StorageClass})
	}
	return in
}

// lifecycleRuleXML renders a stored rule in the form it was written.
func lifecycleRuleXML(r s3.LifecycleRule) s3xml.LifecycleRule {
	out := s3xml.LifecycleRule{ID: r.ID, Status: r.Status}
	f := r.Filter
	tags := make([]s3xml.TagXML, len(f.Tags))
	for i, t := range f.Tags {
		tags[i] = s3xml.TagXML{Key: t.Key, Value: t.Value}
	}
	switch f.Form {
	case s3.LifecycleFilterV1:
		out.Prefix = &f.Prefix
	case s3.LifecycleFilterAnd:
		and := &s3xml.LifecycleAnd{Tags: tags, ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan}
		if f.Prefix != "" {
			and.Prefix = &f.Prefix
		}
		out.Filter = &s3xml.LifecycleFilter{And: and}
	case s3.LifecycleFilterSingle:
		out.Filter = &s3xml.LifecycleFilter{ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan}
		switch {
		case len(tags) == 1:
			out.Filter.Tag = &tags[0]
		case f.ObjectSizeGreaterThan == nil && f.ObjectSizeLessThan == nil:
			out.Filter.Prefix = &f.Prefix
		}
	default:
		out.Filter = &s3xml.LifecycleFilter{}
	}
	if e := r.Expiration; e != nil {
		x := &s3xml.LifecycleExpiration{}
		switch {
		case e.Days > 0:
			d := int64(e.Days)
			x.Days = &d
		case !e.Date.IsZero():
			d := s3xml.Time(e.Date)
			x.Date = &d
		default:
			v := "false"
			if e.ExpiredObjectDeleteMarker {
				v = "true"
			}
			x.ExpiredObjectDeleteMarker = &v
		}
		out.Expiration = x
	}
	if e := r.NoncurrentVersionExpiration; e != nil {
		days := int64(e.NoncurrentDays)
		x := &s3xml.NoncurrentVersionExpiration{NoncurrentDays: &days}
		if e.NewerNoncurrentVersions > 0 {
			n := int64(e.NewerNoncurrentVersions)
			x.NewerNoncurrentVersions = &n
		}
		out.NoncurrentVersionExpiration = x
	}
	if e := r.AbortIncompleteMultipartUpload; e != nil {
		days := int64(e.DaysAfterInitiation)
		out.AbortIncompleteMultipartUpload = &s3xml.AbortIncompleteMultipartUpload{DaysAfterInitiation: &days}
	}
	for _, t := range r.Transitions {
		x := s3xml.LifecycleTransition{StorageClass: &t.StorageClass}
		if t.Date.IsZero() {
			d := int64(t.Days)
			x.Days = &d
		} else {
			d := s3xml.Time(t.Date)
			x.Date = &d
		}
		out.Transitions = append(out.Transitions, x)
	}
	for _, t := range r.NoncurrentVersionTransitions {
		d := int64(t.NoncurrentDays)
		x := s3xml.NoncurrentVersionTransition{NoncurrentDays: &d, StorageClass: &t.StorageClass}
		if t.NewerNoncurrentVersions > 0 {
			n := int64(t.NewerNoncurrentVersions)
			x.NewerNoncurrentVersions = &n
		}
		out.NoncurrentVersionTransitions = append(out.NoncurrentVersionTransitions, x)
	}
	return out
}

// lifecycleDay is the length of a lifecycle day (24 hours unless
// shortened for tests).
func (a *API) lifecycleDay() time.Duration {
	if a.cfg.LifecycleDay > 0 {
		return a.cfg.LifecycleDay
	}
	return 24 * time.Hour
}

// setExpiration sets x-amz-expiration on the response about current
// object version o when an enabled Expiration rule of the bucket's
// lifecycle configuration applies to it.
func (a *API) setExpiration(ctx context.Context, h http.Header, req *request, o *meta.Object) {
	if o.DeleteMarker {
		return
	}
	b, err := a.bucket(ctx, req)
	if err != nil || b.Config.Lifecycle == nil {
		return
	}
	modified := o.Modified
	if modified.IsZero() {
		modified = a.cfg.Now()
	}
	v := s3.LifecycleVersion{Key: o.Key, Size: o.Size, Tags: o.Attrs.Tags, Modified: modified, IsLatest: true}
	id, at, ok := s3.LifecycleExpiry(b.Config.Lifecycle.S3Rules(), a.lifecycleDay(), &v)
	if !ok {
		return
	}
	if hv := s3.ExpirationHeader(id, at); hv != "" {
		h.Set("x-amz-expiration", hv)
	}
}

// setAbortDate sets x-amz-abort-date and x-amz-abort-rule-id on the
// response about a multipart upload of key initiated at initiated when an
// enabled AbortIncompleteMultipartUpload rule applies to it.
func (a *API) setAbortDate(ctx context.Context, h http.Header, req *request, key string, initiated time.Time) {
	b, err := a.bucket(ctx, req)
	if err != nil || b.Config.Lifecycle == nil {
		return
	}
	id, at, ok := s3.LifecycleAbortUpload(b.Config.Lifecycle.S3Rules(), a.lifecycleDay(), key, initiated)
	if !ok || at.Year() > 9999 {
		return
	}
	h.Set("x-amz-abort-date", at.UTC().Format(http.TimeFormat))
	h.Set("x-amz-abort-rule-id", id)
}
