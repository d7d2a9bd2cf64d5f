package s3api

import (
	"context"
	"errors"
	"net/http"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

func (a *API) getBucketReplication(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	rc := b.Config.Replication
	if rc == nil {
		return nil, s3err.New(s3err.ReplicationConfigurationNotFoundError).With("BucketName", req.bucket)
	}
	doc := s3xml.ReplicationConfiguration{NS: s3xml.NS, Role: rc.Role}
	for _, r := range rc.Rules {
		doc.Rules = append(doc.Rules, replicationRuleXML(r))
	}
	return xmlResponse(http.StatusOK, doc), nil
}

func (a *API) putBucketReplication(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if !hasIntegrity(req.Header) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Missing required header for this request: Content-Md5.")
	}
	var doc s3xml.ReplicationConfiguration
	if err := a.readXML(req, "ReplicationConfiguration", &doc); err != nil {
		return nil, err
	}
	if doc.Role == "" {
		return nil, s3err.New(s3err.MalformedXML)
	}
	in := make([]s3.ReplicationRuleInput, len(doc.Rules))
	for i, r := range doc.Rules {
		in[i] = replicationRuleInput(r)
	}
	rc, err := s3.CheckReplication(doc.Role, in)
	if err != nil {
		return nil, replicationError(err)
	}
	if b.Versioning != meta.Enabled {
		return nil, s3err.Newf(s3err.InvalidRequest, "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
	}
	for _, r := range rc.Rules {
		if err := a.checkReplicationDestination(ctx, req.bucket, r.Destination.Bucket); err != nil {
			return nil, err
		}
	}
	if _, err := a.meta.GetJournalCursor(ctx, meta.ReplicationCursor); errors.Is(err, meta.ErrNoSuchCursor) {
		seq, err := a.meta.JournalSeq(ctx)
		if err != nil {
			return nil, err
		}
		if err := a.meta.SetJournalCursor(ctx, meta.ReplicationCursor, seq); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		if b.Versioning != meta.Enabled {
			return s3err.Newf(s3err.InvalidRequest, "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
		}
		b.Config.Replication = rc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

// checkReplicationDestination: a bucket on this Talus must exist, differ
// from the source and have versioning enabled; a remote must be configured
// (its bucket is checked when replication first reaches it).
func (a *API) checkReplicationDestination(ctx context.Context, source, arn string) error {
	t, _ := s3.ParseReplicationTarget(arn)
	if t.Remote != "" {
		if _, err := a.meta.GetRemote(ctx, t.Remote); errors.Is(err, meta.ErrNoSuchRemote) {
			return s3err.Newf(s3err.InvalidRequest, "Destination remote %s is not configured (talus admin remote add).", t.Remote)
		} else if err != nil {
			return err
		}
		return nil
	}
	if t.Bucket == source {
		return s3err.Newf(s3err.InvalidRequest, "Destination bucket cannot be the same as the source bucket.")
	}
	d, err := a.meta.GetBucket(ctx, t.Bucket)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return s3err.Newf(s3err.InvalidRequest, "Destination bucket must exist.")
	}
	if err != nil {
		return err
	}
	if d.Versioning != meta.Enabled {
		return s3err.Newf(s3err.InvalidRequest, "Destination bucket must have versioning enabled.")
	}
	return nil
}

func (a *API) deleteBucketReplication(ctx context.Context, req *request) (*response, error) {
	return a.clearBucketConfig(ctx, req, func(c *meta.BucketConfig) { c.Replication = nil })
}

func replicationError(err error) error {
	var re *s3.ReplicationError
	if !errors.As(err, &re) {
		return err
	}
	switch re.Code {
	case "InvalidRequest":
		return s3err.Newf(s3err.InvalidRequest, "%s", re.Msg)
	case "InvalidArgument":
		return s3err.Newf(s3err.InvalidArgument, "%s", re.Msg)
	}
	return s3err.New(s3err.MalformedXML)
}

func statusOf(s *s3xml.StatusXML) *string {
	if s == nil {
		return nil
	}
	v := s.Status
	return &v
}

func replicationRuleInput(r s3xml.ReplicationRule) s3.ReplicationRuleInput {
	in := s3.ReplicationRuleInput{ID: r.ID, Priority: r.Priority, Status: r.Status, Prefix: r.Prefix,
		DeleteMarkerReplication: statusOf(r.DeleteMarkerReplication), ExistingObjects: statusOf(r.ExistingObjectReplication)}
	if f := r.Filter; f != nil {
		in.HasFilter, in.FilterPrefix = true, f.Prefix
		if f.Tag != nil {
			in.FilterTag = &s3.Tag{Key: f.Tag.Key, Value: f.Tag.Value}
		}
		if f.And != nil {
			in.HasAnd, in.AndPrefix = true, f.And.Prefix
			for _, t := range f.And.Tags {
				in.AndTags = append(in.AndTags, s3.Tag{Key: t.Key, Value: t.Value})
			}
		}
	}
	if c := r.SourceSelectionCriteria; c != nil {
		in.HasSelection = true
		in.SseKmsEncryptedObjects, in.ReplicaModifications = statusOf(c.SseKmsEncryptedObjects), statusOf(c.ReplicaModifications)
	}
	d := r.Destination
	in.Destination = s3.ReplicationDestination{Bucket: d.Bucket, Account: d.Account, StorageClass: d.StorageClass}
	if t := d.AccessControlTranslation; t != nil {
		in.HasOwnerTranslation, in.OwnerTranslation = true, t.Owner
	}
	if e := d.EncryptionConfiguration; e != nil {
		in.Destination.HasEncryption, in.Destination.ReplicaKMSKey = true, e.ReplicaKmsKeyID
	}
	if m := d.Metrics; m != nil {
		in.Destination.Metrics = m.Status
		if in.Destination.Metrics == "" {
			in.Destination.Metrics = "invalid"
		}
		if m.EventThreshold != nil {
			in.Destination.MetricsMins = m.EventThreshold.Minutes
		}
	}
	if t := d.ReplicationTime; t != nil {
		in.Destination.RTC = t.Status
		if in.Destination.RTC == "" {
			in.Destination.RTC = "invalid"
		}
		if t.Time != nil {
			in.Destination.RTCMins = t.Time.Minutes
		}
	}
	return in
}

func status(v string) *s3xml.StatusXML {
	if v == "" {
		return nil
	}
	return &s3xml.StatusXML{Status: v}
}

func replicationRuleXML(r s3.ReplicationRule) s3xml.ReplicationRule {
	x := s3xml.ReplicationRule{ID: r.ID, Status: r.Status}
	if r.V1 {
		p := r.Filter.Prefix
		x.Prefix = &p
	} else {
		pr := r.Priority
		x.Priority = &pr
		x.Filter = &s3xml.ReplicationFilter{}
		tags := make([]s3xml.TagXML, len(r.Filter.Tags))
		for i, t := range r.Filter.Tags {
			tags[i] = s3xml.TagXML{Key: t.Key, Value: t.Value}
		}
		switch r.FilterForm {
		case "prefix":
			p := r.Filter.Prefix
			x.Filter.Prefix = &p
		case "tag":
			x.Filter.Tag = &tags[0]
		case "and":
			p := r.Filter.Prefix
			x.Filter.And = &s3xml.ReplicationAnd{Prefix: &p, Tags: tags}
		}
		x.DeleteMarkerReplication = status(r.DeleteMarkerReplication)
		x.ExistingObjectReplication = status(r.ExistingObjects)
	}
	if r.HasSelection || r.SseKmsEncryptedObjects != "" || r.ReplicaModifications != "" {
		x.SourceSelectionCriteria = &s3xml.SourceSelectionCriteria{SseKmsEncryptedObjects: status(r.SseKmsEncryptedObjects), ReplicaModifications: status(r.ReplicaModifications)}
	}
	d := r.Destination
	x.Destination = s3xml.ReplicationDestination{Bucket: d.Bucket, Account: d.Account, StorageClass: d.StorageClass}
	if d.OwnerOverride {
		x.Destination.AccessControlTranslation = &s3xml.AccessControlTranslation{Owner: "Destination"}
	}
	if d.HasEncryption {
		x.Destination.EncryptionConfiguration = &s3xml.ReplicaEncryption{ReplicaKmsKeyID: d.ReplicaKMSKey}
	}
	if d.Metrics != "" {
		x.Destination.Metrics = &s3xml.ReplicationMetrics{Status: d.Metrics}
		if d.MetricsMins != 0 {
			x.Destination.Metrics.EventThreshold = &s3xml.ReplicationMinutes{Minutes: d.MetricsMins}
		}
	}
	if d.RTC != "" {
		x.Destination.ReplicationTime = &s3xml.ReplicationTime{Status: d.RTC}
		if d.RTCMins != 0 {
			x.Destination.ReplicationTime.Time = &s3xml.ReplicationMinutes{Minutes: d.RTCMins}
		}
	}
	return x
}
